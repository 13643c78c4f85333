"""What the enablement workflow writes on a partner's timeline, as Phrases (domain/phrases.py):
stored in English, shown in the reader's language. Titles in them are the plan's English words
(a plan item's, a stage's, a certification's); pages may show the plan's own translation.
Reword one only by adding a new phrase beside it (stored notes and saved histories keep it).
"""

from __future__ import annotations

from domain.phrases import N_, Phrase

STAGE_REACHED = Phrase(N_("Enablement stage reached: %(stage)s"))
STAGE_BACK = Phrase(N_("Enablement stage back to %(stage)s"))
TASK_DONE = Phrase(N_("%(title)s done"))
SUBMITTED_FOR_REVIEW = Phrase(N_("%(title)s sent for review (round %(round)s)"), round="[0-9]+")
RETURNED = Phrase(N_("%(title)s returned for round %(round)s: %(comment)s"), round="[0-9]+")
QUIZ_FAILED = Phrase(N_("%(title)s: quiz not passed (score %(score)s, pass mark %(pass_mark)s); "
                        "round %(round)s is open"),
                     score="[0-9]+", pass_mark="[0-9]+", round="[0-9]+")
WAIVED = Phrase(N_("%(title)s waived: %(reason)s"))
DUE_MOVED = Phrase(N_("%(title)s now due on %(due)s: %(reason)s"), due="[0-9-]+")
TASK_ADDED = Phrase(N_("Task added: %(title)s"))
PLAN_MOVED = Phrase(N_("Moved from plan version %(old)s to %(new)s: %(added)s added, %(removed)s "
                       "removed, %(changed)s changed"),
                    old="[0-9]+", new="[0-9]+", added="[0-9]+", removed="[0-9]+",
                    changed="[0-9]+")
CERTIFICATION_ISSUED = Phrase(N_("Certification %(name)s issued to %(holder)s, valid until "
                                 "%(until)s"), until="[0-9-]+")
CERTIFICATION_LAPSED = Phrase(N_("Certification %(name)s of %(holder)s lapsed on %(date)s"),
                              date="[0-9-]+")
FIRST_DEAL = Phrase(N_("First deal approved: %(deal)s"))
# The close note of a step nobody needs any more.
STEP_WAIVED = Phrase(N_("Waived"))
STEP_REMOVED = Phrase(N_("No longer part of the plan"))
# The title of the program addendum an ADDENDUM item signs (its agreement's title).
ADDENDUM_TITLE = Phrase(N_("Program addendum: %(company)s"))

NOTES = (STAGE_REACHED, STAGE_BACK, TASK_DONE, SUBMITTED_FOR_REVIEW, RETURNED, QUIZ_FAILED, WAIVED,
         DUE_MOVED, TASK_ADDED, PLAN_MOVED, CERTIFICATION_ISSUED, CERTIFICATION_LAPSED, FIRST_DEAL,
         STEP_WAIVED, STEP_REMOVED, ADDENDUM_TITLE)
