"""The holiday cache never changes an answer: it gives what the ``holidays`` package gives, or computes it."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from importlib import metadata
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import pytest

from sop_engine.calendar import WorkingCalendar, package_holidays
from sop_engine.config import Settings, StorageSettings
from sop_engine.config_calendar import parse_calendar
from sop_engine.holiday_cache import HolidayCache, cache_file

WIB = ZoneInfo("Asia/Jakarta")
YEARS = range(2019, 2028)
CATEGORIES = ("public", "government")


class Counting:
    """``package_holidays`` that counts its calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, str]] = []

    def __call__(self, year: int, category: str) -> tuple[tuple[date, str], ...]:
        self.calls.append((year, category))
        return package_holidays(year, category)


def refuse(year: int, category: str) -> tuple[tuple[date, str], ...]:
    raise AssertionError(f"computed {category}/{year} although the file holds it")


def straight_from_the_package(year: int, category: str) -> list[tuple[date, str]]:
    found = holidays.country_holidays("ID", years=year, categories=(category,), language="id")
    return sorted((day, str(name)) for day, name in found.items())


def test_the_cache_and_its_file_answer_what_the_package_answers(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "holidays.json"
    computing = Counting()
    first = HolidayCache(path, computing)
    for year in YEARS:
        for category in CATEGORIES:
            assert list(first(year, category)) == straight_from_the_package(year, category)
            assert first(year, category) == package_holidays(year, category)
    assert len(computing.calls) == len(YEARS) * len(CATEGORIES)  # each once, then from memory
    from_file = HolidayCache(path, refuse)  # a new process: everything from the file
    for year in YEARS:
        for category in CATEGORIES:
            assert from_file(year, category) == package_holidays(year, category)


@pytest.mark.parametrize(
    "calendar",
    [
        parse_calendar({}, "config.toml"),
        parse_calendar({"holiday_categories": ["public"]}, "config.toml"),
        parse_calendar(
            {"extra_holidays": [date(2021, 1, 11), date(2024, 12, 24)], "extra_workdays": [date(2021, 5, 12)]},
            "config.toml",
        ),
    ],
    ids=["defaults", "public-only", "office-changes"],
)
def test_a_calendar_on_the_cache_closes_the_same_days(tmp_path: Path, calendar) -> None:
    path = tmp_path / "holidays.json"
    HolidayCache(path)(2021, "public")  # the file exists and holds part of what is asked
    cached = WorkingCalendar(calendar, WIB, HolidayCache(path))
    direct = WorkingCalendar(calendar, WIB)
    for year in YEARS:
        assert cached.holidays(year) == direct.holidays(year)
    again = WorkingCalendar(calendar, WIB, HolidayCache(path, refuse))
    assert [again.holidays(year) for year in YEARS] == [direct.holidays(year) for year in YEARS]


@pytest.mark.parametrize(
    "content",
    [
        json.dumps({"holidays": "0.0", "days": {"public/2021": [["2021-01-04", "Hari palsu"]]}}),
        "{not json",
        json.dumps({"holidays": metadata.version("holidays"), "days": {"public/2021": [["kemarin", "Hari palsu"]]}}),
        json.dumps({"holidays": metadata.version("holidays"), "days": {"public/2021": [["2021-01-04", 7]]}}),
        json.dumps(["a list"]),
    ],
    ids=["other-version", "not-json", "bad-date", "bad-name", "not-an-object"],
)
def test_a_file_of_another_version_or_unreadable_is_ignored_and_rewritten(tmp_path: Path, content: str) -> None:
    path = tmp_path / "holidays.json"
    path.write_text(content, encoding="utf-8")
    assert HolidayCache(path)(2021, "public") == package_holidays(2021, "public")
    assert HolidayCache(path, refuse)(2021, "public") == package_holidays(2021, "public")


def test_two_processes_adding_years_keep_both(tmp_path: Path) -> None:
    path = tmp_path / "holidays.json"
    one, other = HolidayCache(path), HolidayCache(path)
    other(2020, "public")  # `other` has read the file (then empty) and written 2020
    one(2021, "public")  # `one` reads 2020, writes 2020 and 2021
    other(2022, "public")  # `other` knows 2020 and 2022, and reads the file again before writing
    later = HolidayCache(path, refuse)
    for year in (2020, 2021, 2022):
        assert later(year, "public") == package_holidays(year, "public")
    assert not [p.name for p in tmp_path.iterdir() if p.name != "holidays.json"]  # no temporary file left


def test_a_folder_that_cannot_be_written_only_costs_the_computation(tmp_path: Path) -> None:
    (tmp_path / "var").write_text("a file where the folder should be", encoding="utf-8")
    cache = HolidayCache(tmp_path / "var" / "cache" / "holidays.json")
    assert cache(2021, "government") == package_holidays(2021, "government")


def test_an_install_keeps_it_beside_the_artefact_store(tmp_path: Path) -> None:
    settings = Settings(storage=StorageSettings(artefacts_dir=tmp_path / "var" / "artefacts"))
    assert cache_file(settings) == tmp_path / "var" / "cache" / "holidays.json"


def test_a_new_process_answers_from_the_file_without_importing_holidays(tmp_path: Path) -> None:
    path = tmp_path / "holidays.json"
    HolidayCache(path)(2021, "public")
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from sop_engine.holiday_cache import HolidayCache\n"
        f"days = HolidayCache(Path({str(path)!r}))(2021, 'public')\n"
        "print(len(days), 'holidays' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.split() == [str(len(package_holidays(2021, "public"))), "False"]
