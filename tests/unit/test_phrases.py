"""Phrases: the English the process writes stays byte for byte what it always wrote, and a page
can read every such text back into the phrase and the fields that wrote it."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from domain import notes
from domain.onboarding import AGREEMENT_TITLE, agreement_title
from domain.phrases import Phrase, recognise
from domain.screening import FLAG_MESSAGES, KnownOrganisation, screen

HISTORIES = Path(__file__).resolve().parents[1] / "histories"

EVERY_PHRASE = [*notes.NOTES, *notes.ACTORS, notes.CURRENT_DETAILS, AGREEMENT_TITLE,
                *FLAG_MESSAGES.values()]

# Field values that look like the phrases' own words: parentheses, colons, newlines, percent signs.
AWKWARD = {
    "actor": "Mia (Chen)", "question": "Which cities?\nShanghai (east): 50%; Approved by me",
    "title": "Partner agreement: Acme (Asia) Ltd", "sha256": "0123456789ab",
    "program": "Partner program (2026)", "stage": "more_info",
    "details": "More information requested: a: b", "company": "Acme: (Asia) Ltd",
    "name": "Acme (Asia) Ltd", "status": "in_review", "domain": "acme.com",
    "mail_domain": "sales.acme.cn", "rounds": "20", "email": "li.wei+(asia)@acme.com",
}


@pytest.mark.parametrize("phrase", EVERY_PHRASE, ids=lambda p: p.msgid)
def test_every_phrase_reads_back_the_fields_it_wrote(phrase: Phrase):
    fields = {name: AWKWARD[name] for name in phrase.fields}
    assert phrase.parse(phrase.format(**fields)) == fields


@pytest.mark.parametrize("phrase", notes.NOTES, ids=lambda p: p.msgid)
def test_a_note_is_recognised_as_the_phrase_that_wrote_it_and_no_other(phrase: Phrase):
    fields = {name: AWKWARD[name] for name in phrase.fields}
    assert recognise(phrase.format(**fields), notes.NOTES) == (phrase, fields)


def test_the_process_writes_the_english_it_always_wrote():
    """The f-strings the phrases replaced: stored notes and the saved histories hold this text,
    so a phrase's English never changes (a new wording is a new phrase)."""
    actor, question, title, sha, program = "Mia Chen", "Cities?", "Partner agreement: Acme", "ab12", "P"
    assert notes.SUBMITTED.format() == "Application submitted"
    assert notes.AWAITING_REVIEW.format() == "Awaiting review by channel managers"
    assert notes.APPROVED.format(actor=actor) == f"Approved by {actor}"
    assert notes.REVIEW_DEADLINE_PASSED.format() == "No review decision before the deadline"
    assert notes.NOT_REVIEWED_IN_TIME.format() == "The application could not be reviewed in time."
    assert notes.MORE_INFO_REQUESTED.format(question=question) == f"More information requested: {question}"
    assert notes.MORE_INFO_LATE.format() == "The requested information did not arrive in time"
    assert notes.TOO_MANY_ROUNDS.format() == "Too many rounds of questions; please apply again"
    assert notes.AWAITING_SIGNATURE.format(title=title) == f"Awaiting the partner's signature of {title}"
    assert notes.SIGNATURE_EXPIRED.format() == "The agreement was not signed before it expired"
    assert notes.AWAITING_COUNTERSIGNATURE.format() == "Awaiting countersignature by a channel manager"
    assert notes.SIGNED.format(title=title, sha256=sha) == f"{title} signed (SHA-256 {sha}…)"
    assert notes.ACTIVE.format() == "Active partner: portal access granted"
    assert notes.SYSTEM.format() == "system"
    assert notes.REVIEW_DEADLINE.format() == "system (review deadline)"
    assert notes.AUTOMATIC_COUNTERSIGNATURE.format(program=program) == f"{program} (automatic)"
    assert notes.CURRENT_DETAILS.format(stage="in_review", details="x") == "in_review: x"
    assert agreement_title({"company_name": "Acme"}) == "Partner agreement: Acme"


@pytest.mark.parametrize("text", [
    "No coverage in our region",                       # a rejection reason someone typed
    "application submitted",                           # close, but not what the process wrote
    "Application submitted.",
    " Awaiting review by channel managers",
    "Approved by",                                     # the phrase without its field's " "
    "Awaiting countersignature by a channel manager\n",
    "",
])
def test_text_no_phrase_wrote_is_not_recognised(text: str):
    assert recognise(text, notes.NOTES) is None


def test_a_field_with_a_pattern_takes_only_what_matches_it():
    assert notes.CURRENT_DETAILS.parse("in_review: More information requested: a: b") == {
        "stage": "in_review", "details": "More information requested: a: b"}
    assert notes.CURRENT_DETAILS.parse("Some text: with a colon") is None
    assert notes.SIGNED.parse("Partner agreement: Acme signed (SHA-256 not-hex…)") is None


def test_a_phrase_refuses_to_format_without_its_fields():
    with pytest.raises(KeyError):
        notes.APPROVED.format()


def test_screening_flags_read_back_into_their_fields():
    rival = KnownOrganisation("other", "Acme (Asia) Ltd", "acme.com", "in_review")
    same_domain, free_mail = screen("me", "Acme", "https://acme.com", "li@gmail.com", [rival])
    assert FLAG_MESSAGES[same_domain.code].parse(same_domain.message) == {
        "name": "Acme (Asia) Ltd", "status": "in_review"}
    assert FLAG_MESSAGES[free_mail.code].parse(free_mail.message) == {"domain": "gmail.com"}
    (same_name,) = screen("me", "ACME Asia", "acme.cn", "li@acme.cn",
                          [KnownOrganisation("other", "Acme Asia Ltd", "acme.com", "active")])
    assert FLAG_MESSAGES[same_name.code].parse(same_name.message) == {
        "name": "Acme Asia Ltd", "status": "active"}
    (mismatch,) = screen("me", "Nova", "nova.io", "x@other.io", [])
    assert FLAG_MESSAGES[mismatch.code].parse(mismatch.message) == {
        "mail_domain": "other.io", "domain": "nova.io"}


def _dicts(node):
    if isinstance(node, dict):
        yield node
        node = list(node.values())
    if isinstance(node, list):
        for value in node:
            yield from _dicts(value)


def _notes_written(path: Path):
    """(stage, note) of each timeline line (StageChange) and each final status (OnboardingStatus)
    in a saved history's payloads: activity inputs and the workflow's result."""
    for payload in _dicts(json.loads(path.read_text())):
        if {"metadata", "data"} <= payload.keys():
            try:
                data = json.loads(base64.b64decode(payload["data"]))
            except ValueError:
                continue
            for found in _dicts(data):
                if {"key", "stage", "note", "actor"} <= found.keys():
                    yield found["stage"], found["note"]
                elif {"stage", "details", "decisions"} <= found.keys():
                    yield found["stage"], found["details"]


def test_every_note_in_the_saved_histories_is_recognised():
    """What the process really wrote: every note but a rejection reason (a person typed it)."""
    written = {note for path in sorted(HISTORIES.glob("*.json"))
               for stage, note in _notes_written(path) if note and stage != "rejected"}
    assert len(written) >= 7
    assert sorted(note for note in written if recognise(note, notes.NOTES) is None) == []
