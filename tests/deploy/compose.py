"""Reading docker-compose.yml the way Compose does, and the checks tests/deploy runs on it.

Docker does not run on these machines, so the deployment files are checked statically: the compose
file is parsed with PyYAML (anchors and merge keys resolved), interpolated like Compose does
(${VAR}, ${VAR:-default}, ${VAR:?error}, nesting, $$), and every check below is a function that
raises AssertionError, so the tests can also run it on deliberately broken copies and see it fail.
"""

from __future__ import annotations

import ast
import copy
import importlib.util
import re
import shlex
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

try:
    import yaml
except ImportError:  # reported by the `compose` fixtures (tests/deploy/conftest.py), not at import
    yaml = None

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
SETTINGS_FILE = ROOT / "settings.py"
NAMESPACE_SCRIPT = ROOT / "deploy" / "temporal" / "setup-namespace.sh"

APP_SERVICES = ("web", "worker", "migrate")       # run from the PRM image with the app's settings
SHARED_KEYS = ("DATABASE_URL", "TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "TEMPORAL_TASK_QUEUE",
               "SECRET_KEY")
TEST_ENV = {"SECRET_KEY": "deploy-test-secret-0123456789abcdef"}


# -- loading and interpolation ------------------------------------------------------------------

class InterpolationError(ValueError):
    pass


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BRACED = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:(:-|-|:\?|\?|:\+|\+)(.*))?", re.S)


def interpolate(text: str, env: Mapping[str, str]) -> str:
    """Compose's variable substitution for one string value."""
    out: list[str] = []
    i = 0
    while i < len(text):
        if text[i] != "$":
            out.append(text[i])
            i += 1
            continue
        following = text[i + 1:i + 2]
        if following == "$":
            out.append("$")
            i += 2
        elif following == "{":
            end = _closing_brace(text, i + 2)
            out.append(_expand(text[i + 2:end], env))
            i = end + 1
        elif (name := _NAME.match(text, i + 1)) is not None:
            out.append(env.get(name.group(), ""))
            i = name.end()
        else:
            raise InterpolationError(f"invalid interpolation format in {text!r}")
    return "".join(out)


def _closing_brace(text: str, start: int) -> int:
    depth, j = 1, start
    while j < len(text):
        if text.startswith("${", j):
            depth, j = depth + 1, j + 2
            continue
        if text[j] == "}":
            depth -= 1
            if depth == 0:
                return j
        j += 1
    raise InterpolationError(f"unclosed ${{ in {text!r}")


def _expand(body: str, env: Mapping[str, str]) -> str:
    match = _BRACED.fullmatch(body)
    if match is None:
        raise InterpolationError(f"invalid interpolation format: ${{{body}}}")
    name, op, arg = match.groups()
    value = env.get(name)
    if op is None:
        return value or ""
    if op == ":-":
        return value if value else interpolate(arg, env)
    if op == "-":
        return value if value is not None else interpolate(arg, env)
    if op == ":?":
        if not value:
            raise InterpolationError(f"required variable {name} is missing a value: {arg}")
        return value
    if op == "?":
        if value is None:
            raise InterpolationError(f"required variable {name} is missing a value: {arg}")
        return value
    if op == ":+":
        return interpolate(arg, env) if value else ""
    return interpolate(arg, env) if value is not None else ""  # "+"


def interpolate_tree(node, env: Mapping[str, str]):
    """A new tree with every string value interpolated (keys are left alone, as Compose does)."""
    if isinstance(node, dict):
        return {key: interpolate_tree(value, env) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate_tree(value, env) for value in node]
    if isinstance(node, str):
        return interpolate(node, env)
    return node


def load_raw(text: str | None = None) -> dict:
    """The YAML as written (anchors and merge keys resolved, nothing interpolated): a fresh copy."""
    data = yaml.safe_load(COMPOSE_FILE.read_text() if text is None else text)
    return copy.deepcopy(data)


def load(env: Mapping[str, str] | None = None, text: str | None = None) -> dict:
    """The compose file as Compose sees it with `env` as the shell environment (TEST_ENV default)."""
    return interpolate_tree(load_raw(text), TEST_ENV if env is None else env)


# -- what the code reads ------------------------------------------------------------------------

def settings_env_vars(source: str | None = None) -> set[str]:
    """Every variable Settings.from_env reads, from settings.py's source (env.get("...") calls)."""
    source = SETTINGS_FILE.read_text() if source is None else source
    return set(re.findall(r"""env\.get\(\s*["']([A-Z][A-Z0-9_]*)["']""", source))


