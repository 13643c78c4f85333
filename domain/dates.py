"""Dates and times as people read them: in their own time zone, one format per language, the zone
always named. Pages (web/i18n.py's `when` and `relative` filters) and mail
(activities/mail_render.py) both call these, so a deadline reads the same on the page and in
the mail about it.

    en       3 Dec 2026, 19:30 Shanghai time      3 Dec 2026, 11:30 UTC
    zh_Hans  2026年12月3日 19:30 上海时间          2026年12月3日 11:30 UTC

The zone is named by its city in the reader's language (CLDR, through Babel): an IANA zone is a
city, and "Shanghai time" tells a reader more than an offset or an abbreviation ("CST" is China,
Cuba and the US Midwest). UTC is written UTC. Seconds are left out: no deadline here is that
tight, and they only make rows longer.

No Flask here: the worker renders mail with it, outside any request.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale
from babel import dates as babel_dates

UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/Universal", "Etc/Zulu", "Universal", "Zulu"})
# One pattern per language for the date and the time (CLDR skeletons would give en-US its
# "Dec 3, 2026, 7:30 PM" and en-GB its "3 Dec 2026, 19:30": one language, one format, and the
# day-month-year with a 24-hour clock reads unambiguously to both).
DATETIME_PATTERNS = {"en": "d MMM y, HH:mm", "zh": "y年M月d日 HH:mm"}
DATE_PATTERNS = {"en": "d MMM y", "zh": "y年M月d日"}
# The ops pages, where events a second apart must read apart.
SECONDS_PATTERNS = {"en": "d MMM y, HH:mm:ss", "zh": "y年M月d日 HH:mm:ss"}
# "<city> time" as each language says it (CLDR's own regionFormat capitalises it as a name).
ZONE_PHRASES = {"en": "{city} time", "zh": "{city}时间"}
# The areas of the IANA database people live in: "Etc/GMT+5", "US/Eastern" and the old aliases
# ("Asia/Calcutta") stay valid for a stored value, they are only not offered in the list.
_AREAS = ("Africa/", "America/", "Antarctica/", "Asia/", "Atlantic/", "Australia/", "Europe/",
          "Indian/", "Pacific/")


def _language(locale: str | Locale | None) -> str:
    language = (locale.language if isinstance(locale, Locale)
                else str(locale or "en").replace("-", "_").split("_", 1)[0].lower())
    return language if language in DATETIME_PATTERNS else "en"


def _babel_locale(language: str) -> str:
    return "zh_Hans" if language == "zh" else "en"


@lru_cache(maxsize=1024)
def zone(name: str | None) -> tzinfo | None:
    """The zone called `name` ("Asia/Shanghai"), or None when no such zone exists."""
    if not name or name not in valid_zone_names():
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


@lru_cache(maxsize=1)
def valid_zone_names() -> frozenset[str]:
    return frozenset(available_timezones()) | {"UTC"}


def zone_or_utc(name: str | None) -> tzinfo:
    return zone(name) or timezone.utc


def _zone_key(tz: tzinfo) -> str:
    return getattr(tz, "key", None) or "UTC"


@lru_cache(maxsize=512)
def zone_name(name: str, locale: str = "en") -> str | None:
    """'Shanghai time' / '上海时间'; 'UTC' for UTC; None for a zone with no city ("Etc/GMT-8",
    whose sign is the reverse of what it reads: such a zone is named by its offset instead)."""
    if name in UTC_NAMES or zone(name) is None:
        return "UTC"
    if not name.startswith(_AREAS):
        return None
    language = _language(locale)
    city = babel_dates.get_timezone_location(zone(name), locale=_babel_locale(language),
                                             return_city=True)
    return ZONE_PHRASES[language].format(city=city)


def _offset(moment: datetime, language: str) -> str:
    """'GMT+08:00' at that moment (summer time moves it)."""
    return babel_dates.get_timezone_gmt(moment, width="long", locale=_babel_locale(language))


def format_when(value: datetime | None, locale: str | Locale | None = "en",
                time_zone: str | None = None, style: str = "medium") -> str:
    """`value` in the reader's zone and language, the zone named; '—' for no value.

    style: "medium" and "short" are the same (one format per language; "short" stays for the
    templates that ask for it); "date" is the date alone, still in the reader's zone;
    "seconds" adds the seconds (workflow histories)."""
    if value is None:
        return "—"
    if value.tzinfo is None:  # the database's values are UTC (db.models.UTCDateTime)
        value = value.replace(tzinfo=timezone.utc)
    language = _language(locale)
    tz = zone_or_utc(time_zone)
    patterns = {"date": DATE_PATTERNS, "seconds": SECONDS_PATTERNS}.get(style, DATETIME_PATTERNS)
    shown = babel_dates.format_datetime(value, patterns[language], tzinfo=tz,
                                        locale=_babel_locale(language))
    if style == "date":
        return shown
    named = zone_name(_zone_key(tz), language) or _offset(value.astimezone(tz), language)
    return f"{shown} {named}"


def format_relative(value: datetime | None, locale: str | Locale | None = "en",
                    now: datetime | None = None) -> str:
    """'in 2 days' / '3 hours ago' ('2天后' / '3小时前'); '' for no value."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    delta: timedelta = value - (now or datetime.now(timezone.utc))
    return babel_dates.format_timedelta(delta, granularity="minute", add_direction=True,
                                        locale=_babel_locale(_language(locale)))


@lru_cache(maxsize=4)
def zone_choices(locale: str = "en") -> tuple[tuple[str, str], ...]:
    """(IANA name, "Asia/Shanghai · Shanghai time (GMT+08:00)") for a select, by name, UTC last.
    The offset is today's (summer time moves it); cached per process, which lives for days at
    most: a stale offset in a label is harmless, the stored name is what counts."""
    language = _language(locale)
    now = datetime.now(timezone.utc)
    names = sorted(n for n in valid_zone_names() if n.startswith(_AREAS))
    return tuple((n, f"{n} · {zone_name(n, language)} ({_offset(now.astimezone(zone(n)), language)})")
                 for n in names) + (("UTC", "UTC"),)
