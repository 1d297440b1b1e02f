"""Screenshots of the web pages for the docs: ``python docs/screenshots.py`` -> ``docs/images/web/*.png``.

Builds a throw-away demo install in a temporary folder (the fictional demo people, a fixed
clock), plays the LAKIP 2021 case through the services to a mid-point: step 4 finished late,
step 7 sent back to step 6, step 6 redone, step 7 under way. Then serves the app on loopback
and photographs each page in Debian's headless Chromium at desktop width (1280 px) and phone
width (390 px, 2x): ``<page>-desktop.png`` and ``<page>-phone.png``. The pages shown must obey
the Content Security Policy; a violation stops the script with exit status 1.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import timedelta
from pathlib import Path

# The test helpers (live server, browser, documents) are reused: the repository root goes on the path.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sop_engine import api_tokens, cases, workflows
from sop_engine.clock import FixedClock
from sop_engine.context import Context
from sop_engine.demo import DEMO_PEOPLE, DEMO_START, SCRIPT
from sop_engine.durations import parse_duration
from sop_engine.install import initialise
from tests.browser_support import (
    ENGLISH_WIDGETS_WARNING,
    PHONE,
    Browsing,
    chromium,
    complete_with_services,
    indonesian_ui_installed,
    serve,
)
from tests.conftest import ROOT, make_settings
from tests.web_support import give_passwords

OUT = ROOT / "docs" / "images" / "web"
CODE = "lakip-2021"
#: The demo script up to the redone step 6: step 4 runs 2 hours late, step 7 returns to 6.
PLAYED = SCRIPT[:8]
#: Working time step 7 has been under way when the pictures are taken.
UNDER_WAY = timedelta(hours=2)

#: (file name, who is logged in or None, path)
SHOTS: tuple[tuple[str, str | None, str], ...] = (
    ("login", None, "/masuk"),
    ("tugas", "kasubag", "/tugas"),
    ("kasus", "kasubag", f"/kasus/{CODE}"),
    ("audit", "inspektorat", "/audit"),
    ("orang", "admin", "/orang"),
    ("orang-akun", "admin", "/orang/staf1"),
)
VIEWPORTS: tuple[tuple[str, dict[str, object]], ...] = (
    ("desktop", {"viewport": {"width": 1280, "height": 800}}),
    ("phone", PHONE),
)


def play(ctx: Context, clock: FixedClock, folder: Path) -> cases.CaseRecord:
    """Start the 2021 case and play :data:`PLAYED`, each action after its working time."""
    steps = workflows.show(ctx, "lakip").steps
    case = cases.start_case(ctx, "lakip", 2021, "sekretaris")
    for no, actor, spent, back_to, text in PLAYED:
        activated = case.steps[no - 1].activated_at
        if activated is None:
            raise RuntimeError(f"the script is out of order: step {no} is not active")
        clock.set(ctx.calendar.add(activated, ctx.calendar.budget_seconds(parse_duration(spent))))
        if back_to:
            case = cases.return_step(ctx, CODE, no, back_to, actor, text)
        else:
            case = complete_with_services(ctx, CODE, steps[no - 1], folder, text, by=actor)
    clock.set(ctx.calendar.add(clock.now(), int(UNDER_WAY.total_seconds())))
    return case


def photograph(browsing: Browsing) -> list[Path]:
    """Every page of :data:`SHOTS` at every width of :data:`VIEWPORTS`; the files written."""
    written = []
    for name, login, path in SHOTS:
        for width_name, options in VIEWPORTS:
            target = OUT / f"{name}-{width_name}.png"
            if login is None:
                page = browsing.page(**options)
                page.goto(path)
                page.screenshot(path=target, full_page=True)
            else:
                with browsing.signed_in(login, **options) as page:
                    page.goto(path)
                    page.screenshot(path=target, full_page=True)
            written.append(target)
    return written


def main() -> int:
    if not indonesian_ui_installed():
        print(f"warning: {ENGLISH_WIDGETS_WARNING}", file=sys.stderr)
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sop-screenshots-") as folder:
        root = Path(folder)
        clock = FixedClock(DEMO_START)
        ctx = Context.open(make_settings(root), clock=clock)
        try:
            initialise(ctx, DEMO_PEOPLE)
            give_passwords(ctx)
            play(ctx, clock, root)
            api_tokens.issue_token(ctx, "staf1", "integrasi-sipd", by="admin")  # a row in the token table
            with serve(ctx) as url, chromium() as browser:
                browsing = Browsing(browser, url)
                try:
                    written = photograph(browsing)
                finally:
                    browsing.close()
        finally:
            ctx.db.dispose()
    for path in written:
        print(path.relative_to(ROOT))
    if browsing.csp_violations:
        print("Content Security Policy violations:", *browsing.csp_violations, sep="\n", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