def service_env(compose: dict, service: str) -> dict[str, str]:
    env = compose["services"][service].get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return {key: ("" if value is None else str(value)) for key, value in env.items()}


def command_list(service: dict) -> list[str]:
    command = service.get("command")
    assert command, "no command"
    return shlex.split(command) if isinstance(command, str) else [str(part) for part in command]


def has_main_guard(path: Path) -> bool:
    tree = ast.parse(path.read_text())
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Compare):
            names = {getattr(n, "id", None) for n in ast.walk(node.test)}
            consts = {getattr(n, "value", None) for n in ast.walk(node.test)}
            if "__name__" in names and "__main__" in consts:
                return True
    return False


def python_module_target(command: list[str]) -> Path:
    """`python -m pkg.mod` -> the file that runs. Only the -m form works in the image: its working
    directory holds no sources, the code comes from the installed package."""
    assert command[:2] == ["python", "-m"] and len(command) >= 3, \
        f"expected `python -m <module>`, got {command}"
    spec = importlib.util.find_spec(command[2])
    assert spec is not None and spec.origin, f"module {command[2]} is not importable"
    origin = Path(spec.origin)
    if origin.name == "__init__.py":
        main = origin.with_name("__main__.py")
        assert main.exists(), f"package {command[2]} has no __main__.py"
        return main
    assert has_main_guard(origin), f"{origin} has no `if __name__ == \"__main__\"` block"
    return origin


def host_port(address: str) -> tuple[str, int]:
    parts = urlsplit(f"//{address}")
    assert parts.hostname and parts.port, f"{address!r} is not host:port"
    return parts.hostname, parts.port


# -- checks: each raises AssertionError -----------------------------------------------------------

def check_app_env_is_read_by_settings(compose: dict, read_vars: set[str]) -> None:
    for name in APP_SERVICES:
        unknown = set(service_env(compose, name)) - read_vars
        assert not unknown, f"{name} sets {sorted(unknown)}, which settings.py never reads"


def check_services_agree(compose: dict) -> None:
    web, worker, migrate = (service_env(compose, name) for name in APP_SERVICES)
    for key in SHARED_KEYS:
        assert key in web and key in worker, f"{key} must be set for web and worker"
        assert web[key] == worker[key], f"web and worker disagree on {key}: {web[key]!r} != {worker[key]!r}"
    assert migrate.get("DATABASE_URL") == web["DATABASE_URL"], "migrate must migrate the app's database"


def check_settings_load(compose: dict) -> None:
    """Settings.from_env accepts each app service's environment and yields production values."""
    from settings import Settings

    defaults = Settings()
    for name in APP_SERVICES:
        env = service_env(compose, name)
        try:
            settings = Settings.from_env(env)
        except ValueError as exc:  # e.g. SMTP_PORT that is no number
            raise AssertionError(f"{name}: Settings.from_env refuses its environment: {exc}") from exc
        assert settings.database_url == env["DATABASE_URL"]
        assert not settings.database_url.startswith("sqlite"), f"{name} would use a SQLite file"
        assert settings.secret_key != defaults.secret_key, f"{name} runs with the dev secret key"
        assert settings.temporal_address == env["TEMPORAL_ADDRESS"]
        # Mail goes to an SMTP server: the ops mailbox page must not show a folder in the image.
        assert not Path(settings.mailbox_dir).is_dir(), f"{name}: MAILBOX_DIR is a directory"


def check_database_url(compose: dict) -> None:
    from sqlalchemy.engine import make_url

    url = make_url(service_env(compose, "web")["DATABASE_URL"])
    assert url.drivername == "postgresql+psycopg", f"driver {url.drivername}: pyproject installs psycopg 3"
    assert url.host in compose["services"], f"database host {url.host!r} is no compose service"
    db = service_env(compose, url.host)
    assert url.port in (None, 5432), f"PostgreSQL listens on 5432, not {url.port}"
    assert url.username == db.get("POSTGRES_USER"), "DATABASE_URL user differs from the database's"
    assert url.password == db.get("POSTGRES_PASSWORD"), "DATABASE_URL password differs from the database's"
    assert url.database == db.get("POSTGRES_DB", db.get("POSTGRES_USER")), "DATABASE_URL names another database"


