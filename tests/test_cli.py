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
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Blueprint, Flask, Request, Response, g, request
from flask.cli import ScriptInfo
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from werkzeug.routing import BaseConverter, Rule

from example_app import create_app
from flask_talisman import DENY, Talisman
from flask_talisman.cli import format_table, talisman
from flask_talisman.inspection import (
    NONCE_PLACEHOLDER,
    default_host,
    preview_host,
    route_headers,
)

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
    "Vary",  # resource_isolation's Sec-Fetch-* (cross_origin_protection.py)
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
    # (Two rules may share a path, for different methods.)
    shown = {(e["rule"], e["endpoint"]): e for e in headers_json(app)}
    rules = list(app.url_map.iter_rules())
    assert sorted(shown) == sorted((rule.rule, rule.endpoint) for rule in rules)
    for rule in rules:
        entry = shown[rule.rule, rule.endpoint]
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
    assert list(entry) == [
        "endpoint", "rule", "methods", "host", "https", "http", "checks"
    ]  # fmt: skip
    assert entry["checks"] == {
        "cross_origin_protection": False,
        "resource_isolation": False,
        "cross_origin_trusted_origins": [],
    }
    assert entry["host"] == "localhost"
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
    assert list(payload) == ["host", "findings", "summary"]
    assert payload["host"] == "localhost"
    keys = ["endpoints", "header", "directive", "severity", "code", "message"]
    assert all(list(f) == [*keys, "ignored"] for f in payload["findings"])
    wildcard = next(f for f in payload["findings"] if f["code"] == "csp-wildcard")
    assert wildcard["endpoints"] == ["<lambda>"]
    assert wildcard["header"] == "Content-Security-Policy"
    assert wildcard["directive"] == "script-src"
    assert wildcard["severity"] == "error"
    assert wildcard["ignored"] is False
    assert list(payload["summary"]) == ["error", "warning", "info", "ignored"]
    assert payload["summary"]["ignored"] == {}
    app_wide = run(app_with(force_https=False), "check", "--format", "json")
    finding = next(
        f
        for f in json.loads(app_wide.output)["findings"]
        if f["code"] == "https-not-forced"
    )
    assert finding["endpoints"] == []
    assert finding["directive"] is None


def test_check_table_lists_each_finding_with_its_fix_and_a_count() -> None:
    result = run(app_with(**ERROR), "check")
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 100
    head = next(line for line in lines if "[csp-wildcard]" in line)
    assert head == "ERROR [csp-wildcard] Content-Security-Policy, script-src"
    assert lines[lines.index(head) + 1] == "    Endpoint: <lambda>"
    assert lines[lines.index(head) + 2].startswith("    ")
    assert re.fullmatch(r"\d+ errors?, \d+ warnings?, \d+ info\.", lines[-1])
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


# -- what a preview runs: Talisman's hooks, none of the app's ---------------------


class CountingSessions(SecureCookieSessionInterface):
    """A session interface that counts the sessions it opens and saves."""

    def __init__(self, calls: list[str]) -> None:
        self.calls = calls

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        self.calls.append("open_session")
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: Any, response: Response) -> None:
        self.calls.append("save_session")  # pragma: no cover - must not run
        super().save_session(app, session, response)  # pragma: no cover


def app_with_hooks(calls: list[str]) -> Flask:
    """The classic app: a connection opened before each request, closed after."""
    app = Flask("hooks")
    app.secret_key = "k"
    app.session_interface = CountingSessions(calls)

    class Connection:
        def close(self) -> None:
            calls.append("close")

    @app.before_request
    def connect() -> None:
        calls.append("before_request")
        g.db = Connection()

    @app.teardown_request
    def disconnect(error: BaseException | None) -> None:
        calls.append("teardown_request")
        g.db.close()

    @app.teardown_appcontext
    def release(error: BaseException | None) -> None:
        calls.append("teardown_appcontext")
        g.db.close()

    @app.after_request
    def after(response: Response) -> Response:
        calls.append("after_request")
        return response

    @app.url_value_preprocessor
    def preprocess(endpoint: str | None, values: dict[str, Any] | None) -> None:
        calls.append("url_value_preprocessor")

    app.add_url_rule("/", "index", lambda: "x")
    app.add_url_rule("/users/<int:user_id>", "user", lambda user_id: str(user_id))
    Talisman(app, report_receiver="/talisman/reports")
    return app


@pytest.mark.parametrize(
    "args",
    [["headers"], ["headers", "--format", "json", "/users/7"], ["check"]],
    ids=["headers", "headers-path", "check"],
)
def test_the_commands_run_none_of_the_apps_hooks(args: list[str]) -> None:
    calls: list[str] = []
    result = run(app_with_hooks(calls), *args)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 0, result.output
    assert calls == []


