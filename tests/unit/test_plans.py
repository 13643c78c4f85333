"""Enablement plan definitions: the shipped plans load, and each broken definition is refused
at load with a message naming what is wrong (definitions/plans.py)."""

from __future__ import annotations

import copy
import json
from datetime import timedelta

import pytest

from definitions.loader import DefinitionError, agreement_template, form_schema
from definitions.plans import (PLANS, load_plan, plan_for_partner_type, plan_from, plan_ids,
                               plan_versions)
from domain.enablement import ItemKind, ItemOwner

SHIPPED = [(pid, v) for pid in plan_ids() for v in plan_versions(pid)]


def _data(plan_id: str = "standard", version: int = 1) -> dict:
    return json.loads((PLANS / f"{plan_id}.v{version}.json").read_text(encoding="utf-8"))


def _item(data: dict, key: str) -> dict:
    return next(i for i in data["items"] if i["key"] == key)


@pytest.mark.parametrize("plan_id,version", SHIPPED)
def test_every_shipped_plan_loads_with_english_and_chinese_text(plan_id, version):
    plan = load_plan(plan_id, version)
    assert (plan.plan_id, plan.version) == (plan_id, version)
    assert [s.key for s in plan.stages] == ["onboarding", "enabled", "certified"]
    texts = [plan.name, *(s.title for s in plan.stages), *(i.title for i in plan.items),
             *(i.description for i in plan.items)]
    assert all(t["en"].strip() and t["zh_Hans"].strip() for t in texts)
    for item in plan.items:
        if item.addendum_template:
            assert "{{ partner.company_name }}" in agreement_template(item.addendum_template, "zh_Hans")
        if item.quiz:  # a quiz's answers never reach the form a browser is sent
            schema = json.dumps(form_schema(item.evidence_form))
            assert all(q.key in schema for q in item.quiz.questions)
            assert "answer" not in form_schema(item.evidence_form)


def test_the_default_plans_cover_every_partner_type_and_every_kind_of_task():
    assert plan_ids() == ["referral", "standard"]
    assert plan_versions("standard") == [1, 2]
    for partner_type, plan_id in [("reseller", "standard"), ("distributor", "standard"),
                                  ("referral", "referral"), ("agent", "referral")]:
        plan = plan_for_partner_type(partner_type)
        assert plan.plan_id == plan_id and plan.version == plan_versions(plan_id)[-1]
        kinds = {i.kind for i in plan.items}
        assert kinds == set(ItemKind) - {ItemKind.CUSTOM}
        assert plan.item("kickoff").owner is ItemOwner.CHANNEL_MANAGER
        rule = plan.item("sales_certification").certification
        assert (rule.cert_key, rule.valid_for, rule.renew_before) == (
            "sales_associate", timedelta(days=365), timedelta(days=30))
        assert [r.program for r in plan.requirements] == ["deal_registration"]
    standard = load_plan("standard", 1)
    assert standard.requirements[0].min_stage == "enabled"
    assert standard.requirements[0].certifications == ("sales_associate",)
    assert plan_for_partner_type("referral").requirements[0].certifications == ()


def test_the_second_standard_version_adds_a_demo_drops_the_overview_and_moves_the_kickoff():
    v1, v2 = load_plan("standard", 1), load_plan("standard", 2)
    assert load_plan("standard") == v2
    assert {i.key for i in v2.items} - {i.key for i in v1.items} == {"product_demo"}
    assert {i.key for i in v1.items} - {i.key for i in v2.items} == {"product_overview"}
    assert v2.item("kickoff").due_after < v1.item("kickoff").due_after


def test_a_quiz_reads_its_questions_from_the_form_and_its_answers_from_the_plan():
    quiz = load_plan("standard").item("sales_training").quiz
    first = quiz.questions[0]
    prop = form_schema("sales_training.v1")["properties"][first.key]
    assert first.prompt == {"en": prop["title"]}
    assert [c.key for c in first.choices] == prop["enum"]
    assert [c.text["en"] for c in first.choices] == [prop["x-labels"][c] for c in prop["enum"]]
    assert first.answer == "before_engaging"
    assert quiz.pass_percent == 75


def test_unknown_plans_and_partner_types_are_refused():
    with pytest.raises(DefinitionError, match="no enablement plan 'nope'"):
        load_plan("nope")
    with pytest.raises(DefinitionError, match="version 9"):
        load_plan("standard", 9)
    with pytest.raises(DefinitionError, match="partner type 'wholesaler'"):
        plan_for_partner_type("wholesaler")


def _broken(change) -> dict:
    data = copy.deepcopy(_data())
    change(data)
    return data


def _set(item_key: str, **fields):
    return lambda d: _item(d, item_key).update(fields)