def check_temporal_wiring(compose: dict) -> None:
    services = compose["services"]
    app = service_env(compose, "web")
    host, port = host_port(app["TEMPORAL_ADDRESS"])
    assert host in services, f"TEMPORAL_ADDRESS host {host!r} is no compose service"
    assert services[host]["image"].startswith("temporalio/server:"), f"{host} is not the Temporal server"
    assert port == 7233, f"the Temporal frontend listens on 7233, not {port}"
    setup = service_env(compose, "temporal-setup")
    assert setup.get("TEMPORAL_ADDRESS") == app["TEMPORAL_ADDRESS"], "temporal-setup prepares another cluster"
    assert setup.get("TEMPORAL_NAMESPACE") == app["TEMPORAL_NAMESPACE"], \
        "temporal-setup registers the search attributes in another namespace"
    ui_host, _ = host_port(service_env(compose, "temporal-ui")["TEMPORAL_ADDRESS"])
    assert ui_host == host, "temporal-ui shows another cluster"


def check_temporal_database_login(compose: dict) -> None:
    for name in ("temporal-schema", "temporal"):
        env = service_env(compose, name)
        assert env.get("DB") == "postgres12", f"{name}: DB must be postgres12"
        seed = env.get("POSTGRES_SEEDS")
        assert seed in compose["services"], f"{name}: POSTGRES_SEEDS {seed!r} is no compose service"
        db = service_env(compose, seed)
        assert env.get("DB_PORT", "5432") == "5432"
        assert env.get("POSTGRES_USER") == db.get("POSTGRES_USER"), f"{name}: user differs from {seed}'s"
        assert env.get("POSTGRES_PWD") == db.get("POSTGRES_PASSWORD"), f"{name}: password differs from {seed}'s"


def check_smtp(compose: dict) -> None:
    env = service_env(compose, "web")
    host = env["SMTP_HOST"]
    assert host in compose["services"], f"SMTP_HOST {host!r} is no compose service"
    assert compose["services"][host]["image"].startswith("axllent/mailpit:")
    assert env["SMTP_PORT"] == "1025", "Mailpit takes SMTP on 1025"


def check_web_command(compose: dict) -> None:
    web = compose["services"]["web"]
    command = command_list(web)
    assert command[0] == "gunicorn", f"web must run under gunicorn, not {command[0]}"
    app_spec = command[-1]
    module_name, _, call = app_spec.partition(":")
    assert call.endswith("()"), f"{app_spec}: gunicorn needs the factory call, e.g. web:create_app()"
    module = importlib.import_module(module_name)
    factory = getattr(module, call[:-2], None)
    assert callable(factory), f"{module_name} has no {call[:-2]}()"
    bind = command[command.index("--bind") + 1]
    _, port = host_port(bind)
    published = [str(p).rsplit(":", 1)[-1] for p in web.get("ports", [])]
    assert str(port) in published, f"web listens on {port} but publishes {published}"
    assert f":{port}/" in " ".join(web["healthcheck"]["test"]), "the healthcheck asks another port"


def check_worker_command(compose: dict) -> None:
    target = python_module_target(command_list(compose["services"]["worker"]))
    assert target == ROOT / "worker.py", f"worker runs {target}, not worker.py"
    assert "worker" in pyproject()["tool"]["setuptools"]["py-modules"], "worker.py is not installed"


def check_migrate_command(compose: dict) -> None:
    target = python_module_target(command_list(compose["services"]["migrate"]))
    assert target == ROOT / "db" / "migrate.py", f"migrate runs {target}, not db/migrate.py"


def check_worker_scalable(compose: dict) -> None:
    worker = compose["services"]["worker"]
    for key in ("container_name", "ports", "hostname"):
        assert key not in worker, f"worker has {key}: `--scale worker=N` would collide"


def check_depends_on(compose: dict) -> None:
    services = compose["services"]
    graph: dict[str, list[str]] = {}
    for name, service in services.items():
        deps = service.get("depends_on") or {}
        if isinstance(deps, list):
            deps = {dep: {"condition": "service_started"} for dep in deps}
        graph[name] = list(deps)
        for dep, spec in deps.items():
            assert dep in services, f"{name} depends on {dep!r}, which does not exist"
            condition = spec.get("condition")
            if condition == "service_healthy":
                assert "healthcheck" in services[dep], f"{name} waits for {dep} to be healthy: it has no healthcheck"
            if condition == "service_completed_successfully":
                assert services[dep].get("restart", "no") == "no", f"{dep} is a one-shot job: restart must be \"no\""
    seen: dict[str, int] = {}

    def visit(node: str, path: tuple[str, ...]) -> None:
        assert seen.get(node) != 1, f"depends_on cycle: {' -> '.join(path + (node,))}"
        if seen.get(node) == 2:
            return
        seen[node] = 1
        for dep in graph[node]:
            visit(dep, path + (node,))
        seen[node] = 2

    for name in services:
        visit(name, ())


