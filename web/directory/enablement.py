"""The partner page's enablement section and a manager's changes to the plan.

Staff read the section (the directory's blueprint); channel managers (and program leads) act:
add an ad-hoc task, waive a task with a reason, move a due date, move the partner to another
version of its plan after seeing what would change (domain/enablement_rules.reconcile on the
plan's rows). Each change is an Update to the partner's EnablementWorkflow
(web/enablement/updates.py). Bad input re-renders the page with the form as typed (400); a
refusal by the workflow's validator says why (409) and keeps it too; Temporal away is a 503.
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from definitions.plans import load_plan, plan_versions
from domain.enablement import (AddTaskInput, ItemOwner, MoveDueDateInput, MovePlanInput,
                               PlanChange, UpdateResult, WaiveTaskInput)
from domain.enablement_rules import reconcile
from domain.tasks import Actor
from web.database import db
from web.directory import bp
from web.enablement.manager_forms import (AddTaskForm, MoveDueForm, MovePlanForm, WaiveForm,
                                          due_moment, owner_choices)
from web.enablement.plan_view import PlanView, aware, item_states, plan_view
from web.enablement.texts import item_title
from web.enablement.updates import PlanRefused, send
from web.task_views import new_nonce
from web.temporal_bridge import TemporalUnavailable

UNREACHABLE = ("We could not reach the workflow service. Nothing changed and nothing you typed "
               "is lost: send it again in a moment.")


def may_change(user) -> bool:
    return user.has_role("channel_manager")


def section(org_id: str, **forms) -> dict:
    """What the partner page shows of the plan, and (for managers) its forms: the ones given
    (as sent, with their errors) or fresh ones carrying a new nonce."""
    view = plan_view(db(), org_id)
    if view is None:
        return {"enablement": None}
    context = {"enablement": view, "now": datetime.now(timezone.utc),
               "may_change_plan": may_change(current_user)}
    if not context["may_change_plan"]:
        return context
    add = forms.get("add") or _fresh(AddTaskForm(prefix="add", formdata=None))
    _choices(add, view)
    context["add_form"] = add
    # An item's forms while it is open; and the one just sent, kept as typed even when the
    # refusal was that the item has closed meanwhile.
    sent = {forms.get("waive_key"), forms.get("due_key")}
    shown = [i for i in view.items if i.open_for_changes or i.key in sent]
    context["waive_forms"] = {i.key: forms["waive"] if forms.get("waive_key") == i.key
                              else _fresh(WaiveForm(prefix=f"waive-{i.key}", formdata=None))
                              for i in shown}
    context["due_forms"] = {i.key: forms["due"] if forms.get("due_key") == i.key
                            else _fresh(MoveDueForm(prefix=f"due-{i.key}", formdata=None))
                            for i in shown}
    context["newer_versions"] = [v for v in plan_versions(view.plan.plan_id)
                                 if v > view.plan.plan_version]
    context["problems"] = forms.get("problems", {})
    return context


def _fresh(form):
    form.form_nonce.data = new_nonce()
    return form


def _choices(form: AddTaskForm, view: PlanView) -> None:
    form.owner.choices = owner_choices()
    form.stage.choices = [(s.key, s.title) for s in view.stages]


def _actor() -> Actor:
    return Actor(name=current_user.name, roles=tuple(current_user.roles),
                 user_id=current_user.id, email=current_user.email)


def _plan_or_404(org_id: str) -> PlanView:
    if not may_change(current_user):
        abort(403)
    view = plan_view(db(), org_id)
    if view is None:
        abort(404)
    return view


def _again(org_id: str, status: int, problem: str | None = None, where: str = "add", **forms):
    from web.directory.views import render_partner
    return render_partner(org_id, status, problems={where: problem} if problem else {}, **forms)


def _done(org_id: str, message: str):
    flash(message, "success")
    return redirect(url_for("directory.partner", org_id=org_id) + "#enablement")


def _attempt(org_id: str, where: str, call, done: str, **forms):
    try:
        call()
    except PlanRefused as refused:
        return _again(org_id, 409, str(refused), where, **forms)
    except TemporalUnavailable:
        return _again(org_id, 503, gettext(UNREACHABLE), where, **forms)
    return _done(org_id, done)


@bp.post("/<org_id>/enablement/tasks")
def add_enablement_task(org_id: str):
    view = _plan_or_404(org_id)
    form = AddTaskForm(prefix="add")
    _choices(form, view)
    if not form.validate_on_submit():
        return _again(org_id, 400, add=form)
    message = lambda rid: AddTaskInput(  # noqa: E731
        request_id=rid, actor=_actor(), title=form.title.data.strip(),
        owner=ItemOwner(form.owner.data), due_at=due_moment(form.due.data),
        stage=form.stage.data, required=bool(form.required.data),
        description=(form.description.data or "").strip(), review=bool(form.review.data))
    return _attempt(org_id, "add", lambda: send(view.plan.workflow_id, "add_task", message,
                                                form.form_nonce.data, UpdateResult),
                    gettext("Task “%(title)s” added to the plan.", title=form.title.data.strip()),
                    add=form)


def _item_or_404(org_id: str, item_key: str):
    """The partner's plan and one of its items, or 404 for either."""
    view = _plan_or_404(org_id)
    item = view.item(item_key)
    if item is None:
        abort(404)
    return view, item


