"""docker-compose.yml agrees with the code: settings, commands, search attributes, wiring.

Every check runs on the real file and on a copy broken on purpose, so a check that cannot fail
would show up here.
"""

from __future__ import annotations

import pytest

from settings import Settings
from tests.deploy import compose as c

VALID_OTHER_THAN_DEFAULT = {"BRAND_COLOR": "#123456", "DEFAULT_TIME_ZONE": "Asia/Shanghai",
                           "DIGEST_TIME_ZONE": "Asia/Shanghai"}


@pytest.mark.parametrize("check", c.ALL_CHECKS, ids=lambda check: check.__name__)
def test_compose_file_passes(check, compose):
    check(compose)


def test_app_services_set_only_variables_settings_reads(compose):
    read = c.settings_env_vars()
    c.check_app_env_is_read_by_settings(compose, read)
    compose["services"]["worker"]["environment"]["TEMPORAL_HOST"] = "temporal"  # a typo'd name
    with pytest.raises(AssertionError, match="TEMPORAL_HOST"):
        c.check_app_env_is_read_by_settings(compose, read)


def test_settings_variables_are_read_from_source_correctly():
    """The regex finds exactly the variables Settings.from_env reacts to."""
    read = c.settings_env_vars()
    assert {"DATABASE_URL", "TEMPORAL_ADDRESS", "TEMPORAL_API_KEY", "SECRET_KEY", "SMTP_HOST"} <= read
    defaults = Settings.from_env({})
    for name in sorted(read):
        # "1" is a valid value for every kind of field (text, int, boolean) and no field's default;
        # a colour is checked as one (it goes into the mail's style attributes).
        value = VALID_OTHER_THAN_DEFAULT.get(name, "1")
        assert Settings.from_env({name: value}) != defaults, f"from_env ignores {name}"
    assert c.settings_env_vars('x = env.get("ONLY_THIS") or env.get(\'AND_THIS\')') == {"ONLY_THIS", "AND_THIS"}


def test_app_gets_every_setting_production_needs(compose):
    """web and worker set each Temporal, database, SMTP and secret variable explicitly."""
    needed = {"DATABASE_URL", "TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "TEMPORAL_TASK_QUEUE",
              "TEMPORAL_TLS", "TEMPORAL_API_KEY", "TEMPORAL_TLS_CERT", "TEMPORAL_TLS_KEY",
              "SMTP_HOST", "SMTP_PORT", "SECRET_KEY", "BASE_URL", "MAILBOX_DIR"}
    for name in ("web", "worker"):
        missing = needed - set(c.service_env(compose, name))
        assert not missing, f"{name} lacks {sorted(missing)}"


def test_secret_key_is_required():
    c.check_secret_key_required()
    lenient = c.COMPOSE_FILE.read_text().replace("${SECRET_KEY:?", "${SECRET_KEY:-")
    with pytest.raises(AssertionError):
        c.check_secret_key_required(lenient)


def test_defaults_reach_the_services(compose):
    web = c.service_env(compose, "web")
    assert web["SECRET_KEY"] == c.TEST_ENV["SECRET_KEY"]
    assert web["DATABASE_URL"] == "postgresql+psycopg://prm:prm@app-db:5432/prm"
    assert web["TEMPORAL_ADDRESS"] == "temporal:7233"
    assert compose["services"]["temporal"]["image"] == "temporalio/server:1.31.0"


def test_shell_variables_override_defaults():
    env = dict(c.TEST_ENV, APP_DB_PASSWORD="s3cret", TEMPORAL_NAMESPACE="partners", WORKER_UNUSED="x")
    compose = c.load(env)
    web = c.service_env(compose, "web")
    assert web["DATABASE_URL"] == "postgresql+psycopg://prm:s3cret@app-db:5432/prm"
    assert c.service_env(compose, "app-db")["POSTGRES_PASSWORD"] == "s3cret"
    assert c.service_env(compose, "temporal-setup")["TEMPORAL_NAMESPACE"] == "partners"
    for check in c.ALL_CHECKS:
        check(compose)
    # An external cluster: the app and the setup job follow TEMPORAL_ADDRESS together.
    external = c.load(dict(c.TEST_ENV, TEMPORAL_ADDRESS="temporal.example.com:7233"))
    assert c.service_env(external, "worker")["TEMPORAL_ADDRESS"] == "temporal.example.com:7233"
    assert c.service_env(external, "temporal-setup")["TEMPORAL_ADDRESS"] == "temporal.example.com:7233"


