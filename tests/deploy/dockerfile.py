"""Reading the Dockerfile and .dockerignore statically, and the checks on them.

Each check raises AssertionError, so tests/deploy can also run it on broken copies.
"""

from __future__ import annotations

import fnmatch
import glob
import os
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
VENV = "/opt/prm"


@dataclass
class Instruction:
    op: str
    args: str


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[Instruction]

    def all(self, op: str) -> list[str]:
        return [i.args for i in self.instructions if i.op == op]


def parse(text: str) -> tuple[dict[str, str], list[Stage]]:
    """(global ARG defaults, stages). Handles comments and backslash continuations."""
    lines, current = [], ""
    for raw in text.splitlines():
        if raw.lstrip().startswith("#") and not current:
            continue
        if raw.endswith("\\"):
            current += raw[:-1]
            continue
        current += raw
        if current.strip():
            lines.append(current.strip())
        current = ""
    args: dict[str, str] = {}
    stages: list[Stage] = []
    for line in lines:
        op, _, rest = line.partition(" ")
        op, rest = op.upper(), rest.strip()
        if op == "ARG" and not stages:
            name, _, default = rest.partition("=")
            args[name] = default
        elif op == "FROM":
            parts = rest.split()
            base = re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args.get(m.group(1) or m.group(2), ""), parts[0])
            name = parts[2] if len(parts) >= 3 and parts[1].upper() == "AS" else None
            stages.append(Stage(base, name, []))
        else:
            stages[-1].instructions.append(Instruction(op, rest))
    return args, stages


def load() -> list[Stage]:
    return parse(DOCKERFILE.read_text())[1]


# -- checks -------------------------------------------------------------------------------------

def check_base_images(stages: list[Stage]) -> None:
    for stage in stages:
        assert stage.base == "python:3.11-slim", f"stage {stage.name or '(final)'} is FROM {stage.base}"


def check_build_stage_installs_project(stages: list[Stage]) -> None:
    build = stages[0]
    run = "\n".join(build.all("RUN"))
    assert f"python -m venv {VENV}" in run, f"the build stage must create the virtualenv {VENV}"
    installs = list(re.finditer(rf"{VENV}/bin/pip install ([^&\n]*)", run))
    project = [m for m in installs if m.group(1).split() and m.group(1).split()[-1] in (".", "./")]
    assert project, "the build stage never runs `pip install .`"
    for m in installs:
        args = m.group(1).split()
        assert "-e" not in args and "--editable" not in args, "no editable install in the image"
        assert not any("[dev]" in a or a.startswith(".[") for a in args), "no dev dependencies in the image"
    compile_at = run.find("pybabel compile")
    assert compile_at != -1, "message catalogs are never compiled (pybabel compile)"
    assert compile_at < project[0].start(), \
        "catalogs must be compiled before `pip install .`, or the .mo files miss the package"
    assert any(args.split() == [".", "."] for args in build.all("COPY")), \
        "the build stage must copy the project (COPY . ., filtered by .dockerignore)"


RUNTIME_LOCK = "requirements/runtime.txt"


def check_build_stage_installs_from_lock(stages: list[Stage]) -> None:
    """Every package in the image comes from the runtime lock, checked against its hashes: the
    lock is installed first, and nothing after it resolves a dependency of its own."""
    run = "\n".join(stages[0].all("RUN"))
    installs = [m.group(1).split() for m in re.finditer(rf"{VENV}/bin/pip install ([^&\n]*)", run)]
    assert installs, "the build stage installs nothing"
    first, rest = installs[0], installs[1:]
    locked = "--require-hashes" in first and "-r" in first and first[first.index("-r") + 1:][:1] == [RUNTIME_LOCK]
    assert locked, f"the first install must be `pip install --require-hashes -r {RUNTIME_LOCK}`, not {' '.join(first)}"
    assert (ROOT / RUNTIME_LOCK).exists(), f"{RUNTIME_LOCK} is missing: run `make lock`"
    for args in rest:
        assert "--no-deps" in args, f"`pip install {' '.join(args)}` resolves dependencies outside the lock"
        assert [a for a in args if not a.startswith("-")] == ["."], \
            f"`pip install {' '.join(args)}` installs a package the lock does not name"
        assert "--no-build-isolation" in args, \
            "the project must be built by the locked setuptools (--no-build-isolation)"
    assert run.find("pybabel") > run.find(RUNTIME_LOCK), "pybabel comes from the lock: install it first"


def check_runtime_stage(stages: list[Stage]) -> None:
    final = stages[-1]
    copies = final.all("COPY")
    assert any(f"--from={stages[0].name}" in c and VENV in c for c in copies), \
        "the runtime stage must take the virtualenv from the build stage"
    assert not any(c.split()[:2] == [".", "."] for c in copies), "no sources in the runtime stage"
    env = " ".join(final.all("ENV"))
    assert re.search(rf"PATH={VENV}/bin:", env), "PATH must start with the virtualenv (python, gunicorn)"
    users = final.all("USER")
    assert users and users[-1].split(":")[0] not in ("root", "0"), "the image must not run as root"
    workdir = final.all("WORKDIR")
    assert workdir and workdir[-1] != "/src", "run outside the source tree: imports come from the install"


