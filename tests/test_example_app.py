"""The example app: every page answers, with the headers it is about.

Requests are plain HTTP, as ``flask --app example_app run`` serves them.
What the browser does with these headers is in tests/browser/.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient

from example_app import KEPT_REPORTS, REPORT_RECEIVER, create_app, received_reports
from example_app.views import ACCOUNT_COOKIE

from .conftest import NONCE_RE

APP_CSP = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'self'"
)
# Over plain HTTP (as `flask run` serves the app) report-to is left out, so
# Chromium posts to report-uri; over HTTPS both are sent.
REPORTING = "; report-uri /talisman/reports"
REPORTING_HTTPS = "; report-uri /talisman/reports; report-to default"
ENDPOINTS = 'default="http://localhost/talisman/reports"'


@pytest.fixture
def app() -> Flask:
    return create_app()


def csp(client: FlaskClient, path: str) -> str:
    """The Content-Security-Policy of ``path``, its nonce replaced by {nonce}."""
    response = client.get(path)
    assert response.status_code == 200
    return NONCE_RE.sub("'nonce-{nonce}'", response.headers["Content-Security-Policy"])


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href and href.startswith("/"):
            self.hrefs.append(href)


PAGES = [
    "/",
    "/nonce",
    "/locked",
    "/extend",
    "/referrer",
    "/report-only",
    "/report-only/report-uri",
    "/reports",
    "/popups",
    "/coop",
    "/no-coop",
    "/account",
    "/framing/",
    "/framing/same-origin",
    "/framing/deny",
    "/framing/anywhere",
    "/admin/",
    "/presets/balanced",
    "/presets/strict",
    "/api/status",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_served_over_plain_http(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    # force_https=False holds on every page, preset pages included.
    assert response.status_code == 200, response.headers.get("Location")
    assert "Strict-Transport-Security" not in response.headers  # HTTP only
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Reporting-Endpoints"] == ENDPOINTS


def test_index_links_to_every_feature(client: FlaskClient) -> None:
    parser = Links()
    parser.feed(client.get("/").get_data(as_text=True))
    linked = set(parser.hrefs)
    assert linked >= {
        "/nonce",
        "/locked",
        "/extend",
        "/admin/",
        "/referrer",
        "/presets/balanced",
        "/presets/strict",
        "/api/status",
        "/framing/",
        "/report-only",
        "/report-only/report-uri",
        "/reports",
        "/popups",
        "/account",
    }
    for href in linked:
        assert client.get(href).status_code == 200, href


def test_app_policy_and_session_cookie(app: Flask, client: FlaskClient) -> None:
    assert csp(client, "/") == APP_CSP + REPORTING
    assert app.config["SESSION_COOKIE_SECURE"] is False  # local development only
    response = client.get("/")
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "Cross-Origin-Opener-Policy" not in response.headers


def test_nonce_page_uses_this_requests_nonce(client: FlaskClient) -> None:
    nonces = []
    for _ in range(2):
        response = client.get("/nonce")
        (nonce,) = NONCE_RE.findall(response.headers["Content-Security-Policy"])
        body = response.get_data(as_text=True)
        # The nonce'd inline script and demo.js carry it; nothing else does.
        assert body.count(f'nonce="{nonce}"') == 2
        assert len(re.findall(r"<script", body)) == 3
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


def test_per_view_override(client: FlaskClient) -> None:
    response = client.get("/locked")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert csp(client, "/locked") == (
        "default-src 'none'; style-src 'self'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'; script-src 'nonce-{nonce}'"
        + REPORTING
    )


def test_extend_adds_img_src_to_one_view(client: FlaskClient) -> None:
    assert csp(client, "/extend") == (
        APP_CSP + "; img-src 'self' 127.0.0.1:* localhost:*" + REPORTING
    )
    page = client.get("/extend", base_url="http://127.0.0.1:5000")
    assert b'src="http://localhost:5000/static/img/badge.svg"' in page.data


def test_blueprint_options(client: FlaskClient) -> None:
    response = client.get("/admin/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert csp(client, "/admin/") == (
        APP_CSP.replace("frame-ancestors 'self'", "frame-ancestors 'none'") + REPORTING
    )
    # Outside the blueprint: the app's options.
    other = client.get("/referrer")
    assert other.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Cache-Control" not in other.headers


@pytest.mark.parametrize(
    ("path", "frame_options", "ancestors"),
    [
        ("/framing/same-origin", "SAMEORIGIN", "frame-ancestors 'self'"),
        ("/framing/deny", "DENY", "frame-ancestors 'none'"),
        ("/framing/anywhere", None, "frame-ancestors *"),
    ],
)
def test_framing_targets(
    client: FlaskClient, path: str, frame_options: str | None, ancestors: str
) -> None:
    response = client.get(path)
    assert response.headers.get("X-Frame-Options") == frame_options
    assert ancestors in response.headers["Content-Security-Policy"].split("; ")


def test_framing_page_may_frame_the_other_origin(client: FlaskClient) -> None:
    assert "; frame-src 'self' 127.0.0.1:* localhost:*;" in csp(client, "/framing/")
    page = client.get("/framing/", base_url="http://localhost:5000")
    assert b'src="http://127.0.0.1:5000/framing/deny"' in page.data


def test_presets(client: FlaskClient) -> None:
    balanced = client.get("/presets/balanced").headers
    assert balanced["Content-Security-Policy"].startswith("default-src 'self'; ")
    assert (
        "script-src 'self'; script-src-attr 'none';"
        in (balanced["Content-Security-Policy"])
    )
    assert balanced["Cross-Origin-Opener-Policy"] == "same-origin"
    assert balanced["X-Frame-Options"] == "SAMEORIGIN"

    strict = client.get("/presets/strict").headers
    assert NONCE_RE.sub("'nonce-{nonce}'", strict["Content-Security-Policy"]) == (
        "script-src 'nonce-{nonce}' 'strict-dynamic' https: 'unsafe-inline'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'" + REPORTING
    )
    assert strict["Content-Security-Policy-Report-Only"] == (
        "require-trusted-types-for 'script'" + REPORTING
    )
    assert strict["X-Frame-Options"] == "DENY"
    assert strict["Referrer-Policy"] == "no-referrer"

    api = client.get("/api/status")
    assert api.json == {"status": "ok", "preset": "api"}
    assert api.headers["Content-Security-Policy"] == (
        "default-src 'none'; frame-ancestors 'none'" + REPORTING
    )
    assert api.headers["Cache-Control"] == "no-store"
    assert "Referrer-Policy" not in api.headers
    assert "Permissions-Policy" not in api.headers


def test_report_only_pages(client: FlaskClient) -> None:
    planned = "default-src 'self'; img-src https://images.example"
    response = client.get("/report-only")
    assert response.headers["Content-Security-Policy-Report-Only"] == (
        planned + REPORTING
    )
    assert csp(client, "/report-only") == APP_CSP + REPORTING

    https = client.get("/report-only", base_url="https://localhost")
    assert https.headers["Content-Security-Policy-Report-Only"] == (
        planned + REPORTING_HTTPS
    )

    # report-to left out over HTTPS too, so that Chromium posts to report-uri.
    report_uri_only = "; report-uri /talisman/reports"
    response = client.get("/report-only/report-uri", base_url="https://localhost")
    assert response.headers["Content-Security-Policy-Report-Only"] == (
        planned + report_uri_only
    )
    response = client.get("/report-only/report-uri")
    assert response.headers["Content-Security-Policy-Report-Only"] == (
        planned + report_uri_only
    )
    assert csp(client, "/report-only/report-uri") == APP_CSP + report_uri_only


def legacy_report(page: str) -> str:
    return json.dumps(
        {
            "csp-report": {
                "document-uri": page,
                "effective-directive": "img-src",
                "blocked-uri": "http://localhost/static/img/badge.svg",
                "disposition": "report",
            }
        }
    )


def test_received_reports_are_listed(client: FlaskClient) -> None:
    assert b"No reports yet." in client.get("/reports").data
    response = client.post(
        REPORT_RECEIVER,
        data=legacy_report("http://localhost/report-only?first"),
        content_type="application/csp-report",
    )
    assert response.status_code == 204
    page = client.get("/reports").get_data(as_text=True)
    assert "http://localhost/report-only?first" in page
    assert "<td>report-uri</td>" in page


def test_reports_kept_are_bounded(app: Flask, client: FlaskClient) -> None:
    batch = [
        {"type": "csp-violation", "age": 0, "url": f"http://localhost/{i}", "body": {}}
        for i in range(KEPT_REPORTS + 5)
    ]
    response = client.post(
        REPORT_RECEIVER, data=json.dumps(batch), content_type="application/reports+json"
    )
    assert response.status_code == 204
    kept = received_reports(app)
    assert len(kept) == KEPT_REPORTS
    assert kept[0].url == f"http://localhost/{KEPT_REPORTS + 4}"  # newest first


def test_reports_of_another_app_are_not_mixed_in(client: FlaskClient) -> None:
    other = create_app().test_client()
    other.post(
        REPORT_RECEIVER,
        data=legacy_report("http://localhost/elsewhere"),
        content_type="application/csp-report",
    )
    assert b"elsewhere" not in client.get("/reports").data


def test_coop(client: FlaskClient) -> None:
    assert client.get("/coop").headers["Cross-Origin-Opener-Policy"] == "same-origin"
    for path in ("/no-coop", "/popups"):
        assert "Cross-Origin-Opener-Policy" not in client.get(path).headers


def test_login_and_logout(client: FlaskClient) -> None:
    login = client.post("/login")
    assert login.status_code == 303
    assert client.get_cookie(ACCOUNT_COOKIE) is not None
    assert b"alice" in client.get("/account").data

    logout = client.post("/logout")
    assert logout.status_code == 303
    assert logout.headers["Location"] == "/account"
    assert logout.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    # Only the logout view sends it; signing out is a POST.
    assert "Clear-Site-Data" not in client.get("/account").headers
    assert client.get("/logout").status_code == 405
