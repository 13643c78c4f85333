"""Screening rules: likely duplicates and free-mail domains. Pure functions over plain data."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from domain.phrases import N_, Phrase

FREE_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "yahoo.co.jp", "hotmail.com",
    "outlook.com", "live.com", "msn.com", "aol.com", "icloud.com", "me.com", "mail.com",
    "gmx.com", "gmx.de", "gmx.net", "web.de", "yandex.ru", "yandex.com", "proton.me",
    "protonmail.com", "zoho.com", "qq.com", "foxmail.com", "163.com", "126.com", "yeah.net",
    "sina.com", "sina.cn", "sohu.com", "aliyun.com", "139.com", "naver.com", "daum.net",
})

# Legal suffixes folded away before comparing names ("Acme Ltd" == "ACME, Inc.").
_LEGAL_SUFFIXES = (
    "incorporated", "corporation", "company", "limited", "inc", "ltd", "llc", "llp", "plc", "corp",
    "co", "gmbh", "ag", "kg", "sa", "sas", "sarl", "srl", "spa", "bv", "nv", "oy", "ab", "as",
    "pty", "pte", "kk", "kabushikikaisha", "sdnbhd", "bhd",
)
_CJK_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司", "株式会社", "有限會社", "有限公司")


def fold(text: str) -> str:
    """Case, width (full-width ＡＢＣ) and accents folded; punctuation and spaces removed."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return "".join(c for c in text if c.isalnum())


def normalise_name(name: str) -> str:
    text = unicodedata.normalize("NFKC", name or "").casefold()
    for suffix in _CJK_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    words = re.split(r"[\s,.\-/&()]+", text)
    while len(words) > 1 and fold(words[-1]) in _LEGAL_SUFFIXES or (words and words[-1] == ""):
        words.pop()
    return fold(" ".join(words))


def normalise_domain(value: str) -> str:
    """'https://WWW.Acme.com/about' -> 'acme.com'; an email address gives its domain."""
    value = unicodedata.normalize("NFKC", value or "").strip().casefold()
    if "@" in value and "/" not in value:
        value = value.rsplit("@", 1)[1]
    if "://" not in value:
        value = "//" + value
    host = urlsplit(value).hostname or ""
    host = host.rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    return host


def email_domain(email: str) -> str:
    return normalise_domain(email.rsplit("@", 1)[-1]) if "@" in (email or "") else ""


@dataclass(frozen=True)
class KnownOrganisation:
    org_id: str
    name: str
    domain: str
    status: str


# What each flag says, by code. Stored with the flag in English; the reviewer's page recognises it
# by the same phrase and shows it in the reviewer's language (status: a Stage value).
FLAG_MESSAGES = {
    "duplicate_domain": Phrase(N_("Same domain as %(name)s (%(status)s)"), status="[a-z_]+"),
    "duplicate_name": Phrase(N_("Same name as %(name)s (%(status)s)"), status="[a-z_]+"),
    "free_mail_domain": Phrase(N_("Contact uses a free-mail domain (%(domain)s)")),
    "email_domain_mismatch": Phrase(N_("Contact email domain %(mail_domain)s differs from %(domain)s")),
    # A user belongs to one organisation: activation cannot invite this contact (issue 8).
    "contact_has_account": Phrase(N_("Contact email %(email)s already has an account: activation "
                                     "will ask a channel manager for another contact")),
}


@dataclass(frozen=True)
class ScreeningFlag:
    code: str            # duplicate_domain | duplicate_name | free_mail_domain | email_domain_mismatch
                         # | contact_has_account
    message: str
    related_org_id: str = ""


def screen(org_id: str, name: str, website: str, email: str,
           known: list[KnownOrganisation], account_org_id: str | None = None,
           email_has_account: bool = False) -> list[ScreeningFlag]:
    """`email_has_account`: the contact's email belongs to a user already; `account_org_id` is
    that user's organisation (None for staff). Only another organisation's user, or staff, is a
    flag: this organisation's own admin (a re-screened application) is not."""
    flags: list[ScreeningFlag] = []
    domain = normalise_domain(website)
    folded = normalise_name(name)
    for other in known:
        if other.org_id == org_id:
            continue
        if domain and normalise_domain(other.domain) == domain:
            flags.append(_flag("duplicate_domain", other.org_id, name=other.name, status=other.status))
        elif folded and normalise_name(other.name) == folded:
            flags.append(_flag("duplicate_name", other.org_id, name=other.name, status=other.status))
    mail_domain = email_domain(email)
    if mail_domain in FREE_MAIL_DOMAINS or domain in FREE_MAIL_DOMAINS:
        flags.append(_flag("free_mail_domain", domain=mail_domain or domain))
    elif mail_domain and domain and not (mail_domain == domain or mail_domain.endswith("." + domain)):
        flags.append(_flag("email_domain_mismatch", mail_domain=mail_domain, domain=domain))
    if email_has_account and account_org_id != org_id:
        flags.append(contact_has_account(email, account_org_id))
    return flags


def contact_has_account(email: str, account_org_id: str | None) -> ScreeningFlag:
    """Also raised at activation, when the account appeared after screening."""
    return _flag("contact_has_account", account_org_id or "", email=email.strip().lower())


def _flag(code: str, related_org_id: str = "", **fields: str) -> ScreeningFlag:
    return ScreeningFlag(code, FLAG_MESSAGES[code].format(**fields), related_org_id)
