"""Load and validate definitions. Workflows never call this: they receive what it resolved."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from domain.program import Countersign, ProgramRules, ReviewFallback

HERE = Path(__file__).resolve().parent
FORMS = HERE / "forms"
PROGRAMS = HERE / "programs"
TEMPLATES = HERE / "templates"

_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


class DefinitionError(ValueError):
    pass


def parse_duration(text: str) -> timedelta:
    """ISO 8601 durations in days and time (P2D, PT30S, P1DT12H); no months: they vary in length."""
    m = _DURATION.match(text or "")
    if not m or text in ("P", "PT"):
        raise DefinitionError(f"not an ISO 8601 duration: {text!r}")
    d, h, mi, s = (int(g) if g else 0 for g in m.groups())
    return timedelta(days=d, hours=h, minutes=mi, seconds=s)


@lru_cache(maxsize=None)
def form_schema(name: str) -> dict[str, Any]:
    """`name` is '<form>.v<N>', e.g. 'review_decision.v1'."""
    if not re.fullmatch(r"[a-z_]+\.v\d+", name):
        raise DefinitionError(f"bad form name {name!r}")
    path = FORMS / f"{name}.schema.json"
    if not path.exists():
        raise DefinitionError(f"unknown form {name!r}")
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return schema


_FILE_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _format_checker() -> FormatChecker:
    """Draft 2020-12's formats, and "file-id": a stored_file id (the web stores the upload and
    puts the id in the payload, web/files.py), never a name or a path."""
    checker = FormatChecker(())
    checker.checkers = dict(Draft202012Validator.FORMAT_CHECKER.checkers)
    checker.checks("file-id")(lambda value: not isinstance(value, str) or bool(_FILE_ID.match(value)))
    return checker


FORMATS = _format_checker()


@lru_cache(maxsize=None)
def form_validator(name: str) -> Draft202012Validator:
    """One per schema, shared by every submission: a validator is immutable once built (its
    reference resolver included), so rebuilding it per form was repeated work."""
    return Draft202012Validator(form_schema(name), format_checker=FORMATS)


@lru_cache(maxsize=None)
def program_meta_schema() -> dict[str, Any]:
    return json.loads((PROGRAMS / "program.meta.schema.json").read_text(encoding="utf-8"))


def program_rules_from(data: dict[str, Any]) -> ProgramRules:
    errors = sorted(Draft202012Validator(program_meta_schema()).iter_errors(data), key=str)
    if errors:
        where = "/".join(str(p) for p in errors[0].absolute_path)
        raise DefinitionError(f"program definition invalid at {where or '/'}: {errors[0].message}")
    rec = data["recruitment"]
    defaults = ProgramRules()
    review = rec["review"]
    agreement = rec["agreement"]
    return ProgramRules(
        program_id=data["program_id"],
        version=data["version"],
        name=data["name"],
        review_sla=parse_duration(review["sla"]),
        review_escalation_grace=parse_duration(review.get("escalation_grace", "P1D")),
        review_fallback=ReviewFallback(review.get("fallback", "expire")),
        more_info_sla=parse_duration(rec.get("more_info", {}).get("sla", "P14D")),
        signature_expiry=parse_duration(agreement["expiry"]),
        signature_reminders_before=tuple(
            parse_duration(x) for x in agreement.get("reminders_before", ["P7D", "P3D", "P1D"])),
        countersign=Countersign(rec["countersign"]["mode"]),
        countersign_sla=parse_duration(rec["countersign"].get("sla", "P2D")),
        invitation_ttl=parse_duration(rec["activation"].get("invitation_ttl", "P7D"))
        if rec.get("activation") else defaults.invitation_ttl,
        agreement_template=agreement["template"],
    )


def load_program(program_id: str = "default", version: int | None = None) -> ProgramRules:
    """The newest version unless one is asked for (running workflows keep the one they started with)."""
    candidates = sorted(PROGRAMS.glob(f"{program_id}.v*.json"),
                        key=lambda p: int(p.stem.rsplit(".v", 1)[1]))
    if version is not None:
        candidates = [p for p in candidates if p.stem == f"{program_id}.v{version}"]
    if not candidates:
        raise DefinitionError(f"no program definition {program_id!r} version {version}")
    newest = candidates[-1].stat()
    return _program_from_file(candidates[-1], newest.st_mtime_ns, newest.st_size)


@lru_cache(maxsize=32)
def _program_from_file(path: Path, _mtime_ns: int, _size: int) -> ProgramRules:
    """Read and checked once per version of the file: every application submitted loads the
    program, and the meta-schema check cost more than the rest of the request's own work. Keyed on
    the file's modification time and size, so a new or edited definition is still read."""
    return program_rules_from(json.loads(path.read_text(encoding="utf-8")))


def agreement_template(name: str, locale: str = "en") -> str:
    """The template's text in `locale` (`<name>.<locale>.txt` beside the English `<name>.txt`)."""
    if agreement_locale(name, locale) != locale:
        raise DefinitionError(f"agreement template {name!r} has no {locale!r} text")
    suffix = "" if locale == "en" else f".{locale}"
    return (TEMPLATES / f"{name}{suffix}.txt").read_text(encoding="utf-8")


def agreement_locale(name: str, wanted: str) -> str:
    """The language the agreement is written in for a partner who reads `wanted`: theirs when the
    template has it, else English (every template has English, the text the others translate)."""
    if not re.fullmatch(r"[a-z_]+\.v\d+", name) or not (TEMPLATES / f"{name}.txt").exists():
        raise DefinitionError(f"unknown agreement template {name!r}")
    if wanted != "en" and re.fullmatch(r"[a-z]{2}(_[A-Za-z]+)?", wanted or "") and (
            TEMPLATES / f"{name}.{wanted}.txt").exists():
        return wanted
    return "en"
