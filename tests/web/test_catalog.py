"""Every string people read has a Chinese translation, with the same placeholders."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from flask_babel import force_locale

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "web" / "translations" / "zh_Hans" / "LC_MESSAGES" / "messages.po"


def _extracted() -> set[str]:
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_extracted_message_is_translated_to_chinese():
    with CATALOG.open("rb") as po:
        catalog = read_po(po)
    untranslated = sorted(m for m in _extracted()
                          if catalog.get(m) is None or not catalog.get(m).string or catalog.get(m).fuzzy)
    assert not untranslated, "run pybabel extract/update and translate: " + "\n".join(untranslated)
    # Placeholders such as %(name)s survive translation (Babel's python-format checker).
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalog.check() if errors]
    assert not problems


def test_templates_follow_the_locale_in_force_even_when_it_changes_within_a_request(app):
    with app.test_request_context("/?lang=en"):
        sign_in = app.jinja_env.from_string("{{ _('Sign in') }}")
        assert sign_in.render() == "Sign in"
        with force_locale("zh_Hans"):
            assert sign_in.render() == "登录"
        assert sign_in.render() == "Sign in"


def test_dates_have_one_format_per_language_whatever_the_regional_english(app):
    """en-GB, en-US and plain en read the same (day month year, 24-hour clock), the zone named;
    one format per language on every page and in mail (domain/dates.py)."""
    from datetime import datetime, timezone

    from web.i18n import when
    moment = datetime(2026, 11, 27, 3, 4, 5, tzinfo=timezone.utc)
    shown = {}
    for header in ("en-GB,en;q=0.8", "en-US,en;q=0.8", "en", "zh-CN,zh;q=0.9"):
        with app.test_request_context("/", headers={"Accept-Language": header}):
            shown[header] = when(moment)
    assert shown["en-GB,en;q=0.8"] == shown["en-US,en;q=0.8"] == shown["en"] == "27 Nov 2026, 03:04 UTC"
    assert shown["zh-CN,zh;q=0.9"] == "2026年11月27日 03:04 UTC"