def check_commands_resolve(compose: dict, stages: list[Stage]) -> None:
    """The programs the compose services built from this image start exist in the virtualenv."""
    from tests.deploy.compose import command_list, pyproject

    deps = " ".join(pyproject()["project"]["dependencies"]).lower()
    provided = {"python"} | ({"gunicorn"} if "gunicorn" in deps else set())
    assert "psycopg" in deps, "DATABASE_URL uses postgresql+psycopg: psycopg must be a dependency"
    for name, service in compose["services"].items():
        if "build" in service:
            program = command_list(service)[0]
            assert program in provided, f"{name} runs {program!r}, which the image does not install"


# -- what the build context holds ---------------------------------------------------------------

def _pattern_regex(pattern: str) -> re.Pattern:
    """One .dockerignore pattern (Go filepath.Match plus **) as a regex on a context-relative path."""
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out + r"\Z")


def ignore_rules(text: str) -> list[tuple[bool, re.Pattern]]:
    rules = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = os.path.normpath(line.lstrip("!").strip()).lstrip("/")
        rules.append((negate, _pattern_regex(pattern)))
    return rules


def is_ignored(path: str, rules: list[tuple[bool, re.Pattern]]) -> bool:
    """Docker's rule: the last matching pattern wins; a pattern matching a parent directory
    matches everything below it."""
    parts = path.split("/")
    prefixes = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    ignored = False
    for negate, regex in rules:
        if any(regex.match(prefix) for prefix in prefixes):
            ignored = not negate
    return ignored


def build_context(root: Path = ROOT, dockerignore: str | None = None) -> set[str]:
    rules = ignore_rules(DOCKERIGNORE.read_text() if dockerignore is None else dockerignore)
    files = set()
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        if rel_dir != "." and is_ignored(rel_dir, rules) and not any(neg for neg, _ in rules):
            dirnames[:] = []
            continue
        for filename in filenames:
            rel = filename if rel_dir == "." else f"{rel_dir}/{filename}"
            if not is_ignored(rel, rules):
                files.add(rel)
    return files


def tracked_package_files() -> list[str]:
    """The files the image builds from: the lock, the py-modules and every file under the packages."""
    from tests.deploy.compose import pyproject

    tool = pyproject()["tool"]["setuptools"]
    files = [f"{module}.py" for module in tool["py-modules"]] + ["pyproject.toml", RUNTIME_LOCK]
    for top in sorted({p.rstrip("*") for p in tool["packages"]["find"]["include"]}):
        for path in sorted((ROOT / top).rglob("*")) if (ROOT / top).is_dir() else []:
            if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".mo"):
                files.append(path.relative_to(ROOT).as_posix())
    return files


def check_build_context(context: set[str]) -> None:
    needed = [f for f in tracked_package_files() if not _git_ignored(f)]
    missing = [f for f in needed if f not in context]
    assert not missing, f".dockerignore keeps out what pip install . needs: {missing[:8]}"
    for junk in (".venv", "var", "tests", ".git", ".env"):
        leaked = [f for f in context if f == junk or f.startswith(junk + "/")]
        assert not leaked, f"the build context carries {junk}: {leaked[:3]}"
    stale = [f for f in context if f.endswith(".mo")]
    assert not stale, f"locally compiled catalogs would shadow the build's: {stale}"


def _git_ignored(rel: str) -> bool:
    gitignore = (ROOT / ".gitignore").read_text().split()
    return any(fnmatch.fnmatch(Path(rel).name, p) or rel.startswith(p.rstrip("/") + "/") for p in gitignore)


# -- what the wheel holds -----------------------------------------------------------------------

def find_packages() -> dict[str, Path]:
    """Packages as setuptools finds them with this pyproject (namespace packages included)."""
    from setuptools import find_namespace_packages

    from tests.deploy.compose import pyproject

    include = pyproject()["tool"]["setuptools"]["packages"]["find"]["include"]
    names = find_namespace_packages(where=str(ROOT), include=include)
    return {name: ROOT.joinpath(*name.split(".")) for name in names}


def packaged_data_files(package_data: dict[str, list[str]] | None = None) -> set[str]:
    """The non-Python files build_py copies: each package's patterns plus the "*" ones, globbed
    from the package's directory, as setuptools does."""
    from tests.deploy.compose import pyproject

    if package_data is None:
        package_data = pyproject()["tool"]["setuptools"].get("package-data", {})
    out: set[str] = set()
    for name, directory in find_packages().items():
        for pattern in package_data.get("*", []) + package_data.get(name, []):
            for match in glob.glob(str(directory / pattern), recursive=True):
                if os.path.isfile(match):
                    out.add(Path(match).relative_to(ROOT).as_posix())
    return out


def runtime_data_files() -> list[str]:
    """Every non-Python file under the installed packages: templates, catalogs, schemas, mail."""
    files = []
    for directory in find_packages().values():
        for path in directory.iterdir():
            if path.is_file() and path.suffix not in (".py", ".pyc"):
                files.append(path.relative_to(ROOT).as_posix())
    return sorted(files)


def check_package_data(shipped: set[str]) -> None:
    missing = [f for f in runtime_data_files() if f not in shipped]
    assert not missing, f"pip install . would leave out: {missing[:8]} (pyproject package-data)"
    needed = ["db/migrations/script.py.mako", "web/templates/base.html",
              "web/translations/zh_Hans/LC_MESSAGES/messages.po"]
    assert all(f in shipped for f in needed), [f for f in needed if f not in shipped]
