"""Driving the console in Debian's Chromium with Playwright (never a downloaded browser).

Every page a test opens is screenshotted to test-output/screenshots/ (for a person to
look at), and any JavaScript console error or uncaught page error fails the test.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TABLET = {"width": 1180, "height": 820}  # a 10-11" tablet in landscape, at a counter
OFFICE = {"width": 1280, "height": 800}  # the smallest office screen in HR


def chromium_available() -> bool:
    if shutil.which("chromium") is None:
        return False
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=LAUNCH_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Tab:
    """One browser tab of one person, collecting console errors as it goes."""

    page: Any
    base_url: str
    errors: list[str] = field(default_factory=list)

    def open(self, path: str) -> Any:
        self.page.goto(self.base_url + path)
        self.page.wait_for_load_state("networkidle")
        return self.page

    def shot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.wait_for_load_state("networkidle")
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def sign_in(self, username: str, password: str) -> None:
        self.open("/admin/sign-in")
        self.page.fill("#f-username", username)
        self.page.fill("#f-password", password)
        self.page.click("main form button[type=submit]")
        self.page.wait_for_url(f"{self.base_url}/admin/")

    def csrf_token(self) -> str:
        return str(self.page.locator("input[name=csrf_token]").first.get_attribute("value"))


@contextmanager
def tab(browser: Any, base_url: str, viewport: dict[str, int] = TABLET) -> Iterator[Tab]:
    context = browser.new_context(viewport=viewport, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    opened = Tab(page, base_url)
    page.on(
        "console",
        lambda message: (
            opened.errors.append(f"console: {message.text}") if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: opened.errors.append(f"page error: {error}"))
    try:
        yield opened
    finally:
        context.close()
    assert opened.errors == [], "JavaScript errors in the console:\n" + "\n".join(opened.errors)