BROKEN = [
    ("meta-schema: a text without Chinese", lambda d: d["name"].pop("zh_Hans"), "name: 'zh_Hans'"),
    ("meta-schema: an unknown field", _set("profile", colour="red"), "items/0"),
    ("meta-schema: a bad duration", _set("profile", due_after="two weeks"), "items/0/due_after"),
    ("a duplicate item key", lambda d: d["items"].append(copy.deepcopy(d["items"][0])),
     "item key 'profile' is used twice"),
    ("a duplicate stage key", lambda d: d["stages"].append(copy.deepcopy(d["stages"][0])),
     "stage key 'onboarding' is used twice"),
    ("an unknown stage", _set("logo", stage="famous"), "item 'logo': unknown stage 'famous'"),
    ("an unknown prerequisite", _set("logo", prerequisites=["coffee"]),
     "item 'logo': unknown prerequisite 'coffee'"),
    ("a cycle", lambda d: (_item(d, "profile").update(prerequisites=["first_deal"])),
     "cycle: profile -> first_deal -> addendum -> profile"),
    ("a self-prerequisite", _set("logo", prerequisites=["logo"]), "cycle: logo -> logo"),
    ("a missing form", _set("logo", evidence_form="no_such_form.v1"),
     "item 'logo': evidence form 'no_such_form.v1': unknown form"),
    ("no form", lambda d: _item(d, "logo").pop("evidence_form"), "item 'logo': a logo item needs"),
    ("a wrong quiz answer", lambda d: _item(d, "sales_training")["quiz"]["answers"].update(
        q_brand="anything_goes"), "answer 'anything_goes' to 'q_brand' is not one of its choices"),
    ("a question the form lacks", lambda d: _item(d, "sales_training")["quiz"]["answers"].update(
        q_weather="sunny"), "quiz question 'q_weather' is not a choice field"),
    ("a question on a free-text field", lambda d: _item(d, "sales_training")["quiz"]["answers"]
     .update(notes="x"), "quiz question 'notes' is not a choice field"),
    ("a certification without a rule", lambda d: _item(d, "sales_certification").pop("certification"),
     "item 'sales_certification': a certification item needs a certification rule"),
    ("a rule on a training", _set("sales_training", certification=_item(
        _data(), "sales_certification")["certification"]), "only a certification item has"),
    ("a renewal window longer than the validity", lambda d: _item(d, "sales_certification")
     ["certification"].update(renew_before="P400D"), "renew_before must be shorter"),
    ("an addendum without a template", lambda d: _item(d, "addendum").pop("addendum_template"),
     "an addendum item needs an addendum_template"),
    ("an unknown template", _set("addendum", addendum_template="nope.v1"),
     "unknown agreement template 'nope.v1'"),
    ("a requirement's unknown stage", lambda d: d["requirements"][0].update(min_stage="legend"),
     "requirement 'deal_registration': unknown stage 'legend'"),
    ("a requirement's unknown certification", lambda d: d["requirements"][0].update(
        certifications=["astronaut"]), "no item of the plan certifies 'astronaut'"),
]


@pytest.mark.parametrize("what,change,message", BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_definition_is_refused_with_a_message_naming_the_problem(what, change, message):
    with pytest.raises(DefinitionError) as refused:
        plan_from(_broken(change))
    assert message in str(refused.value)


def test_a_file_must_hold_the_plan_its_name_says(tmp_path, monkeypatch):
    import definitions.plans as plans

    data = _data()
    data["version"] = 3
    (tmp_path / "standard.v2.json").write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(plans, "PLANS", tmp_path)
    with pytest.raises(DefinitionError, match="standard.v2.json holds plan 'standard' version 3"):
        plans.load_plan("standard")


def test_an_edited_definition_is_read_again(tmp_path, monkeypatch):
    import definitions.plans as plans

    monkeypatch.setattr(plans, "PLANS", tmp_path)
    path = tmp_path / "standard.v1.json"
    data = _data()
    path.write_text(json.dumps(data), encoding="utf-8")
    assert plans.load_plan("standard").item("logo").required
    _item(data, "logo")["required"] = False
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")  # another size
    assert not plans.load_plan("standard").item("logo").required


def test_two_plans_claiming_one_partner_type_is_a_definition_error(tmp_path, monkeypatch):
    import definitions.plans as plans

    monkeypatch.setattr(plans, "PLANS", tmp_path)
    for plan_id in ("standard", "premium"):
        data = {**_data(), "plan_id": plan_id}
        (tmp_path / f"{plan_id}.v1.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(DefinitionError, match="'reseller' is listed by several plans: premium, standard"):
        plans.plan_for_partner_type("reseller")


@pytest.mark.parametrize("locale", ["en", "zh_Hans"])
def test_the_addendum_renders_with_the_agreement_machinery_in_both_languages(locale):
    from activities.agreement_text import render_agreement
    from tests.conftest import application

    data = application(company_name="Acme Ltd")
    body = render_agreement(load_plan("standard").item("addendum").addendum_template, locale,
                            program_name="Global partner program", company_legal_name="Example Inc.",
                            application=data, reference="PA-TEST")
    assert "Acme Ltd" in body and "Example Inc." in body and "PA-TEST" in body
    assert ("PROGRAM ADDENDUM" in body) == (locale == "en") and ("计划附录" in body) == (locale != "en")