def test_search_attributes_registered_are_workflows_search_all():
    registered = c.script_search_attributes()
    assert registered == c.expected_search_attributes()
    assert registered["DueDate"] == "Datetime" and registered["PartnerOrg"] == "Keyword"
    c.check_search_attributes()


@pytest.mark.parametrize("edit", [
    lambda s: s.replace("DealStatus:Keyword\n", ""),                 # one missing
    lambda s: s.replace("DueDate:Datetime", "DueDate:Keyword"),      # wrong type
    lambda s: s.replace("Tier:Keyword", "Tier:Keyword\nRegion:Keyword"),  # one too many
    lambda s: s.replace("SEARCH_ATTRIBUTES=", "ATTRIBUTES="),        # block renamed
], ids=["missing", "wrong-type", "extra", "no-block"])
def test_search_attribute_check_can_fail(edit):
    script = c.NAMESPACE_SCRIPT.read_text()
    broken = edit(script)
    assert broken != script
    with pytest.raises(AssertionError):
        c.check_search_attributes(broken)


def _env(compose, service):
    return compose["services"][service]["environment"]


BROKEN = [
    ("worker-other-queue", c.check_services_agree,
     lambda d: _env(d, "worker").update(TEMPORAL_TASK_QUEUE="other")),
    ("worker-other-secret", c.check_services_agree,
     lambda d: _env(d, "worker").update(SECRET_KEY="another")),
    ("migrate-other-db", c.check_services_agree,
     lambda d: _env(d, "migrate").update(DATABASE_URL="postgresql+psycopg://prm:prm@app-db/other")),
    ("sqlite-url", c.check_settings_load,
     lambda d: [_env(d, s).update(DATABASE_URL="sqlite:///prm.db") for s in c.APP_SERVICES]),
    ("bad-int", c.check_settings_load, lambda d: _env(d, "web").update(SMTP_PORT="smtp")),
    ("dev-secret", c.check_settings_load, lambda d: _env(d, "web").update(SECRET_KEY="")),
    ("db-password", c.check_database_url, lambda d: _env(d, "app-db").update(POSTGRES_PASSWORD="x")),
    ("db-host", c.check_database_url,
     lambda d: _env(d, "web").update(DATABASE_URL="postgresql+psycopg://prm:prm@db:5432/prm")),
    ("db-driver", c.check_database_url,
     lambda d: _env(d, "web").update(DATABASE_URL="postgresql+psycopg2://prm:prm@app-db:5432/prm")),
    ("temporal-port", c.check_temporal_wiring, lambda d: _env(d, "web").update(TEMPORAL_ADDRESS="temporal:7234")),
    ("temporal-host", c.check_temporal_wiring, lambda d: _env(d, "web").update(TEMPORAL_ADDRESS="app-db:7233")),
    ("setup-namespace", c.check_temporal_wiring,
     lambda d: _env(d, "temporal-setup").update(TEMPORAL_NAMESPACE="default")),
    ("temporal-db-password", c.check_temporal_database_login,
     lambda d: _env(d, "temporal").update(POSTGRES_PWD="nope")),
    ("temporal-db-seed", c.check_temporal_database_login,
     lambda d: _env(d, "temporal-schema").update(POSTGRES_SEEDS="postgresql")),
    ("smtp-port", c.check_smtp, lambda d: _env(d, "web").update(SMTP_PORT="25")),
    ("web-factory", c.check_web_command,
     lambda d: d["services"]["web"]["command"].__setitem__(-1, "web:make_app()")),
    ("web-no-call", c.check_web_command,
     lambda d: d["services"]["web"]["command"].__setitem__(-1, "web:create_app")),
    ("web-port", c.check_web_command, lambda d: d["services"]["web"].update(ports=["8000:9000"])),
    ("web-flask-dev", c.check_web_command,
     lambda d: d["services"]["web"].update(command=["flask", "--app", "web", "run"])),
    ("worker-module", c.check_worker_command,
     lambda d: d["services"]["worker"].update(command=["python", "-m", "workers"])),
    ("worker-file", c.check_worker_command,
     lambda d: d["services"]["worker"].update(command=["python", "worker.py"])),
    ("worker-wrong", c.check_worker_command,
     lambda d: d["services"]["worker"].update(command=["python", "-m", "db.migrate"])),
    ("migrate-module", c.check_migrate_command,
     lambda d: d["services"]["migrate"].update(command=["python", "-m", "db.models"])),
    ("worker-name", c.check_worker_scalable, lambda d: d["services"]["worker"].update(container_name="prm-worker")),
    ("worker-ports", c.check_worker_scalable, lambda d: d["services"]["worker"].update(ports=["9000:9000"])),
    ("missing-dep", c.check_depends_on,
     lambda d: d["services"]["web"]["depends_on"].update(postgres={"condition": "service_started"})),
    ("unhealthy-dep", c.check_depends_on, lambda d: d["services"]["temporal"].pop("healthcheck")),
    ("restarting-job", c.check_depends_on, lambda d: d["services"]["migrate"].update(restart="on-failure")),
    ("cycle", c.check_depends_on,
     lambda d: d["services"]["app-db"].update(depends_on={"web": {"condition": "service_started"}})),
    ("undeclared-volume", c.check_volumes, lambda d: d["volumes"].pop("app-db-data")),
    ("missing-bind", c.check_volumes,
     lambda d: d["services"]["temporal"].update(volumes=["./deploy/nowhere:/etc/temporal/config/dynamicconfig"])),
    ("script-missing", c.check_mounted_scripts,
     lambda d: d["services"]["temporal-setup"].update(command=["/deploy/temporal/create-namespace.sh"])),
    ("script-unmounted", c.check_mounted_scripts, lambda d: d["services"]["temporal-schema"].pop("volumes")),
    ("bool-env", c.check_environment_values_are_strings, lambda d: _env(d, "mailpit").update(MP_SMTP_AUTH_ACCEPT_ANY=True)),
    ("latest", c.check_images_pinned, lambda d: d["services"]["temporal-ui"].update(image="temporalio/ui:latest")),
    ("untagged", c.check_images_pinned, lambda d: d["services"]["app-db"].update(image="postgres")),
    ("tools-mismatch", c.check_images_pinned,
     lambda d: d["services"]["temporal-schema"].update(image="temporalio/admin-tools:1.30.1")),
    ("no-healthcheck", c.check_healthchecks, lambda d: d["services"]["web"].pop("healthcheck")),
]