@bp.post("/<org_id>/enablement/items/<item_key>/waive")
def waive_enablement_task(org_id: str, item_key: str):
    view, item = _item_or_404(org_id, item_key)
    form = WaiveForm(prefix=f"waive-{item_key}")
    forms = {"waive": form, "waive_key": item_key}
    if not form.validate_on_submit():
        return _again(org_id, 400, **forms)
    message = lambda rid: WaiveTaskInput(request_id=rid, actor=_actor(), item_key=item_key,  # noqa: E731
                                         reason=form.reason.data.strip())
    return _attempt(org_id, f"waive-{item_key}",
                    lambda: send(view.plan.workflow_id, "waive_task", message,
                                 form.form_nonce.data, UpdateResult),
                    gettext("“%(title)s” is waived.", title=item.title), **forms)


@bp.post("/<org_id>/enablement/items/<item_key>/due")
def move_enablement_due_date(org_id: str, item_key: str):
    view, item = _item_or_404(org_id, item_key)
    form = MoveDueForm(prefix=f"due-{item_key}")
    forms = {"due": form, "due_key": item_key}
    if not form.validate_on_submit():
        return _again(org_id, 400, **forms)
    message = lambda rid: MoveDueDateInput(  # noqa: E731
        request_id=rid, actor=_actor(), item_key=item_key, due_at=due_moment(form.due.data),
        reason=(form.reason.data or "").strip())
    return _attempt(org_id, f"due-{item_key}",
                    lambda: send(view.plan.workflow_id, "move_due_date", message,
                                 form.form_nonce.data, UpdateResult),
                    gettext("“%(title)s” is now due on %(day)s.", title=item.title,
                            day=form.due.data.isoformat()), **forms)


@bp.route("/<org_id>/enablement/version", methods=["GET", "POST"])
def move_enablement_plan(org_id: str):
    """First what the move would change (nothing is sent); then, confirmed, the Update."""
    view = _plan_or_404(org_id)
    versions = [v for v in plan_versions(view.plan.plan_id) if v != view.plan.plan_version]
    form = MovePlanForm()
    form.version.choices = [(v, gettext("Version %(num)d", num=v)) for v in versions]
    if request.method == "GET":
        form.version.data = max(versions) if versions else None
        form.form_nonce.data = new_nonce()
    if not versions:
        flash(gettext("The partner is on the only version of its plan."), "info")
        return redirect(url_for("directory.partner", org_id=org_id) + "#enablement")
    problem, status = None, 200
    if request.method == "POST" and form.validate_on_submit() and request.form.get("confirm") == "1":
        target = load_plan(view.plan.plan_id, form.version.data)
        message = lambda rid: MovePlanInput(request_id=rid, actor=_actor(), plan=target)  # noqa: E731
        try:
            change = send(view.plan.workflow_id, "move_to_plan_version", message,
                          form.form_nonce.data, PlanChange)
        except PlanRefused as refused:
            problem, status = str(refused), 409
        except TemporalUnavailable:
            problem, status = gettext(UNREACHABLE), 503
        else:
            return _done(org_id, gettext("The partner is on version %(num)d of the plan now: "
                                         "%(summary)s", num=change.to_version,
                                         summary=summary(view, target, change)))
    elif request.method == "POST" and form.errors:
        status = 400
    target = load_plan(view.plan.plan_id, form.version.data or max(versions))
    _states, change = reconcile(view.definition, target, item_states(view),
                                aware(view.plan.started_at), datetime.now(timezone.utc))
    return render_template("directory/move_plan.html", view=view, form=form, target=target,
                           change=change, titles=_titles(view, target), problem=problem,
                           org=view.plan.organisation), status


def _titles(view: PlanView, target) -> dict[str, str]:
    """Each key the change names, by its title: the new version's words for what it adds."""
    titles = {i.key: i.title for i in view.items}
    for item in target.items:
        titles.setdefault(item.key, item_title(target.plan_id, target.version, item.key))
    return titles


def summary(view: PlanView, target, change: PlanChange) -> str:
    titles = _titles(view, target)
    parts = []
    for heading, keys in ((gettext("added"), change.added), (gettext("removed"), change.removed),
                          (gettext("changed"), change.changed)):
        if keys:
            parts.append(f"{heading}: {', '.join(titles.get(k, k) for k in keys)}")
    return "; ".join(parts) or gettext("nothing else changed.")
