"""Uploads through a real task page and downloads through the one authorised route, on the real
app and database (this app's Temporal refuses connections, so a valid submission ends in 503
with everything kept: what matters here is what happened to the file before that).

The task is a partner's ad-hoc evidence task (ad_hoc_evidence.v1) on a seeded organisation."""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from db.models import StoredFile
from tests.unit.test_file_store import EXE, HTML, PDF, PNG
from tests.web.conftest import field_block, login, make_org, make_task, make_user, nonce_of

FORM = "ad_hoc_evidence.v1"
NOTES = "Ran the kickoff with the sales team; slides attached."


@pytest.fixture
def partner(app, sessions):
    """A partner user of an active organisation, signed in, with an open evidence task."""
    org = make_org(sessions, status="active")
    user = make_user(sessions, "partner_user", org_id=org.id)
    task = make_task(sessions, org, partner=True, task_type="enablement_ad_hoc", form=FORM,
                     step="adhoc")
    client = app.test_client()
    login(client, user)
    return client, org, user, task


def _post(client, task, *, file=None, name="report.pdf", mimetype="application/pdf", kept=None,
          **fields):
    """The task form as a browser sends it: a new file, or the hidden id of one kept."""
    data = {"notes": NOTES, "link": "https://example.com/recording", "form_nonce": "n" * 24,
            **fields}
    if file is not None:
        data["file"] = FileStorage(io.BytesIO(file), filename=name, content_type=mimetype)
    elif kept is not None:
        data["file"] = kept
    return client.post(f"/portal/tasks/{task.id}", **multipart(data))


def multipart(data: dict) -> dict:
    """The body encoded in memory: the test client's own encoder spools a large one to a
    temporary file it never closes (a ResourceWarning, an error in this suite)."""
    boundary, body = encode_multipart(MultiDict(data))
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def _rows(sessions, org_id: str) -> list[StoredFile]:
    with sessions() as s:
        return list(s.scalars(select(StoredFile).where(StoredFile.org_id == org_id)
                              .order_by(StoredFile.created_at)))


def _blob_names(root: Path) -> set[str]:
    return {p.name for p in root.rglob("*") if p.is_file() and p.relative_to(root).parts[0] != "tmp"}


def test_the_task_page_posts_multipart_with_a_file_field_that_says_what_it_takes(partner):
    client, _, _, task = partner
    html = client.get(f"/portal/tasks/{task.id}").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html
    block = field_block(html, "file")
    assert 'type="file"' in block and 'accept="application/pdf,' in block
    assert "Accepted: PDF, PNG, JPEG" in block and "up to 10 MB" in block


def test_an_upload_is_stored_with_its_metadata_and_kept_when_the_page_comes_back(partner, sessions,
                                                                                   file_store_dir):
    client, org, user, task = partner
    response = _post(client, task, file=PDF, name="report.pdf")
    assert response.status_code == 503  # Temporal is away here: nothing may be lost
    [row] = _rows(sessions, org.id)
    assert (row.original_name, row.size, row.content_type, row.uploaded_by_id, row.purpose) == (
        "report.pdf", len(PDF), "application/pdf", user.id, "evidence")
    assert (file_store_dir / row.sha256[:2] / row.sha256[2:4] / row.sha256).read_bytes() == PDF
    html = response.get_data(as_text=True)
    block = field_block(html, "file")
    assert f'<input type="hidden" name="file" value="{row.id}">' in block
    assert "report.pdf (" in block and "bytes) — " in block and ">replace</label>" in block
    assert NOTES in html  # and the other fields as typed

    again = _post(client, task, kept=row.id)  # the hidden id alone, as the page sends it
    assert again.status_code == 503
    assert f'value="{row.id}"' in field_block(again.get_data(as_text=True), "file")
    assert len(_rows(sessions, org.id)) == 1


def test_a_file_over_the_limit_gets_the_field_message_and_the_other_fields_stay(partner, sessions):
    client, org, _, task = partner
    response = _post(client, task, file=b"a" * (10 * 1024 * 1024 + 1), name="big.txt",
                     mimetype="text/plain", notes="Too big, sorry")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "This file is larger than 10 MB" in field_block(html, "file")
    assert "Too big, sorry" in field_block(html, "notes")
    assert 'value="https://example.com/recording"' in field_block(html, "link")
    assert _rows(sessions, org.id) == []


