"""What a manager reads when EnablementWorkflow's validators refuse a change (their English, as
workflows/enablement.py raises it), in English and in Chinese: each refusal its own sentence,
and one the page does not know shown with the workflow's words rather than lost."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from web.enablement.updates import explain

REFUSALS = {
    "only a channel manager may change a partner's plan":
        ("Only a channel manager may change a partner’s plan.", "只有渠道经理可以更改合作伙伴的计划。"),
    "no open plan item 'logo'":
        ("That task is not open any more: the plan has moved on. Reload the page.",
         "该任务已不再开放：计划已有进展。请重新加载页面。"),
    "the due date must be in the future": ("Choose a due date in the future.", "请选择未来的截止日期。"),
    "a waiver needs a reason": ("Say why.", "请说明原因。"),
    "the title must not be blank": ("Name the task.", "请填写任务名称。"),
    "unknown stage 'gold'": ("That stage is not in the partner’s plan. Reload the page.",
                             "该合作伙伴的计划中没有这个阶段。请重新加载页面。"),
    "the partner is on version 2 already":
        ("The partner is on that version already, or it is not a version of their plan.",
         "该合作伙伴已在使用该版本，或该版本不属于其计划。"),
}


@pytest.mark.parametrize("said", list(REFUSALS))
def test_each_refusal_reads_as_its_own_sentence_in_both_languages(app, said):
    english, chinese = REFUSALS[said]
    with app.test_request_context():
        assert explain(ValueError(said)) == english
        with force_locale("zh_Hans"):
            assert explain(ValueError(said)) == chinese


def test_an_unknown_refusal_keeps_the_workflows_words(app):
    with app.test_request_context():
        assert explain(ValueError("something new")) == \
            "The plan could not be changed: something new"
