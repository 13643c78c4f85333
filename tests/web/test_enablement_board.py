"""The enablement board (/manage/enablement) on the real database (SQLite, and PostgreSQL when
TEST_DATABASE_URL is set): what each row says, its filters, sorts and pages, the CSV export
(formula cells neutralised), Chinese, and who may see it. The database is shared by the whole
run, so each test finds its own partners by a tag in their names."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest

from tests.web.conftest import login, make_org, make_user, tag
from tests.web.enablement_rows import seed_plan

ALL_DONE_ENABLED = {"profile": "done", "logo": "done", "addendum": "done",
                    "sales_training": "done", "product_overview": "done", "kickoff": "done"}


def _ids(html: str) -> list[str]:
    return re.findall(r'<tr data-org-id="([^"]+)"', html)


def _board(client, **params) -> str:
    response = client.get("/manage/enablement", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    return response.get_data(as_text=True)


def _row(html: str, org_id: str) -> str:
    found = re.search(rf'<tr data-org-id="{org_id}".*?</tr>', html, re.S)
    assert found, f"no row for {org_id}"
    return found.group(0)


@pytest.fixture
def manager(client, sessions):
    user = make_user(sessions, "channel_manager", name=f"Mia Chen {tag()}")
    login(client, user)
    return user


def test_a_row_says_stage_progress_overdue_next_item_its_owner_and_the_manager(client, sessions,
                                                                              manager):
    t = tag()
    org = make_org(sessions, name=f"Board {t} Trading Ltd", status="active", country="DE")
    seed_plan(sessions, org, statuses={"profile": "done", "logo": "done", "addendum": "open",
                                       "sales_training": "open"},
              due={"addendum": timedelta(days=-2), "sales_training": timedelta(days=6)},
              days_ago=12, manager_id=manager.id)
    row = _row(_board(client, q=t), org.id)
    assert 'data-stage="onboarding"' in row and "Onboarding" in row
    # Required items of the standard plan v1: 7 (the product overview is optional); two done.
    assert 'data-percent="28"' in row and "2 of 7" in row
    assert 'data-overdue="1"' in row
    # The next item is the one due first (the overdue addendum), named by the plan, with its owner.
    assert 'data-next="addendum"' in row and "Sign the program addendum" in row
    assert "partner administrator" in row
    assert 'data-days="12"' in row and manager.name in row


def test_the_next_item_names_the_person_it_is_assigned_to_and_an_ad_hoc_item_its_own_title(
        client, sessions, manager):
    t = tag()
    assigned = make_org(sessions, name=f"Assigned {t} Ltd", status="active")
    seed_plan(sessions, assigned, statuses={"sales_training": "open"},
              assignees={"sales_training": (manager.id, "Wang Fang")})
    ad_hoc = make_org(sessions, name=f"Adhoc {t} Ltd", status="active")
    seed_plan(sessions, ad_hoc, ad_hoc={"adhoc-nda": "Send the signed NDA"},
              statuses=ALL_DONE_ENABLED)
    done = make_org(sessions, name=f"Nothing {t} Ltd", status="active")
    seed_plan(sessions, done, statuses=ALL_DONE_ENABLED)
    html = _board(client, q=t)
    assert "Wang Fang" in _row(html, assigned.id)
    # An ad-hoc item has no title in the plan: the one the manager gave it.
    row = _row(html, ad_hoc.id)
    assert 'data-next="adhoc-nda"' in row and "Send the signed NDA" in row and "partner user" in row
    assert "Nothing open" in _row(html, done.id)


def test_filters_stage_overdue_manager_country_type_and_the_search(client, sessions, manager):
    t = tag()
    other = make_user(sessions, "channel_manager", name=f"Other Manager {tag()}")
    onboarding = make_org(sessions, name=f"Filter {t} One Ltd", status="active", country="CN",
                          partner_type="reseller")
    seed_plan(sessions, onboarding, statuses={"profile": "open"},
              due={"profile": timedelta(days=-1)}, manager_id=manager.id)
    enabled = make_org(sessions, name=f"Filter {t} Two Ltd", status="active", country="DE",
                       partner_type="distributor")
    seed_plan(sessions, enabled, statuses={**ALL_DONE_ENABLED, "sales_certification": "open"},
              manager_id=other.id)
    referral = make_org(sessions, name=f"Filter {t} Three Ltd", status="active", country="DE",
                        partner_type="referral")
    seed_plan(sessions, referral, plan_id="referral", statuses={"profile": "open"}, days_ago=1)
    assert set(_ids(_board(client, q=t))) == {onboarding.id, enabled.id, referral.id}
    assert _ids(_board(client, q=t, stage="enabled")) == [enabled.id]
    assert _ids(_board(client, q=t, overdue="1")) == [onboarding.id]
    assert _ids(_board(client, q=t, manager=str(other.id))) == [enabled.id]
    assert _ids(_board(client, q=t, manager="none")) == [referral.id]
    assert set(_ids(_board(client, q=t, country="DE"))) == {enabled.id, referral.id}
    assert _ids(_board(client, q=t, type="referral")) == [referral.id]
    # A value the board does not offer is ignored rather than matching nothing.
    assert len(_ids(_board(client, q=t, stage="nonsense"))) == 3
    assert _ids(_board(client, q=f"{t} two")) == [enabled.id]


def test_sorts_by_percent_and_by_stage_in_the_plans_order(client, sessions, manager):
    t = tag()
    low = make_org(sessions, name=f"Sort {t} A Ltd", status="active")
    seed_plan(sessions, low, statuses={"profile": "open"})
    high = make_org(sessions, name=f"Sort {t} B Ltd", status="active")
    seed_plan(sessions, high, statuses={**ALL_DONE_ENABLED, "sales_certification": "open"})
    middle = make_org(sessions, name=f"Sort {t} C Ltd", status="active")
    seed_plan(sessions, middle, statuses={"profile": "done", "logo": "done", "addendum": "done"})
    assert _ids(_board(client, q=t, sort="percent", dir="desc")) == [high.id, middle.id, low.id]
    assert _ids(_board(client, q=t, sort="percent")) == [low.id, middle.id, high.id]
    # Stage in the plan's order (onboarding before enabled), not alphabetically.
    assert _ids(_board(client, q=t, sort="stage"))[-1] == high.id
    assert _ids(_board(client, q=t, sort="partner", dir="desc")) == [middle.id, high.id, low.id]


def test_pages_of_fifty(client, sessions, manager):
    t = tag()
    orgs = []
    for i in range(53):
        org = make_org(sessions, name=f"Page {t} {i:02d} Ltd", status="active")
        seed_plan(sessions, org, statuses={"profile": "open"})
        orgs.append(org.id)
    first = _board(client, q=t, sort="partner")
    assert _ids(first) == orgs[:50] and "of 53" in first and 'rel="next"' in first
    assert _ids(_board(client, q=t, sort="partner", page="2")) == orgs[50:]
    # A page past the end shows the last one.
    assert _ids(_board(client, q=t, sort="partner", page="9")) == orgs[50:]


def test_csv_export_keeps_the_filters_and_neutralises_formula_cells(client, sessions, manager):
    t = tag()
    evil = make_org(sessions, name=f"=HYPERLINK(\"http://x.example\",\"{t}\")", status="active")
    seed_plan(sessions, evil, statuses={"profile": "open"}, manager_id=manager.id)
    plain = make_org(sessions, name=f"@Plain {t} Ltd", status="active", country="DE")
    seed_plan(sessions, plain, statuses={"profile": "done"})
    response = client.get("/manage/enablement/export.csv", query_string={"q": t})
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0][:3] == ["Partner", "Reference", "Stage"]
    names = {r[0] for r in rows[1:]}
    assert names == {f"'=HYPERLINK(\"http://x.example\",\"{t}\")", f"'@Plain {t} Ltd"}
    only_de = list(csv.reader(io.StringIO(client.get(
        "/manage/enablement/export.csv", query_string={"q": t, "country": "DE"}
    ).get_data().decode("utf-8-sig"))))
    assert [r[0] for r in only_de[1:]] == [f"'@Plain {t} Ltd"]


def test_in_chinese_the_board_names_stages_items_and_owners_in_chinese(client, sessions):
    reader = make_user(sessions, "channel_manager", name=f"陈敏 {tag()}", locale="zh_Hans")
    login(client, reader)
    t = tag()
    org = make_org(sessions, name=f"上海华信 {t} 科技有限公司", status="active")
    seed_plan(sessions, org, statuses={"profile": "done", "logo": "done", "addendum": "done",
                                       "sales_training": "open"})
    html = _board(client, q=t)
    row = _row(html, org.id)
    assert "入驻" in row and "完成销售培训" in row
    assert "合作伙伴赋能" in html  # the page's title, the glossary's term
    csv_text = client.get("/manage/enablement/export.csv",
                          query_string={"q": t}).get_data().decode("utf-8-sig")
    assert "完成销售培训" in csv_text


def test_partners_and_other_staff_do_not_get_the_board(client, sessions):
    org = make_org(sessions, status="active")
    partner = make_user(sessions, "partner_admin", org_id=org.id)
    login(client, partner)
    assert client.get("/manage/enablement").status_code in (403, 404)
    assert client.get("/manage/enablement/export.csv").status_code in (403, 404)
