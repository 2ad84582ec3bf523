"""Specification: ``flask talisman headers`` shows what real requests get.

For every URL rule of the example app (and of apps that redirect, with
per-view and blueprint options and variables in their rules), the
command's JSON is compared with what the test client's real requests to
that route get over HTTPS and plain HTTP: the same Talisman headers with
the same values (the nonce as ``{nonce}``), the same redirect. Then the
command's options, its table, its errors and its registration as a
``flask`` command.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest
from flask import Blueprint, Flask, Response
from werkzeug.routing import BaseConverter, Rule

from example_app import create_app
from flask_talisman import DENY, Talisman
from flask_talisman.cli import format_table, talisman
from flask_talisman.inspection import NONCE_PLACEHOLDER, default_host, route_headers

from .conftest import NONCE_RE, add_view

ROOT = Path(__file__).resolve().parent.parent
#: Every header Talisman can add; a response's other headers are the app's.
TALISMAN_HEADERS = {
    "Cache-Control", "Clear-Site-Data", "Content-Security-Policy",
    "Content-Security-Policy-Report-Only", "Cross-Origin-Embedder-Policy",
    "Cross-Origin-Opener-Policy", "Cross-Origin-Resource-Policy", "Document-Policy",
    "Feature-Policy", "Integrity-Policy", "Integrity-Policy-Report-Only",
    "Origin-Agent-Cluster", "Permissions-Policy", "Referrer-Policy",
    "Reporting-Endpoints", "Strict-Transport-Security", "X-Content-Type-Options",
    "X-DNS-Prefetch-Control", "X-Download-Options", "X-Frame-Options",
    "X-Permitted-Cross-Domain-Policies", "X-XSS-Protection",
}  # fmt: skip
#: Headers of those names that a view sets itself (Flask's static files).
SET_BY_THE_VIEW = {"static": {"Cache-Control"}}
REPORT = {"csp-report": {"document-uri": "https://localhost/", "blocked-uri": "x"}}


def run(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(talisman, list(args))


def headers_json(app: Flask, *args: str) -> list[dict[str, Any]]:
    result = run(app, "headers", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    parsed: list[dict[str, Any]] = json.loads(result.output)
    return parsed


def real_path(app: Flask, rule: Rule) -> str:
    """A URL path a real request for ``rule`` can use."""
    if rule.endpoint == "static":
        return "/static/style.css"
    return re.sub(r"<(?:int:)?\w+>", "1", re.sub(r"<path:\w+>", "x/y", rule.rule))


def real_request(app: Flask, rule: Rule, secure: bool) -> Response:
    client = app.test_client()
    base_url = f"{'https' if secure else 'http'}://{default_host(app)}"
    path = real_path(app, rule)
    methods = rule.methods or set()
    if "GET" in methods:
        return client.get(path, base_url=base_url)
    return client.post(
        path, base_url=base_url, json=REPORT, content_type="application/csp-report"
    )


def talisman_headers(response: Response, endpoint: str) -> dict[str, str]:
    own = SET_BY_THE_VIEW.get(endpoint, set())
    return {
        name: NONCE_RE.sub(f"'nonce-{NONCE_PLACEHOLDER}'", value)
        for name, value in response.headers.items()
        if name in TALISMAN_HEADERS and name not in own
    }


def assert_same_as_real_requests(app: Flask) -> int:
    shown = {entry["rule"]: entry for entry in headers_json(app)}
    rules = list(app.url_map.iter_rules())
    assert sorted(shown) == sorted(rule.rule for rule in rules)
    for rule in rules:
        entry = shown[rule.rule]
        assert entry["endpoint"] == rule.endpoint
        assert entry["methods"] == sorted(rule.methods or ())
        for scheme, secure in (("https", True), ("http", False)):
            response = real_request(app, rule, secure)
            nonce = NONCE_RE.search(response.headers.get("Content-Security-Policy", ""))
            used = not response.direct_passthrough and bool(
                nonce and nonce.group(1).encode() in response.get_data()
            )
            response.close()  # a static file's
            assert response.status_code < 500, (rule.rule, scheme)
            expected = talisman_headers(response, rule.endpoint)
            # A page that used its nonce is made private (caching.py); the
            # preview, without a body, cannot know that. (A no-store
            # response stays as it was.)
            if used and expected["Cache-Control"] == "private":
                del expected["Cache-Control"]
            got = dict(entry[scheme]["headers"])
            for name in SET_BY_THE_VIEW.get(rule.endpoint, set()):
                got.pop(name, None)
            assert got == expected, (rule.rule, scheme)
            # The order is the order Talisman adds them in.
            assert list(got) == list(expected), (rule.rule, scheme)
            redirect = entry[scheme]["redirect"]
            if response.status_code in (301, 302, 307, 308) and (
                response.headers["Location"].startswith("https://") and not secure
            ):
                location = response.headers["Location"]
                if real_path(app, rule) != rule.rule:
                    location = location.replace(real_path(app, rule), rule.rule)
                assert redirect == {
                    "status": response.status_code,
                    "location": location,
                }, (rule.rule, scheme)
            else:
                assert redirect is None, (rule.rule, scheme)
    return len(rules)


def test_every_example_app_route_shows_what_real_requests_get() -> None:
    assert assert_same_as_real_requests(create_app()) >= 20


def redirecting_app() -> Flask:
    app = Flask("redirecting")
    app.config["SECRET_KEY"] = "k"
    talisman_ = Talisman()
    admin = Blueprint("admin", __name__)
    talisman_(frame_options=DENY, referrer_policy="no-referrer")(admin)

    @admin.route("/users/<int:user_id>")
    def user(user_id: int) -> str:
        return str(user_id)

    @app.route("/")
    def index() -> str:
        return "index"

    @app.route("/files/<path:name>")
    @talisman_(content_security_policy={"default-src": "'none'"})
    def files(name: str) -> str:
        return name

    add_view(
        app, "/plain", talisman_(force_https=False, strict_transport_security=False)
    )

    @app.post("/submit")
    def submit() -> str:
        return "ok"

    app.register_blueprint(admin, url_prefix="/admin")
    talisman_.init_app(
        app,
        content_security_policy_nonce_in=["script-src"],
        force_https_permanent=True,
        reporting_endpoints={"main": "/r"},
        content_security_policy_report_to="main",
    )
    return app


def test_redirects_views_blueprints_and_variables_show_what_real_requests_get() -> None:
    app = redirecting_app()
    assert_same_as_real_requests(app)
    shown = {entry["rule"]: entry for entry in headers_json(app)}
    assert shown["/"]["http"]["redirect"] == {
        "status": 301,
        "location": "https://localhost/",
    }
    assert shown["/admin/users/<int:user_id>"]["http"]["redirect"] == {
        "status": 301,
        "location": "https://localhost/admin/users/<int:user_id>",
    }
    assert shown["/plain"]["http"]["redirect"] is None
    assert "Strict-Transport-Security" not in shown["/plain"]["https"]["headers"]
    assert (
        shown["/admin/users/<int:user_id>"]["https"]["headers"]["X-Frame-Options"]
        == "DENY"
    )


def test_the_json_has_exactly_the_documented_shape() -> None:
    (entry,) = headers_json(redirecting_app(), "/")
    assert list(entry) == ["endpoint", "rule", "methods", "https", "http"]
    assert list(entry["https"]) == ["redirect", "headers"]
    assert list(entry["http"]) == ["redirect", "headers"]
    assert entry["endpoint"] == "index"
    assert entry["methods"] == ["GET", "HEAD", "OPTIONS"]
    assert entry["https"]["redirect"] is None
    assert entry["https"]["headers"]["Content-Security-Policy"] == (
        "default-src 'self'; object-src 'none'; "
        "script-src 'self' 'nonce-{nonce}'; report-to main"
    )
    assert entry["https"]["headers"]["Reporting-Endpoints"] == (
        'main="https://localhost/r"'
    )
    assert entry["http"]["redirect"] == {
        "status": 301,
        "location": "https://localhost/",
    }


def test_a_path_shows_the_rule_it_matches_with_that_exact_path() -> None:
    app = redirecting_app()
    (entry,) = headers_json(app, "/admin/users/7")
    assert entry["rule"] == "/admin/users/<int:user_id>"
    assert entry["http"]["redirect"]["location"] == "https://localhost/admin/users/7"
    (post,) = headers_json(app, "/submit")  # a POST-only rule
    assert post["endpoint"] == "submit"


def test_an_endpoint_shows_its_rules_only() -> None:
    entries = headers_json(redirecting_app(), "--endpoint", "files")
    assert [e["rule"] for e in entries] == ["/files/<path:name>"]
    headers = entries[0]["https"]["headers"]
    assert headers["Content-Security-Policy"] == (
        "default-src 'none'; script-src 'nonce-{nonce}'; report-to main"
    )


def test_the_host_can_be_chosen_and_defaults_to_one_the_app_accepts() -> None:
    app = redirecting_app()
    (entry,) = headers_json(app, "--host", "www.example.com", "/")
    assert entry["http"]["redirect"]["location"] == "https://www.example.com/"
    assert entry["https"]["headers"]["Reporting-Endpoints"] == (
        'main="https://www.example.com/r"'
    )
    app.config["TRUSTED_HOSTS"] = [".example.org", "app.example.org"]
    assert default_host(app) == "app.example.org"
    (entry,) = headers_json(app, "/")
    assert entry["http"]["redirect"]["location"] == "https://app.example.org/"


def test_a_host_the_app_refuses_is_shown_as_its_400() -> None:
    app = redirecting_app()
    app.config["TRUSTED_HOSTS"] = ["app.example.org"]
    (entry,) = headers_json(app, "--host", "evil.example", "/")
    assert entry["http"]["error"].startswith("400 Bad Request")
    assert entry["http"]["headers"] == {}


def test_options_that_cannot_work_together_are_shown_as_the_error() -> None:
    app = redirecting_app()
    options = app.extensions["talisman"].owner
    options.content_security_policy_report_to = False
    options.content_security_policy_report_only = True  # and nowhere to report
    result = run(app, "headers", "--format", "json", "/")
    assert result.exit_code == 0
    (entry,) = json.loads(result.output)
    assert entry["https"]["error"].startswith("ConfigurationError: ")
    assert "content_security_policy_report_uri" in entry["https"]["error"]
    table = run(app, "headers", "/").output
    assert "HTTPS: cannot be served" in table


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/nowhere"], "Error: no URL rule matches the path '/nowhere'."),
        (["--endpoint", "nope"], "Error: no URL rule has the endpoint 'nope'."),
    ],
)
def test_a_path_or_endpoint_that_matches_nothing_exits_1(
    args: list[str], message: str
) -> None:
    result = run(redirecting_app(), "headers", *args)
    assert result.exit_code == 1
    assert result.output.strip() == message


def test_an_app_without_talisman_is_told_so() -> None:
    result = run(Flask("bare"), "headers")
    assert result.exit_code == 1
    assert "Talisman is not registered on this app" in result.output


def test_the_table_is_readable_at_100_columns() -> None:
    result = run(create_app(), "headers")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert "/  (pages.index; GET, HEAD, OPTIONS)" in lines
    assert "  HTTPS: served" in lines
    assert "    Strict-Transport-Security: max-age=31556926; includeSubDomains" in lines


def test_the_table_names_redirects_and_folds_identical_variants() -> None:
    app = redirecting_app()
    routes = route_headers(app, path="/")
    text = format_table(routes, 100)
    assert "  HTTP: redirected, 301 to https://localhost/" in text.splitlines()
    bare = Flask("bare")
    bare.route("/")(lambda: "x")
    Talisman(bare, strict_transport_security=False, force_https=False)
    text = format_table(route_headers(bare, path="/"), 100)
    assert "  HTTP: the same as HTTPS" in text.splitlines()


def test_a_long_value_wraps_under_its_start() -> None:
    app = Flask("long")
    app.route("/")(lambda: "x")
    Talisman(
        app,
        content_security_policy={
            "default-src": [f"https://cdn{i}.example.com" for i in range(30)]
        },
    )
    lines = format_table(route_headers(app, path="/"), 80).splitlines()
    assert max(len(line) for line in lines) <= 80
    start = next(i for i, s in enumerate(lines) if "Content-Security-Policy:" in s)
    assert lines[start + 1].startswith("        https://cdn")


def test_the_command_is_registered_with_flask() -> None:
    commands = {ep.name: ep.value for ep in entry_points(group="flask.commands")}
    assert commands.get("talisman") == "flask_talisman.cli:talisman"


def test_flask_talisman_headers_runs_from_the_shell() -> None:
    env = {**os.environ, "FLASK_APP": "example_app"}
    result = subprocess.run(
        [sys.executable, "-m", "flask", "talisman", "headers", "--format", "json", "/"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    (entry,) = json.loads(result.stdout)
    assert entry["endpoint"] == "pages.index"
    assert "'nonce-{nonce}'" in entry["https"]["headers"]["Content-Security-Policy"]


# -- flask talisman check -------------------------------------------------------


def app_with(**options: Any) -> Flask:
    app = Flask("checked")
    app.route("/")(lambda: "x")
    Talisman(app, **options)
    return app


STRICT = {"preset": "strict"}
WARNING = {"preset": "strict", "strict_transport_security_max_age": 600}
ERROR = {"content_security_policy": {"default-src": "'self'", "script-src": "*"}}


def severities(app: Flask) -> set[str]:
    result = run(app, "check", "--format", "json")
    return {f["severity"] for f in json.loads(result.output)["findings"]}


@pytest.mark.parametrize(
    ("options", "strict", "exit_code"),
    [
        (STRICT, False, 0),
        (STRICT, True, 0),
        (WARNING, False, 0),
        (WARNING, True, 1),
        (ERROR, False, 1),
        (ERROR, True, 1),
    ],
    ids=[
        "strict",
        "strict-strict",
        "warning",
        "warning-strict",
        "error",
        "error-strict",
    ],
)
def test_check_exits_1_on_errors_and_with_strict_on_warnings(
    options: dict[str, Any], strict: bool, exit_code: int
) -> None:
    app = app_with(**options)
    result = run(app, "check", *(["--strict"] if strict else []))
    assert result.exit_code == exit_code, result.output
    found = severities(app)
    if options is STRICT:
        assert found <= {"info"}
    elif options is WARNING:
        assert "warning" in found
        assert "error" not in found
    else:
        assert "error" in found


def test_check_json_has_exactly_the_documented_shape() -> None:
    result = run(app_with(**ERROR), "check", "--format", "json")
    assert result.exit_code == 1
    payload = json.loads(result.output)
    assert list(payload) == ["findings"]
    keys = ["endpoint", "header", "directive", "severity", "code", "message"]
    assert all(list(f) == keys for f in payload["findings"])
    wildcard = next(f for f in payload["findings"] if f["code"] == "csp-wildcard")
    assert wildcard["endpoint"] == "<lambda>"
    assert wildcard["header"] == "Content-Security-Policy"
    assert wildcard["directive"] == "script-src"
    assert wildcard["severity"] == "error"
    app_wide = run(app_with(force_https=False), "check", "--format", "json")
    finding = next(
        f
        for f in json.loads(app_wide.output)["findings"]
        if f["code"] == "https-not-forced"
    )
    assert finding["endpoint"] is None
    assert finding["directive"] is None


def test_check_table_lists_each_finding_with_its_fix_and_a_count() -> None:
    result = run(app_with(**ERROR), "check")
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 100
    head = next(line for line in lines if "[csp-wildcard]" in line)
    assert head == "ERROR [csp-wildcard] <lambda>, Content-Security-Policy, script-src"
    assert lines[lines.index(head) + 1].startswith("    ")
    assert re.fullmatch(r"\d+ error\(s\), \d+ warning\(s\), \d+ info\.", lines[-1])
    clean = run(app_with(preset="api"), "check")
    assert clean.exit_code == 0


def test_check_with_no_findings_says_so() -> None:
    from flask_talisman.cli import format_findings

    assert format_findings([]) == "No findings."


def test_check_on_an_app_without_talisman_is_told_so() -> None:
    result = run(Flask("bare"), "check")
    assert result.exit_code == 1
    assert "Talisman is not registered on this app" in result.output


# -- previews of unusual rules ---------------------------------------------------


class EvenConverter(BaseConverter):
    """Matches even numbers only: the preview's sample "x" does not."""

    regex = r"\d*[02468]"