def test_a_preview_from_python_runs_none_of_the_apps_hooks() -> None:
    calls: list[str] = []
    app = app_with_hooks(calls)
    routes = route_headers(app)
    assert [route.rule for route in routes] == [
        "/",
        "/static/<path:filename>",
        "/talisman/reports",
        "/users/<int:user_id>",
    ]
    assert (
        "report-uri /talisman/reports"
        in (routes[0].https.headers["Content-Security-Policy"])
    )
    assert calls == []
    # In a request context of the app's own: left as it was, and its
    # teardown (when it ends) is the app's own affair.
    with app.test_request_context("/users/1"):
        g.db = SimpleNamespace(close=lambda: None)
        calls.clear()  # the session this context opened
        outer = request._get_current_object()  # type: ignore[attr-defined]
        request.csp_nonce = "mine"  # type: ignore[attr-defined]
        route_headers(app, path="/")
        assert calls == []
        assert request._get_current_object() is outer  # type: ignore[attr-defined]
        assert request.csp_nonce == "mine"  # type: ignore[attr-defined]
        assert request.url_rule is not None
        assert request.url_rule.rule == "/users/<int:user_id>"


def test_the_hooked_app_still_shows_what_real_requests_get() -> None:
    # A real request runs every hook; the preview, none, with the same headers.
    app = app_with_hooks([])
    shown = {entry["rule"]: entry for entry in headers_json(app)}
    response = app.test_client().get("/", base_url="https://localhost")
    assert shown["/"]["https"]["headers"] == talisman_headers(response, "index")


def test_an_app_without_rules_has_nothing_to_preview() -> None:
    app = Flask("empty", static_folder=None)
    Talisman(app)
    assert route_headers(app) == []
    result = run(app, "check", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["findings"] == []


# -- the host previewed -------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "host"),
    [
        ({}, "localhost"),
        ({"SERVER_NAME": "Example.COM"}, "example.com"),
        ({"SERVER_NAME": "example.com:8443"}, "example.com:8443"),
        ({"TRUSTED_HOSTS": [".example.com"]}, "example.com"),
        ({"TRUSTED_HOSTS": [".Example.com"]}, "example.com"),
        ({"TRUSTED_HOSTS": "example.org"}, "example.org"),
        ({"TRUSTED_HOSTS": [".example.org", "app.example.org"]}, "app.example.org"),
        ({"TRUSTED_HOSTS": ["app.example.org:8443"]}, "app.example.org:8443"),
        ({"TRUSTED_HOSTS": [".", "a..b", ".example.net"]}, "example.net"),
        ({"TRUSTED_HOSTS": ["bücher.example"]}, "xn--bcher-kva.example"),
        (
            {"SERVER_NAME": "example.com", "TRUSTED_HOSTS": ["www.example.com"]},
            "www.example.com",
        ),
        # None accepted: the first, and the preview shows the 400.
        ({"SERVER_NAME": "example.com", "TRUSTED_HOSTS": ["other.org"]}, "example.com"),
        ({"TRUSTED_HOSTS": ["."]}, "localhost"),
    ],
)
def test_the_default_host_is_one_the_app_accepts(
    config: dict[str, Any], host: str
) -> None:
    app = Flask("hosts")
    app.config.update(config)
    assert default_host(app) == host


def trusted_app() -> Flask:
    app = Flask("trusted")
    app.config["TRUSTED_HOSTS"] = [".example.com"]
    app.route("/")(lambda: "x")
    Talisman(
        app,
        report_receiver="/talisman/reports",
        content_security_policy={"default-src": "'self'", "script-src": "*"},
    )
    return app


def test_check_previews_a_host_in_trusted_hosts_and_says_which() -> None:
    app = trusted_app()
    result = run(app, "check")
    lines = result.output.splitlines()
    assert lines[:2] == ["Previewed as https://example.com and http://example.com", ""]
    assert "configuration-error" not in result.output
    payload = json.loads(run(app, "check", "--format", "json").output)
    assert payload["host"] == "example.com"
    codes = {(e, f["code"]) for f in payload["findings"] for e in f["endpoints"]}
    assert ("<lambda>", "csp-wildcard") in codes  # the route's CSP is linted
    assert not any(f["code"] == "configuration-error" for f in payload["findings"])


def test_headers_previews_a_host_in_trusted_hosts_and_says_which() -> None:
    app = trusted_app()
    lines = run(app, "headers", "/").output.splitlines()
    assert lines[:3] == [
        "Previewed as https://example.com and http://example.com",
        "",
        "/  (<lambda>; GET, HEAD, OPTIONS)",
    ]
    (entry,) = headers_json(app, "/")
    assert entry["host"] == "example.com"
    assert entry["http"]["redirect"]["location"] == "https://example.com/"
    assert entry["https"]["headers"]["Reporting-Endpoints"] == (
        'default="https://example.com/talisman/reports"'
    )
    (entry,) = headers_json(app, "--host", "WWW.Example.com", "/")
    assert entry["host"] == "www.example.com"
    assert entry["http"]["redirect"]["location"] == "https://www.example.com/"


