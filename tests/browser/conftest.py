"""Fixtures for the browser tests: a live server, Debian's Chromium, and a checked page.

The live server is the real application (CSRF on) on its own database for each backend,
served by werkzeug in a daemon thread. Each test gets a fresh browser context and a
``CheckedPage`` that runs axe-core after every page it reaches and fails the test on a
serious or critical accessibility violation, a JavaScript error or a CSP violation.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from tests import builders
from tests.conftest import _drop_postgres, _worker, clean_database, database_url_for, make_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
AXE = Path(__file__).resolve().parents[2] / "workforce" / "static" / "vendor" / "axe" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
FAILING_IMPACTS = ("serious", "critical")
LABEL = "browser"
LOGGED_ERROR = re.compile(r"^[A-Z]\w*Error\b")


@dataclass
class LiveServer:
    """The application being served, and where."""

    app: Flask
    url: str
    backend: str

    def context(self) -> Any:
        """An application context on the served app, for arranging data with builders."""
        return self.app.app_context()


# ---------------------------------------------------------------------------------------
# The live server


@pytest.fixture(scope="session")
def _live_server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app with CSRF on, on a migrated database with the code lists, served on a port."""
    from flask_migrate import upgrade

    tmp = tmp_path_factory.mktemp(f"{LABEL}-{backend}")
    app = make_app(database_url_for(backend, tmp, LABEL), tmp, WTF_CSRF_ENABLED=True)
    with app.app_context():
        upgrade()
        builders.load_reference()
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, name=f"live-server-{backend}", daemon=True
    )
    thread.start()
    try:
        yield LiveServer(app=app, url=f"http://127.0.0.1:{server.server_port}", backend=backend)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            from workforce.extensions import db

            db.session.remove()
            db.engine.dispose()
        if backend == "postgresql":
            _drop_postgres(f"workforce_test_{LABEL}_{_worker()}")


@pytest.fixture
def live_server(_live_server: LiveServer) -> Iterator[LiveServer]:
    """The live server; the database is emptied (code lists kept) after each test."""
    yield _live_server
    clean_database(_live_server.app)


