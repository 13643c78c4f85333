"""Enablement plan definitions (definitions/enablement/<plan_id>.v<N>.json): loaded, checked, resolved.

A plan is checked against plan.meta.schema.json and then against itself and the forms it names
(keys unique, prerequisites known and acyclic, stages known, evidence forms present, quiz answers
among their question's choices), so a broken definition fails when it is read, with a message
naming the item, and never half way through a partner's plan.

A quiz's questions are fields of its evidence form (an enum with x-labels: the prompt is the
field's title, the choices its labels): the words live once, in the form, and are translated
through the message catalog like every form (forms/babel_extract.py), so QuizQuestion texts carry
the English msgid only. The answers live in the plan, never in the form a browser is sent.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from definitions.loader import (HERE, DefinitionError, agreement_locale, form_schema,
                                parse_duration)
from domain.enablement import (CertificationRule, EnablementPlan, ItemKind, ItemOwner, PlanItem,
                               PlanStage, PlanTiming, ProgramRequirement, Quiz, QuizChoice,
                               QuizQuestion)

PLANS = HERE / "enablement"
META_SCHEMA = PLANS / "plan.meta.schema.json"


@lru_cache(maxsize=None)
def plan_meta_schema() -> dict[str, Any]:
    return json.loads(META_SCHEMA.read_text(encoding="utf-8"))


def _files(plan_id: str | None = None) -> list[Path]:
    pattern = f"{plan_id}.v*.json" if plan_id else "*.v*.json"
    found = [p for p in PLANS.glob(pattern) if p.stem.rsplit(".v", 1)[-1].isdigit()]
    return sorted(found, key=lambda p: (p.stem.rsplit(".v", 1)[0], int(p.stem.rsplit(".v", 1)[1])))


def plan_ids() -> list[str]:
    return sorted({p.stem.rsplit(".v", 1)[0] for p in _files()})


def plan_versions(plan_id: str) -> list[int]:
    return [int(p.stem.rsplit(".v", 1)[1]) for p in _files(plan_id)
            if p.stem.rsplit(".v", 1)[0] == plan_id]


def load_plan(plan_id: str, version: int | None = None) -> EnablementPlan:
    """The newest version unless one is asked for (a running plan keeps the version it started
    with; a manager moves it explicitly)."""
    versions = plan_versions(plan_id)
    if version is not None:
        versions = [v for v in versions if v == version]
    if not versions:
        raise DefinitionError(f"no enablement plan {plan_id!r} version {version}")
    path = PLANS / f"{plan_id}.v{versions[-1]}.json"
    stat = path.stat()
    return _plan_from_file(path, stat.st_mtime_ns, stat.st_size)


def plan_for_partner_type(partner_type: str) -> EnablementPlan:
    """The newest version of the plan that lists `partner_type`: the plan a partner activated
    today starts on. Two plans claiming one type is a definition error, not a choice to guess."""
    found = [plan for plan in (load_plan(pid) for pid in plan_ids())
             if partner_type in plan.partner_types]
    if not found:
        raise DefinitionError(f"no enablement plan lists partner type {partner_type!r}")
    if len(found) > 1:
        raise DefinitionError(f"partner type {partner_type!r} is listed by several plans: "
                              f"{', '.join(sorted(p.plan_id for p in found))}")
    return found[0]


@lru_cache(maxsize=32)
def _plan_from_file(path: Path, _mtime_ns: int, _size: int) -> EnablementPlan:
    """Read and checked once per version of the file (keyed on its modification time and size,
    as definitions/loader.py does for programs): every activation and plan page reads a plan."""
    plan = plan_from(json.loads(path.read_text(encoding="utf-8")))
    if path.stem != f"{plan.plan_id}.v{plan.version}":
        raise DefinitionError(f"{path.name} holds plan {plan.plan_id!r} version {plan.version}")
    return plan


def plan_from(data: dict[str, Any]) -> EnablementPlan:
    """A plan from its JSON: the meta-schema first, then the checks a schema cannot express."""
    errors = sorted(Draft202012Validator(plan_meta_schema()).iter_errors(data), key=str)
    if errors:
        where = "/".join(str(p) for p in errors[0].absolute_path)
        raise DefinitionError(f"enablement plan invalid at {where or '/'}: {errors[0].message}")
    stages = tuple(PlanStage(s["key"], s["title"]) for s in data["stages"])
    _unique("stage", [s.key for s in stages])
    items = tuple(_item(raw) for raw in data["items"])
    _unique("item", [i.key for i in items])
    stage_keys = {s.key for s in stages}
    for item in items:
        if item.stage not in stage_keys:
            raise DefinitionError(f"item {item.key!r}: unknown stage {item.stage!r}")
    _check_prerequisites(items)
    timing = data.get("timing", {})
    defaults = PlanTiming()
    plan = EnablementPlan(
        plan_id=data["plan_id"], version=data["version"], name=data["name"],
        partner_types=tuple(data["partner_types"]), stages=stages, items=items,
        timing=PlanTiming(
            reminders_before=tuple(parse_duration(x) for x in timing["reminders_before"])
            if "reminders_before" in timing else defaults.reminders_before,
            escalate_to_manager_after=parse_duration(timing["escalate_to_manager_after"])
            if "escalate_to_manager_after" in timing else defaults.escalate_to_manager_after),
        requirements=tuple(ProgramRequirement(r["program"], r.get("min_stage"),
                                              tuple(r.get("certifications", ())))
                           for r in data.get("requirements", [])),
        max_bytes=data.get("max_bytes", EnablementPlan.__dataclass_fields__["max_bytes"].default))
    _check_requirements(plan)
    return plan


def _unique(what: str, keys: list[str]) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise DefinitionError(f"{what} key {key!r} is used twice")
        seen.add(key)


def _item(raw: dict[str, Any]) -> PlanItem:
    key, kind = raw["key"], ItemKind(raw["kind"])
    form = raw.get("evidence_form")
    if form is None and kind is not ItemKind.FIRST_DEAL:
        raise DefinitionError(f"item {key!r}: a {kind} item needs an evidence form")
    if form is not None:
        try:
            form_schema(form)
        except DefinitionError as e:
            raise DefinitionError(f"item {key!r}: evidence form {form!r}: {e}") from None
    quiz = _quiz(key, form, raw["quiz"]) if "quiz" in raw else None
    rule = _certification(key, raw["certification"]) if "certification" in raw else None
    if kind is ItemKind.CERTIFICATION and rule is None:
        raise DefinitionError(f"item {key!r}: a certification item needs a certification rule")
    if kind is not ItemKind.CERTIFICATION and rule is not None:
        raise DefinitionError(f"item {key!r}: only a certification item has a certification rule")
    template = raw.get("addendum_template")
    if kind is ItemKind.ADDENDUM:
        if template is None:
            raise DefinitionError(f"item {key!r}: an addendum item needs an addendum_template")
        try:
            agreement_locale(template, "en")
        except DefinitionError as e:
            raise DefinitionError(f"item {key!r}: {e}") from None
    elif template is not None:
        raise DefinitionError(f"item {key!r}: only an addendum item has an addendum_template")
    return PlanItem(
        key=key, kind=kind, title=raw["title"], owner=ItemOwner(raw["owner"]), stage=raw["stage"],
        description=raw.get("description", {}), required=raw.get("required", True),
        prerequisites=tuple(raw.get("prerequisites", ())),
        due_after=parse_duration(raw.get("due_after", "P14D")), evidence_form=form,
        review=raw.get("review", False), quiz=quiz, certification=rule,
        addendum_template=template)


def _quiz(key: str, form: str | None, raw: dict[str, Any]) -> Quiz:
    if form is None:
        raise DefinitionError(f"item {key!r}: a quiz's questions are fields of its evidence form")
    props = form_schema(form).get("properties", {})
    required = set(form_schema(form).get("required", []))
    questions = []
    for field, answer in raw["answers"].items():
        prop = props.get(field)
        if prop is None or "enum" not in prop or prop.get("type") != "string":
            raise DefinitionError(f"item {key!r}: quiz question {field!r} is not a choice field "
                                  f"of form {form!r}")
        if field not in required:
            raise DefinitionError(f"item {key!r}: quiz question {field!r} must be required in "
                                  f"form {form!r}")
        labels = prop.get("x-labels", {})
        if answer not in prop["enum"]:
            raise DefinitionError(f"item {key!r}: the answer {answer!r} to {field!r} is not one of "
                                  f"its choices ({', '.join(prop['enum'])})")
        questions.append(QuizQuestion(
            key=field, prompt={"en": prop.get("title", field)},
            choices=tuple(QuizChoice(c, {"en": labels.get(c, c)}) for c in prop["enum"]),
            answer=answer))
    return Quiz(tuple(questions), raw.get("pass_percent", Quiz.__dataclass_fields__["pass_percent"].default))


def _certification(key: str, raw: dict[str, Any]) -> CertificationRule:
    defaults = CertificationRule("", {})
    rule = CertificationRule(
        cert_key=raw["cert_key"], name=raw["name"],
        valid_for=parse_duration(raw["valid_for"]) if "valid_for" in raw else defaults.valid_for,
        renew_before=parse_duration(raw["renew_before"]) if "renew_before" in raw
        else defaults.renew_before)
    if not rule.renew_before < rule.valid_for:
        raise DefinitionError(f"item {key!r}: renew_before must be shorter than valid_for")
    return rule


def _check_prerequisites(items: tuple[PlanItem, ...]) -> None:
    keys = {i.key for i in items}
    for item in items:
        for pre in item.prerequisites:
            if pre not in keys:
                raise DefinitionError(f"item {item.key!r}: unknown prerequisite {pre!r}")
    needs = {i.key: i.prerequisites for i in items}
    done: set[str] = set()

    def visit(key: str, path: tuple[str, ...]) -> None:
        if key in path:
            cycle = " -> ".join((*path[path.index(key):], key))
            raise DefinitionError(f"prerequisites form a cycle: {cycle}")
        if key in done:
            return
        for pre in needs[key]:
            visit(pre, (*path, key))
        done.add(key)

    for item in items:
        visit(item.key, ())


def _check_requirements(plan: EnablementPlan) -> None:
    stage_keys = {s.key for s in plan.stages}
    cert_keys = {i.certification.cert_key for i in plan.items if i.certification}
    _unique("requirement program", [r.program for r in plan.requirements])
    for req in plan.requirements:
        if req.min_stage is not None and req.min_stage not in stage_keys:
            raise DefinitionError(f"requirement {req.program!r}: unknown stage {req.min_stage!r}")
        for cert in req.certifications:
            if cert not in cert_keys:
                raise DefinitionError(f"requirement {req.program!r}: no item of the plan "
                                      f"certifies {cert!r}")
