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
