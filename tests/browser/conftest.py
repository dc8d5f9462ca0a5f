"""Headless Chromium for the page tests: Debian's `chromium`, driven by Playwright.

`.ci/run` installs the `chromium` package when it is missing; where it cannot be installed
(no root, no package index) these tests skip, saying why. Playwright's own browser builds are
never downloaded: the system browser is launched by path (CLAUSE_CHROMIUM overrides it), with
the flags that keep it quiet on a closed network, and each test gets a fresh context (a new
profile: no cache, no cookies, nothing shared between pages).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("CLAUSE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(
            f"no Chromium at {CHROMIUM}: install Debian's `chromium` package "
            "(.ci/run does so when it runs as root) to run the browser tests"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright is not installed: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield launched
        launched.close()


@dataclass
class Opened:
    """A page opened from a file, with every request it made and every error it logged."""

    page: Any
    url: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def fetched(self) -> list[str]:
        """Requests other than the page itself: there must be none."""
        return [r for r in self.requests if r != self.url]


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    """open_page(path) -> Opened: the file loaded in a fresh context, any network request
    recorded and refused, console errors and uncaught page errors recorded."""
    contexts: list[Any] = []

    def run(path: Path) -> Opened:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        opened = Opened(page, path.resolve().as_uri())
        page.on("request", lambda request: opened.requests.append(request.url))
        page.on(
            "console",
            lambda msg: (
                opened.errors.append(msg.text) if msg.type in ("error", "warning") else None
            ),
        )
        page.on("pageerror", lambda exc: opened.errors.append(str(exc)))

        def route(r: Any) -> None:
            if r.request.url == opened.url:
                r.continue_()
            else:
                r.abort()

        context.route("**/*", route)
        page.goto(opened.url, wait_until="load")
        return opened

    yield run
    for context in contexts:
        context.close()
