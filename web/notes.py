"""Timeline notes, screening flags and agreement titles in the reader's language.

The process stores them in English, as it wrote them (domain/phrases.py says why). Here a stored
text is recognised by the phrase that wrote it and shown as that phrase's translation, with the
fields it carried. Text no phrase wrote (a rejection reason someone typed) is shown as stored.
Filters return plain text: Jinja escapes it, fields included, like any other value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from domain import enablement_notes, notes, team_notes
from domain.onboarding import AGREEMENT_TITLE
from domain.phrases import Phrase, recognise, translated
from domain.screening import FLAG_MESSAGES
from web.i18n import page_translations
from web.enablement.texts import plan_words
from web.labels import STAGE_LABELS, label, role_label


# Every phrase a timeline line may carry: the processes' (recruitment's, enablement's) and the
# partner teams' (web/portal/team.py).
TIMELINE_NOTES = notes.NOTES + enablement_notes.NOTES + team_notes.NOTES


def note_text(note: str | None) -> str:
    """A timeline note ('Approved by Mia Chen' -> '已由 Mia Chen 批准')."""
    return _shown(note, TIMELINE_NOTES)


def timeline_note(event) -> str:
    """A timeline line's note, or "" when all it says is who did it ("Approved by Mia Chen" on
    Mia Chen's line): the line names its actor beside the time, and names a person once."""
    note = event.note or ""
    found = recognise(note, TIMELINE_NOTES)
    if found is not None and set(found[1]) == {"actor"} and found[1]["actor"] == (event.actor or ""):
        return ""
    return note_text(note)


def actor_name(actor: str | None) -> str:
    """Who did it: a person's name as it is, the process's own names ('system') translated."""
    return _shown(actor, notes.ACTORS)


def agreement_title(title: str | None) -> str:
    return _shown(title, (AGREEMENT_TITLE,))


def flag_text(flag: Mapping) -> str:
    """A screening flag's message, recognised by the phrase of its code."""
    phrase = FLAG_MESSAGES.get(flag.get("code") or "")
    return _shown(flag.get("message"), (phrase,) if phrase else ())


def current_details_text(details: str | None) -> str:
    """Temporal's current details of a workflow: its stage code stays (ops filter on it), the
    note after it is translated."""
    return _shown(details, (notes.CURRENT_DETAILS,))


# Fields that are the process's own words, shown in the reader's language; every other field is
# data (a name, a domain, a question someone typed) and goes back exactly as it was stored.
_FIELD_SHOWN: dict[str, Callable[[str], str]] = {
    "actor": actor_name,                           # "Approved by system (review deadline)"
    "title": lambda text: plan_words(text) or agreement_title(text),  # a plan item's, an agreement's
    "stage": lambda text: plan_words(text) or text,  # an enablement stage, by the plan's name
    "name": lambda text: plan_words(text) or text,   # a certification's (or a person's, as it is)
    "status": lambda code: label(STAGE_LABELS, code),  # a screening rival's stage
    "details": note_text,                          # the note within the current details
    "role": role_label,                            # a team change's role code
    "old_role": role_label,
}


def _shown(text: str | None, phrases: Iterable[Phrase]) -> str:
    return translated(text, phrases, page_translations().ugettext,
                      lambda name, value: _FIELD_SHOWN.get(name, str)(value))


def init_notes(app) -> None:
    app.add_template_filter(note_text, "note_text")
    app.add_template_filter(timeline_note, "timeline_note")
    app.add_template_filter(actor_name, "actor_name")
    app.add_template_filter(agreement_title, "agreement_title")
    app.add_template_filter(flag_text, "flag_text")
    app.add_template_filter(current_details_text, "current_details_text")
