"""WebKit's reports reach the receiver, over HTTP and HTTPS.

WebKitGTK (Safari's engine; Debian's ``webkit2gtk-driver`` and MiniBrowser,
under a virtual X display) is driven through Selenium. A Talisman page
blocks an inline script (enforced policy) and reports a Trusted Types sink
(report-only policy). Over HTTPS the headers name a ``report-to`` endpoint
and WebKit posts one Reporting API report per violation, as a single object
labelled ``application/csp-report``; over plain HTTP ``report-to`` is left
out and WebKit posts to ``report-uri`` without a ``disposition``. Both
arrive, each with the disposition of its policy.

Without WebKitWebDriver, MiniBrowser, Xvfb or Selenium these tests skip,
unless ``TALISMAN_BROWSER_TESTS=required``: then they fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from flask_talisman import Report, Talisman, csp_nonce

from ..conftest import collect_reports
from .conftest import Certificate, _serve, _unavailable, tls_context, wait_for

pytestmark = pytest.mark.browser

DRIVER = "/usr/bin/WebKitWebDriver"
MINIBROWSER = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser"
PAGE = """<!doctype html><title>webkit</title><body>
<script>var inline = 1;</script>
<script nonce="{nonce}">document.body.innerHTML = "<b>sink</b>";</script>
"""


def _missing() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "the Python package selenium is not installed"
    for path in (DRIVER, MINIBROWSER):
        if not os.access(path, os.X_OK):
            return f"{path} is not installed (webkit2gtk-driver)"
    if shutil.which("Xvfb") is None:
        return "Xvfb is not installed (xvfb)"
    return None


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    """A virtual X display: MiniBrowser has no headless mode."""
    problem = _missing()
    if problem is not None:
        _unavailable(problem)
    read, write = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x1024x24",
         "-nolisten", "tcp"],
        pass_fds=(write,),
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    os.close(write)
    with os.fdopen(read) as numbers:
        number = numbers.readline().strip()
    try:
        yield f":{number}"
    finally:
        xvfb.terminate()
        xvfb.wait(10)


@pytest.fixture(scope="module")
def webkit(display: str) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.webkitgtk.options import Options
    from selenium.webdriver.webkitgtk.service import Service

    options = Options()
    options.binary_location = MINIBROWSER
    options.add_argument("--automation")
    # The test's throw-away certificate (WebKitWebDriver has no way to
    # trust one key only).
    options.set_capability("acceptInsecureCerts", True)
    service = Service(DRIVER, env={**os.environ, "DISPLAY": display})
    with warnings.catch_warnings():
        # Selenium's own WebKitGTK driver uses an API Selenium deprecated.
        warnings.filterwarnings(
            "ignore", "setting remote_server_addr", DeprecationWarning
        )
        driver = webdriver.WebKitGTK(options=options, service=service)
    driver.set_page_load_timeout(20)
    yield driver
    driver.quit()


def make_app() -> tuple[Flask, list[Report]]:
    app = Flask("webkit")
    Talisman(
        app,
        force_https=False,
        content_security_policy={"default-src": "'self'"},
        content_security_policy_nonce_in=["script-src"],
        content_security_policy_report_only="require-trusted-types-for 'script'",
        report_receiver="/talisman/reports",
    )

    @app.route("/")
    def page() -> str:
        return PAGE.format(nonce=csp_nonce())

    return app, collect_reports(app)


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_webkits_reports_arrive_with_their_disposition(
    webkit: Any, certificate: Certificate | None, scheme: str
) -> None:
    app, received = make_app()
    tls = None
    if scheme == "https":
        tls = tls_context(certificate)
    with _serve(app, tls) as (server, recorder):
        url = f"{scheme}://127.0.0.1:{server.server_port}/?run={uuid.uuid4().hex}"
        webkit.get(url)

        def both() -> dict[str, str]:
            found = {
                report.body.get("effectiveDirective"): report.body.get("disposition")
                for report in received
                if report.body.get("documentURL") == url
            }
            return found if len(found) == 2 else {}

        assert wait_for(both, timeout=15) == {
            "script-src-elem": "enforce",
            "require-trusted-types-for": "report",
        }
    posted = {
        (path, kind) for method, path, kind in recorder.requests if method == "POST"
    }
    # Over HTTPS through report-to, as one object each; over HTTP to
    # report-uri (the report-only policy's with ?disposition=report).
    assert posted == {("/talisman/reports", "application/csp-report")}


def test_webkit_reports_to_a_mounted_apps_receiver(webkit: Any) -> None:
    """Mounted at /shop: the report-uri names /shop/talisman/reports."""
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    app, received = make_app()
    mounted = DispatcherMiddleware(Flask("outer"), {"/shop": app.wsgi_app})
    with _serve(mounted, None) as (server, recorder):  # type: ignore[arg-type]
        url = f"http://127.0.0.1:{server.server_port}/shop/?run={uuid.uuid4().hex}"
        webkit.get(url)
        assert wait_for(
            lambda: len([r for r in received if r.body.get("documentURL") == url]) == 2,
            timeout=15,
        )
    assert {path for method, path, _ in recorder.requests if method == "POST"} == {
        "/shop/talisman/reports"
    }
