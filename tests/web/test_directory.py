"""The partners directory and the partner page, on the real database (SQLite, and PostgreSQL
when TEST_DATABASE_URL is set): search, filters, sorting, pages, the CSV export and who may see
them. The database is shared by the whole run, so each test finds its own organisations by a
tag in their names and asserts on those."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from activities.recruitment import record_and_screen
from db.models import Agreement, Organisation, Signature, TimelineEvent
from domain import ids
from domain.onboarding import RecordApplicationInput
from tests.conftest import application
from tests.web.conftest import login, make_org, make_task, make_user, tag
from web import listing


def _ids(html: str) -> list[str]:
    return re.findall(r'<tr data-org-id="([^"]+)"', html)


def _list(client, **params) -> str:
    response = client.get("/manage/partners/", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def _set(sessions, org, **values) -> None:
    with sessions.begin() as s:
        s.execute(update(Organisation).where(Organisation.id == org.id).values(**values))


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


@pytest.fixture
def manager(client, sessions):
    user = make_user(sessions, "channel_manager", name=f"Mia Chen {tag()}")
    login(client, user)
    return user


def test_search_finds_a_substring_of_name_domain_contact_and_reference(client, sessions, manager):
    t = tag()
    target = make_org(sessions, name=f"Northwind {t} Trading Ltd",
                      contact_name=f"Zhang Xiaoming{t}", contact_email=f"sales.{t}@northwind-cn.example")
    _set(sessions, target, domain=f"shop-{t}-northwind.example")
    other = make_org(sessions, name=f"Southwind {tag()} Ltd")

    # Each a piece from the middle, in another case than stored: never only a prefix.
    for term in (f"{t[2:].upper()} TRADING", f"-{t}-NORTHWIND.EX", f"xiaoming{t}",
                 f"SALES.{t}@", target.reference[3:9].lower()):
        assert _ids(_list(client, q=term)) == [target.id], term
    assert other.id not in _ids(_list(client, q=t))


def test_search_takes_like_wildcards_literally(client, sessions, manager):
    t = tag()
    literal = make_org(sessions, name=f"Promo {t} 50%_off Ltd")
    lookalike = make_org(sessions, name=f"Promo {t} 50xyoff Ltd")
    backslash = make_org(sessions, name=f"Path {t} C:\\temp Ltd")

    assert _ids(_list(client, q=f"{t} 50%_off")) == [literal.id]
    assert _ids(_list(client, q=f"{t} 50%")) == [literal.id]
    assert sorted(_ids(_list(client, q=f"Promo {t}"))) == sorted([literal.id, lookalike.id])
    assert _ids(_list(client, q=f"{t} c:\\temp")) == [backslash.id]
    assert literal.id in _ids(_list(client, q="0%_off"))
    assert lookalike.id not in _ids(_list(client, q="0%_off"))  # % and _ match only themselves


def test_filters_by_stage_country_type_and_flags(client, sessions, manager):
    t = tag()
    active = make_org(sessions, name=f"Filter {t} One", status="active", country="CN",
                      partner_type="reseller")
    rejected = make_org(sessions, name=f"Filter {t} Two", status="rejected", country="DE",
                        partner_type="distributor")
    _set(sessions, active, flags=[{"code": "free_mail_domain", "related_org_id": "",
                                   "message": "Contact uses a free-mail domain (qq.com)"}])

    assert _ids(_list(client, q=t, stage="active")) == [active.id]
    assert _ids(_list(client, q=t, country="DE")) == [rejected.id]
    assert _ids(_list(client, q=t, type="reseller")) == [active.id]
    assert _ids(_list(client, q=t, flagged="yes")) == [active.id]
    assert _ids(_list(client, q=t, flagged="no")) == [rejected.id]
    assert _ids(_list(client, q=t, stage="rejected", country="CN")) == []
    # A value the filter does not offer is ignored, not passed to the database.
    assert sorted(_ids(_list(client, q=t, stage="' OR 1=1 --"))) == sorted([active.id, rejected.id])

    html = _list(client, q=t, stage="active")
    assert '<option value="active" selected>Active partner</option>' in html
    assert "Free-mail address" in html  # the flag's label in its row


def test_sorts_each_way_by_the_whitelisted_columns(client, sessions, manager):
    t = tag()
    now = datetime.now(timezone.utc)
    a = make_org(sessions, name=f"Sort {t} Alpha", status="rejected")
    b = make_org(sessions, name=f"Sort {t} Bravo", status="submitted")
    c = make_org(sessions, name=f"Sort {t} Charlie", status="active")
    _set(sessions, a, created_at=now - timedelta(days=1), activated_at=None)
    _set(sessions, b, created_at=now - timedelta(days=3), activated_at=now - timedelta(hours=1))
    _set(sessions, c, created_at=now - timedelta(days=2), activated_at=now - timedelta(hours=5))

    assert _ids(_list(client, q=t)) == [a.id, b.id, c.id]  # by name, A to Z, by default
    assert _ids(_list(client, q=t, sort="name", dir="desc")) == [c.id, b.id, a.id]
    assert _ids(_list(client, q=t, sort="applied")) == [a.id, c.id, b.id]  # newest first
    assert _ids(_list(client, q=t, sort="applied", dir="asc")) == [b.id, c.id, a.id]
    # Never activated comes last in both directions.
    assert _ids(_list(client, q=t, sort="activated")) == [b.id, c.id, a.id]
    assert _ids(_list(client, q=t, sort="activated", dir="asc")) == [c.id, b.id, a.id]
    # Stages in the order of the lifecycle, not of their codes.
    assert _ids(_list(client, q=t, sort="stage")) == [b.id, c.id, a.id]
    # A column outside the whitelist falls back to the default order.
    assert _ids(_list(client, q=t, sort="password_hash")) == [a.id, b.id, c.id]

    html = _list(client, q=t, sort="applied")
    header = re.search(r'<th scope="col" data-column="applied"([^>]*)>\s*<a class="sort" href="([^"]+)"',
                       html)
    assert header and 'aria-sort="descending"' in header.group(1)
    assert header.group(2).replace("&amp;", "&") == f"/manage/partners/?q={t}&sort=applied&dir=asc"
    name_link = re.search(r'data-column="name"[^>]*>\s*<a class="sort" href="([^"]+)"', html).group(1)
    assert name_link.replace("&amp;", "&") == f"/manage/partners/?q={t}"  # the default is plain
    assert re.search(r'data-column="manager"[^>]*>\s*<a class="sort"', html)  # sortable now


def test_sorts_by_channel_manager_with_nobody_last_either_way(client, sessions, manager):
    """The channel manager is the organisation's own column (issue 9): one join, sortable."""
    t = tag()
    ann = make_user(sessions, "channel_manager", name=f"Ann {t}")
    zoe = make_user(sessions, "channel_manager", name=f"Zoe {t}")
    by_zoe = make_org(sessions, name=f"Owned {t} A")
    nobody = make_org(sessions, name=f"Owned {t} B")
    by_ann = make_org(sessions, name=f"Owned {t} C")
    _set(sessions, by_zoe, channel_manager_user_id=zoe.id)
    _set(sessions, by_ann, channel_manager_user_id=ann.id)

    assert _ids(_list(client, q=t, sort="manager")) == [by_ann.id, by_zoe.id, nobody.id]
    assert _ids(_list(client, q=t, sort="manager", dir="desc")) == [by_zoe.id, by_ann.id, nobody.id]
    html = _list(client, q=t, sort="manager")
    assert f"<td>{ann.name}</td>" in html and f"<td>{zoe.name}</td>" in html
    header = re.search(r'data-column="manager"([^>]*)>\s*<a class="sort" href="([^"]+)"', html)
    assert 'aria-sort="ascending"' in header.group(1)
    assert header.group(2).replace("&amp;", "&") == f"/manage/partners/?q={t}&sort=manager&dir=desc"
    exported = _csv(client.get("/manage/partners/export.csv",
                               query_string={"q": t, "sort": "manager"}))
    assert [row[5] for row in exported[1:]] == [ann.name, zoe.name, ""]


