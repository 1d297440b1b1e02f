"""Real-browser support: the app on a live loopback server, Debian's Chromium driven by Playwright.

Used by ``tests/test_web_browser.py`` (as a pytest plugin: ``pytest_plugins``) and by
``docs/screenshots.py``. The server runs uvicorn in a daemon thread on a socket bound to a free
loopback port; the app's context keeps the caller's clock, so a test moves time between steps.
Chromium is the system package (``apt-get install chromium``); browsers are never downloaded.
It runs in Indonesian, as the people using the product see their browsers: see :data:`UI_LANGUAGE`.
Every page opened through :class:`Browsing` reports Content-Security-Policy violations it sees in
the console, and the ``browsing`` fixture fails the test that caused one.

PYTEST_DONT_REWRITE: test modules import the helpers before ``pytest_plugins`` registers this
module, so pytest could not rewrite its asserts anyway (and would warn); its assertions carry
their own messages instead.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Locator, Page, sync_playwright

from sop_engine import cases
from sop_engine.artefacts import IncomingFile
from sop_engine.context import Context
from sop_engine.definitions import FileRule, StepDef
from sop_engine.web.app import create_app
from tests.conftest import need
from tests.helpers import docx, pdf
from tests.web_support import PASSWORD, give_passwords

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-extensions",
    "--no-first-run",
]

#: Chromium's own words (the file input's "Pilih File" / "Tidak ada file yang dipilih", the bubble of a
#: required field, a date field's placeholder) come from Debian's ``chromium-l10n``. On Linux Chromium
#: takes its UI language from the LANGUAGE/LANG environment of its process; ``--lang`` is ignored there,
#: and the context's ``locale`` only sets navigator.language and Accept-Language. Without the package
#: Chromium falls back to English and the tests still run (see :func:`indonesian_ui_installed`).
UI_LANGUAGE = "id"
#: The context locale: navigator.language, Accept-Language, number and date formats of the page.
LOCALE = "id-ID"
CHROMIUM_LOCALES = Path("/usr/lib/chromium/locales")

ENGLISH_WIDGETS_WARNING = (
    f"Chromium has no Indonesian strings ({CHROMIUM_LOCALES}/{UI_LANGUAGE}.pak): its own widgets in the"
    " screenshots read in English; apt-get install chromium-l10n"
)

#: How long to wait for the server thread to accept connections (polled in 20 ms steps).
START_TIMEOUT_SECONDS = 10.0
POLL_SECONDS = 0.02

#: Playwright's wait for a selector or navigation (its default, 30 s, only slows down a failure).
ACTION_TIMEOUT_MS = 10_000

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


#: The env var that asks the browser tests to save their screenshots, and the folder (say docs/images/web).
SCREENSHOTS_ENV = "SOP_SCREENSHOTS"


def chromium_path() -> str | None:
    """Debian's Chromium, if installed."""
    found = shutil.which("chromium")
    if found:
        return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def indonesian_ui_installed() -> bool:
    """Whether Chromium has its Indonesian strings (``apt-get install chromium-l10n``)."""
    return (CHROMIUM_LOCALES / f"{UI_LANGUAGE}.pak").exists()


#: The demo person who does the steps of each role.
PERSON_OF_ROLE = {"ketua": "ketua", "sekretaris": "sekretaris", "kasubag_program": "kasubag", "staf": "staf1"}


def attachment_for(step: StepDef, folder: Path, round_no: int = 1) -> Path | None:
    """A small real document for ``step`` when it requires one: the first of its kinds we can make."""
    if step.file_rule is not FileRule.REQUIRED:
        return None
    stem = f"langkah-{step.no}-putaran-{round_no}"
    for kind in step.file_kinds:
        if kind == "pdf":
            return pdf(folder, f"{stem}.pdf", text=f"{step.output} (langkah {step.no}, putaran {round_no})")
        if kind == "docx":
            return docx(folder, f"{stem}.docx")
    raise AssertionError(f"step {step.no} takes none of pdf, docx: {step.file_kinds}")


def complete_with_services(
    ctx: Context, code: str, step: StepDef, folder: Path, note: str, by: str | None = None
) -> cases.CaseRecord:
    """Complete the active ``step`` directly through the service, as ``by`` (default: its role's demo person)."""
    round_no = cases.get_case(ctx, code).steps[step.no - 1].round
    path = attachment_for(step, folder, round_no)
    files = [IncomingFile.from_path(path)] if path else []
    return cases.complete_step(ctx, code, step.no, by or PERSON_OF_ROLE[step.role], files=files, note=note)


# --- the live server ----------------------------------------------------------------------


