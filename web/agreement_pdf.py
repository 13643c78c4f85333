"""The agreement as a PDF download: before signing (to read and keep) and once executed.

Who may download is who may see the agreement's page: staff any agreement, a partner their own
organisation's only (anyone else's is "not found", as in the portal: a 403 would say it exists),
and the holder of an emailed signing link the agreement of that link's open task
(web/public/task_links.py). The PDF is made on request from the stored text and signatures, in
the reader's language and time format (domain/agreement_pdf.py): only the text is signed.
"""

from __future__ import annotations

import io

from flask import Blueprint, abort, current_app, send_file
from flask_login import current_user

from db.models import Agreement, Organisation
from web.database import db
from web.i18n import page_translations, when

bp = Blueprint("agreements", __name__, url_prefix="/agreements")


@bp.get("/<agreement_id>.pdf")
def pdf(agreement_id: str):
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    agreement = db().get(Agreement, agreement_id)
    if agreement is None:
        abort(404)
    mine = current_user.is_partner and agreement.org_id == current_user.org_id
    if not (current_user.is_staff or mine):
        abort(404)
    return pdf_response(agreement)


def pdf_response(agreement: Agreement):
    # Imported on the first download, not at start: reportlab and Pillow add about 9 MB to every
    # web process (the bench's web memory target), and most processes never make a PDF.
    from domain.agreement_pdf import pdf_filename, stored_agreement_pdf

    org = db().get(Organisation, agreement.org_id)
    content = stored_agreement_pdf(agreement, page_translations().ugettext, when)
    response = send_file(io.BytesIO(content), mimetype="application/pdf", as_attachment=True,
                         download_name=pdf_filename(org.reference), max_age=0)
    response.headers["Cache-Control"] = "private, no-store"  # a signed contract: no shared caches
    return response
