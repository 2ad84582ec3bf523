"""The example app: every page answers, with the headers it is about.

Requests are plain HTTP, as ``flask --app example_app run`` serves them,
unless a test says otherwise. What the browser does with these headers is in
tests/browser/.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from example_app import (
    KEPT_REPORTS,
    REPORT_RECEIVER,
    breakable,
    create_app,
    received_reports,
)
from example_app.admin import ADMIN_OPTIONS, option_lines
from example_app.presets import API_LEFT_OUT, API_SENT
from example_app.views import ACCOUNT_COOKIE, SeenPopups

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
# A report-only policy's report-uri tells the receiver so (WebKit's reports
# from report-uri say nothing of it).
REPORT_ONLY = "; report-uri /talisman/reports?disposition=report"
REPORT_ONLY_HTTPS = REPORT_ONLY + "; report-to default"
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
    "/presets/api",
    "/api/status",
]
# The pages built on base.html: each has the header panel. The framed pages
# (shown in small frames) and the JSON endpoint do not.
PANEL_PAGES = [
    path for path in PAGES if not path.startswith("/framing/") or path == "/framing/"
]
PANEL_PAGES.remove("/api/status")


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
        "/presets/api",
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
        # The nonce'd inline script, demo.js and headers.js carry it; nothing
        # else does.
        assert body.count(f'nonce="{nonce}"') == 3
        assert len(re.findall(r"<script", body)) == 4
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


def test_per_view_override(client: FlaskClient) -> None:
    response = client.get("/locked")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert csp(client, "/locked") == (
        "default-src 'none'; style-src 'self'; connect-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'; "
        "script-src 'nonce-{nonce}'" + REPORTING
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
    # No Cache-Control of its own; private because the page uses its nonce.
    assert other.headers["Cache-Control"] == "private"


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
        "require-trusted-types-for 'script'" + REPORT_ONLY
    )
    assert strict["X-Frame-Options"] == "DENY"
    assert strict["Referrer-Policy"] == "no-referrer"

    api = client.get("/api/status")
    assert api.json == {"status": "ok", "preset": "api", "about": "/presets/api"}
    assert api.headers["Content-Security-Policy"] == (
        "default-src 'none'; frame-ancestors 'none'" + REPORTING
    )
    assert api.headers["Cache-Control"] == "no-store"
    assert "Referrer-Policy" not in api.headers
    assert "Permissions-Policy" not in api.headers


def test_report_only_pages(client: FlaskClient) -> None:
    planned = (
        "default-src 'self'; img-src https://images.example "
        "127.0.0.1:*/static/favicon.svg localhost:*/static/favicon.svg"
    )
    response = client.get("/report-only")
    assert response.headers["Content-Security-Policy-Report-Only"] == (
        planned + REPORT_ONLY
    )
    assert csp(client, "/report-only") == APP_CSP + REPORTING

    https = client.get("/report-only", base_url="https://localhost")
    assert https.headers["Content-Security-Policy-Report-Only"] == (
        planned + REPORT_ONLY_HTTPS
    )

    # report-to left out over HTTPS too, so that Chromium posts to report-uri.
    response = client.get("/report-only/report-uri", base_url="https://localhost")
    assert response.headers["Content-Security-Policy-Report-Only"] == (
        planned + REPORT_ONLY
    )
    response = client.get("/report-only/report-uri")
    assert response.headers["Content-Security-Policy-Report-Only"] == (
        planned + REPORT_ONLY
    )
    assert csp(client, "/report-only/report-uri") == APP_CSP + REPORTING


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
        data=legacy_report("http://localhost/report-only/first?token=s3cr3t"),
        content_type="application/csp-report",
    )
    assert response.status_code == 204
    page = client.get("/reports").get_data(as_text=True)
    # Addresses may wrap after each part: <wbr> between them. The receiver
    # removed the query (report_receiver_keep_url_query is off).
    assert "http://localhost/report-only/first" in page.replace("<wbr>", "")
    assert "http://<wbr>localhost/<wbr>report-only/<wbr>first" in page
    assert "s3cr3t" not in page
    assert "csp-violation, sent with report-uri" in " ".join(page.split())
    assert "<table" not in page  # one box per report, not a 7-column table


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


def test_the_receivers_204_has_no_content_type(client: FlaskClient) -> None:
    """Chromium logged an ORB error for each report answered with text/html."""
    for base_url in ("http://localhost", "https://localhost"):
        response = client.post(
            REPORT_RECEIVER,
            data=legacy_report("http://localhost/nonce"),
            content_type="application/csp-report",
            base_url=base_url,
        )
        assert response.status_code == 204
        assert "Content-Type" not in response.headers
        assert response.data == b""


# -- the favicon -----------------------------------------------------------------

ICON_LINK = re.compile(r'<link rel="icon"[^>]* href="([^"]+)">')


def image_sources(policy: str) -> list[str] | None:
    """The sources a policy allows images from; None: any."""
    directives = {}
    for directive in policy.split("; "):
        name, *sources = directive.split()
        directives[name] = sources
    return directives.get("img-src", directives.get("default-src"))


@pytest.mark.parametrize("base_url", ["http://localhost", "https://localhost"])
def test_favicon_is_served(client: FlaskClient, base_url: str) -> None:
    """/favicon.ico, which browsers ask for where a page names no icon."""
    with client.get("/favicon.ico", base_url=base_url) as response:
        assert response.status_code == 200
        assert response.mimetype == "image/vnd.microsoft.icon"
        assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    with client.get("/static/favicon.svg", base_url=base_url) as response:
        assert response.status_code == 200
        assert response.mimetype == "image/svg+xml"


@pytest.mark.parametrize("base_url", ["http://localhost", "https://localhost"])
@pytest.mark.parametrize("path", PANEL_PAGES)
def test_the_icon_a_page_names_is_allowed_by_its_policies(
    client: FlaskClient, path: str, base_url: str
) -> None:
    """A browser loads the icon under the page's img-src, report-only too.

    A page whose policy allows no image names no icon: the browser then
    checks the policy before asking for /favicon.ico, and stays quiet.
    """
    response = client.get(path, base_url=base_url)
    icons = ICON_LINK.findall(response.get_data(as_text=True))
    enforced = image_sources(response.headers["Content-Security-Policy"])
    if enforced == ["'none'"]:
        assert icons == []
        return
    assert icons == ["/static/favicon.svg"]
    for header in ("Content-Security-Policy", "Content-Security-Policy-Report-Only"):
        if header not in response.headers:
            continue
        sources = image_sources(response.headers[header])
        assert (
            sources is None
            or "'self'" in sources
            or f"localhost:*{icons[0]}" in sources
        ), f"{header} refuses the icon"


# -- the header panel ------------------------------------------------------------

HEADERS_JS = Path(__file__).parents[1] / "example_app" / "static" / "js" / "headers.js"
# Response headers the panel leaves out: they are not security headers.
NOT_SECURITY_HEADERS = {"Content-Type", "Content-Length", "Vary", "Set-Cookie"}
HEADERS_SCRIPT = re.compile(
    r'<script nonce="([^"]*)" src="/static/js/headers.js" defer></script>'
)


def panel_header_names() -> list[str]:
    """The names headers.js lists, read from its SECURITY_HEADERS array."""
    array = re.search(
        r"const SECURITY_HEADERS = \[(.*?)\];", HEADERS_JS.read_text(), re.S
    )
    assert array is not None
    return re.findall(r'"([^"]+)"', array.group(1))


@pytest.mark.parametrize("base_url", ["http://localhost", "https://localhost"])
@pytest.mark.parametrize("path", PANEL_PAGES)
def test_every_page_has_the_header_panel(
    client: FlaskClient, path: str, base_url: str
) -> None:
    response = client.get(path, base_url=base_url)
    body = response.get_data(as_text=True)
    assert '<aside id="headers-panel" class="headers-panel" data-headers=""' in body
    assert '<dl class="headers"></dl>' in body
    assert "<noscript>" in body  # says where else to read the headers
    (script_nonce,) = HEADERS_SCRIPT.findall(body)
    # Where the policy has nonces, the script carries this response's; the
    # balanced preset's has none, and the script runs as one of 'self'.
    nonces = set(NONCE_RE.findall(response.headers["Content-Security-Policy"]))
    assert nonces == ({script_nonce} if script_nonce else set())
    # The panel lists every security header the page sends.
    sent = {name for name, _ in response.headers} - NOT_SECURITY_HEADERS
    assert sent <= set(panel_header_names())


def test_header_panel_script_writes_text_only(client: FlaskClient) -> None:
    source = HEADERS_JS.read_text()
    # Header values reach the page as text, never as markup.
    assert "textContent" in source
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write"):
        assert sink not in source
    assert 'fetch(address, { method: "GET", cache: "no-store" })' in source
    assert "'nonce-…'" in source  # a new response, a new nonce: not shown
    with client.get("/static/js/headers.js") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/javascript"


# -- the api preset ---------------------------------------------------------------


def test_api_page_says_what_the_preset_sends(client: FlaskClient) -> None:
    page = client.get("/presets/api").get_data(as_text=True)
    for name, value, why in API_SENT:
        assert f"<code>{escape(name)}: {escape(value)}</code>" in page
        assert str(escape(why)) in page
    for name, why in API_LEFT_OUT:
        assert f"<code>{escape(name)}</code>" in page
        assert str(escape(why)) in page
    assert "with &lt;script src&gt;." in page  # text, not markup
    # A second panel shows the endpoint's live headers.
    assert 'data-headers="/api/status"' in page
    # The JSON opens in a new tab: the page that links to it stays open.
    assert '<a id="api-status" href="/api/status" target="_blank">' in page

    status = client.get("/api/status")
    assert status.json is not None
    assert client.get(status.json["about"]).status_code == 200


@pytest.mark.parametrize(
    "accept", [None, "application/json", "text/html,application/xhtml+xml,*/*;q=0.8"]
)
def test_api_status_is_json_for_every_client_with_a_way_back(
    client: FlaskClient, accept: str | None
) -> None:
    """A browser that opens /api/status gets the same JSON as any client:
    the way back is the body's "about" and a Link header, not an HTML page."""
    headers = {"Accept": accept} if accept else {}
    response = client.get("/api/status", headers=headers)
    assert response.mimetype == "application/json"
    assert response.json == {"status": "ok", "preset": "api", "about": "/presets/api"}
    assert response.headers["Link"] == (
        '</presets/api>; rel="describedby"; type="text/html"'
    )
    assert "Vary" not in response.headers  # nothing depends on Accept


