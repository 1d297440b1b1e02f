""" "Mulai kasus" in the web menu and on the start form: for the roles of each SOP's ``dimulai_oleh`` only
(an office with the LAKIP SOP, the fixture SOP started by the arsiparis, and one started by two roles)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sop_engine.context import Context
from tests.policy_support import FIXTURE, office_context
from tests.web_support import Site, elements

#: A third SOP, started by the Ketua or the Sekretaris.
RAPAT = (
    FIXTURE.read_text(encoding="utf-8")
    .replace('id = "surat-masuk"', 'id = "rapat"')
    .replace('judul = "Penerimaan Surat Masuk"', 'judul = "Rapat Pleno"')
    .replace('dimulai_oleh = ["arsiparis"]', 'dimulai_oleh = ["ketua", "sekretaris"]')
)


@pytest.fixture
def site(ctx: Context, tmp_path: Path) -> Site:
    office = office_context(ctx, tmp_path)
    (office.settings.workflows_dir / "rapat.toml").write_text(RAPAT, encoding="utf-8")
    return Site(office, tmp_path)


def _links(site: Site, user: str) -> int:
    """The links to the start form on the (empty) case list: the menu's and the empty list's."""
    return sum(1 for a in elements(site.as_(user).get("/kasus").text, "a") if a.get("href") == "/kasus/baru")


def test_the_menu_offers_mulai_kasus_to_the_roles_that_may_start_some_sop(site: Site) -> None:
    assert _links(site, "arsip1") == 2  # an office role outside the START_CASE grant
    assert _links(site, "ketua") == 2 and _links(site, "sekretaris") == 2
    assert _links(site, "staf1") == 0 and _links(site, "inspektorat") == 0
    assert site.as_("staf1").get("/kasus/baru").status_code == 403


def test_the_start_form_lists_the_sops_each_may_start(site: Site) -> None:
    def offered(user: str) -> list[str]:
        return [o["value"] for o in elements(site.as_(user).get("/kasus/baru").text, "option")]

    assert offered("sekretaris") == ["lakip", "rapat"]
    assert offered("ketua") == ["rapat"]
    assert offered("arsip1") == ["surat-masuk"]
    refused = site.as_("ketua").post("/kasus/baru", {"workflow": "lakip", "tahun": "2021"})
    assert refused.status_code == 403
    started = site.as_("ketua").post("/kasus/baru", {"workflow": "rapat", "tahun": "2021"})
    assert started.status_code == 303 and started.headers["location"].startswith("/kasus/rapat-2021-0001")
