"""What a manager's evidence review page shows beside its accept / return form: the plan item,
its round, the evidence the partner submitted (files as links through the file store's
authorised download, links as links, text as text, quiz answers by their labels) and the quiz
result the workflow computed (domain/quiz.py; never the client's)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from db.models import StoredFile, Task
from definitions.loader import form_schema
from forms.builder import translated
from forms.display import readable
from web.database import db
from web.enablement.texts import item_description, item_title, plan_item


@dataclass(frozen=True)
class EvidenceRow:
    label: str
    kind: str          # "file", "link" or "text"
    value: str         # the text shown (a file's original name)
    href: str = ""
    multiline: bool = False


def evidence_rows(form_name: str | None, payload: dict) -> list[EvidenceRow]:
    if not form_name or not payload:
        return []
    try:
        schema = form_schema(form_name)
    except (LookupError, FileNotFoundError, ValueError):
        return [EvidenceRow(key, "text", str(value)) for key, value in payload.items()]
    props = schema.get("properties", {})
    files = [v for k, v in payload.items() if props.get(k, {}).get("format") == "file-id" and v]
    names = dict(db().execute(select(StoredFile.id, StoredFile.original_name)
                              .where(StoredFile.id.in_(files))).all()) if files else {}
    rows = []
    for row in readable(form_name, payload):
        prop = props.get(row.name, {})
        if prop.get("format") == "file-id":
            file_id = str(payload[row.name])
            rows.append(EvidenceRow(row.label, "file", names.get(file_id, file_id),
                                    f"/files/{file_id}"))
        elif (str(row.value).startswith(("https://", "http://"))
              and not any(c.isspace() for c in str(row.value))):
            rows.append(EvidenceRow(row.label, "link", row.value, row.value))
        else:
            rows.append(EvidenceRow(row.label, "text", row.value, multiline=row.multiline))
    return rows


def review_details(task: Task) -> dict | None:
    """For an enablement step's page (the review, the kickoff record): None for other tasks."""
    context = task.context or {}
    key, plan_id = context.get("item_key"), context.get("plan_id")
    if not key or not plan_id:
        return None
    version = int(context.get("plan_version") or 1)
    item = plan_item(plan_id, version, key)
    return {"title": item_title(plan_id, version, key, task.title),
            "description": item_description(plan_id, version, key),
            "round": context.get("round") or 1,
            "evidence": evidence_rows(item.evidence_form if item else
                                      context.get("evidence_form"), context.get("evidence") or {}),
            "quiz": context.get("quiz_result"),
            "returned_comment": context.get("returned_comment"),
            "form_title": translated(form_schema(task.form).get("title")) if task.form else ""}
