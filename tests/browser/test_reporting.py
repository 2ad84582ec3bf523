"""Report-only policies, and each engine's reports reaching the built-in receiver.

The example app is served once for the module over plain HTTP and once over
HTTPS (a throw-away certificate), and loaded in Chromium, Firefox and WebKit
with the same assertions. An engine delivers a CSP violation report one way
per policy: through the Reporting API (``report-to`` and
``Reporting-Endpoints``) when the policy has ``report-to``, otherwise by
posting to ``report-uri``. Over plain HTTP Talisman leaves ``report-to``
out, so every engine posts to ``report-uri`` there (see
test_engine_reporting.py for why). /report-only/report-uri sets
``content_security_policy_report_to=False``, so its reports go to
``report-uri`` over HTTPS too.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest

from example_app import REPORT_RECEIVER, received_reports
from flask_talisman import Report

from .conftest import (
    Certificate,
    Site,
    serve_example,
    settle,
    tls_context,
    violations,
    wait_for,
)
from .engine_table import note
from .engines import Engine

pytestmark = pytest.mark.browser

BADGE = "/static/img/badge.svg"
LEGACY = "application/csp-report"
REPORTING_API = "application/reports+json"
#: How each engine posts a Reporting API report. WebKit posts each one
#: alone, as a single object labelled application/csp-report (measured;
#: test_engine_reporting.py asserts the same); the receiver reads both.
REPORTING_API_TYPES = {
    "chromium": REPORTING_API,
    "firefox": REPORTING_API,
    "webkit": LEGACY,
}

#: How many reports an engine posts for the image's one violation (its page
#: sees one securitypolicyviolation event in each engine). WebKit posts the
#: same report twice, through report-to and through report-uri alike
#: (measured with WebKitGTK 2.50).
POSTED_PER_VIOLATION = {"chromium": 1, "firefox": 1, "webkit": 2}
#: Whether an engine's Reporting API report has an ``age``: WebKit's
#: single-object reports have none (measured; the Reporting API's JSON
#: report format has it, WebKit's csp-report body does not).
REPORTING_API_AGE = {"chromium": True, "firefox": True, "webkit": False}


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    with serve_example() as served:
        yield served


@pytest.fixture(scope="module")
def tls_site(certificate: Certificate | None) -> Iterator[Site]:
    with serve_example(tls_context(certificate)) as served:
        yield served


def load_report_only_page(
    engine: Engine, site: Site, path: str = "/report-only"
) -> tuple[str, int]:
    """Load a report-only page under a unique address.

    Returns the address as the receiver keeps it (without the query, which
    it removes by default), and how many reports the app had before.
    """
    before = len(received_reports(site.app))
    engine.goto(site.url(f"{path}?run={uuid.uuid4().hex}"))
    return site.url(path), before


def reports_for(site: Site, url: str, before: int) -> list[Report]:
    """Poll the receiver's list (up to 10 s) for the image's report from ``url``.

    Only the reports received after the first ``before`` count: the module's
    tests load the same pages, one after the other.
    """

    def found() -> list[Report]:
        received = received_reports(site.app)  # newest first
        return [
            report
            for report in received[: len(received) - before]
            if report.type == "csp-violation"
            and report.body.get("documentURL") == url
            and report.body.get("blockedURL") == site.url(BADGE)
        ]

    reports: list[Report] = wait_for(found, timeout=10)
    return reports


def the_report(engine: Engine, site: Site, url: str, before: int) -> Report:
    """The one report of the image's violation, as many times as ``engine`` posts it."""
    expected = POSTED_PER_VIOLATION[engine.name]
    wait_for(lambda: len(reports_for(site, url, before)) >= expected, timeout=5)
    reports = reports_for(site, url, before)
    assert len(reports) == expected
    assert len({json.dumps(r.body, sort_keys=True) for r in reports}) == 1, reports
    return reports[0]


def posted_to_receiver(site: Site, start: int = 0) -> set[str]:
    """Content types of the reports the engine posted to the receiver."""
    return {
        content_type.split(";")[0]
        for method, path, content_type in site.recorder.requests[start:]
        if method == "POST" and path == REPORT_RECEIVER
    }


def listed_on_reports_page(engine: Engine, site: Site, url: str) -> bool:
    engine.goto(site.url("/reports"))
    listed: bool = settle(
        engine, f"document.getElementById('reports').innerText.includes({url!r})"
    )
    return listed


def test_report_only_policy_reports_without_blocking(
    engine: Engine, site: Site
) -> None:
    engine.goto(site.url("/report-only"))
    # The image breaks the report-only img-src, and is shown all the same.
    assert engine.evaluate("document.getElementById('planned-image').naturalWidth") > 0
    events = violations(engine)
    assert {"img-src"} == {v["directive"] for v in events}
    assert {"report"} == {v["disposition"] for v in events}
    assert site.url(BADGE) in {v["blocked"] for v in events}


def test_reports_reach_the_receiver_through_the_reporting_api(
    engine: Engine, tls_site: Site, request: pytest.FixtureRequest
) -> None:
    start = len(tls_site.recorder.requests)
    url, before = load_report_only_page(engine, tls_site)
    reports = reports_for(tls_site, url, before)
    assert reports, "no report-to report reached the receiver within 10 s"
    report = the_report(engine, tls_site, url, before)
    assert report.body["disposition"] == "report"
    assert report.body["effectiveDirective"] == "img-src"
    # Only Reporting API reports have an age, and not all of them.
    assert (report.age is not None) is REPORTING_API_AGE[engine.name]
    assert posted_to_receiver(tls_site, start) == {REPORTING_API_TYPES[engine.name]}
    if POSTED_PER_VIOLATION[engine.name] > 1 or not REPORTING_API_AGE[engine.name]:
        note(request, "yes: posts each report twice, with no age")

    # And the app's page lists it.
    assert listed_on_reports_page(engine, tls_site, url)


def test_reports_reach_the_receiver_through_report_uri(
    engine: Engine, tls_site: Site
) -> None:
    """Without report-to, even over HTTPS, each engine posts to report-uri."""
    start = len(tls_site.recorder.requests)
    url, before = load_report_only_page(engine, tls_site, "/report-only/report-uri")
    assert engine.evaluate("document.getElementById('planned-image').naturalWidth") > 0
    reports = reports_for(tls_site, url, before)
    assert reports, "no report-uri report reached the receiver within 10 s"
    report = the_report(engine, tls_site, url, before)
    assert report.body["disposition"] == "report"
    assert report.body["effectiveDirective"] == "img-src"
    assert report.age is None
    assert posted_to_receiver(tls_site, start) == {LEGACY}

    # And the app's page lists it.
    assert listed_on_reports_page(engine, tls_site, url)


def test_reports_reach_the_receiver_from_a_plain_http_page(
    engine: Engine, site: Site
) -> None:
    """The example app as ``flask run`` serves it, unchanged.

    Regression: report-to is left out of plain-HTTP responses, where no
    engine delivers Reporting API reports and each would otherwise ignore
    report-uri.
    """
    start = len(site.recorder.requests)
    url, before = load_report_only_page(engine, site)
    reports = reports_for(site, url, before)
    assert reports, "no report reached the receiver within 10 s"
    assert {r.body["disposition"] for r in reports} == {"report"}
    assert posted_to_receiver(site, start) == {LEGACY}
