"""The report-only COOP, COEP and Permissions-Policy in Chromium, Firefox and WebKit.

One app, served once over HTTPS on 127.0.0.1 (``https://localhost`` on the
same port is another origin), with the built-in receiver. Each page sets one
report-only header through a view's options and then does what the policy
would forbid:

``coop``
    ``cross_origin_opener_policy_report_only="same-origin"``: the page opens
    a cross-origin popup, which writes back to ``window.opener``.
``coep``
    ``cross_origin_embedder_policy_report_only="require-corp"``: the page
    loads a cross-origin image that sends no ``Cross-Origin-Resource-Policy``.
``permissions``
    ``permissions_policy_report_only={"sync-xhr": []}``: the page makes a
    synchronous ``XMLHttpRequest``, with the report going to ``default`` (no
    ``report-to`` parameter: the receiver is that endpoint) or, on a second
    page, to the endpoint ``permissions_policy_report_to`` names.

In every engine the page still works: the popup's message arrives, the
image loads, the request answers 200. A control page per case sets the
enforcing header instead, so that each "still works" is seen to fail where
the policy is enforced.

What each engine reports, as measured (Chromium 156, Firefox ESR 153,
WebKitGTK 2.50), against MDN's compatibility data:

=====================  ==============  ==============  =====================
Report-only header     Chromium        Firefox         WebKit
=====================  ==============  ==============  =====================
COOP                   ``coop``,       nothing (MDN:   nothing (MDN: Safari
                       ``reporting``   no COOP         has no COOP
                                       reporting, bug  ``report-to``)
                                       1652926)
COEP                   ``coep``,       nothing (MDN /  ``coep``,
                       ``reporting``   web-features:   ``reporting``, though
                                       no COEP         web-features lists
                                       reports)        Safari without COEP
                                                       reports
Permissions-Policy     ``permissions-  nothing (MDN:   nothing (MDN: not in
                       policy-         not supported)  Safari)
                       violation``,
                       ``report``
=====================  ==============  ==============  =====================

Chromium names the feature ``policyId`` in the body, where the Permissions
Policy spec and MDN have ``featureId``.
"""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, Response, request

from flask_talisman import Report, Talisman

from ..conftest import collect_reports
from .conftest import Certificate, _serve, settle, tls_context, wait_for
from .engine_table import note
from .engines import Engine

pytestmark = pytest.mark.browser

RECEIVER = "/talisman/reports"
#: A 1x1 transparent PNG.
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)

COOP_PAGE = """<!doctype html><title>coop</title>
<button id="open">open</button>
<script>
window.__messages = [];
addEventListener("message", (event) => window.__messages.push(event.data));
document.getElementById("open").addEventListener("click", () => {
  window.__popup = open("https://localhost:{port}/opened", "_blank");
});
</script>"""
OPENED_PAGE = """<!doctype html><title>opened</title>
<script>
if (window.opener) window.opener.postMessage("opened", "*");
setTimeout(() => window.close(), 2000);
</script>"""
COEP_PAGE = """<!doctype html><title>coep</title>
<script>window.__image = null;</script>
<img src="https://localhost:{port}/pixel.png"
 onload="window.__image = 'loaded'" onerror="window.__image = 'blocked'">"""
PERMISSIONS_PAGE = """<!doctype html><title>permissions</title>
<script>
try {
  const xhr = new XMLHttpRequest();
  xhr.open("GET", "/ping", false);
  xhr.send();
  window.__xhr = String(xhr.status);
} catch (error) {
  window.__xhr = error.name;
}
</script>"""