def test_links_to_the_json_endpoint_open_a_new_tab(client: FlaskClient) -> None:
    for path in ("/", "/presets/api"):
        page = client.get(path).get_data(as_text=True)
        links = re.findall(r'<a [^>]*href="/api/status"[^>]*>', page)
        assert links, path
        for link in links:
            assert 'target="_blank"' in link, (path, link)


@pytest.mark.parametrize("base_url", ["http://localhost", "https://localhost"])
def test_what_the_api_page_says_is_what_the_endpoint_sends(
    client: FlaskClient, base_url: str
) -> None:
    headers = client.get("/api/status", base_url=base_url).headers
    for name, value, _ in API_SENT:
        if name == "Strict-Transport-Security" and base_url.startswith("http:"):
            assert name not in headers  # HTTPS only
        elif name == "Content-Security-Policy":
            # The app's reporting options are kept.
            assert headers[name].startswith(value + "; report-uri ")
        else:
            assert headers[name] == value
    for name, _ in API_LEFT_OUT:
        assert name not in headers


# -- the admin blueprint's options -------------------------------------------------


def admin_options(client: FlaskClient) -> str:
    page = client.get("/admin/").get_data(as_text=True)
    match = re.search(r'<dl id="admin-options" class="options">(.*?)</dl>', page, re.S)
    assert match is not None
    return match.group(1)


