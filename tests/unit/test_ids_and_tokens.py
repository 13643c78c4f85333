from domain import ids
from domain.roles import may_act_as
from domain.tokens import link_token, token_hash, token_matches


def test_references_are_stable_short_and_unambiguous():
    org = ids.new_org_id()
    ref = ids.application_reference(org)
    assert ref == ids.application_reference(org) and len(ref) == 11 and ref.startswith("PA-")
    assert not set(ref[3:]) & set("01IO")


def test_task_ids_are_url_safe_and_derived_from_the_step():
    tid = ids.task_id("partner-onboarding-x", "review", 2)
    assert "/" not in tid and tid == ids.task_id("partner-onboarding-x", "review", 2)


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