def make_app() -> Flask:
    app = Flask("report_only_variants")
    talisman = Talisman(
        app,
        force_https=False,
        content_security_policy=False,
        report_receiver=RECEIVER,
        reporting_endpoints={"pp": RECEIVER},
    )

    def page(html: str) -> str:
        port = request.host.rsplit(":", 1)[1]
        return html.replace("{port}", port)

    @app.route("/coop/<run>")
    @talisman(cross_origin_opener_policy_report_only="same-origin")
    def coop(run: str) -> str:
        return page(COOP_PAGE)

    @app.route("/coop-enforced/<run>")
    @talisman(cross_origin_opener_policy="same-origin")
    def coop_enforced(run: str) -> str:
        return page(COOP_PAGE)

    @app.route("/opened")
    def opened() -> str:
        return OPENED_PAGE

    @app.route("/coep/<run>")
    @talisman(cross_origin_embedder_policy_report_only="require-corp")
    def coep(run: str) -> str:
        return page(COEP_PAGE)

    @app.route("/coep-enforced/<run>")
    @talisman(cross_origin_embedder_policy="require-corp")
    def coep_enforced(run: str) -> str:
        return page(COEP_PAGE)

    @app.route("/pixel.png")
    def pixel() -> Response:
        return Response(PIXEL, mimetype="image/png")

    @app.route("/permissions/<run>")
    @talisman(permissions_policy_report_only={"sync-xhr": []})
    def permissions(run: str) -> str:
        return PERMISSIONS_PAGE

    @app.route("/permissions-named/<run>")
    @talisman(
        permissions_policy_report_only={"sync-xhr": []},
        permissions_policy_report_to="pp",
    )
    def permissions_named(run: str) -> str:
        return PERMISSIONS_PAGE

    @app.route("/permissions-enforced/<run>")
    @talisman(permissions_policy={"sync-xhr": []})
    def permissions_enforced(run: str) -> str:
        return PERMISSIONS_PAGE

    @app.route("/ping")
    def ping() -> str:
        return "pong"

    return app


@pytest.fixture(scope="module")
def served(certificate: Certificate | None) -> Iterator[dict[str, Any]]:
    app = make_app()
    received = collect_reports(app)
    with _serve(app, tls_context(certificate)) as (https, log):
        yield {
            "origin": f"https://127.0.0.1:{https.server_port}",
            "received": received,
            "log": log,
        }


#: Which engines send each variant's report, as measured (see the table at
#: the top; WebKitGTK sends COEP's though MDN's data has no Safari support).
REPORTS = {
    "coop": {"chromium": True, "firefox": False, "webkit": False},
    "coep": {"chromium": True, "firefox": False, "webkit": True},
    "permissions": {"chromium": True, "firefox": False, "webkit": False},
}
#: How long an engine that sends no report is given to send one anyway:
#: Chromium (--short-reporting-delay) posts within a second here, Firefox
#: and WebKit post their CSP reports at once (test_engine_reporting.py).
QUIET = 4.0


def reports_for(
    served: dict[str, Any], kind: str, url: str, expected: int
) -> list[Report]:
    """The ``kind`` reports about ``url``: waited for until ``expected`` of
    them came (they may come in separate posts), or, when none is expected,
    those that arrived within :data:`QUIET` seconds."""

    def found() -> list[Report]:
        return [r for r in list(served["received"]) if r.type == kind and r.url == url]

    if expected:
        wait_for(lambda: len(found()) >= expected, timeout=15)
    else:
        time.sleep(QUIET)
    return found()


def run_url(served: dict[str, Any], path: str) -> str:
    """A page URL of its own, so that reports name the run that caused them."""
    return f"{served['origin']}{path}/{uuid.uuid4().hex}"


# -- Cross-Origin-Opener-Policy-Report-Only ---------------------------------------


def opener_messages(engine: Engine, url: str) -> list[str]:
    """Load the COOP page, open its popup by a click, and return the
    messages the popup posted to its opener within three seconds."""
    engine.goto(url)
    # A user's click: WebKit lets no script open a popup without one.
    engine.click("#open")
    messages: list[str] = wait_for(
        lambda: engine.evaluate("window.__messages"), timeout=3
    )
    return messages


