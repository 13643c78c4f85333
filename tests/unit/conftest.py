"""Fixtures the unit tests of mail share."""

from __future__ import annotations

import pytest

from devstack.smtp import SmtpCatcher


@pytest.fixture
def server():
    """A real SMTP server (aiosmtpd) on a free port, for one test."""
    catcher = SmtpCatcher().start()
    yield catcher
    catcher.stop()