@pytest.mark.parametrize("check, breaks", [(check, breaks) for _, check, breaks in BROKEN],
                         ids=[name for name, _, _ in BROKEN])
def test_each_check_fails_on_a_broken_copy(check, breaks, compose):
    check(compose)  # passes first ...
    breaks(compose)
    with pytest.raises(AssertionError):  # ... and fails once broken
        check(compose)


def test_every_check_is_exercised_broken():
    broken = {check for _, check, _ in BROKEN}
    assert set(c.ALL_CHECKS) <= broken


# -- interpolation as Compose does it -------------------------------------------------------------

@pytest.mark.parametrize("text, env, expected", [
    ("${A:-x}", {}, "x"),
    ("${A:-x}", {"A": ""}, "x"),
    ("${A-x}", {"A": ""}, ""),
    ("${A:-x}", {"A": "y"}, "y"),
    ("a${A}b$A", {"A": "1"}, "a1b1"),
    ("${A:-p${B:-q}r}", {}, "pqr"),
    ("${A:-p${B:-q}r}", {"B": "Z"}, "pZr"),
    ("$${A}", {"A": "1"}, "${A}"),
    ("${A:+set}", {"A": "1"}, "set"),
    ("${A:+set}", {}, ""),
    ("${A:?needed}", {"A": "v"}, "v"),
])
def test_interpolation(text, env, expected):
    assert c.interpolate(text, env) == expected


@pytest.mark.parametrize("text", ["${A:?needed}", "${A?needed}", "${A", "${1A}", "$-"])
def test_interpolation_errors(text):
    with pytest.raises(c.InterpolationError):
        c.interpolate(text, {})