@contextmanager
def serve(ctx: Context) -> Iterator[str]:
    """Serve the app over ``ctx`` on a free loopback port; yields its base URL, stops it on exit."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    config = uvicorn.Config(create_app(ctx), host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    try:
        _wait_until_started(server, thread)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=START_TIMEOUT_SECONDS)
        sock.close()


def _wait_until_started(server: uvicorn.Server, thread: threading.Thread) -> None:
    """Poll (bounded) until uvicorn listens; this waits on the server, it stands in for no time."""
    pause = threading.Event()
    for _ in range(int(START_TIMEOUT_SECONDS / POLL_SECONDS)):
        if server.started:
            return
        if not thread.is_alive():
            raise RuntimeError("the live server thread stopped before it started listening")
        pause.wait(POLL_SECONDS)
    raise RuntimeError(f"the live server did not start within {START_TIMEOUT_SECONDS} s")


# --- the browser --------------------------------------------------------------------------


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's headless Chromium under Playwright, in Indonesian; RuntimeError if it is not installed."""
    path = chromium_path()
    if path is None:
        raise RuntimeError("Debian chromium is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path, args=CHROMIUM_ARGS, env={**os.environ, "LANGUAGE": UI_LANGUAGE}
        )
        try:
            yield browser
        finally:
            browser.close()


class Browsing:
    """The people at their browsers: one context (own cookies) per person, CSP violations collected."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.csp_violations: list[str] = []
        self._contexts: list[BrowserContext] = []
        self._desks: dict[str, Page] = {}

    def page(self, **options: Any) -> Page:
        """A new page in a fresh context; ``options`` as for ``browser.new_context`` (default: desktop)."""
        context = self.browser.new_context(base_url=self.base_url, locale=LOCALE, **(DESKTOP | options))
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        self._contexts.append(context)
        page = context.new_page()
        page.on("console", self._on_console)
        return page

    @contextmanager
    def signed_in(self, login: str, **options: Any) -> Iterator[Page]:
        """The page of ``login``'s own browser context (made on first use), logged in; logged out after.

        Without ``options`` the person keeps one desktop context across calls, as one person keeps
        one browser; with ``options`` (say :data:`PHONE`) a fresh context is made for this visit.
        """
        page = self._desks.get(login) if not options else None
        if page is None:
            page = self.page(**options)
            if not options:
                self._desks[login] = page
        log_in(page, login)
        yield page
        log_out(page)

    def close(self) -> None:
        for context in self._contexts:
            context.close()
        self._contexts.clear()
        self._desks.clear()

    def _on_console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.csp_violations.append(f"{message.page.url if message.page else '?'}: {message.text}")


# --- fixtures (registered by ``pytest_plugins = ["tests.browser_support"]``) ----------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium per test module.

    Not per session: while Playwright's sync API is open it leaves its event loop marked as
    running in the main thread, so a later test that calls ``asyncio.run`` (anyio, aiosmtpd)
    would fail with "cannot be called from a running event loop".
    """
    if chromium_path() is None:
        need("Debian chromium (apt-get install chromium)")
    with chromium() as launched:
        yield launched


@pytest.fixture
def live_server(ctx: Context) -> Iterator[str]:
    """The app over the test's ``ctx`` (and so its FixedClock), served on loopback; the base URL."""
    give_passwords(ctx)
    with serve(ctx) as url:
        yield url


@pytest.fixture
def browsing(browser: Browser, live_server: str) -> Iterator[Browsing]:
    """Pages on the live server; the test fails if any page reported a CSP violation."""
    session = Browsing(browser, live_server)
    try:
        yield session
    finally:
        session.close()
    assert not session.csp_violations, "Content Security Policy violations:\n" + "\n".join(session.csp_violations)


# --- people at the keyboard ---------------------------------------------------------------


def log_in(page: Page, login: str, password: str = PASSWORD) -> None:
    """Log in through the form at /masuk and wait for the start page."""
    page.goto("/masuk")
    page.fill("#login", login)
    page.fill("#password", password)
    with page.expect_navigation():
        page.get_by_role("button", name="Masuk").click()
    if "/masuk" in page.url:
        raise AssertionError(f"login of {login!r} failed: {page.inner_text('main')}")


def log_out(page: Page) -> None:
    """Log out with the header's "Keluar" button; the browser lands on the login page."""
    with page.expect_navigation():
        page.get_by_role("button", name="Keluar").click()
    if "/masuk" not in page.url:
        raise AssertionError(f"logout did not reach the login page: {page.url}")


# --- what the person keeps: downloads and screenshots ----------------------------------------


def download(page: Page, link: Locator, folder: Path) -> Path:
    """Click ``link``, save what the browser downloads into ``folder`` under its suggested name."""
    with page.expect_download() as info:
        link.click()
    saved = folder / info.value.suggested_filename
    saved.parent.mkdir(parents=True, exist_ok=True)
    info.value.save_as(saved)
    return saved


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def screenshot(page: Page, name: str, full_page: bool = False) -> None:
    """Save ``name``.png of the page into the folder :data:`SCREENSHOTS_ENV` names; nothing when it is unset.

    Off by default so that a test run never rewrites the committed pictures in docs/images/web.
    Without Chromium's Indonesian strings the pictures are still taken, with a warning: the
    browser's own widgets (the file input's button) then read in English.
    """
    folder = os.environ.get(SCREENSHOTS_ENV)
    if folder:
        if not indonesian_ui_installed():
            warnings.warn(ENGLISH_WIDGETS_WARNING, stacklevel=2)
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=full_page, animations="disabled")
