"""Link tokens derived from a secret and a key: recomputable by any retry, never stored in history.

A task link or an invitation carries HMAC(secret, purpose:key); the database keeps only its SHA-256,
so a leaked database or workflow history does not leak a usable link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac


def link_token(secret: str, purpose: str, key: str) -> str:
    digest = hmac.new(secret.encode(), f"{purpose}:{key}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(secret: str, purpose: str, key: str, presented: str) -> bool:
    # Compared as bytes: compare_digest refuses a str with non-ASCII characters (TypeError), and a
    # mistyped or forged link must read as "no such link", not as a server error.
    return hmac.compare_digest(link_token(secret, purpose, key).encode(),
                               (presented or "").encode("utf-8", "replace"))
