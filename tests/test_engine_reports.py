"""The receiver takes every report each browser engine sends, as it sends it.

``tests/data/engine_reports.json`` holds the bodies Debian's Chromium 156,
Firefox ESR 153 and WebKitGTK 2.50 (Safari's engine) posted for a blocked
inline script and a Trusted Types violation, from an enforced and a
report-only policy, through ``report-uri`` and ``report-to``, over HTTP and
HTTPS: exactly the bytes and ``Content-Type`` each sent. Each arrives as one
``csp-violation`` with the disposition of the header its policy came in.

What the engines differ in:

* WebKit posts a Reporting API report as one JSON object, not a list, and
  labels it ``application/csp-report``.
* WebKit's ``report-uri`` reports add ``type`` and ``url`` beside
  ``csp-report``, and have no ``disposition``: the receiver takes it from
  the report-only policy's ``report-uri`` (``?disposition=report``).
* Firefox sends ``null`` for an empty ``referrer`` and ``sample``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from flask_talisman import Report, Talisman

from .conftest import collect_reports, make_app

pytestmark = pytest.mark.usefixtures("disconnect_report_receivers")

SEEN: list[dict[str, str]] = json.loads(
    (Path(__file__).parent / "data" / "engine_reports.json").read_text()
)
DIRECTIVE = {
    "script-src": "script-src-elem",
    "trusted-types": "require-trusted-types-for",
}


def receiver() -> tuple[Flask, list[Report]]:
    app = make_app()
    Talisman(
        app,
        report_receiver="/talisman/reports",
        content_security_policy={"script-src": "'self'"},
        content_security_policy_report_only="require-trusted-types-for 'script'",
    )
    return app, collect_reports(app)


def target(app: Flask, seen: dict[str, str]) -> str:
    """Where the engine posted this report: what the headers told it."""
    headers = app.test_client().get("/", base_url=f"{seen['scheme']}://localhost")
    if seen["via"] == "report-to":
        url = headers.headers["Reporting-Endpoints"].split('"')[1]
        return re.sub(r"^https?://localhost", "", url)
    name = "Content-Security-Policy" + (
        "-Report-Only" if seen["header"] == "report-only" else ""
    )
    match = re.search(r"report-uri (\S+?)(;|$)", headers.headers[name])
    assert match is not None
    return match.group(1)


@pytest.mark.parametrize(
    "seen",
    SEEN,
    ids=[
        f"{s['engine']}-{s['scheme']}-{s['via']}-{s['header']}-{s['violation']}"
        for s in SEEN
    ],
)
def test_each_engines_report_arrives_with_its_disposition(
    seen: dict[str, str],
) -> None:
    app, received = receiver()
    response = app.test_client().post(
        target(app, seen),
        data=seen["body"].encode(),
        content_type=seen["content_type"],
        base_url=f"{seen['scheme']}://localhost",
    )
    assert response.status_code == 204, response.text
    assert len(received) == 1
    (report,) = received
    assert report.type == "csp-violation"
    body: dict[str, Any] = dict(report.body)
    assert body["disposition"] == (
        "report" if seen["header"] == "report-only" else "enforce"
    )
    assert body["effectiveDirective"] == DIRECTIVE[seen["violation"]]
    assert body["documentURL"].startswith(f"{seen['scheme']}://127.0.0.1:")


def test_the_captured_bodies_cover_every_engine_and_shape() -> None:
    """Three engines, both mechanisms, and WebKit's two odd shapes."""
    assert {s["engine"] for s in SEEN} == {"chromium", "firefox", "webkit"}
    webkit = [s for s in SEEN if s["engine"] == "webkit"]
    one_object = [
        s
        for s in webkit
        if s["via"] == "report-to" and json.loads(s["body"]).get("type")
    ]
    assert one_object
    assert all(s["content_type"] == "application/csp-report" for s in one_object)
    assert all(
        "disposition" not in json.loads(s["body"])["csp-report"]
        for s in webkit
        if s["via"] == "report-uri"
    )


@pytest.mark.parametrize("query", ["", "?disposition=report", "?disposition=x"])
def test_a_disposition_the_body_gives_wins_over_the_uri(query: str) -> None:
    app, received = receiver()
    body = {"csp-report": {"document-uri": "https://a/", "disposition": "enforce"}}
    response = app.test_client().post(
        "/talisman/reports" + query,
        data=json.dumps(body),
        content_type="application/csp-report",
        base_url="https://localhost",
    )
    assert response.status_code == 204
    assert received[0].body["disposition"] == "enforce"


def test_a_single_report_of_another_type_is_kept_too() -> None:
    app, received = receiver()
    response = app.test_client().post(
        "/talisman/reports",
        data=json.dumps({"type": "coep", "url": "https://a/", "body": {"x": 1}}),
        content_type="application/reports+json",
        base_url="https://localhost",
    )
    assert response.status_code == 204
    assert received[0].type == "coep"
    assert "disposition" not in received[0].body