def test_admin_page_shows_options_as_header_values_not_python(
    client: FlaskClient,
) -> None:
    shown = admin_options(client)
    for repr_only in ("{", "[", "&#39;&#34;", "&#34;&#39;", "True", "False", "None"):
        assert repr_only not in shown
    for name in ADMIN_OPTIONS:
        assert f"<dt><code>{name}</code></dt>" in shown
    # The policy one directive a line, as the header spells each.
    policy = re.search(
        r"<code>content_security_policy</code></dt>\s*<dd><pre>(.*?)</pre>", shown, re.S
    )
    assert policy is not None
    lines = policy.group(1).replace("&#39;", "'").splitlines()
    assert lines[0] == "default-src 'self'"
    assert "frame-ancestors 'none'" in lines
    assert "<pre>DENY</pre>" in shown


@pytest.mark.parametrize(
    ("value", "lines"),
    [
        ("no-store", ["no-store"]),
        (None, ["(not sent)"]),
        (True, ["on"]),
        (False, ["off"]),
        (["'self'", "https://cdn.example"], ["'self' https://cdn.example"]),
        (
            {"default-src": "'self'", "img-src": ["'self'", "data:"]},
            ["default-src 'self'", "img-src 'self' data:"],
        ),
    ],
)
def test_option_lines(value: object, lines: list[str]) -> None:
    assert option_lines(value) == lines