def test_a_bad_other_field_keeps_the_stored_upload(partner, sessions):
    client, org, _, task = partner
    response = _post(client, task, file=PNG, name="slide.png", mimetype="image/png",
                     link="not a link")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Enter a link that starts with https://" in field_block(html, "link")
    [row] = _rows(sessions, org.id)
    assert f'value="{row.id}"' in field_block(html, "file") and "slide.png (" in html


@pytest.mark.parametrize("content,message", [
    (HTML, "Web pages, SVG and XML files cannot be uploaded"),
    (EXE, "This file is not one of the accepted types"),
])
def test_a_disguised_file_is_refused_by_its_content(partner, sessions, file_store_dir, content,
                                                    message):
    client, org, _, task = partner
    before = _blob_names(file_store_dir)
    response = _post(client, task, file=content, name="report.pdf", mimetype="application/pdf")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in field_block(html, "file") and NOTES in html
    assert _rows(sessions, org.id) == [] and _blob_names(file_store_dir) == before


def test_a_png_claimed_as_pdf_is_stored_as_what_it_is(partner, sessions):
    client, org, _, task = partner
    _post(client, task, file=PNG, name="scan.pdf", mimetype="application/pdf")
    [row] = _rows(sessions, org.id)
    assert row.content_type == "image/png" and row.original_name == "scan.pdf.png"


@pytest.mark.parametrize("name,shown", [
    ("../../x.pdf", "x.pdf"), ("/etc/cron.d/evil.pdf", "evil.pdf"),
    ("..\\..\\windows\\system32\\x.pdf", None),  # Werkzeug unescapes the backslashes
    ("nul\x00byte.pdf", "nulbyte.pdf"),
    ("invoice\u202efdp.exe", "invoicefdp.exe.pdf"), ("n" * 400 + ".pdf", None),
])
def test_path_tricks_in_the_name_never_reach_the_disk_and_are_cleaned(partner, sessions,
                                                                       file_store_dir, name, shown):
    client, org, _, task = partner
    _post(client, task, file=PDF + name.encode("utf-8", "replace")[:40], name=name)
    [row] = _rows(sessions, org.id)
    assert len(row.original_name) <= 120 and row.original_name.endswith(".pdf")
    assert not any(c in row.original_name for c in "/\\\x00\u202e") and row.original_name[0] != "."
    if shown:
        assert row.original_name == shown
    assert _blob_names(file_store_dir) >= {row.sha256}
    assert all(re.fullmatch(r"[0-9a-f]{64}", n) for n in _blob_names(file_store_dir))
    assert not any(p.exists() for p in (file_store_dir.parent / "x.pdf", Path("/etc/cron.d/evil.pdf")))
    response = client.get(f"/files/{row.id}", buffered=True)
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; ") and "/" not in disposition.split("filename*")[0]
    assert f"filename*=UTF-8''{quote(row.original_name, safe='')}" in disposition
    assert "\u202e" not in disposition and "\x00" not in disposition


