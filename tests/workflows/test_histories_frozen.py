"""Saved histories are frozen: tests/histories/MANIFEST.sha256 holds the SHA-256 of each one.

A saved history is a run that really happened; the replay tests prove that today's code still
replays it. Regenerating one after a change to workflow code would hide the very break the replay
test exists to catch (a run started before the change, still running in production). So a change
that replays differently goes behind `workflow.patched`, and a new history of the new path is saved
beside the old (tests/workflows/test_replay.py says how) with its line added to the manifest.
The manifest is in `sha256sum` format: `cd tests/histories && sha256sum -c MANIFEST.sha256`.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest

HISTORIES = Path(__file__).resolve().parents[1] / "histories"
MANIFEST = "MANIFEST.sha256"
RULE = ("saved histories are frozen: use workflow.patched and save a new history beside the old "
        "one (see tests/workflows/test_replay.py), then add its line to tests/histories/"
        f"{MANIFEST} with `sha256sum <file> >> {MANIFEST}`; never edit, regenerate or delete one")
_LINE = re.compile(r"^(?P<digest>[0-9a-f]{64})  (?P<name>[^/\\]+\.json)$")


def read_manifest(directory: Path) -> dict[str, str]:
    """File name -> SHA-256, from `sha256sum` lines; a malformed or repeated line is an error."""
    entries: dict[str, str] = {}
    for number, line in enumerate((directory / MANIFEST).read_text().splitlines(), 1):
        found = _LINE.match(line)
        if found is None:
            raise ValueError(f"{MANIFEST} line {number} is not '<sha256>  <name>.json': {line!r}")
        if found["name"] in entries:
            raise ValueError(f"{MANIFEST} lists {found['name']} twice")
        entries[found["name"]] = found["digest"]
    return entries


def frozen_history_problems(directory: Path) -> list[str]:
    """What differs between the saved histories in `directory` and its manifest."""
    listed = read_manifest(directory)
    saved = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
             for p in sorted(directory.glob("*.json"))}
    problems = [f"changed: {name}" for name in sorted(listed.keys() & saved.keys())
                if listed[name] != saved[name]]
    problems += [f"removed: {name}" for name in sorted(listed.keys() - saved.keys())]
    problems += [f"not in {MANIFEST}: {name}" for name in sorted(saved.keys() - listed.keys())]
    return problems


def assert_frozen(directory: Path) -> None:
    problems = frozen_history_problems(directory)
    assert not problems, f"{RULE}.\n" + "\n".join(problems)


def test_the_saved_histories_are_the_ones_in_the_manifest():
    assert_frozen(HISTORIES)


def test_the_manifest_covers_both_workflows_and_the_issue_8_and_9_paths():
    names = read_manifest(HISTORIES)
    assert any(n.startswith("account_mail_") for n in names)
    assert any(n.startswith("digest_daily__") for n in names)  # issue 9's DigestWorkflow
    for scenario in ("rejected", "expired_review", "more_info_then_activated",
                     "contact_taken_then_activated", "round_limit", "owned_later_steps"):
        assert any(n.startswith(f"partner_onboarding_{scenario}__") for n in names), scenario
    for scenario in ("certified", "rounds_and_changes", "lapsed", "continued"):  # issue 10
        assert any(n.startswith(f"enablement_{scenario}__enablement-") for n in names), scenario


# -- the check itself, on a copy: each way of breaking the rule is caught ------------------------

@pytest.fixture
def copy(tmp_path) -> Path:
    shutil.copytree(HISTORIES, tmp_path / "histories")
    return tmp_path / "histories"


def _one_saved(directory: Path) -> Path:
    return sorted(directory.glob("partner_onboarding_*.json"))[0]


def test_an_untouched_copy_passes(copy):
    assert frozen_history_problems(copy) == []


def test_a_regenerated_history_is_caught_with_the_rule_in_the_message(copy):
    path = _one_saved(copy)
    path.write_bytes(path.read_bytes() + b"\n")  # any change at all, even one a diff hides
    assert frozen_history_problems(copy) == [f"changed: {path.name}"]
    with pytest.raises(AssertionError) as failed:
        assert_frozen(copy)
    assert str(failed.value).startswith(
        "saved histories are frozen: use workflow.patched and save a new history beside the old "
        "one")
    assert f"changed: {path.name}" in str(failed.value)


def test_a_removed_history_is_caught(copy):
    path = _one_saved(copy)
    path.unlink()
    assert frozen_history_problems(copy) == [f"removed: {path.name}"]


def test_a_history_added_without_its_manifest_line_is_caught(copy):
    added = copy / "partner_onboarding_rejected__partner-onboarding-new.json"
    added.write_bytes(_one_saved(copy).read_bytes())
    assert frozen_history_problems(copy) == [f"not in {MANIFEST}: {added.name}"]
    digest = hashlib.sha256(added.read_bytes()).hexdigest()
    with (copy / MANIFEST).open("a") as manifest:  # what the rule asks for: its line added
        manifest.write(f"{digest}  {added.name}\n")
    assert frozen_history_problems(copy) == []


def test_a_malformed_manifest_line_is_an_error(copy):
    with (copy / MANIFEST).open("a") as manifest:
        manifest.write("not-a-digest  whatever.json\n")
    with pytest.raises(ValueError, match="is not '<sha256>  <name>.json'"):
        frozen_history_problems(copy)

