"""The rules a partner's plan runs by (domain/enablement_rules.py): what opens, which stage the
partner is in, the board's figures, and what a move to a new plan version changes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from definitions.plans import load_plan
from domain.enablement import (SATISFIED, CertificationState, CertificationStatus, ItemKind,
                               ItemOwner, ItemState, ItemStatus, PlanItem)
from domain.enablement_rules import (certification_expires, initial_items, item_due, openable,
                                     progress, reconcile, renewal_opens, stage_reached)

V1, V2 = load_plan("standard", 1), load_plan("standard", 2)
START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
LATER = START + timedelta(days=100)


def _items(plan=V1, **statuses: ItemStatus) -> dict[str, ItemState]:
    items = initial_items(plan, START)
    for key, status in statuses.items():
        items[key].status = status
    return items


def _cert(expires_at: datetime, status=CertificationStatus.VALID, key="sales_associate"):
    return CertificationState(key, 7, "Li Wei", expires_at - timedelta(days=365), expires_at, status)


DONE, WAIVED, OPEN = ItemStatus.DONE, ItemStatus.WAIVED, ItemStatus.OPEN
ENABLED_ITEMS = {i.key: DONE for i in V1.items if i.stage == "enabled" and i.required}


def test_a_new_plan_opens_what_waits_for_nothing_and_each_item_is_due_by_its_offset():
    items = initial_items(V1, START)
    assert openable(V1, items) == ["profile", "logo", "sales_training", "product_overview", "kickoff"]
    assert items["profile"].due_at == START + timedelta(days=7) == item_due(V1.item("profile"), START)
    assert all(s.status is ItemStatus.LOCKED for s in items.values())


def test_an_item_opens_when_its_prerequisites_are_done_or_waived_and_not_before():
    assert "addendum" not in openable(V1, _items(profile=OPEN))
    assert "addendum" in openable(V1, _items(profile=DONE))
    assert "addendum" in openable(V1, _items(profile=WAIVED))
    # Already open items are not opened again.
    assert "profile" not in openable(V1, _items(profile=OPEN))
    # first_deal waits for the addendum, which waits for the profile.
    assert "first_deal" not in openable(V1, _items(profile=DONE))
    assert "first_deal" in openable(V1, _items(profile=DONE, addendum=DONE))


def test_the_stage_moves_on_when_every_required_item_up_to_it_is_satisfied():
    assert stage_reached(V1, _items(), [], START) == "onboarding"
    almost = {**ENABLED_ITEMS, "kickoff": OPEN}
    assert stage_reached(V1, _items(**almost), [], START) == "onboarding"
    # An optional item (the product overview) does not hold the stage back; a waived one counts.
    assert stage_reached(V1, _items(**{**ENABLED_ITEMS, "logo": WAIVED}), [], START) == "enabled"
    certified = {**ENABLED_ITEMS, "sales_certification": DONE, "first_deal": DONE}
    held = [_cert(START + timedelta(days=300))]
    assert stage_reached(V1, _items(**certified), held, START) == "certified"


def test_a_lapsed_certification_takes_the_stage_back_and_a_renewal_brings_it_back():
    certified = _items(**ENABLED_ITEMS, sales_certification=DONE, first_deal=DONE)
    expires = START + timedelta(days=365)
    assert stage_reached(V1, certified, [_cert(expires)], expires - timedelta(seconds=1)) == "certified"
    assert stage_reached(V1, certified, [_cert(expires)], expires) == "enabled"
    lapsed = [_cert(expires, CertificationStatus.LAPSED)]
    assert stage_reached(V1, certified, lapsed, START) == "enabled"
    renewed = [_cert(expires, CertificationStatus.RENEWED), _cert(expires + timedelta(days=365))]
    assert stage_reached(V1, certified, renewed, expires + timedelta(days=1)) == "certified"
    # Another certification does not stand in for this one.
    assert stage_reached(V1, certified, [_cert(LATER, key="other")], START) == "enabled"


def test_a_certification_lasts_a_year_and_its_renewal_opens_thirty_days_before():
    rule = V1.item("sales_certification").certification
    expires = certification_expires(rule, START)
    assert expires == START + timedelta(days=365)
    assert renewal_opens(rule, expires) == START + timedelta(days=335)


def test_progress_counts_required_items_overdue_ones_and_the_next_due():
    items = _items(profile=DONE, logo=WAIVED, kickoff=OPEN, sales_training=ItemStatus.IN_REVIEW,
                   product_overview=OPEN)
    at = START + timedelta(days=15)  # kickoff (14 days) is late; the overview (optional, 21) not
    figures = progress(V1, items, at)
    assert (figures.required_total, figures.required_done, figures.percent) == (7, 2, 28)
    assert figures.overdue == 1
    assert (figures.next_key, figures.next_due_at) == ("kickoff", START + timedelta(days=14))
    # Evidence in review is not overdue: the partner did their part.
    assert progress(V1, items, START + timedelta(days=30)).overdue == 2


def test_an_ad_hoc_item_counts_when_required_and_shows_after_the_plans_items():
    extra = PlanItem("adhoc_1", ItemKind.CUSTOM, {"en": "Send the reference list"},
                     ItemOwner.PARTNER_ADMIN, "enabled", required=True)
    items = _items(**ENABLED_ITEMS)
    items["adhoc_1"] = ItemState("adhoc_1", ItemStatus.OPEN, due_at=START, ad_hoc=extra)
    assert stage_reached(V1, items, [], START) == "onboarding"
    assert progress(V1, items, START + timedelta(days=1)).required_total == 8
    items["adhoc_1"].status = ItemStatus.LOCKED
    assert openable(V1, items)[-1] == "adhoc_1"


def test_all_done_is_a_hundred_percent_and_nothing_next():
    items = _items(**{i.key: DONE for i in V1.items})
    figures = progress(V1, items, LATER)
    assert (figures.percent, figures.overdue, figures.next_key, figures.next_due_at) == (100, 0, None, None)


def test_a_move_keeps_done_and_open_items_adds_new_ones_locked_and_removes_the_dropped():
    items = _items(profile=DONE, kickoff=OPEN, product_overview=DONE, sales_training=OPEN)
    items["sales_training"].task_id = "task-1"
    items["sales_training"].round = 2
    moved, change = reconcile(V1, V2, items, START)
    assert (change.from_version, change.to_version) == (1, 2)
    assert change.added == ("product_demo",)
    assert change.kept_done == ("product_overview",)
    assert change.removed == ()
    assert change.changed == ("kickoff",)
    assert moved["profile"].status is DONE
    assert (moved["sales_training"].status, moved["sales_training"].task_id,
            moved["sales_training"].round) == (OPEN, "task-1", 2)
    assert moved["product_demo"].status is ItemStatus.LOCKED
    assert moved["kickoff"].due_at == START + timedelta(days=10)
    assert items["kickoff"].due_at == START + timedelta(days=14)  # the input is not changed
    # Done but no longer in the plan: kept on the record, counted towards nothing.
    figures = progress(V2, moved, START)
    assert (figures.required_total, figures.required_done) == (8, 1)


def test_a_dropped_item_that_was_not_done_is_removed_and_a_late_new_item_gets_its_full_time():
    items = _items(product_overview=OPEN)
    moved, change = reconcile(V1, V2, items, START, now=LATER)
    assert change.removed == ("product_overview",) and change.kept_done == ()
    assert moved["product_overview"].status is ItemStatus.REMOVED
    assert moved["product_demo"].due_at == LATER + V2.item("product_demo").due_after
    back, again = reconcile(V2, V1, moved, START)
    assert again.added == ("product_overview",) and back["product_overview"].status is ItemStatus.LOCKED


# -- properties over every combination of item states ------------------------------------------

STATUSES = st.sampled_from([s for s in ItemStatus if s is not ItemStatus.REMOVED])
PLAN_STATES = st.fixed_dictionaries({i.key: STATUSES for i in V1.items})
BOTH_VERSIONS = st.fixed_dictionaries({i.key: STATUSES for i in (*V1.items, *V2.items)})


@given(PLAN_STATES)
def test_openable_only_opens_locked_items_whose_prerequisites_are_satisfied(statuses):
    items = _items(**statuses)
    for key in openable(V1, items):
        assert items[key].status is ItemStatus.LOCKED
        assert all(items[p].status in SATISFIED for p in V1.item(key).prerequisites)


@given(PLAN_STATES, st.booleans())
def test_the_stage_reached_has_every_required_item_up_to_it_satisfied(statuses, holds):
    items = _items(**statuses)
    certs = [_cert(LATER)] if holds else []
    stage = stage_reached(V1, items, certs, START)
    order = [s.key for s in V1.stages]
    for item in V1.items:
        if item.required and order.index(item.stage) <= order.index(stage):
            if item.kind is ItemKind.CERTIFICATION:
                assert holds or items[item.key].status is WAIVED
            else:
                assert items[item.key].status in SATISFIED


@given(PLAN_STATES, st.sampled_from([i.key for i in V1.items]), st.booleans())
def test_satisfying_one_more_item_never_moves_the_stage_back(statuses, key, holds):
    certs = [_cert(LATER)] if holds else []
    order = [s.key for s in V1.stages]
    before = stage_reached(V1, _items(**statuses), certs, START)
    after = stage_reached(V1, _items(**{**statuses, key: DONE}), certs, START)
    assert order.index(after) >= order.index(before)


@given(PLAN_STATES)
def test_progress_is_a_percentage_of_the_required_items(statuses):
    figures = progress(V1, _items(**statuses), LATER)
    assert 0 <= figures.required_done <= figures.required_total == 7
    assert (figures.percent == 100) == (figures.required_done == figures.required_total)


@given(BOTH_VERSIONS, st.booleans())
def test_a_move_either_way_never_loses_done_work_and_accounts_for_every_item(statuses, back):
    old, new = (V2, V1) if back else (V1, V2)
    items = _items(old, **{k: v for k, v in statuses.items() if old.item(k)})
    moved, change = reconcile(old, new, items, START)
    assert set(moved) == set(items) | {i.key for i in new.items}
    for key, state in items.items():
        if state.status is DONE:
            assert moved[key].status is DONE
        if new.item(key) is not None:
            assert moved[key].status is state.status
    assert all(moved[k].status is ItemStatus.LOCKED for k in change.added)
    dropped = {k for k in items if new.item(k) is None}
    assert set(change.removed) | set(change.kept_done) == dropped
    assert not set(change.removed) & set(change.kept_done)