def test_downloads_are_for_the_owner_organisation_and_staff_only(app, partner, sessions):
    client, org, _, task = partner
    _post(client, task, file=PDF, name="季度报告.pdf")
    [row] = _rows(sessions, org.id)

    own = client.get(f"/files/{row.id}", buffered=True)
    assert own.status_code == 200 and own.data == PDF
    assert own.headers["Content-Type"] == "application/pdf"
    assert own.headers["X-Content-Type-Options"] == "nosniff"
    assert own.headers["Cache-Control"].startswith("private")
    assert "sandbox" in own.headers["Content-Security-Policy"]  # never a page, even if opened
    assert own.headers["Content-Disposition"] == (
        "attachment; filename=\"download.pdf\"; filename*=UTF-8''"
        "%E5%AD%A3%E5%BA%A6%E6%8A%A5%E5%91%8A.pdf")

    other_org = make_org(sessions, status="active")
    outsider = app.test_client()
    login(outsider, make_user(sessions, "partner_admin", org_id=other_org.id))
    refused = outsider.get(f"/files/{row.id}", buffered=True)
    missing = outsider.get("/files/00000000-0000-4000-8000-000000000000", buffered=True)
    assert refused.status_code == missing.status_code == 404
    assert PDF not in refused.data

    staff = app.test_client()
    login(staff, make_user(sessions, "channel_manager"))
    answer = staff.get(f"/files/{row.id}", buffered=True)
    assert answer.status_code == 200 and answer.data == PDF
    assert answer.headers["Content-Disposition"].startswith("attachment;")
    assert answer.headers["X-Content-Type-Options"] == "nosniff"

    anonymous = app.test_client().get(f"/files/{row.id}", buffered=True)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_identical_content_is_stored_once(app, partner, sessions, file_store_dir):
    client, org, _, task = partner
    content = PDF + b"% unique to this test\n"
    _post(client, task, file=content, name="first.pdf")
    _post(client, task, file=content, name="second.pdf")
    first, second = _rows(sessions, org.id)
    assert first.id != second.id and first.sha256 == second.sha256
    assert (first.original_name, second.original_name) == ("first.pdf", "second.pdf")
    assert sum(1 for p in file_store_dir.rglob(first.sha256)) == 1


def test_a_kept_id_of_another_organisations_file_is_not_taken(app, partner, sessions):
    client, _, _, task = partner
    theirs = make_org(sessions, status="active")
    their_task = make_task(sessions, theirs, partner=True, form=FORM, step="adhoc")
    their_client = app.test_client()
    login(their_client, make_user(sessions, "partner_user", org_id=theirs.id))
    _post(their_client, their_task, file=PDF, name="secret.pdf")
    [their_file] = _rows(sessions, theirs.id)

    response = _post(client, task, kept=their_file.id)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "no longer available here" in field_block(html, "file")
    assert their_file.id not in html and "secret.pdf" not in html


def test_the_stored_id_is_what_the_payload_carries_and_reads_as_a_download_link(app, partner,
                                                                                 sessions):
    from forms import form_class, readable, validated_payload
    from web.files import save_uploads

    _, org, user, _ = partner
    data = {"notes": NOTES, "file": (io.BytesIO(PDF), "deck.pdf", "application/pdf")}
    with app.test_request_context("/", method="POST", data=data, content_type="multipart/form-data"):
        form = form_class(FORM)()
        assert save_uploads(form, org_id=org.id)
        payload = validated_payload(form)
        [row] = _rows(sessions, org.id)
        assert payload == {"notes": NOTES, "file": row.id}
        rows = {r.name: r for r in readable(FORM, payload)}
        assert rows["file"].href == f"/files/{row.id}"
        assert rows["file"].value.startswith("deck.pdf (")


def test_a_multipart_body_over_the_app_limit_is_refused_before_it_is_read(client, app):
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert limit >= 10 * 1024 * 1024 + 1024 * 1024  # a 10 MB file and the form fit
    response = client.post("/apply", **multipart({"file": FileStorage(
        io.BytesIO(b"a" * (limit + 1)), filename="x.pdf", content_type="application/pdf")}))
    assert response.status_code == 413


def test_every_form_definition_fits_under_the_app_limit(app):
    from definitions.loader import FORMS, form_schema
    from domain.files import FileRules, is_file_field

    for path in FORMS.glob("*.schema.json"):
        props = form_schema(path.name.removesuffix(".schema.json"))["properties"].values()
        total = sum(FileRules.of(p).max_bytes for p in props if is_file_field(p))
        assert total + 1024 * 1024 <= app.config["MAX_CONTENT_LENGTH"], path.name



def test_the_field_and_its_messages_read_in_chinese(app, sessions):
    org = make_org(sessions, status="active")
    task = make_task(sessions, org, partner=True, form=FORM, step="adhoc")
    client = app.test_client()
    login(client, make_user(sessions, "partner_user", org_id=org.id, locale="zh_Hans"))
    block = field_block(client.get(f"/portal/tasks/{task.id}").get_data(as_text=True), "file")
    assert "可接受：PDF, PNG, JPEG" in block and "最大 10 MB" in block
    refused = _post(client, task, file=HTML, name="报告.pdf")
    assert "不能上传网页、SVG 或 XML 文件" in field_block(refused.get_data(as_text=True), "file")
