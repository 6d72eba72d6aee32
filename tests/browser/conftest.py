"""Browser tests: the built site, served on 127.0.0.1, driven by Playwright in Debian's Chromium."""
from __future__ import annotations

import contextlib
import shutil
import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from storymap.inputs.project import Project
from storymap.tools.chromium import CHROMIUM_FLAGS
from storymap.tools.serving import make_server

ROOT = Path(__file__).resolve().parents[2]
#: A phone's screen, in CSS pixels.
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    from build import build

    site = tmp_path_factory.mktemp("browser") / "site"
    assert build(Project(ROOT, site_dir=site)) == 0
    return site


@contextlib.contextmanager
def serving(directory: Path):
    """Serve a folder on 127.0.0.1 (compressed, like a static host) for as long as the block runs."""
    server = make_server(directory, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def base_url(built_site):
    """The site served under a sub-path, as a static host might publish it."""
    served = built_site.parent / "served"
    served.mkdir()
    (served / "between-borders").symlink_to(built_site)
    with serving(served) as url:
        yield url + "between-borders/"


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is needed for the browser tests (apt-get install chromium)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, reduced_motion="reduce")
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    page.errors = []
    page.on("console", lambda msg: page.errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda err: page.errors.append(str(err)))
    yield page


@pytest.fixture
def touch_page(browser):
    """A phone's touch screen (PHONE), its page errors recorded."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  reduced_motion="reduce")
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda err: page.errors.append(str(err)))
    yield page
    context.close()
