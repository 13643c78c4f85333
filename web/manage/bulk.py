"""Bulk claim and bulk assign from the inbox's ticked rows.

Each task goes through the one-task path, so a bulk action is exactly that many single actions:
what worked stays done when a later task is refused, and nothing else can differ from pressing
each row's button. A claim is a row write (web/manage/holding.py: one conditional UPDATE, its own
commit); an assign is a hand-on (web/hand_on.py: an Update to the task's workflow, which then owns
it to the colleague, then the row and a timeline line), with the bulk form's nonce, so a resent
form repeats the same hand-ons. What happened to every task is said in the flash messages,
grouped by outcome (claimed; held by whom; closed; turned down by the workflow; ...), each group
naming its tasks.
"""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import parse_qsl, urlsplit

from babel.lists import format_list
from flask import flash, redirect, request
from flask_babel import get_locale, gettext, ngettext
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from db.models import Organisation, Task, User
from domain.roles import may_act_as
from domain.tasks import ACTIVE_STATUSES
from web.database import db
from web.hand_on import colleague_by_id, hand_on, may_hand_on, may_take
from web.labels import TASK_TYPE_LABELS, label
from web.manage import bp
from web.manage.holding import Refusal, claim, holder_name, refusal
from web.manage.inbox import back_to, render_inbox
from web.security import CurrentUser
from web.tasks import NONCE, TaskConflict, TemporalUnavailable

# A page holds 50 rows; more than a few pages' worth at once is not a person ticking boxes.
MOST_AT_ONCE = 200
# Tasks named in one message; the rest are counted (a flash lives in the session cookie).
NAMED_PER_MESSAGE = 5


@bp.post("/tasks/bulk")
def bulk():
    task_ids = list(dict.fromkeys(t for t in request.form.getlist("task_id") if 0 < len(t) <= 160))
    action = request.form.get("action", "")
    session = db()
    colleague = None
    if not task_ids:
        return _refused(task_ids, gettext("Tick at least one task first."))
    if len(task_ids) > MOST_AT_ONCE:
        return _refused(task_ids, gettext("Choose at most %(num)d tasks at once.", num=MOST_AT_ONCE))
    if action == "assign":
        colleague = colleague_by_id(session, current_user, request.form.get("assignee", ""))
        if colleague is None:
            return _refused(task_ids, gettext("Choose the colleague to assign the tasks to."))
        if not NONCE.match(request.form.get("form_nonce", "")):
            return _refused(task_ids, gettext("This form is out of date. Reload the page and send "
                                              "it again."))
    elif action != "claim":
        return _refused(task_ids, gettext("Choose what to do with the ticked tasks."))

    names = _task_names(task_ids)
    if colleague is None:
        outcomes = ((task_id, None if claim(session, task_id, current_user)
                     else refusal(session, task_id, current_user)) for task_id in task_ids)
    else:
        outcomes = _hand_on_each(task_ids, colleague, request.form["form_nonce"])
    done, refused = [], defaultdict(list)
    for task_id, why in outcomes:
        if why is None:
            done.append(names.get(task_id, task_id))
        else:
            refused[why].append(names.get(task_id, task_id))
    if done:
        if colleague is None:
            flash(ngettext("You claimed %(num)d task: %(tasks)s.", "You claimed %(num)d tasks: %(tasks)s.",
                           len(done), tasks=_listed(done)), "success")
        else:
            flash(ngettext("%(num)d task assigned to %(name)s: %(tasks)s.",
                           "%(num)d tasks assigned to %(name)s: %(tasks)s.", len(done),
                           name=colleague.name, tasks=_listed(done)), "success")
    for why, tasks in refused.items():
        flash(_left_unchanged(why, _listed(tasks)), "warning")
    return redirect(back_to())


def _hand_on_each(task_ids: list[str], colleague: User, nonce: str):
    """(task id, None or why not) per task, each handed on through its workflow and committed
    before the next. After an outage the rest are not tried: each would wait out the same
    timeout, and the person can send the form again (its nonce makes that the same hand-ons)."""
    session = db()
    unreached = False
    for task_id in task_ids:
        task = session.get(Task, task_id)
        why = Refusal("unreached") if unreached else _why_not(task, current_user, colleague)
        if why is None:
            try:
                hand_on(task, current_user, colleague, nonce)
            except TaskConflict as conflict:
                session.rollback()
                why = Refusal("refused", said=str(conflict))
            except TemporalUnavailable:
                session.rollback()
                unreached, why = True, Refusal("unreached")
        yield task_id, why


def _why_not(task: Task | None, user: CurrentUser, colleague: User) -> Refusal | None:
    """The task page's checks (may_hand_on, the colleague's role), said as bulk.py groups them."""
    if task is None or not task.assignee_role or not may_act_as(user.roles, task.assignee_role):
        return Refusal("not_yours")
    if task.status not in ACTIVE_STATUSES:
        return Refusal("closed")
    if not may_take(colleague, task):
        return Refusal("cannot_take", colleague.name)
    if not may_hand_on(task, user):  # someone else holds it, and I am no program lead
        return Refusal("held", holder_name(db(), task))
    return None


def _refused(task_ids: list[str], message: str):
    """Nothing was done: the inbox again, the ticked boxes still ticked, the reason shown."""
    next_url = urlsplit(back_to())
    return render_inbox(MultiDict(parse_qsl(next_url.query)), selected=task_ids,
                        bulk_error=message, status=400)


def _task_names(task_ids: list[str]) -> dict[str, str]:
    """'Review application: Acme Ltd (PRM-…)' per task, read once for the messages. Ids that name
    no task keep their id (they are reported as not in my groups' queue)."""
    rows = db().execute(select(Task.id, Task.task_type, Organisation.name, Organisation.reference)
                        .join(Organisation, Organisation.id == Task.org_id)
                        .where(Task.id.in_(task_ids)))
    return {r.id: gettext("%(task)s: %(company)s", task=label(TASK_TYPE_LABELS, r.task_type),
                          company=f"{r.name} ({r.reference})")
            for r in rows}


def _listed(names: list[str]) -> str:
    shown = names[:NAMED_PER_MESSAGE]
    if len(names) > len(shown):
        shown.append(ngettext("%(num)d more", "%(num)d more", len(names) - len(shown)))
    return format_list(shown, locale=get_locale() or "en")


def _left_unchanged(why: Refusal, tasks: str) -> str:
    if why.reason == "closed":
        return gettext("Closed already, left as they were: %(tasks)s.", tasks=tasks)
    if why.reason == "yours":
        return gettext("You hold these already: %(tasks)s.", tasks=tasks)
    if why.reason == "held":
        return gettext("Already claimed by %(name)s, left with them: %(tasks)s.", name=why.holder,
                       tasks=tasks)
    if why.reason == "refused":
        return gettext("%(reason)s Left as they were: %(tasks)s.", reason=why.said, tasks=tasks)
    if why.reason == "unreached":
        return gettext("We could not reach the workflow service, so these were not handed on: "
                       "%(tasks)s. Try again in a moment.", tasks=tasks)
    if why.reason == "cannot_take":
        return gettext("%(name)s may not take these (another group's tasks), left as they were: "
                       "%(tasks)s.", name=why.holder, tasks=tasks)
    return gettext("Not in your groups' queue, left as they were: %(tasks)s.", tasks=tasks)
