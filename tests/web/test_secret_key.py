"""The web app and the worker refuse the built-in development SECRET_KEY, saying how to set one."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from settings import DEV_SECRET_KEY, ROOT, InsecureSecretKey
from web import create_app


def _env(tmp_path, **extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'app.db'}", TEMPORAL_ADDRESS="127.0.0.1:9",
               PYTHONPATH=str(ROOT), **extra)
    return env


@pytest.mark.parametrize("value", [None, DEV_SECRET_KEY])
def test_the_web_app_refuses_the_built_in_secret_key(monkeypatch, tmp_path, value):
    for name, setting in _env(tmp_path).items():
        monkeypatch.setenv(name, setting)
    if value is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", value)
    with pytest.raises(InsecureSecretKey) as refused:
        create_app()  # as gunicorn calls it
    message = str(refused.value)
    assert "SECRET_KEY" in message and "export SECRET_KEY=" in message and ".env" in message


def test_the_web_app_starts_with_a_key_of_its_own(monkeypatch, tmp_path):
    for name, setting in _env(tmp_path, SECRET_KEY="a-real-secret-for-this-test").items():
        monkeypatch.setenv(name, setting)
    app = create_app()
    assert app.config["SECRET_KEY"] == "a-real-secret-for-this-test"
    app.extensions["prm.temporal"].close()


def _worker(env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "worker.py")], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_the_worker_refuses_the_built_in_secret_key(tmp_path):
    done = _worker(_env(tmp_path))
    assert done.returncode != 0
    assert "will not start with the built-in development SECRET_KEY" in done.stderr
    assert "export SECRET_KEY=" in done.stderr
    assert "Traceback" not in done.stderr  # a message, not a crash


def test_the_worker_gets_past_the_check_with_a_key(tmp_path):
    """With a key the worker goes on to connect (and fails here, on a closed port): so the
    refusal above is the check, not some other start-up failure."""
    done = _worker(_env(tmp_path, SECRET_KEY="a-real-secret-for-this-test"))
    assert done.returncode != 0
    assert "SECRET_KEY" not in done.stderr and "127.0.0.1:9" in done.stderr