def test_coop_report_only_keeps_the_opener_and_reports(
    engine: Engine, served: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    url = run_url(served, "/coop")
    assert opener_messages(engine, url) == ["opened"]
    expected = REPORTS["coop"][engine.name]
    found = reports_for(served, "coop", url, 2 if expected else 0)
    if not expected:
        assert found == []
        note(request, "works; sends no COOP report (MDN: not supported)")
        return
    # The popup's navigation away from the page's browsing context group
    # (which enforcement would have split), and its postMessage across it.
    by_type = {report.body["type"]: dict(report.body) for report in found}
    assert by_type == {
        "navigation-from-response": {
            "disposition": "reporting",
            "effectivePolicy": "same-origin",
            "nextResponseURL": served["origin"].replace("127.0.0.1", "localhost")
            + "/opened",
            "type": "navigation-from-response",
        },
        "access-to-coop-page-from-openee": {
            "disposition": "reporting",
            "effectivePolicy": "same-origin",
            "initialPopupURL": served["origin"].replace("127.0.0.1", "localhost")
            + "/opened",
            "openeeURL": "",
            "property": "postMessage",
            "type": "access-to-coop-page-from-openee",
        },
    }


def test_coop_enforced_cuts_the_opener(engine: Engine, served: dict[str, Any]) -> None:
    """The control: the same page with the enforcing header loses the popup."""
    url = run_url(served, "/coop-enforced")
    assert opener_messages(engine, url) == []


# -- Cross-Origin-Embedder-Policy-Report-Only -------------------------------------


def image_state(engine: Engine, url: str) -> str:
    engine.goto(url)
    state: str = settle(engine, "window.__image")
    return state


def test_coep_report_only_loads_the_image_and_reports(
    engine: Engine, served: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    url = run_url(served, "/coep")
    assert image_state(engine, url) == "loaded"
    expected = REPORTS["coep"][engine.name]
    found = reports_for(served, "coep", url, int(expected))
    if not expected:
        assert found == []
        note(request, "works; sends no COEP report (MDN: not supported)")
        return
    (report,) = found
    other = served["origin"].replace("127.0.0.1", "localhost")
    assert dict(report.body) == {
        "blockedURL": f"{other}/pixel.png",
        "destination": "image",
        "disposition": "reporting",
        "type": "corp",
    }


#: What the enforcing COEP does to the image, per engine.
COEP_ENFORCED = {"chromium": "blocked", "firefox": "blocked", "webkit": "blocked"}


def test_coep_enforced_blocks_the_image(engine: Engine, served: dict[str, Any]) -> None:
    url = run_url(served, "/coep-enforced")
    assert image_state(engine, url) == COEP_ENFORCED[engine.name]


# -- Permissions-Policy-Report-Only -----------------------------------------------


def xhr_result(engine: Engine, url: str) -> str:
    engine.goto(url)
    result: str = settle(engine, "window.__xhr")
    return result


@pytest.mark.parametrize("path", ["/permissions", "/permissions-named"])
def test_permissions_report_only_lets_the_feature_work_and_reports(
    engine: Engine, served: dict[str, Any], path: str, request: pytest.FixtureRequest
) -> None:
    """``/permissions`` has no report-to parameter (browsers use ``default``,
    the receiver); ``/permissions-named`` names ``pp``, the same URL."""
    url = run_url(served, path)
    assert xhr_result(engine, url) == "200"
    expected = REPORTS["permissions"][engine.name]
    found = reports_for(served, "permissions-policy-violation", url, int(expected))
    if not expected:
        assert found == []
        note(request, "works; sends no report (MDN: not supported)")
        return
    (report,) = found
    # Chromium 156 names the feature policyId; the Permissions Policy spec
    # and MDN call that field featureId.
    assert report.body["policyId"] == "sync-xhr"
    assert "featureId" not in report.body
    assert report.feature_id == "sync-xhr"  # type: ignore[attr-defined]
    assert report.body["disposition"] == "report"
    assert report.body["sourceFile"] == url


#: What the enforcing Permissions-Policy does to the synchronous request:
#: only Chromium applies the header (MDN: Firefox and Safari do not support
#: the Permissions-Policy header's sync-xhr).
PERMISSIONS_ENFORCED = {"chromium": "NetworkError", "firefox": "200", "webkit": "200"}


def test_permissions_enforced_stops_the_request(
    engine: Engine, served: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    url = run_url(served, "/permissions-enforced")
    assert xhr_result(engine, url) == PERMISSIONS_ENFORCED[engine.name]
    if PERMISSIONS_ENFORCED[engine.name] == "200":
        note(request, "not enforced: the request answers 200 (MDN: not supported)")
