"""A quiz's score, computed on the server from the plan's answers: never taken from the client.

The workflow calls `score` on the evidence payload a partner submitted (the quiz's questions are
fields of the evidence form); the result goes on the task's context and the timeline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from domain.enablement import Quiz


@dataclass(frozen=True)
class QuizResult:
    correct: int
    total: int
    percent: int                      # rounded down: 79.9 does not pass a pass mark of 80
    pass_percent: int
    passed: bool
    wrong: tuple[str, ...] = ()       # question keys answered wrongly or not at all

    def as_dict(self) -> dict[str, Any]:
        """JSON for a task row's context (a tuple reads back as a list)."""
        return {**asdict(self), "wrong": list(self.wrong)}


def score(quiz: Quiz, answers: Mapping[str, Any]) -> QuizResult:
    """Each question counts once; a missing or unknown answer is wrong. A quiz without
    questions is passed (nothing to get wrong)."""
    wrong = tuple(q.key for q in quiz.questions
                  if not isinstance(answers.get(q.key), str) or answers[q.key] != q.answer)
    total = len(quiz.questions)
    correct = total - len(wrong)
    percent = 100 * correct // total if total else 100
    return QuizResult(correct, total, percent, quiz.pass_percent, percent >= quiz.pass_percent, wrong)