# ---------------------------------------------------------------------------------------
# The browser


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core, as built into the static folder by scripts/build-assets."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run scripts/build-assets (it copies axe-core from npm)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} is not installed (apt-get install -y chromium; scripts/test "
            "installs it), so the browser tests cannot run"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    """Keep each phase's report on the test, so fixtures can tell whether it failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


class BrowserProblem(AssertionError):
    """The page broke a rule every page must keep."""


class CheckedPage:
    """A Playwright page that is checked after every page it reaches.

    ``visit`` and ``follow`` navigate, then call ``check``: axe-core must find no serious
    or critical violation, and the console must hold no error (CSP violations and failed
    loads are logged as errors) and no uncaught exception.
    """

    def __init__(self, page: Any, base_url: str, axe: str) -> None:
        self.page = page
        self.base_url = base_url
        self._axe = axe
        self.problems: list[str] = []
        self.dialogs: list[str] = []
        self.screenshots: list[tuple[str, bytes]] = []
        self.keep_screenshots = False
        self._expected_failures: set[str] = set()
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"Uncaught exception: {error}"))
        page.on("dialog", self._on_dialog)

    # -- listeners ----------------------------------------------------------------------

    def _on_console(self, message: Any) -> None:
        # GOV.UK Frontend reports components it could not start (and an unsupported page)
        # by console.log-ing the Error, so a logged "SomethingError: ..." counts too.
        if message.type != "error" and not LOGGED_ERROR.match(message.text):
            return
        where = message.location.get("url", "")
        if "Failed to load resource" in message.text and where in self._expected_failures:
            return  # the document itself answered with the error status the test expects
        self.problems.append(f"Console error at {where or 'unknown'}: {message.text}")

    def _on_dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.accept()

    # -- navigation ---------------------------------------------------------------------

    def url_for(self, path: str) -> str:
        """An absolute address on the live server."""
        return path if path.startswith("http") else self.base_url + path

    def visit(self, path: str, status: int = 200) -> Any:
        """Go to ``path``, expect ``status``, then check the page."""
        url = self.url_for(path)
        if status >= 400:
            self._expected_failures.add(url)
        response = self.page.goto(url)
        assert response is not None, f"No response for {url}"
        assert response.status == status, f"{url} answered {response.status}, not {status}"
        self.check()
        return response

    def follow(self, locator: Any, status: int = 200) -> Any:
        """Click ``locator`` (a link or a submit button), wait for the next page, check it."""
        with self.page.expect_navigation() as navigation:
            locator.click()
        response = navigation.value
        assert response is not None, "The click did not load a page"
        assert response.status == status, f"{response.url} answered {response.status}, not {status}"
        self.check()
        return response

    # -- checks ---------------------------------------------------------------------------

    def check(self) -> None:
        """Check the page now showing: accessibility, console and scripts."""
        if self.keep_screenshots:
            self.screenshots.append((self.page.url, self.page.screenshot(full_page=True)))
        self.check_accessibility()
        self.check_console()

    def check_console(self) -> None:
        """Fail on any console error or uncaught exception so far."""
        if self.problems:
            problems, self.problems = self.problems, []
            raise BrowserProblem(
                f"The browser reported problems on {self.page.url}:\n  " + "\n  ".join(problems)
            )

    def check_accessibility(self) -> None:
        """Run axe-core on the page; fail on any serious or critical violation."""
        # Evaluated over the DevTools protocol, so the page's CSP (script-src 'self') allows it.
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.evaluate(self._axe + "\n;undefined")
        violations = self.page.evaluate(
            """async (tags) => {
                const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
                return results.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                    targets: v.nodes.map(n => n.target.join(' ')),
                }));
            }""",
            AXE_TAGS,
        )
        failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
        if failing:
            lines = [
                f"axe-core found {len(failing)} serious or critical violation(s) on "
                f"{self.page.url} ({self.page.title()!r}):"
            ]
            for v in failing:
                lines.append(f"  - {v['id']} ({v['impact']}): {v['help']} [{v['helpUrl']}]")
                lines.extend(f"      at {target}" for target in v["targets"][:10])
                if len(v["targets"]) > 10:
                    lines.append(f"      ... and {len(v['targets']) - 10} more")
            raise BrowserProblem("\n".join(lines))

    # -- common steps ---------------------------------------------------------------------

    def sign_in(self, email: str, password: str) -> None:
        """Sign in through the form on /login; land on the home page."""
        self.visit("/login")
        self.page.get_by_label("Email address", exact=True).fill(email)
        self.page.get_by_label("Password", exact=True).fill(password)
        self.follow(self.page.get_by_role("button", name="Sign in", exact=True))
        assert self.page.url.rstrip("/") == self.base_url, f"Sign-in landed on {self.page.url}"

    def sign_out(self) -> None:
        """Sign out with the button in the header."""
        self.follow(self.page.get_by_role("button", name="Sign out", exact=True))
        assert "/login" in self.page.url, f"Sign-out landed on {self.page.url}"

    def service_navigation(self) -> Any:
        """The section links in the service navigation (not the service name or sign-out)."""
        return (
            self.page.locator(".govuk-service-navigation")
            .get_by_role("navigation", name="Sections")
            .get_by_role("link")
        )


@pytest.fixture
def ui(
    chromium: Any,
    live_server: LiveServer,
    axe_source: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> Iterator[CheckedPage]:
    """A checked page in a fresh browser context on the live server."""
    context = chromium.new_context(
        base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = CheckedPage(context.new_page(), live_server.url, axe_source)
    try:
        yield page
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            _save_screenshots(page, tmp_path)
        elif report is not None and report.passed:
            page.check_console()  # anything logged after the test's last check
    finally:
        context.close()


def _save_screenshots(page: CheckedPage, folder: Path) -> None:
    """Write the pages kept so far, and the page showing at the failure, into ``folder``."""
    shots = list(page.screenshots)
    with contextlib.suppress(Exception):  # the page may be gone; the earlier shots still help
        shots.append((page.page.url, page.page.screenshot(full_page=True)))
    for number, (url, png) in enumerate(shots, start=1):
        slug = "".join(c if c.isalnum() else "-" for c in url.split("//", 1)[-1])[:80]
        (folder / f"{number:02d}-{slug}.png").write_bytes(png)
    if shots:
        print(f"\nScreenshots of the pages in this test: {folder}")
