"""Reading the dependency locks (requirements/*.txt, written by `make lock`) and what pyproject.toml
asks for, so tests can hold the two against each other."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.markers import Marker, default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
DEV_LOCK = ROOT / "requirements" / "dev.txt"
RUNTIME_LOCK = ROOT / "requirements" / "runtime.txt"

_PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>\S+?)\s*(?:;\s*(?P<marker>[^\\]+?))?\s*$")
_HASH = re.compile(r"--hash=sha256:([0-9a-f]{64})")


@dataclass(frozen=True)
class Pin:
    name: str           # canonical (PEP 503) name
    version: str
    marker: str | None  # e.g. "sys_platform == 'win32'"
    hashes: frozenset[str]


def parse(text: str) -> list[Pin]:
    """Every pin of a lock, in order. A line that is neither a pin nor a comment fails the parse:
    a lock holds nothing else (no -e, no URL, no unpinned name). A package may appear twice, with
    exclusive markers, where the resolution forks (one version below Python 3.12, one above)."""
    entries, current = [], ""
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if not line.strip():
            continue
        current += line.strip()[:-1] + " " if line.endswith("\\") else line.strip()
        if not line.endswith("\\"):
            entries.append(current)
            current = ""
    pins = []
    for entry in entries:
        head, _, _ = entry.partition(" --hash")
        match = _PIN.match(head)
        assert match, f"not an exact pin: {entry[:120]!r}"
        pins.append(Pin(canonicalize_name(match["name"]), match["version"], match["marker"],
                        frozenset(_HASH.findall(entry))))
    return pins


def here(pins: list[Pin]) -> dict[str, Pin]:
    """By name, the pin this interpreter installs; a package only another platform installs
    (colorama on Windows) is kept under its name too, so it counts as locked."""
    chosen: dict[str, Pin] = {}
    for pin in pins:
        if pin.marker is None or Marker(pin.marker).evaluate():
            chosen[pin.name] = pin
        else:
            chosen.setdefault(pin.name, pin)
    return chosen


def load(path: Path) -> dict[str, Pin]:
    return here(parse(path.read_text()))


def pyproject() -> dict:
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def runtime_requirements() -> list[Requirement]:
    """What the image needs: the project's dependencies and its build backend."""
    project = pyproject()
    return [Requirement(r) for r in project["project"]["dependencies"]
            + project["build-system"]["requires"]]


def dev_requirements() -> list[Requirement]:
    return runtime_requirements() + [Requirement(r) for r in pyproject()["project"]["optional-dependencies"]["dev"]]


def applies_here(req: Requirement, extra: str = "") -> bool:
    return req.marker is None or req.marker.evaluate({**default_environment(), "extra": extra})


def missing_or_unsatisfied(requirements: list[Requirement], pins: dict[str, Pin]) -> list[str]:
    """Each requirement (and each package its extras add, by the installed package's metadata)
    that the lock does not pin at a version the requirement allows."""
    problems = []
    for req in requirements:
        if not applies_here(req):
            continue
        pin = pins.get(canonicalize_name(req.name))
        if pin is None:
            problems.append(f"{req} is not in the lock")
            continue
        if not req.specifier.contains(pin.version, prereleases=True):
            problems.append(f"{req}: the lock pins {pin.version}")
        for extra in req.extras:
            for dep in metadata.requires(req.name) or []:
                dep_req = Requirement(dep)
                if dep_req.marker is not None and applies_here(dep_req, extra) and not applies_here(dep_req):
                    if canonicalize_name(dep_req.name) not in pins:
                        problems.append(f"{req.name}[{extra}] needs {dep_req.name}, not in the lock")
    return problems
