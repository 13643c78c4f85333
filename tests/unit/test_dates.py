"""The one date helper (domain/dates.py): one format per language, the reader's zone, the zone
named; deadlines as "in 2 days"."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from domain.dates import format_relative, format_when, zone, zone_choices, zone_name

MOMENT = datetime(2026, 12, 3, 11, 30, 5, tzinfo=timezone.utc)


@pytest.mark.parametrize("locale, zone_, shown", [
    ("en", "Asia/Shanghai", "3 Dec 2026, 19:30 Shanghai time"),
    ("zh_Hans", "Asia/Shanghai", "2026年12月3日 19:30 上海时间"),
    ("en", "UTC", "3 Dec 2026, 11:30 UTC"),
    ("zh_Hans", "UTC", "2026年12月3日 11:30 UTC"),
    ("en", None, "3 Dec 2026, 11:30 UTC"),                 # no zone: UTC, and says so
    ("en", "Not/AZone", "3 Dec 2026, 11:30 UTC"),
    ("en-US", "America/Chicago", "3 Dec 2026, 05:30 Chicago time"),  # one English format
    ("en_GB", "Europe/London", "3 Dec 2026, 11:30 London time"),
    ("zh-CN", "America/New_York", "2026年12月3日 06:30 纽约时间"),
    ("en", "Etc/GMT-8", "3 Dec 2026, 19:30 GMT+08:00"),   # no city: the offset, the right sign
])
def test_one_format_per_language_in_the_readers_zone_with_the_zone_named(locale, zone_, shown):
    assert format_when(MOMENT, locale, zone_) == shown


def test_summer_time_moves_the_clock_not_the_name():
    july = datetime(2026, 7, 1, 11, 30, tzinfo=timezone.utc)
    assert format_when(july, "en", "Europe/London") == "1 Jul 2026, 12:30 London time"


def test_the_date_alone_is_the_readers_date_and_nothing_is_a_dash():
    late = datetime(2026, 12, 3, 20, 0, tzinfo=timezone.utc)  # already 4 December in Shanghai
    assert format_when(late, "en", "Asia/Shanghai", "date") == "4 Dec 2026"
    assert format_when(late, "zh_Hans", "UTC", "date") == "2026年12月3日"
    assert format_when(None, "en", "Asia/Shanghai") == "—"
    assert format_when(MOMENT, "en", "UTC", "short") == format_when(MOMENT, "en", "UTC")


def test_a_naive_time_is_read_as_utc():
    assert format_when(MOMENT.replace(tzinfo=None), "en", "Asia/Shanghai") == \
        "3 Dec 2026, 19:30 Shanghai time"


def test_deadlines_read_relative_in_each_language():
    now = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
    assert format_relative(now + timedelta(days=2), "en", now) == "in 2 days"
    assert format_relative(now + timedelta(days=2), "zh_Hans", now) == "2天后"
    assert format_relative(now - timedelta(hours=3), "en", now) == "3 hours ago"
    assert format_relative(now - timedelta(hours=3), "zh_Hans", now) == "3小时前"
    assert format_relative(None, "en", now) == ""


def test_zones_are_validated_against_the_iana_database():
    assert zone("Asia/Shanghai") is not None and zone("UTC") is not None
    for bad in ("", None, "Mars/Olympus", "../../etc/passwd", "asia/shanghai"):
        assert zone(bad) is None
    assert zone_name("Asia/Shanghai", "zh_Hans") == "上海时间"


def test_the_zone_list_offers_every_city_zone_once_with_its_name():
    choices = dict(zone_choices("zh_Hans"))
    assert choices["Asia/Shanghai"] == "Asia/Shanghai · 上海时间 (GMT+08:00)"
    assert "UTC" in choices and "Etc/GMT-8" not in choices  # offered: cities; still valid: all
    assert list(choices)[:-1] == sorted(list(choices)[:-1])
