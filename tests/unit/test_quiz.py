"""Quiz scoring on the server (domain/quiz.py): the plan's answers decide, never the client."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from definitions.plans import load_plan
from domain.enablement import Quiz
from domain.quiz import score

TRAINING = load_plan("standard").item("sales_training").quiz      # 4 questions, pass at 75
EXAM = load_plan("standard").item("sales_certification").quiz     # 5 questions, pass at 80
RIGHT = {q.key: q.answer for q in EXAM.questions}


def test_all_right_passes_with_a_hundred():
    result = score(EXAM, RIGHT)
    assert (result.correct, result.total, result.percent, result.passed, result.wrong) == (
        5, 5, 100, True, ())


def test_one_wrong_of_five_is_eighty_and_passes_the_exam_two_wrong_fail():
    one = score(EXAM, {**RIGHT, "q_pricing": "partner"})
    assert (one.percent, one.passed, one.wrong) == (80, True, ("q_pricing",))
    two = score(EXAM, {**RIGHT, "q_pricing": "partner", "q_data": "guess"})
    assert (two.percent, two.passed, two.wrong) == (60, False, ("q_pricing", "q_data"))


def test_percent_rounds_down_so_a_near_miss_does_not_pass():
    quiz = Quiz(TRAINING.questions[:3], pass_percent=67)
    right = {q.key: q.answer for q in quiz.questions}
    assert score(quiz, right).percent == 100
    near = score(quiz, {**right, quiz.questions[0].key: "wrong"})
    assert (near.percent, near.passed) == (66, False)


@pytest.mark.parametrize("sent", [{}, {"q_pricing": ["company"]}, {"q_pricing": None},
                                  {"q_pricing": "COMPANY"}, {"q_pricing": " company"}])
def test_a_missing_or_malformed_answer_is_wrong(sent):
    answers = {**RIGHT, **sent} if sent else {k: v for k, v in RIGHT.items() if k != "q_pricing"}
    assert "q_pricing" in score(EXAM, answers).wrong


def test_answers_to_questions_the_quiz_does_not_ask_change_nothing():
    assert score(EXAM, {**RIGHT, "score": 100, "passed": True}) == score(EXAM, RIGHT)


def test_a_quiz_without_questions_is_passed_and_the_result_reads_back_as_json():
    assert score(Quiz(()), {}).passed
    assert score(EXAM, {**RIGHT, "q_data": "guess"}).as_dict() == {
        "correct": 4, "total": 5, "percent": 80, "pass_percent": 80, "passed": True,
        "wrong": ["q_data"]}


@given(st.dictionaries(st.sampled_from([q.key for q in EXAM.questions]),
                       st.sampled_from(["multi_partner", "company", "guess", "ask_manager", "x"])))
def test_the_score_is_the_share_of_right_answers(answers):
    result = score(EXAM, answers)
    right = sum(1 for q in EXAM.questions if answers.get(q.key) == q.answer)
    assert result.correct == right and result.correct + len(result.wrong) == result.total
    assert result.passed == (result.percent >= EXAM.pass_percent)
    assert 0 <= result.percent <= 100
