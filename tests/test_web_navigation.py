"""The menu marks the entry a page belongs to, sub-pages included (an account page under Orang)."""

from __future__ import annotations

import pytest

from sop_engine.web.rendering import current_nav


@pytest.mark.parametrize(
    ("path", "entry"),
    [
        ("/tugas", "/tugas"),
        ("/kasus", "/kasus"),
        ("/kasus/lakip-2021", "/kasus"),
        ("/kasus/lakip-2021/langkah/2", "/kasus"),
        ("/kasus/baru", "/kasus/baru"),
        ("/orang", "/orang"),
        ("/orang/staf1", "/orang"),
        ("/audit", "/audit"),
        ("/", None),
        ("/kasusku", None),
    ],
)
def test_the_menu_entry_of_a_page(path: str, entry: str | None) -> None:
    assert current_nav(path) == entry


def test_working_time_reads_in_working_days_of_the_office() -> None:
    """The pages' ``waktu_kerja`` filter counts whole working days (7.5 hours by default) as the CLI and the
    notifications do, not "terlambat 1603 jam": hours and minutes only below a day."""
    from sop_engine.web.rendering import ENVIRONMENT

    shown = ENVIRONMENT.from_string("{{ s | waktu_kerja }}")
    assert shown.render(s=-30_600) == "terlambat 1 hari 1 jam"
    assert shown.render(s=2 * 27_000 + 900) == "2 hari 15 menit"
    assert shown.render(s=2_700) == "45 menit"