def _many(sessions, t: str, count: int) -> list[str]:
    """`count` organisations named so that name order is creation order; their ids in that order."""
    made = []
    with sessions.begin() as s:
        for n in range(count):
            org_id = ids.new_org_id()
            data = application(company_name=f"Paged {t} {n:03d}")
            s.add(Organisation(id=org_id, reference=ids.application_reference(org_id),
                               name=data["company_name"], normalised_name=data["company_name"].lower(),
                               domain=f"{tag()}.example", country="CN", partner_type="reseller",
                               status="in_review", workflow_id=ids.onboarding_workflow_id(org_id),
                               application=data))
            made.append(org_id)
    return made


def test_pages_keep_the_search_and_the_order(client, sessions, manager):
    t = tag()
    made = _many(sessions, t, 53)

    first = _list(client, q=t, sort="name", dir="desc")
    second = _list(client, q=t, sort="name", dir="desc", page=2)
    assert _ids(first) == list(reversed(made))[:50]
    assert _ids(second) == list(reversed(made))[50:]
    assert "Partners 1–50 of 53" in first and "Partners 51–53 of 53" in second
    next_link = re.search(r'<a href="([^"]+)" rel="next">', first).group(1).replace("&amp;", "&")
    assert next_link == f"/manage/partners/?q={t}&dir=desc&page=2"
    assert client.get(next_link).get_data(as_text=True).count("<tr data-org-id=") == 3
    # Past the end: the last page. Nonsense: the first.
    assert _ids(_list(client, q=t, sort="name", dir="desc", page=9)) == _ids(second)
    assert _ids(_list(client, q=t, sort="name", dir="desc", page="-1")) == _ids(first)