def test_breakable_escapes_and_lets_addresses_wrap_between_parts() -> None:
    assert str(breakable("http://a.example/b/c?d=<e>&f")) == (
        "http://<wbr>a.example/<wbr>b/<wbr>c?<wbr>d=<wbr>&lt;e&gt;&amp;<wbr>f"
    )
    assert str(breakable("")) == ""


# -- the popups page's witness -----------------------------------------------------

POPUP_ID = "0123456789abcdef0123456789abcdef"


def test_a_popup_says_what_its_opener_was(client: FlaskClient) -> None:
    assert client.get(f"/popups/{POPUP_ID}").json == {"opener": None}  # not loaded
    response = client.post(f"/popups/{POPUP_ID}", data={"opener": "null"})
    assert response.status_code == 204
    assert "Content-Type" not in response.headers
    assert client.get(f"/popups/{POPUP_ID}").json == {"opener": "null"}
    client.post(f"/popups/{POPUP_ID}", data={"opener": "live"})
    assert client.get(f"/popups/{POPUP_ID}").json == {"opener": "live"}


@pytest.mark.parametrize(
    ("popup_id", "opener"),
    [
        (POPUP_ID, "maybe"),
        (POPUP_ID, None),
        ("not-an-id", "null"),
        (POPUP_ID[:-1], "live"),
    ],
)
def test_a_popup_report_out_of_shape_is_refused(
    client: FlaskClient, popup_id: str, opener: str | None
) -> None:
    data = {} if opener is None else {"opener": opener}
    assert client.post(f"/popups/{popup_id}", data=data).status_code == 400
    assert client.get(f"/popups/{popup_id}").json == {"opener": None}


def test_popups_kept_are_bounded(app: Flask, client: FlaskClient) -> None:
    ids = [f"{i:032x}" for i in range(SeenPopups.KEPT + 3)]
    for popup_id in ids:
        client.post(f"/popups/{popup_id}", data={"opener": "live"})
    assert client.get(f"/popups/{ids[0]}").json == {"opener": None}  # forgotten
    assert client.get(f"/popups/{ids[-1]}").json == {"opener": "live"}