def check_volumes(compose: dict) -> None:
    declared = set(compose.get("volumes") or {})
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0] if isinstance(volume, str) else volume.get("source", "")
            if source.startswith((".", "/")):
                assert (ROOT / source).exists(), f"{name} mounts {source}, which is not in the repository"
            else:
                assert source in declared, f"{name} uses volume {source!r}, not declared under volumes:"


def check_mounted_scripts(compose: dict) -> None:
    """The one-shot admin-tools jobs run scripts that exist, through their bind mounts."""
    for name in ("temporal-schema", "temporal-setup"):
        service = compose["services"][name]
        script = command_list(service)[-1]
        mounts = [v.split(":")[:2] for v in service.get("volumes", []) if isinstance(v, str)]
        hits = [ROOT / src / Path(script).relative_to(dst) for src, dst in mounts
                if Path(script).is_relative_to(dst)]
        assert hits and hits[0].is_file(), f"{name} runs {script}, which no mount provides"
    assert command_list(compose["services"]["temporal-setup"])[-1].endswith("/setup-namespace.sh")


def check_environment_values_are_strings(compose: dict) -> None:
    """Quoted on purpose: YAML 1.1 (PyYAML) and 1.2 (Compose) disagree on yes/no/on/off."""
    for name, service in compose["services"].items():
        for key, value in (service.get("environment") or {}).items():
            assert isinstance(value, str), f"{name}.{key} = {value!r}: quote it"


def check_images_pinned(compose: dict) -> None:
    services = compose["services"]
    for name, service in services.items():
        image = service.get("image", "")
        if "build" in service:
            continue  # the PRM image, built from this checkout
        repo, _, tag = image.rpartition(":")
        assert repo and tag and tag != "latest", f"{name}: pin the image version ({image})"
    server = services["temporal"]["image"].rsplit(":", 1)[1]
    for name in ("temporal-schema", "temporal-setup"):
        assert services[name]["image"] == f"temporalio/admin-tools:{server}", \
            f"{name}: admin-tools must match the server version {server} (schema versions)"


def check_healthchecks(compose: dict) -> None:
    for name in ("temporal-db", "app-db", "temporal", "web", "mailpit"):
        test = compose["services"][name].get("healthcheck", {}).get("test")
        assert test and test[0] in ("CMD", "CMD-SHELL"), f"{name} needs a healthcheck"


def check_secret_key_required(text: str | None = None) -> None:
    try:
        load(env={}, text=text)
    except InterpolationError as exc:
        assert "SECRET_KEY" in str(exc)
    else:
        raise AssertionError("the compose file starts without SECRET_KEY")


# -- search attributes ----------------------------------------------------------------------------

CLI_TYPES = {"KEYWORD": "Keyword", "DATETIME": "Datetime", "TEXT": "Text", "INT": "Int",
             "FLOAT": "Double", "BOOL": "Bool", "KEYWORD_LIST": "KeywordList"}


def expected_search_attributes() -> dict[str, str]:
    from workflows.search import ALL

    return {key.name: CLI_TYPES[key.indexed_value_type.name] for key in ALL}


def script_search_attributes(script: str | None = None) -> dict[str, str]:
    """The Name:Type lines of SEARCH_ATTRIBUTES='...' in deploy/temporal/setup-namespace.sh."""
    script = NAMESPACE_SCRIPT.read_text() if script is None else script
    block = re.search(r"^SEARCH_ATTRIBUTES='([^']*)'", script, re.M)
    assert block, "setup-namespace.sh has no SEARCH_ATTRIBUTES='...' block"
    pairs = [line.strip().split(":") for line in block.group(1).split() if line.strip()]
    names = [name for name, _ in pairs]
    assert len(names) == len(set(names)), f"duplicate search attributes: {names}"
    return dict(pairs)


def check_search_attributes(script: str | None = None) -> None:
    registered, wanted = script_search_attributes(script), expected_search_attributes()
    assert registered == wanted, f"setup job registers {registered}, workflows/search.py has {wanted}"


# -- pyproject ----------------------------------------------------------------------------------

def pyproject() -> dict:
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text())


ALL_CHECKS = (
    check_services_agree, check_settings_load, check_database_url, check_temporal_wiring,
    check_temporal_database_login, check_smtp, check_web_command, check_worker_command,
    check_migrate_command, check_worker_scalable, check_depends_on, check_volumes,
    check_mounted_scripts, check_environment_values_are_strings, check_images_pinned,
    check_healthchecks,
)