def test_a_search_is_counted_only_a_few_pages_ahead(client, sessions, manager, monkeypatch):
    """A word most names contain must not make every page view count the whole table."""
    monkeypatch.setattr(listing, "COUNT_AHEAD_PAGES", 0)  # counted up to the page shown: 50 rows
    t = tag()
    made = _many(sessions, t, 53)

    first = _list(client, q=t)
    assert _ids(first) == made[:50]
    assert "Partners 1–50 of more than 50" in first
    next_link = re.search(r'<a href="([^"]+)" rel="next">', first).group(1).replace("&amp;", "&")
    second = client.get(next_link).get_data(as_text=True)
    assert _ids(second) == made[50:] and "Partners 51–53 of 53" in second
    assert 'rel="next"' not in second
    # Without a search the count is exact up to COUNT_CAP (10,000) rows.
    assert "of more than" not in _list(client, stage="in_review")


def test_without_a_search_the_count_stops_at_its_cap(client, sessions, manager, monkeypatch):
    """100,000 organisations must not be counted on every page view (python -m bench lists)."""
    monkeypatch.setattr(listing, "COUNT_AHEAD_PAGES", 0)
    monkeypatch.setattr(listing, "COUNT_CAP", 50)
    _many(sessions, tag(), 53)

    first = _list(client)
    assert "Partners 1–50 of more than 50" in first and 'rel="next"' in first