def unusual_app() -> Flask:
    app = Flask("unusual")
    app.config["SERVER_NAME"] = "app.example.org"
    app.url_map.converters["even"] = EvenConverter
    Talisman(app, force_https_preserve_method=True)

    @app.route("/lang/<any(en, fr):lang>")
    def lang(lang: str) -> str:
        return lang

    @app.route("/even/<even:n>")
    def even(n: str) -> str:
        return n

    @app.put("/item")
    def item() -> str:
        return "put"

    @app.route("/f/<float:x>/<uuid:u>")
    def numbers(x: float, u: object) -> str:
        return "n"

    return app


def test_unusual_rules_are_previewed_for_their_own_endpoint() -> None:
    app = unusual_app()
    assert default_host(app) == "app.example.org"
    shown = {entry["rule"]: entry for entry in headers_json(app)}
    assert shown["/lang/<any(en, fr):lang>"]["http"]["redirect"] == {
        "status": 307,
        "location": "https://app.example.org/lang/<any(en, fr):lang>",
    }
    assert shown["/even/<even:n>"]["endpoint"] == "even"
    assert shown["/even/<even:n>"]["https"]["headers"]["X-Frame-Options"] == (
        "SAMEORIGIN"
    )
    assert shown["/item"]["methods"] == ["OPTIONS", "PUT"]
    assert shown["/item"]["http"]["redirect"]["status"] == 307
    assert shown["/f/<float:x>/<uuid:u>"]["http"]["redirect"]["location"] == (
        "https://app.example.org/f/<float:x>/<uuid:u>"
    )


def test_a_route_with_every_header_off_says_so() -> None:
    app = Flask("off")
    app.route("/")(lambda: "x")
    Talisman(
        app,
        force_https=False,
        strict_transport_security=False,
        content_security_policy=None,
        frame_options=None,
        referrer_policy=None,
        permissions_policy={},
        x_content_type_options=False,
    )
    text = format_table(route_headers(app, path="/"), 100).splitlines()
    assert text[2:] == [
        "  HTTPS: served",
        "    (no headers)",
        "  HTTP: the same as HTTPS",
    ]
