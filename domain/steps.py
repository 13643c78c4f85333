"""A human step's grouped writes: what opening or closing a step records, as one call each.

Every server round trip counts on a small box (DESIGN.md section 4): the stage a step puts the
process in and the task row it opens are one transaction, and so are the decision's task row and
the stage the decision leads to. Each is one local activity instead of two.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.onboarding import MailInput, RecordApplicationInput, StageChange
from domain.tasks import CloseTaskInput, TaskSpec


@dataclass(frozen=True)
class OpenStepInput:
    task: TaskSpec
    stage: StageChange | None = None     # the stage the process enters with this step


@dataclass(frozen=True)
class CloseStepInput:
    close: CloseTaskInput
    stage: StageChange | None = None     # the stage the decision (or the deadline) leads to


@dataclass(frozen=True)
class AcceptApplicationInput:
    application: RecordApplicationInput
    confirmation: MailInput              # the applicant's "we have your application" mail