def test_csv_export_has_every_page_in_order_with_formula_cells_neutralised(client, sessions, manager):
    t = tag()
    made = _many(sessions, t, 52)
    evil = make_org(sessions, name=f'=HYPERLINK("http://evil.example/?{t}","Click")',
                    contact_name="@SUM(1+1)", contact_email=f"+1-{t}@evil.example")
    _set(sessions, evil, domain=f"-2+3-{t}.example")
    tabbed = make_org(sessions, name=f"\tTabbed {t}", contact_name="\r=1+1")

    rows = _csv(client.get("/manage/partners/export.csv", query_string={"q": f"Paged {t}"}))
    assert rows[0][:4] == ["Partner", "Reference", "Stage", "Country"]
    assert [r[0] for r in rows[1:]] == [f"Paged {t} {n:03d}" for n in range(52)]  # all pages
    assert rows[1][2:5] == ["In review", "China", "Reseller"]

    by_name = {r[0]: r for r in _csv(client.get("/manage/partners/export.csv",
                                                query_string={"q": t, "sort": "applied"}))[1:]}
    assert len(by_name) == 54
    hyperlink = by_name[f"'=HYPERLINK(\"http://evil.example/?{t}\",\"Click\")"]
    assert hyperlink[9] == f"'-2+3-{t}.example"
    assert hyperlink[10:12] == ["'@SUM(1+1)", f"'+1-{t}@evil.example"]
    tab_row = by_name[f"'\tTabbed {t}"]
    assert tab_row[10] == "'\r=1+1"
    assert by_name[f"Paged {t} 000"][10] == "Li Wei"  # plain text stays as it is

    # The export follows the filters: none of these is active.
    assert _csv(client.get("/manage/partners/export.csv", query_string={"q": t, "stage": "active"}))[1:] == []
    # The page links to the export with its own search and filters.
    html = _list(client, q=t, stage="in_review")
    link = re.search(r'href="([^"]*export\.csv[^"]*)"', html).group(1).replace("&amp;", "&")
    assert link == f"/manage/partners/export.csv?q={t}&stage=in_review"
    assert len(_csv(client.get(link))) == 1 + len(made) + 2


def test_partners_never_reach_the_directory_the_partner_page_or_the_csv(app, sessions):
    own = make_org(sessions, status="active")
    other = make_org(sessions)
    partner = make_user(sessions, "partner_admin", org_id=own.id)
    paths = ["/manage/partners/", "/manage/partners/export.csv?q=a",
             f"/manage/partners/{other.id}", f"/manage/partners/{own.id}"]

    anonymous = app.test_client()
    for path in paths:
        response = anonymous.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path

    as_partner = app.test_client()
    login(as_partner, partner)
    for path in paths:
        assert as_partner.get(path).status_code == 404, path
    assert 'href="/manage/partners/"' not in as_partner.get("/portal/").get_data(as_text=True)

    # The same paths answer staff: channel managers, program leads and ops alike.
    for role in ("channel_manager", "program_lead", "ops"):
        staff = app.test_client()
        login(staff, make_user(sessions, role))
        for path in paths:
            assert staff.get(path).status_code == 200, (role, path)
        nav = staff.get("/manage/partners/").get_data(as_text=True).split('class="mainnav"', 1)[1]
        assert 'href="/manage/partners/" aria-current="page">Partners</a>' in nav.split("</nav>", 1)[0]


def test_an_unknown_partner_page_is_not_found(client, manager):
    assert client.get("/manage/partners/no-such-org").status_code == 404


def _apply(sessions, app_data: dict) -> str:
    org_id = ids.new_org_id()
    with sessions.begin() as s:
        record_and_screen(s, RecordApplicationInput(org_id, ids.application_reference(org_id),
                                                    ids.onboarding_workflow_id(org_id), app_data))
    return org_id


def test_a_duplicate_flag_links_to_the_organisation_it_matches(client, sessions, manager):
    t = tag()
    first = _apply(sessions, application(company_name=f"Twin {t} Systems Ltd",
                                         website=f"https://twin-{t}.example.com",
                                         contact_email=f"a@twin-{t}.example.com"))
    second = _apply(sessions, application(company_name=f"Twin {t} Systems Co",
                                          website=f"twin-{t}.example.com",
                                          contact_email=f"b@twin-{t}.example.com"))
    with sessions() as s:
        first_org = s.get(Organisation, first)
        flags = s.get(Organisation, second).flags
    assert [(f["code"], f["related_org_id"]) for f in flags] == [("duplicate_domain", first)]

    html = client.get(f"/manage/partners/{second}").get_data(as_text=True)
    flag = html.split('data-flag="duplicate_domain"', 1)[1].split("</li>", 1)[0]
    assert (f'<a href="/manage/partners/{first}">Open {first_org.name} ({first_org.reference})</a>'
            in flag)
    row = _list(client, q=f"Twin {t}", flagged="yes")
    assert _ids(row) == [second]
    assert "Possible duplicate: same domain" in row


