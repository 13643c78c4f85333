"""What a workflow's activities did, in an operator's words (the ops timeline).

The timeline names each activity by its registered name, as the Temporal UI and the worker's log
do; this adds the sentence an operator reads and the few fields of the activity's input and result
that tell one step from the next: the task it opens or closes, the stage it writes, the mail it
sends, what screening found. Read from the payloads' JSON, not from the dataclasses, so a history
recorded by older code still reads (tests/histories/).
"""

from __future__ import annotations

from typing import Any, Iterator

from flask_babel import lazy_gettext as _l

from web.labels import DECISION_LABELS, FLAG_LABELS, STAGE_LABELS, label

STEPS = {
    "accept_application": _l("Record and screen the application, open its review"),
    "update_application": _l("Record the changed application and screen it again"),
    "open_step": _l("Open a task"),
    "close_step": _l("Close a decided task"),
    "task_checkpoint": _l("A task's deadline: remind or escalate"),
    "issue_agreement": _l("Issue the agreement and open its signing"),
    "record_signature": _l("Record a signature"),
    "activate_partner": _l("Activate the partner and invite its administrator"),
    "activate_organisation": _l("Activate the partner and invite its administrator"),
    "set_stage": _l("Write the stage"),
    "send_mail": _l("Send mail"),
    "send_account_mail": _l("Send account mail"),
}


def step_text(activity_type: str) -> Any:
    """The sentence for an activity; an activity this table does not know reads as its name."""
    return STEPS.get(activity_type, "")


def _dicts(value: Any, key: str = "") -> Iterator[tuple[str, dict]]:
    """Every dict in a JSON value with the key it sits under, outermost first."""
    if isinstance(value, dict):
        yield key, value
        for k, v in value.items():
            yield from _dicts(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _dicts(v, key)


def input_facts(value: Any, titles: dict[str, str]) -> list[tuple[Any, str]]:
    """Facts from an activity's input, each once, the closes first (the activity writes them
    first); records the titles of the tasks it opens in `titles` for the events that follow."""
    closes, facts = [], []
    for key, d in _dicts(value):
        if key == "close" and "task_id" in d:
            closes.append((_l("Closes task"), titles.get(d["task_id"], d["task_id"])))
        elif "task_id" in d and "title" in d:
            titles[d["task_id"]] = d["title"]
            facts.append((_l("Opens task"), d["title"]))
        elif "stage" in d and "key" in d and isinstance(d["stage"], str):
            facts.append((_l("Stage"), label(STAGE_LABELS, d["stage"])))
        elif "template" in d and "key" in d:
            to = d.get("to") or d.get("to_role") or ""
            facts.append((_l("Mail"), f"{d['template']} → {to}" if to else d["template"]))
        elif "kind" in d and "label" in d and "task_id" in d:
            facts += [(_l("Task"), titles.get(d["task_id"], d["task_id"])),
                      (_l("Checkpoint"), f"{d['kind']}: {d['label']}")]
        elif "invitation_ttl_seconds" in d and "contact_email" in d:
            facts.append((_l("Administrator"), f"{d.get('contact_name', '')} <{d['contact_email']}>"))
    unique = []
    for fact in closes + facts:
        if (str(fact[0]), fact[1]) not in [(str(k), v) for k, v in unique]:
            unique.append(fact)
    return unique


def result_facts(value: Any) -> list[tuple[Any, str]]:
    """Facts from an activity's result: what screening found."""
    if isinstance(value, dict) and isinstance(value.get("flags"), list):
        flags = [label(FLAG_LABELS, f.get("code", "")) if isinstance(f, dict) else str(f)
                 for f in value["flags"]]
        return [(_l("Screening"), ", ".join(flags) if flags else str(_l("nothing to flag")))]
    return []


def decision_facts(value: Any, titles: dict[str, str]) -> list[tuple[Any, str]]:
    """Who decided what, and why: a human step's update carries an actor and a form payload."""
    if not isinstance(value, dict):
        return []
    facts: list[tuple[Any, str]] = []
    actor, payload = value.get("actor"), value.get("payload")
    if isinstance(actor, dict) and actor.get("name"):
        facts.append((_l("Who"), str(actor["name"])))
    if isinstance(payload, dict) and payload.get("decision"):
        facts.append((_l("Decision"), label(DECISION_LABELS, str(payload["decision"]))))
    if isinstance(payload, dict) and payload.get("reason"):
        facts.append((_l("Reason"), str(payload["reason"])))  # in full: the why is the point
    if value.get("task_id"):
        task_id = str(value["task_id"])
        facts.append((_l("Task"), titles.get(task_id, task_id)))
    return facts
