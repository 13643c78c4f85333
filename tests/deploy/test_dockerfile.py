"""The Dockerfile installs what the compose commands need, as a non-root user, without dev tools.

Checked statically (no Docker here): the instructions, the build context .dockerignore leaves,
and the files setuptools puts in the package, each check also on a broken copy.
"""

from __future__ import annotations

import pytest

from tests.deploy import dockerfile as d

STAGE_CHECKS = (d.check_base_images, d.check_build_stage_installs_project,
                d.check_build_stage_installs_from_lock, d.check_runtime_stage)


@pytest.mark.parametrize("check", STAGE_CHECKS, ids=lambda check: check.__name__)
def test_dockerfile_passes(check):
    check(d.load())


def test_two_stages_build_then_runtime():
    stages = d.load()
    assert [s.name for s in stages] == ["build", None]


def test_compose_commands_run_programs_the_image_installs(compose):
    d.check_commands_resolve(compose, d.load())
    compose["services"]["worker"]["command"] = ["celery", "worker"]
    with pytest.raises(AssertionError, match="celery"):
        d.check_commands_resolve(compose, d.load())


BROKEN = [
    ("alpine", d.check_base_images, lambda t: t.replace("python:3.11-slim", "python:3.11-alpine")),
    ("editable", d.check_build_stage_installs_project,
     lambda t: t.replace("--no-build-isolation . ", "--no-build-isolation -e . ")),
    ("dev-extra", d.check_build_stage_installs_project,
     lambda t: t.replace("--no-build-isolation . ", "--no-build-isolation .[dev] /opt/prm/bin/pip install . ")),
    ("no-compile", d.check_build_stage_installs_project,
     lambda t: t.replace("pybabel compile", "pybabel --version")),
    ("compile-late", d.check_build_stage_installs_project,
     lambda t: t.replace(" && /opt/prm/bin/pybabel compile --statistics -d web/translations \\\n", "")
                .replace(" && cd / \\\n", " && /opt/prm/bin/pybabel compile -d web/translations && cd / \\\n")),
    ("no-install", d.check_build_stage_installs_project,
     lambda t: t.replace("--no-build-isolation . ", "-r requirements.txt ")),
    ("no-hashes", d.check_build_stage_installs_from_lock,
     lambda t: t.replace("install --require-hashes -r", "install -r")),
    ("no-lock", d.check_build_stage_installs_from_lock,
     lambda t: t.replace("--require-hashes -r requirements/runtime.txt", "--require-hashes -r requirements.txt")),
    ("dev-lock", d.check_build_stage_installs_from_lock,
     lambda t: t.replace("requirements/runtime.txt", "requirements/dev.txt")),
    ("unlocked-package", d.check_build_stage_installs_from_lock,
     lambda t: t.replace(" && /opt/prm/bin/pybabel compile", " && /opt/prm/bin/pip install --no-deps --no-build-isolation babel . && /opt/prm/bin/pybabel compile")),
    ("project-resolves", d.check_build_stage_installs_from_lock,
     lambda t: t.replace("install --no-deps --no-build-isolation .", "install --no-build-isolation .")),
    ("isolated-build", d.check_build_stage_installs_from_lock,
     lambda t: t.replace("install --no-deps --no-build-isolation .", "install --no-deps .")),
    ("unpinned-first", d.check_build_stage_installs_from_lock,
     lambda t: t.replace("RUN /opt/prm/bin/pip install --require-hashes -r requirements/runtime.txt \\\n && ",
                         "RUN /opt/prm/bin/pip install \"babel>=2.16\" \\\n && ")),
    ("root", d.check_runtime_stage, lambda t: t.replace("USER prm", "USER root")),
    ("no-user", d.check_runtime_stage, lambda t: t.replace("USER prm\n", "")),
    ("no-path", d.check_runtime_stage, lambda t: t.replace("PATH=/opt/prm/bin:$PATH", "PATH=$PATH")),
    ("no-venv", d.check_runtime_stage, lambda t: t.replace("COPY --from=build /opt/prm /opt/prm", "COPY . /src")),
]


@pytest.mark.parametrize("check, breaks", [(check, breaks) for _, check, breaks in BROKEN],
                         ids=[name for name, _, _ in BROKEN])
def test_each_check_fails_on_a_broken_dockerfile(check, breaks):
    text = d.DOCKERFILE.read_text()
    broken = breaks(text)
    assert broken != text, "the edit did not apply: update this test with the Dockerfile"
    with pytest.raises(AssertionError):
        check(d.parse(broken)[1])


# -- build context and package data ---------------------------------------------------------------

def test_build_context_has_the_sources_and_nothing_local():
    context = d.build_context()
    d.check_build_context(context)
    assert {"pyproject.toml", "settings.py", "worker.py", "db/migrate.py",
            "db/migrations/versions/0001_initial_schema.py", "web/templates/base.html"} <= context


@pytest.mark.parametrize("extra", ["web", "*.py", "db/migrations", "pyproject.toml", "requirements"])
def test_build_context_check_fails_when_dockerignore_drops_sources(extra):
    context = d.build_context(dockerignore=d.DOCKERIGNORE.read_text() + f"\n{extra}\n")
    with pytest.raises(AssertionError, match="needs"):
        d.check_build_context(context)


@pytest.mark.parametrize("dropped", ["tests", ".venv", "**/*.mo"])
def test_build_context_check_fails_when_local_files_leak(dropped, tmp_path):
    ignore = "\n".join(line for line in d.DOCKERIGNORE.read_text().splitlines() if line.strip() != dropped)
    # A stand-in tree, so the check does not depend on what this machine happens to have.
    for rel in d.tracked_package_files():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).touch()
    for junk in ("tests/test_x.py", ".venv/bin/python", "web/translations/zh_Hans/LC_MESSAGES/messages.mo"):
        (tmp_path / junk).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / junk).touch()
    d.check_build_context(d.build_context(tmp_path))  # the real .dockerignore keeps them out ...
    with pytest.raises(AssertionError):
        d.check_build_context(d.build_context(tmp_path, dockerignore=ignore))  # ... without the line, not


@pytest.mark.parametrize("pattern, path, ignored", [
    ("**/__pycache__", "__pycache__", True),
    ("**/__pycache__", "web/manage/__pycache__/x.pyc", True),
    ("**/__pycache__", "web/not__pycache__", False),
    ("**/*.mo", "web/translations/zh_Hans/LC_MESSAGES/messages.mo", True),
    ("*.egg-info", "prm.egg-info/PKG-INFO", True),
    ("var", "var/prm.db", True),
    ("var", "web/var", False),
    ("tests", "tests/deploy/test_x.py", True),
])
def test_dockerignore_matching(pattern, path, ignored):
    assert d.is_ignored(path, d.ignore_rules(pattern)) is ignored


def test_dockerignore_negation_wins_when_last():
    rules = d.ignore_rules("docs\n!docs/keep.md")
    assert d.is_ignored("docs/other.md", rules) and not d.is_ignored("docs/keep.md", rules)


def test_package_data_ships_templates_catalogs_schemas_migrations():
    d.check_package_data(d.packaged_data_files())


@pytest.mark.parametrize("package, pattern", [
    ("web", "templates/**/*"), ("web", "translations/**/*"), ("*", "*.mako"), ("web", "static/**/*"),
])
def test_package_data_check_fails_without_a_pattern(package, pattern):
    from tests.deploy.compose import pyproject

    data = {k: list(v) for k, v in pyproject()["tool"]["setuptools"]["package-data"].items()}
    data[package].remove(pattern)
    with pytest.raises(AssertionError):
        d.check_package_data(d.packaged_data_files(data))