@pytest.mark.parametrize(
    ("given", "host"),
    [
        ("EXAMPLE.com", "example.com"),
        ("Localhost:05000", "localhost:5000"),
        ("127.0.0.1:8080", "127.0.0.1:8080"),
        ("[::1]", "[::1]"),
        ("[FE80::1]:8443", "[fe80::1]:8443"),
        ("Bücher.example", "xn--bcher-kva.example"),
        ("example.com.", "example.com."),
    ],
)
def test_a_host_is_taken_as_a_browser_sends_it(given: str, host: str) -> None:
    assert preview_host(given) == host
    (entry,) = headers_json(redirecting_app(), "--host", given, "/")
    assert entry["host"] == host
    assert entry["https"]["headers"]["Reporting-Endpoints"] == (
        f'main="https://{host}/r"'
    )


BAD_HOSTS = [
    ("localhost:99999", "the port '99999' is not a number from 1 to 65535"),
    ("localhost:0", "the port '0' is not a number from 1 to 65535"),
    ("localhost:", "the port '' is not a number from 1 to 65535"),
    (
        "localhost:\uff18\uff10",
        "the port '\uff18\uff10' is not a number from 1 to 65535",
    ),
    ("...", "it is not a host name or IP address"),
    ("", "it is not a host name or IP address"),
    ("a b", "it is not a host name or IP address"),
    ("-a.example", "it is not a host name or IP address"),
    ("a" * 64 + ".example", "it is not a host name or IP address"),
    ("evil.example/path", "it is not a host name or IP address"),
    ("user@evil.example", "it is not a host name or IP address"),
    ("https://example.com", "the port '//example.com' is not a number from 1 to 65535"),
    ("::1", "it is not a host name or IP address"),
    ("[::1", "'[::1' is not a bracketed IPv6 address"),
    ("[::g]", "'[::g]' is not a bracketed IPv6 address"),
    ("[fe80::1%eth0]", "'[fe80::1%eth0]' is not a bracketed IPv6 address"),
    ("[1.2.3.4]", "'[1.2.3.4]' is not a bracketed IPv6 address"),
]


@pytest.mark.parametrize(("given", "problem"), BAD_HOSTS)
def test_a_host_that_is_not_one_is_a_usage_error(given: str, problem: str) -> None:
    with pytest.raises(ValueError, match=re.escape(problem)):
        preview_host(given)
    with pytest.raises(ValueError, match=re.escape(problem)):
        route_headers(redirecting_app(), host=given or " ")
    result = run(redirecting_app(), "headers", f"--host={given}")
    assert result.exit_code == 2
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    )
    assert result.output.splitlines()[-1] == (
        f"Error: Invalid value for '--host': {given!r} cannot be a Host: "
        f"{problem}. Give a host name or IP address, with a port if needed, "
        "such as example.com, localhost:5000 or [::1]:8080."
    )


# -- loading the app: a configuration error is told, not traced ---------------------


BOGUS = """
from flask import Flask
from flask_talisman import Talisman

app = Flask(__name__)
Talisman(app, frame_options="bogus")
"""
FACTORY = """
from flask import Flask
from flask_talisman import Talisman

def create_app():
    app = Flask(__name__)
    talisman = Talisman()
    talisman.init_app(app, content_security_policy={"script-src": "self"})
    return app
"""
BOGUS_MESSAGE = (
    "Error: frame_options: 'bogus' is not an X-Frame-Options value. Use DENY, "
    "SAMEORIGIN, ALLOW_FROM (with frame_options_allow_from), or None to send no "
    "header."
)


@pytest.mark.parametrize("command", [["check"], ["headers", "/"]])
@pytest.mark.parametrize(
    ("source", "app_name"), [(BOGUS, "bogus"), (FACTORY, "bogus:create_app()")]
)
def test_a_configuration_error_is_printed_alone(
    tmp_path: Path, command: list[str], source: str, app_name: str
) -> None:
    (tmp_path / "bogus.py").write_text(source)
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"}
    env.pop("FLASK_APP", None)
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", app_name, "talisman", *command],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: ")
    if source is BOGUS:
        assert line == BOGUS_MESSAGE
    else:
        assert line.startswith("Error: content_security_policy")


def test_a_configuration_warning_made_an_error_is_printed_alone() -> None:
    # pytest runs with warnings as errors, as `python -W error` does.
    def create_app() -> Flask:
        app = Flask("warned")
        talisman_ = Talisman(app)
        talisman_.frame_option = DENY  # type: ignore[attr-defined]
        return app  # pragma: no cover - the warning is raised first

    runner = CliRunner()
    result = runner.invoke(talisman, ["check"], obj=ScriptInfo(create_app=create_app))
    assert result.exit_code == 1
    (line,) = result.output.splitlines()
    assert line.startswith("Error: Talisman.frame_option is not an option")


def test_the_current_app_is_used_when_there_is_one() -> None:
    app = app_with(**STRICT)
    with app.app_context():
        result = CliRunner().invoke(talisman, ["check"], obj=ScriptInfo())
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Previewed as https://localhost")
