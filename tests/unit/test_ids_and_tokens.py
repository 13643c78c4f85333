from domain import ids
from domain.roles import may_act_as
from domain.tokens import link_token, token_hash, token_matches


def test_references_are_stable_short_and_unambiguous():
    # Stable: a reference a partner was given still names their organisation after an upgrade.
    assert ids.application_reference("6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b") == "PA-MUQ8CRWB"
    refs = {ids.application_reference(ids.new_org_id()) for _ in range(500)}
    assert len(refs) == 500
    assert all(len(ref) == 11 and ref.startswith("PA-") and not set(ref[3:]) & set("01IO")
               for ref in refs)


def test_task_ids_are_url_safe_and_derived_from_the_step():
    tid = ids.task_id("partner-onboarding-x", "review", 2)
    assert "/" not in tid
    # One row per step and attempt: a retried open_task finds its row, a new attempt gets its own.
    assert len({tid, ids.task_id("partner-onboarding-x", "review", 1),
                ids.task_id("partner-onboarding-x", "countersign", 2),
                ids.task_id("partner-onboarding-y", "review", 2)}) == 4


def test_link_tokens_are_bound_to_secret_purpose_and_key():
    token = link_token("s", "task", "t1")
    assert token_matches("s", "task", "t1", token)
    assert not token_matches("other", "task", "t1", token)
    assert not token_matches("s", "invitation", "t1", token)
    assert not token_matches("s", "task", "t2", token)
    assert token_hash(token) != token and len(token_hash(token)) == 64


def test_program_leads_can_do_what_channel_managers_do_but_not_the_reverse():
    assert may_act_as(["program_lead"], "channel_manager")
    assert not may_act_as(["channel_manager"], "program_lead")
    assert not may_act_as(["partner_admin"], "channel_manager")
