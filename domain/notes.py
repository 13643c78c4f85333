"""What the onboarding process writes on the application's timeline, and who it says did it.

Each note is a Phrase (domain/phrases.py): workflows/onboarding.py and activities/recruitment.py
format it, the web app recognises it and shows it in the reader's language. Change a phrase's
English and the notes already stored (and the saved histories' activity inputs) no longer match
it: add a new phrase beside the old one instead, and keep the old one here for the old notes.
"""

from __future__ import annotations

from domain.phrases import N_, Phrase

SUBMITTED = Phrase(N_("Application submitted"))
AWAITING_REVIEW = Phrase(N_("Awaiting review by channel managers"))
APPROVED = Phrase(N_("Approved by %(actor)s"))
REVIEW_DEADLINE_PASSED = Phrase(N_("No review decision before the deadline"))
# The rejection reason when a program rejects what nobody reviewed in time (ReviewFallback.REJECT).
NOT_REVIEWED_IN_TIME = Phrase(N_("The application could not be reviewed in time."))
MORE_INFO_REQUESTED = Phrase(N_("More information requested: %(question)s"))
MORE_INFO_LATE = Phrase(N_("The requested information did not arrive in time"))
TOO_MANY_ROUNDS = Phrase(N_("Too many rounds of questions; please apply again"))
AWAITING_SIGNATURE = Phrase(N_("Awaiting the partner's signature of %(title)s"))
SIGNATURE_EXPIRED = Phrase(N_("The agreement was not signed before it expired"))
AWAITING_COUNTERSIGNATURE = Phrase(N_("Awaiting countersignature by a channel manager"))
SIGNED = Phrase(N_("%(title)s signed (SHA-256 %(sha256)s…)"), sha256="[0-9a-f]*")
ACTIVE = Phrase(N_("Active partner: portal access granted"))
# Issue 8: the round cap says why it closed the application, and activation waits for a contact.
ROUND_LIMIT_REACHED = Phrase(N_("Closed after %(rounds)s rounds of questions, the most one "
                                "application may take; please apply again"), rounds="[0-9]+")
CONTACT_HAS_ACCOUNT = Phrase(N_("Portal access waits for a new contact: %(email)s already has an "
                                "account, and an account belongs to one organisation only"))
# Issue 9: a staff step (and the application's steps after it) given to another manager.
HANDED_ON = Phrase(N_("Handed on to %(name)s"))

# Every note a process writes; the rest of a timeline is what people typed (a rejection reason).
NOTES = (SUBMITTED, AWAITING_REVIEW, APPROVED, REVIEW_DEADLINE_PASSED, NOT_REVIEWED_IN_TIME,
         MORE_INFO_REQUESTED, MORE_INFO_LATE, TOO_MANY_ROUNDS, AWAITING_SIGNATURE,
         SIGNATURE_EXPIRED, AWAITING_COUNTERSIGNATURE, SIGNED, ACTIVE, ROUND_LIMIT_REACHED,
         CONTACT_HAS_ACCOUNT, HANDED_ON)

# Who did it, when no person did: shown beside each line (and inside "Approved by ...").
SYSTEM = Phrase(N_("system"))
REVIEW_DEADLINE = Phrase(N_("system (review deadline)"))
AUTOMATIC_COUNTERSIGNATURE = Phrase(N_("%(program)s (automatic)"))

ACTORS = (SYSTEM, REVIEW_DEADLINE, AUTOMATIC_COUNTERSIGNATURE)

# Temporal's current details of the workflow (the ops workflow page): its stage code and the note.
CURRENT_DETAILS = Phrase(N_("%(stage)s: %(details)s"), stage="[a-z_]+")
