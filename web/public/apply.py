"""The landing page and the public application form: a valid POST starts the onboarding workflow."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import uuid

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext
from temporalio.client import Client
from temporalio.exceptions import WorkflowAlreadyStartedError

from definitions.loader import load_program
from domain import ids
from domain.onboarding import OnboardingInput
from forms import form_class, validated_payload
from web.public import bp
from web.task_views import APPLICATION_FORM, new_nonce
from web.tasks import NONCE
from workflows.start import start_onboarding

log = logging.getLogger(__name__)
REFERENCE = re.compile(r"^PA-[A-Z2-9]{8}$")


@bp.get("/")
def landing():
    return render_template("public/landing.html", program=load_program())


@bp.route("/apply", methods=["GET", "POST"])
def apply():
    form = form_class(APPLICATION_FORM)()
    if request.method != "POST":
        form.form_nonce.data = new_nonce()
        return render_template("public/apply.html", form=form)
    payload = validated_payload(form)
    if payload is None:
        return render_template("public/apply.html", form=form), 400
    org_id = submission_org_id(form.form_nonce.data or "")
    try:
        reference = start_application(org_id, payload)
    except Exception:  # Temporal away or refusing: keep every typed value and say so
        log.exception("could not start the onboarding workflow for %s", org_id)
        problem = gettext("We could not submit your application just now. Nothing was lost: "
                          "please send the form again in a moment.")
        return render_template("public/apply.html", form=form, problem=problem), 503
    return redirect(url_for("public.submitted", reference=reference))


@bp.get("/apply/submitted/<reference>")
def submitted(reference: str):
    # Shows only what the URL already says: no lookup, so the page works before the row exists.
    if not REFERENCE.match(reference):
        abort(404)
    return render_template("public/submitted.html", reference=reference)


def submission_org_id(nonce: str) -> str:
    """The same form sent twice gets the same organisation id, hence the same workflow id, so the
    second start is rejected as a duplicate instead of creating a second application. Keyed with
    the secret so nobody can aim a submission at an id of their choosing."""
    if not NONCE.match(nonce):
        return ids.new_org_id()
    secret = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(secret, f"application:{nonce}".encode(), hashlib.sha256).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def start_application(org_id: str, payload: dict) -> str:
    settings = current_app.extensions["prm.settings"]
    reference = ids.application_reference(org_id)
    inp = OnboardingInput(org_id=org_id, reference=reference, application=payload,
                          program=load_program(), locale=str(get_locale() or "en"))

    async def start(client: Client) -> None:
        try:
            await start_onboarding(client, settings.temporal_task_queue, inp)
        except WorkflowAlreadyStartedError:
            pass  # the same submission sent twice: the first one stands

    current_app.extensions["prm.temporal"].run(start)
    return reference
