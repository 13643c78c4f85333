import pytest

from domain.screening import KnownOrganisation, normalise_domain, normalise_name, screen


@pytest.mark.parametrize("a,b,key", [
    ("Acme Ltd", "ACME, Inc.", "acme"),
    ("Ａｃｍｅ　GmbH", "acme", "acme"),
    ("Acme Co. Ltd.", "Acme", "acme"),
    ("北京星辰科技有限公司", "北京星辰科技", "北京星辰科技"),
    ("Müller AG", "Muller", "muller"),
    ("Acme-Holdings", "acme holdings", "acmeholdings"),
])
def test_names_that_are_the_same_company(a, b, key):
    # The key itself, not only that both agree: a normaliser that empties every name agrees too.
    assert normalise_name(a) == normalise_name(b) == key


def test_different_companies_stay_different():
    assert normalise_name("Acme Ltd") != normalise_name("Acme Holdings Ltd")
    assert normalise_name("Co") == "co"  # a name that is only a suffix is kept, not emptied


@pytest.mark.parametrize("raw,domain", [
    ("https://WWW.Acme.com/about", "acme.com"),
    ("acme.com", "acme.com"),
    ("http://shop.acme.com:8080", "shop.acme.com"),
    ("li@Acme.COM", "acme.com"),
    ("ａｃｍｅ.ｃｏｍ", "acme.com"),
])
def test_domains_are_normalised(raw, domain):
    assert normalise_domain(raw) == domain


def _known(**kw):
    return KnownOrganisation(**{"org_id": "other", "name": "Acme Ltd", "domain": "acme.com",
                                "status": "active", **kw})


def test_duplicate_domain_wins_over_duplicate_name():
    flags = screen("me", "ACME Inc", "www.acme.com", "li@acme.com", [_known()])
    assert [f.code for f in flags] == ["duplicate_domain"]
    assert flags[0].related_org_id == "other" and "Acme Ltd" in flags[0].message


def test_duplicate_name_on_another_domain():
    flags = screen("me", "Acme, Inc.", "acme.cn", "li@acme.cn", [_known()])
    assert [f.code for f in flags] == ["duplicate_name"]


def test_free_mail_and_mismatched_mail_domains():
    assert [f.code for f in screen("me", "Nova", "nova.io", "nova@qq.com", [])] == ["free_mail_domain"]
    assert [f.code for f in screen("me", "Nova", "nova.io", "x@other.io", [])] == ["email_domain_mismatch"]
    assert screen("me", "Nova", "nova.io", "x@sales.nova.io", []) == []


def test_an_organisation_is_not_its_own_duplicate():
    assert screen("other", "Acme Ltd", "acme.com", "li@acme.com", [_known()]) == []
