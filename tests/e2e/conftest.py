"""Browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium) against the live test server.

Screenshots of the key pages are saved to docs/screenshots/ so readers can see the product. Where no
browser is installed the tests are skipped, unless SMARTUNION_REQUIRE_BROWSER is set (as in CI), where a
missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make to set up data
# are still plain synchronous calls, which Django would otherwise refuse next to a running loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("SMARTUNION_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP = {"viewport": {"width": 1440, "height": 900}, "device_scale_factor": 1}
CHROMIUM_ARGS = [
    "--headless=new",
    "--lang=zh-CN",  # native date and month inputs in Chinese, like the pages
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        message = f"{CHROMIUM} is not installed (apt install chromium fonts-wqy-zenhei)"
        if os.environ.get("SMARTUNION_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _page(browser: Any, options: dict[str, Any]) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    yield from _page(browser, PHONE)


@pytest.fixture
def desktop(browser: Any) -> Iterator[Any]:
    yield from _page(browser, DESKTOP)


def screenshot(page: Any, name: str, *, full_page: bool = True) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def login(page: Any, base_url: str, staff_no: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", staff_no)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


# Chinese glyphs must render as glyphs, not as tofu boxes: every missing glyph is drawn as the same
# .notdef box, so distinct characters drawing identical pixels means the font is missing.
GLYPH_CHECK = """
(chars) => {
  const font = getComputedStyle(document.body).fontFamily;
  const images = chars.map((ch) => {
    const canvas = document.createElement('canvas');
    canvas.width = 48; canvas.height = 48;
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#000';
    ctx.font = '40px ' + font;
    ctx.textBaseline = 'top';
    ctx.fillText(ch, 4, 4);
    return canvas.toDataURL();
  });
  return new Set(images).size;
}
"""


def assert_chinese_renders(page: Any) -> None:
    chars = ["工", "会", "登", "录", "福", "利"]
    distinct = page.evaluate(GLYPH_CHECK, chars)
    assert distinct == len(chars), "Chinese characters render as identical boxes: no CJK font is installed"