def test_the_partner_page_shows_profile_users_agreements_tasks_and_timeline(client, sessions, manager):
    org = make_org(sessions, name=f"Profile {tag()} Ltd", status="active", region="Shanghai")
    admin = make_user(sessions, "partner_admin", org_id=org.id, name=f"Li Wei {tag()}")
    body = "Partner agreement text"
    sha = hashlib.sha256(body.encode()).hexdigest()
    signed_at = datetime(2026, 11, 30, 9, 15, tzinfo=timezone.utc)
    with sessions.begin() as s:
        s.add(Agreement(id=f"{org.workflow_id}/agreement", org_id=org.id, workflow_id=org.workflow_id,
                        template="partner_agreement.v1", title=f"Partner agreement: {org.name}",
                        body=body, sha256=sha, status="countersigned"))
        s.flush()
        s.add(Signature(agreement_id=f"{org.workflow_id}/agreement", party="partner",
                        full_name=admin.name, signed_at=signed_at, sha256=sha))
        s.add(TimelineEvent(key=f"{org.workflow_id}/t/{tag()}", org_id=org.id,
                            workflow_id=org.workflow_id, action="approved",
                            note=f"Approved by {manager.name}", actor=manager.name))
    review = make_task(sessions, org, status="done", completed_by=manager.name, decision="approve",
                       completed_at=datetime.now(timezone.utc))
    countersign = make_task(sessions, org, step="countersign", task_type="countersign",
                            form="countersign.v1", claimed_by_id=manager.id, status="claimed")
    signing = make_task(sessions, org, step="sign", task_type="sign_agreement",
                        form="sign_agreement.v1", partner=True)
    _set(sessions, org, channel_manager_user_id=manager.id)  # as the countersignature's row does

    html = client.get(f"/manage/partners/{org.id}",
                      headers={"Accept-Language": "en-GB"}).get_data(as_text=True)  # en-GB dates
    assert "<dt>Region or province</dt><dd>Shanghai</dd>" in html  # the application's fields
    assert f"<dt>Channel manager</dt><dd>{manager.name}</dd>" in html
    assert admin.name in html and admin.email in html and "partner administrator" in html
    assert sha in html and ">Countersigned</span>" in html
    assert f"Signed by {admin.name} on 30 Nov 2026, 09:15 UTC" in html

    def task_item(task_id: str) -> str:
        return html.split(f'data-task-id="{task_id}"', 1)[1].split("</li>", 1)[0]

    open_part, done_part = html.split('id="open-tasks-title"', 1)[1].split('id="done-tasks-title"', 1)
    assert countersign.id in open_part and signing.id in open_part and review.id in done_part
    assert f'<a href="/manage/tasks/{review.id}">Review application: {org.name}</a>' in task_item(review.id)
    assert f'href="/manage/tasks/{countersign.id}"' in task_item(countersign.id)
    assert "<a " not in task_item(signing.id) and "for the partner" in task_item(signing.id)
    assert f"Completed by {manager.name}" in task_item(review.id)
    timeline = html.split("<h2>Timeline</h2>", 1)[1]
    # The timeline names the manager once: beside the time, not again in "Approved by …".
    assert "Application approved" in timeline and f"Approved by {manager.name}" not in timeline
    assert timeline.count(manager.name) == 1

    # The directory names the same manager: the organisation's channel manager.
    assert f"<td>{manager.name}</td>" in _list(client, q=org.reference)


def test_the_directory_in_chinese(client, sessions, manager):
    org = make_org(sessions, name=f"中文 {tag()} 有限公司", status="agreement_out")
    html = _list(client, q=org.name, lang="zh_Hans")
    assert "<h1>合作伙伴</h1>" in html and "渠道经理" in html and "协议已发送待签署" in html
    assert "中国" in html  # the country's name in the reader's language
