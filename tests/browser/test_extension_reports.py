"""What each engine reports when a browser extension trips the page's CSP.

A small extension, loaded into Debian's Chromium (unpacked, with
``--load-extension``) and Firefox ESR (installed over WebDriver BiDi by
puppeteer-core), puts an inline ``<style>``, an inline ``<script>`` and an
image from another site into every page, as ad blockers, password managers
and translators do. The page, under Talisman's default policy with the
built-in receiver, also runs an inline script of its own. Only the reports
the extension's code caused, and that name it, are
:attr:`~flask_talisman.Report.from_extension`.

What the engines send (CSP3's "strip URL for use in reports" leaves a
non-HTTP(S) URL as its bare scheme):

* Chromium, for a content script running in the page's world: its
  ``<style>`` and ``<script>``, with ``source-file`` ``"chrome-extension"``,
  and its image, with nothing that names the extension (``blocked-uri`` is
  the image's URL, no ``source-file``): that report cannot be told from the
  page's own. (A content script in its own isolated world is not checked
  against the page's policy at all.)
* Firefox: the ``<script>``, with ``source-file`` ``"moz-extension"``; the
  ``<style>`` and the image are not checked.

WebKitGTK has no web extensions (Safari's are an Apple platform feature),
so WebKit is not run here; its schemes (``safari-web-extension``,
``safari-extension``, ``webkit-masked-url``) are known from reports in the
wild. The bodies this test saw are in ``tests/data/extension_reports.json``,
read by ``tests/test_report_types.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from flask_talisman import CSPViolation, Report, Talisman, redact

from ..conftest import collect_reports
from .conftest import LAUNCH_ARGS, _serve, wait_for
from .engines import CHROMIUM, FIREFOX, _puppeteer_core, require

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("disconnect_report_receivers"),
]

PAGE = "<!doctype html><title>extension</title><body><script>var own = 1;</script>"
INJECT = """
const style = document.createElement("style");
style.textContent = "body { color: red }";
document.head.append(style);
const script = document.createElement("script");
script.textContent = "window.injected = 1;";
document.head.append(script);
const image = document.createElement("img");
image.src = "https://tracker.invalid/pixel.gif";
document.body.append(image);
"""
CHROMIUM_MANIFEST = {
    "manifest_version": 3,
    "name": "talisman test extension",
    "version": "1.0",
    "content_scripts": [
        {"matches": ["<all_urls>"], "js": ["inject.js"], "world": "MAIN"}
    ],
}
FIREFOX_MANIFEST = {
    "manifest_version": 2,
    "name": "talisman test extension",
    "version": "1.0",
    "browser_specific_settings": {"gecko": {"id": "talisman-test@example.org"}},
    "content_scripts": [{"matches": ["<all_urls>"], "js": ["inject.js"]}],
}
# Loads one page in Firefox with the extension installed, then waits for its
# reports to be sent.
FIREFOX_DRIVER = """
const puppeteer = require(process.env.PUPPETEER_CORE);
(async () => {
  const browser = await puppeteer.launch({
    browser: "firefox", executablePath: process.env.FIREFOX, headless: true,
  });
  await browser.installExtension(process.env.EXTENSION);
  const page = await browser.newPage();
  await page.goto(process.env.URL, { waitUntil: "load" });
  await new Promise((resolve) => setTimeout(resolve, 2000));
  await browser.close();
})().catch((error) => { console.error(String(error)); process.exit(1); });
"""
SCHEME = {"chromium": "chrome-extension", "firefox": "moz-extension"}


def make_app() -> Flask:
    app = Flask("extension")
    Talisman(app, force_https=False, report_receiver="/talisman/reports")

    @app.route("/<run>")
    def page(run: str) -> str:
        return PAGE

    return app


def extension(folder: Path, manifest: dict[str, Any]) -> Path:
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps(manifest))
    (folder / "inject.js").write_text(INJECT)
    return folder


def visit_in_chromium(url: str, folder: Path, driver: Any) -> None:
    # The package's Playwright (conftest): a second one cannot start in a
    # process where the first is running.
    context = driver.chromium.launch_persistent_context(
        str(folder / "profile"),
        executable_path=CHROMIUM,
        headless=True,
        # Playwright starts Chromium with extensions off.
        ignore_default_args=["--disable-extensions"],
        args=[
            *LAUNCH_ARGS,
            f"--disable-extensions-except={folder / 'chromium'}",
            f"--load-extension={folder / 'chromium'}",
        ],
    )
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector("style", state="attached")  # the extension ran
    finally:
        context.close()


def visit_in_firefox(url: str, folder: Path) -> None:
    script = folder / "drive.js"
    script.write_text(FIREFOX_DRIVER)
    subprocess.run(
        ["node", str(script)],
        check=True,
        capture_output=True,
        timeout=120,
        env={
            **os.environ,
            "PUPPETEER_CORE": str(_puppeteer_core()),
            "FIREFOX": FIREFOX,
            "EXTENSION": str(folder / "firefox"),
            "URL": url,
        },
    )


#: (effective directive, source file, from_extension) of each report, with
#: "page" for the page's own URL.
EXPECTED: dict[str, set[tuple[str, str | None, bool]]] = {
    "chromium": {
        ("style-src-elem", "chrome-extension", True),
        ("script-src-elem", "chrome-extension", True),
        ("img-src", None, False),
        ("script-src-elem", "page", False),
    },
    "firefox": {
        ("script-src-elem", "moz-extension", True),
        ("script-src-elem", "page", False),
    },
}


def seen(reports: list[Report], url: str) -> set[tuple[Any, Any, bool]]:
    found = set()
    for report in reports:
        assert isinstance(report, CSPViolation)
        source = "page" if report.source_file == url else report.source_file
        found.add((report.effective_directive, source, report.from_extension))
    return found


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_only_what_names_the_extension_is_marked(
    name: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    require(name)
    manifest = CHROMIUM_MANIFEST if name == "chromium" else FIREFOX_MANIFEST
    extension(tmp_path / name, manifest)
    app = make_app()
    received = collect_reports(app)
    with _serve(app) as (server, _):
        url = f"http://127.0.0.1:{server.server_port}/{uuid.uuid4().hex}"
        if name == "chromium":
            visit_in_chromium(url, tmp_path, request.getfixturevalue("playwright"))
        else:
            visit_in_firefox(url, tmp_path)

        def mine() -> list[Report]:
            found = [r for r in received if r.body.get("documentURL") == url]
            return found if len(found) >= len(EXPECTED[name]) else []

        reports = wait_for(mine, timeout=15) or [
            r for r in received if r.body.get("documentURL") == url
        ]
    assert seen(reports, url) == EXPECTED[name], [dict(r.body) for r in reports]
    assert len(reports) == len(EXPECTED[name])
    for report in reports:
        assert redact(report).from_extension == report.from_extension
