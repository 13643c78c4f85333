"""The file store every upload goes through (evidence, logos; later deal and thread attachments,
resources): bytes once per content, by SHA-256, under one directory; metadata in stored_file.

Layout: <root>/<ab>/<cd>/<sha256>, where ab and cd are the digest's first two byte pairs (so no
directory grows past 65,536 entries). A file arrives in <root>/tmp under a random name, is
hashed and measured while it is copied in chunks (never more than the limit and one byte is
read, and never more than one chunk is held in memory), its type is judged by its bytes, and only
then is it renamed into place: rename is atomic, so a reader sees the whole file or none. A kept
file is made read-only and never written again; the same content uploaded twice is kept once
(two stored_file rows, one blob). No name from outside ever becomes part of a path.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session

from activities.file_types import MACRO_OFFICE, MARKUP, SVG, XML, sniff
from db.models import StoredFile
from domain.files import FileRules, Rejection, UploadRejected, display_name

_CHUNK = 64 * 1024
_DIGEST = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Received:
    """Bytes copied into the store's temporary area: measured, hashed, not yet kept."""
    path: Path
    sha256: str
    size: int


@dataclass(frozen=True)
class Accepted:
    sha256: str
    size: int
    content_type: str


class FileStore:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path_of(self, sha256: str) -> Path:
        if not _DIGEST.match(sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def has(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()

    def open(self, sha256: str) -> BinaryIO:
        return self.path_of(sha256).open("rb")

    def receive(self, stream: BinaryIO, max_bytes: int) -> Received:
        """Copy `stream` into a temporary file, reading at most max_bytes + 1 bytes."""
        tmp_dir = self.root / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-")
        path, digest, size = Path(name), hashlib.sha256(), 0
        try:
            with os.fdopen(fd, "wb") as out:
                while size <= max_bytes:
                    chunk = stream.read(min(_CHUNK, max_bytes + 1 - size))
                    if not chunk:
                        break
                    size += len(chunk)
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        if size > max_bytes or size == 0:
            path.unlink(missing_ok=True)
            raise UploadRejected(Rejection.TOO_LARGE if size else Rejection.EMPTY)
        return Received(path, digest.hexdigest(), size)

    def keep(self, received: Received) -> Path:
        """Move into place under its digest; when the content is already there, drop the copy."""
        final = self.path_of(received.sha256)
        if final.is_file():
            received.path.unlink(missing_ok=True)
            return final
        final.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(received.path, 0o440)
        os.replace(received.path, final)  # atomic; a racing identical upload writes the same bytes
        return final

    def discard(self, received: Received) -> None:
        received.path.unlink(missing_ok=True)

    def accept(self, stream: BinaryIO, rules: FileRules) -> Accepted:
        """Receive, judge by content against `rules`, and keep; UploadRejected otherwise."""
        received = self.receive(stream, rules.max_bytes)
        try:
            detected = sniff(received.path)
            if detected in (MARKUP, SVG, XML):
                raise UploadRejected(Rejection.MARKUP, detected)
            if detected == MACRO_OFFICE:
                raise UploadRejected(Rejection.MACROS, detected)
            recorded = rules.accepts(detected)
            if recorded is None:
                raise UploadRejected(Rejection.TYPE_NOT_ALLOWED, detected)
        except BaseException:
            self.discard(received)
            raise
        self.keep(received)
        return Accepted(received.sha256, received.size, recorded)


def record_file(session: Session, accepted: Accepted, *, name: str | None, purpose: str,
                org_id: str | None, uploaded_by_id: int | None) -> StoredFile:
    """The stored_file row for kept bytes (added to `session`; the caller commits)."""
    row = StoredFile(id=str(uuid.uuid4()), sha256=accepted.sha256, org_id=org_id,
                     uploaded_by_id=uploaded_by_id, purpose=purpose,
                     original_name=display_name(name, accepted.content_type),
                     size=accepted.size, content_type=accepted.content_type)
    session.add(row)
    session.flush()
    return row


def store_upload(session: Session, store: FileStore, stream: BinaryIO, name: str | None,
                 rules: FileRules, *, org_id: str | None,
                 uploaded_by_id: int | None) -> StoredFile:
    """One upload end to end: bytes kept (or UploadRejected) and its row added."""
    accepted = store.accept(stream, rules)
    return record_file(session, accepted, name=name, purpose=rules.purpose, org_id=org_id,
                       uploaded_by_id=uploaded_by_id)
