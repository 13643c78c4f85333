"""The one-shot scripts of the compose stack (deploy/temporal/*.sh) do what they say.

setup-namespace.sh runs for real against the Temporal dev server (the same `temporal` CLI the
admin-tools image carries), and against a stand-in CLI for the cases a real server makes slow or
awkward (an attribute of the wrong type). setup-schema.sh needs temporal-sql-tool, which exists only
in the image: it is syntax-checked here.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import pytest

from devstack.temporal_server import temporal_binary
from tests.deploy import compose as c

SCRIPTS = sorted((c.ROOT / "deploy").rglob("*.sh"))


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_scripts_are_valid_posix_sh(script):
    assert script.read_text().startswith("#!/bin/sh\n")
    result = subprocess.run(["sh", "-n", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def _run(env: dict[str, str], path_dir: Path) -> subprocess.CompletedProcess:
    full = {"PATH": f"{path_dir}:/usr/bin:/bin", "SETTLE_SECONDS": "0", **env}
    return subprocess.run(["sh", str(c.NAMESPACE_SCRIPT)], env=full, capture_output=True, text=True,
                          timeout=120)


# -- against a stand-in `temporal` ----------------------------------------------------------------

FAKE_CLI = """#!/bin/sh
echo "$*" >> "$FAKE_LOG"
case "$*" in
  "operator cluster health") exit 0 ;;
  "operator namespace describe"*) exit 0 ;;
  "operator search-attribute list"*) printf '  Name  Type\\n%s\\n' "$FAKE_EXISTING" ;;
  "operator search-attribute create"*) exit 0 ;;
  *) exit 2 ;;
esac
"""


@pytest.fixture
def fake_cli(tmp_path) -> Path:
    binary = tmp_path / "bin" / "temporal"
    binary.parent.mkdir()
    binary.write_text(FAKE_CLI)
    binary.chmod(0o755)
    return binary.parent


def _creates(log: Path) -> list[str]:
    return [line.split("--name ")[1].split()[0] for line in log.read_text().splitlines()
            if line.startswith("operator search-attribute create")]


def test_creates_only_the_missing_attributes(fake_cli, tmp_path):
    log = tmp_path / "calls.log"
    existing = "  PartnerOrg  Keyword\n  Tier  Keyword\n  WorkflowType  Keyword"
    result = _run({"FAKE_LOG": str(log), "FAKE_EXISTING": existing, "TEMPORAL_NAMESPACE": "prm"}, fake_cli)
    assert result.returncode == 0, result.stderr
    wanted = set(c.expected_search_attributes()) - {"PartnerOrg", "Tier"}
    assert sorted(_creates(log)) == sorted(wanted)
    assert "--type Datetime" in next(l for l in log.read_text().splitlines() if "--name DueDate" in l)
    assert all("--namespace prm" in l for l in log.read_text().splitlines() if "search-attribute" in l)


def test_nothing_to_do_when_all_exist(fake_cli, tmp_path):
    log = tmp_path / "calls.log"
    existing = "\n".join(f"  {name}  {kind}" for name, kind in c.expected_search_attributes().items())
    result = _run({"FAKE_LOG": str(log), "FAKE_EXISTING": existing}, fake_cli)
    assert result.returncode == 0, result.stderr
    assert _creates(log) == []


def test_refuses_an_attribute_of_another_type(fake_cli, tmp_path):
    log = tmp_path / "calls.log"
    result = _run({"FAKE_LOG": str(log), "FAKE_EXISTING": "  Tier  Text"}, fake_cli)
    assert result.returncode == 1
    assert "Tier exists as Text" in result.stderr


# -- against the real dev server ------------------------------------------------------------------

@pytest.mark.slow
def test_prepares_a_fresh_namespace_on_a_real_server(dev_server, compose):
    import asyncio

    from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
    from temporalio.client import Client

    from workflows.search import ALL

    namespace = f"prm-deploy-{uuid.uuid4().hex[:8]}"
    # The environment compose gives the job (an empty TEMPORAL_API_KEY included), aimed at the dev server.
    env = dict(c.service_env(compose, "temporal-setup"), TEMPORAL_ADDRESS=dev_server.address,
               TEMPORAL_NAMESPACE=namespace, HOME=os.environ.get("HOME", "/tmp"))
    assert env["TEMPORAL_API_KEY"] == "" and env["NAMESPACE_RETENTION"] == "30d"
    cli_dir = Path(temporal_binary()).parent

    first = _run(env, cli_dir)
    assert first.returncode == 0, first.stdout + first.stderr
    assert f"Creating namespace {namespace}" in first.stdout

    async def registered() -> dict[str, int]:
        client = await Client.connect(dev_server.address, namespace=namespace)
        listing = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=namespace))
        return dict(listing.custom_attributes)

    custom = asyncio.run(registered())
    for key in ALL:
        assert custom.get(key.name) == key.indexed_value_type.value, f"{key.name}: {custom.get(key.name)}"

    again = _run(env, cli_dir)  # idempotent: every `docker compose up` runs it
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Creating" not in again.stdout and f"Namespace {namespace} exists." in again.stdout

    refused = _run(dict(env, TEMPORAL_NAMESPACE=f"{namespace}-absent", CREATE_NAMESPACE="0"), cli_dir)
    assert refused.returncode == 1 and "does not exist" in refused.stderr
