"""Reporting: header wiring and the built-in report receiver."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import pytest
from flask import Flask

import flask_talisman.reports as reports_module
from flask_talisman import (
    ConfigurationError,
    Report,
    Talisman,
    report_received,
)

from .conftest import HTTPS, add_view, collect_reports, make_app

pytestmark = pytest.mark.usefixtures("disconnect_report_receivers")

LEGACY = {
    "csp-report": {
        "document-uri": "https://site.example/page",
        "referrer": "",
        "violated-directive": "script-src-elem",
        "effective-directive": "script-src-elem",
        "original-policy": "default-src 'self'; report-uri /r",
        "disposition": "enforce",
        "blocked-uri": "inline",
        "line-number": 12,
        "column-number": 5,
        "source-file": "https://site.example/page",
        "status-code": 200,
        "script-sample": "alert(1)",
    }
}


BATCH = [
    {
        "type": "csp-violation",
        "age": 3,
        "url": "https://site.example/page",
        "user_agent": "Browser/1.0",
        "body": {
            "documentURL": "https://site.example/page",
            "blockedURL": "inline",
            "effectiveDirective": "script-src-elem",
            "disposition": "report",
        },
    },
    {"type": "deprecation", "url": "https://site.example/", "body": {"id": "x"}},
    {"type": "coop", "url": "https://site.example/", "body": None},
]


def receiver_app(**options: Any) -> tuple[Flask, list[Report]]:
    app = make_app()
    Talisman(app, report_receiver="/r", **options)
    return app, collect_reports(app)


def post(app: Flask, body: object, content_type: str, **kwargs: Any) -> Any:
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return app.test_client().post(
        "/r", data=data, content_type=content_type, **{**HTTPS, **kwargs}
    )


def post_without_length(app: Flask, body: object) -> Any:
    """A CSP report with no Content-Length, as a server that de-chunked it sends it."""
    return app.test_client().post(
        "/r",
        input_stream=io.BytesIO(json.dumps(body).encode()),
        content_type="application/csp-report",
        environ_overrides={"wsgi.input_terminated": True},
        **HTTPS,
    )


def test_receiver_wires_report_uri_report_to_and_an_endpoint() -> None:
    app, _ = receiver_app()
    response = app.test_client().get("/", **HTTPS)
    assert response.headers["Content-Security-Policy"] == (
        "default-src 'self'; object-src 'none'; report-uri /r; report-to default"
    )
    assert response.headers["Reporting-Endpoints"] == 'default="https://localhost/r"'


def test_receiver_keeps_what_the_user_configured() -> None:
    app, _ = receiver_app(
        content_security_policy_report_uri="https://collector.example/csp",
        content_security_policy_report_to="csp",
        reporting_endpoints={
            "csp": "https://collector.example/reports",
            "default": "https://collector.example/default",
        },
    )
    response = app.test_client().get("/", **HTTPS)
    assert response.headers["Content-Security-Policy"] == (
        "default-src 'self'; object-src 'none'; "
        "report-uri https://collector.example/csp; report-to csp"
    )
    assert response.headers["Reporting-Endpoints"] == (
        'csp="https://collector.example/reports", '
        'default="https://collector.example/default"'
    )


def test_receiver_options_are_app_wide_and_fixed_after_init() -> None:
    app = make_app()  # kept: a collected app takes its options with it
    t = Talisman(app, report_receiver="/r")
    with pytest.raises(ConfigurationError, match="per view"):
        t(report_receiver="/other")
    with pytest.raises(ConfigurationError, match="init_app"):
        t.report_receiver_sample_rate = 0.5
    assert t.report_receiver_sample_rate == 1.0


def test_legacy_report_becomes_a_csp_violation_with_reporting_api_names() -> None:
    app, received = receiver_app()
    response = post(
        app, LEGACY, "application/csp-report", headers={"User-Agent": "UA/2"}
    )
    assert response.status_code == 204
    assert response.get_data() == b""
    (report,) = received
    assert report.type == "csp-violation"
    assert report.url == "https://site.example/page"
    assert report.user_agent == "UA/2"
    assert report.body == {
        "documentURL": "https://site.example/page",
        "referrer": "",
        "blockedURL": "inline",
        "effectiveDirective": "script-src-elem",
        "originalPolicy": "default-src 'self'; report-uri /r",
        "sourceFile": "https://site.example/page",
        "sample": "alert(1)",
        "disposition": "enforce",
        "statusCode": 200,
        "lineNumber": 12,
        "columnNumber": 5,
    }
    assert report.received.tzinfo is not None


def test_legacy_report_as_plain_json_is_accepted() -> None:
    app, received = receiver_app()
    assert post(app, LEGACY, "application/json").status_code == 204
    assert received[0].type == "csp-violation"


def test_reporting_api_batch() -> None:
    app, received = receiver_app()
    assert post(app, BATCH, "application/reports+json").status_code == 204
    assert [r.type for r in received] == ["csp-violation", "deprecation", "coop"]
    first = received[0]
    assert first.age == 3
    assert first.user_agent == "Browser/1.0"
    assert first.body["blockedURL"] == "inline"
    assert received[2].body == {}


def test_each_report_is_logged_on_one_line(caplog: pytest.LogCaptureFixture) -> None:
    app, _ = receiver_app()
    with caplog.at_level(logging.INFO, logger="flask_talisman.reports"):
        post(app, BATCH, "application/reports+json")
    lines = [
        r.getMessage() for r in caplog.records if r.name == "flask_talisman.reports"
    ]
    assert len(lines) == 3
    assert all("\n" not in line for line in lines)
    assert lines[0] == (
        "csp-violation report from https://site.example/page: "
        "report script-src-elem blocked inline"
    )


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("{not json", "application/csp-report", 400),
        (b"\xff\xfe", "application/reports+json", 400),
        ({"no": "csp-report"}, "application/csp-report", 400),
        ({"csp-report": []}, "application/csp-report", 400),
        ({"csp-report": {"blocked-uri": ["x"]}}, "application/csp-report", 400),
        ({"type": "x"}, "application/reports+json", 400),
        ([1], "application/reports+json", 400),
        ([{"type": "x"}], "application/reports+json", 400),
        ([{"type": "x", "url": "u", "body": []}], "application/reports+json", 400),
        ([{"type": "x", "url": "u", "age": "old"}], "application/reports+json", 400),
        ([{"type": "", "url": "u"}], "application/reports+json", 400),
        ([{"type": "x", "url": "u", "age": -1}], "application/reports+json", 400),
        ([{"type": "x", "url": "u", "age": 2**60}], "application/reports+json", 400),
        # An escaped lone surrogate is no more text than invalid UTF-8 bytes.
        ('[{"type": "x", "url": "\\ud800"}]', "application/reports+json", 400),
        ('{"csp-report": {"blocked-uri": "\\udfff"}}', "application/csp-report", 400),
        # A key is text too: a log handler could not write it.
        (
            '[{"type": "x", "url": "u", "body": {"\\ud800": 1}}]',
            "application/reports+json",
            400,
        ),
        # Python's json reads these; JSON has no such numbers, and a reports
        # file must stay JSON for jq or a log pipeline.
        (
            '[{"type": "x", "url": "u", "body": {"a": NaN}}]',
            "application/reports+json",
            400,
        ),
        (
            '[{"type": "x", "url": "u", "body": {"a": [-Infinity]}}]',
            "application/reports+json",
            400,
        ),
        (LEGACY, "text/plain", 415),
        (LEGACY, "application/x-www-form-urlencoded", 415),
    ],
)
def test_rejections(body: Any, content_type: str, status: int) -> None:
    app, received = receiver_app()
    assert post(app, body, content_type).status_code == status
    assert received == []


def nested(depth: int) -> str:
    """A batch whose one report's body nests ``depth`` lists."""
    lists = "[" * depth + "]" * depth
    return '[{"type": "x", "url": "u", "body": {"a": ' + lists + "}}]"


@pytest.mark.parametrize("depth", [32, 900, 30_000])
def test_deeply_nested_reports_get_400_without_a_traceback(
    depth: int, caplog: pytest.LogCaptureFixture
) -> None:
    app, received = receiver_app()
    with caplog.at_level(logging.INFO, logger="flask_talisman.reports"):
        response = post(app, nested(depth), "application/reports+json")
    assert (response.status_code, response.data) == (
        400,
        b"the report is nested too deeply\n",
    )
    assert received == []
    assert caplog.records == []


def test_nesting_within_the_limit_is_kept() -> None:
    app, received = receiver_app()
    assert post(app, nested(31), "application/reports+json").status_code == 204
    value = received[0].body["a"]
    for _ in range(30):
        (value,) = value
    assert value == []


def test_control_characters_in_a_report_stay_on_one_log_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app, received = receiver_app()
    hostile = [
        {
            "type": "csp\nviolation",
            "url": "https://site.example/\nINFO forged line\r\u2028",
            "body": {"blockedURL": "inline\x1b[31m", "disposition": "enforce"},
        }
    ]
    with caplog.at_level(logging.INFO, logger="flask_talisman.reports"):
        assert post(app, hostile, "application/reports+json").status_code == 204
    (line,) = [
        r.getMessage() for r in caplog.records if r.name == "flask_talisman.reports"
    ]
    assert line == (
        "csp\\nviolation report from https://site.example/\\nINFO forged line"
        "\\r\\u2028: blockedURL=inline\\x1b[31m disposition=enforce"
    )
    assert received[0].url == "https://site.example/\nINFO forged line\r\u2028"


def test_a_report_over_the_apps_max_content_length_gets_413(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app, received = receiver_app()
    app.config["MAX_CONTENT_LENGTH"] = 100
    big = {"csp-report": {"document-uri": "x" * 500}}
    assert post_without_length(app, big).status_code == 413
    assert received == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_body_size_limit() -> None:
    app, received = receiver_app(report_receiver_max_bytes=1000)
    big = {"csp-report": {"document-uri": "x" * 2000}}
    assert post(app, big, "application/csp-report").status_code == 413
    # Without a Content-Length (a server that de-chunked the body), reading
    # stops at the limit.
    assert post_without_length(app, big).status_code == 413
    assert post(app, LEGACY, "application/csp-report").status_code == 204
    assert len(received) == 1


def test_other_methods_get_405() -> None:
    app, _ = receiver_app()
    client = app.test_client()
    for method in ("GET", "PUT", "DELETE"):
        assert client.open("/r", method=method, **HTTPS).status_code == 405


def test_receiver_is_exempt_from_the_https_redirect() -> None:
    app, received = receiver_app()
    response = app.test_client().post(
        "/r", data=json.dumps(LEGACY), content_type="application/csp-report"
    )
    assert response.status_code == 204
    assert len(received) == 1
    assert app.test_client().get("/").status_code == 302  # the rest still redirects


def test_rate_limit_per_client() -> None:
    app, received = receiver_app(report_receiver_rate_limit=2)
    statuses = [
        post(app, LEGACY, "application/csp-report").status_code for _ in range(3)
    ]
    # Over the limit: 204, so that no browser sends the report again, and
    # the report is dropped (tests/test_report_limits.py).
    assert statuses == [204, 204, 204]
    assert len(received) == 2
    other = post(
        app,
        LEGACY,
        "application/csp-report",
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert other.status_code == 204
    assert len(received) == 3


def test_rate_limiter_forgets_old_windows_and_bounds_memory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = [1000.0]
    monkeypatch.setattr(reports_module.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(reports_module, "_MAX_CLIENTS", 3)
    limiter = reports_module._RateLimiter(1)
    assert limiter.allow("a")
    assert not limiter.allow("a")
    clock[0] += 61
    assert limiter.allow("a")
    for client in "bcde":
        limiter.allow(client)
    assert len(limiter._clients) == 3


def test_sampling(monkeypatch: pytest.MonkeyPatch) -> None:
    app, received = receiver_app(report_receiver_sample_rate=0.5)
    rolls = iter([0.2, 0.7, 0.4])
    monkeypatch.setattr(reports_module.random, "random", lambda: next(rolls))
    assert post(app, BATCH, "application/reports+json").status_code == 204
    assert [r.type for r in received] == ["csp-violation", "coop"]


def test_a_failing_signal_receiver_never_makes_a_5xx(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app, _ = receiver_app()

    def broken(sender: Flask, report: Report) -> None:
        raise RuntimeError("receiver bug")

    report_received.connect(broken, app, weak=False)
    with caplog.at_level(logging.ERROR, logger="flask_talisman.reports"):
        assert post(app, LEGACY, "application/csp-report").status_code == 204
    assert "receiver failed" in caplog.text


def test_long_fields_are_clipped() -> None:
    app, received = receiver_app()
    batch = [
        {
            "type": "intervention",
            "url": "https://site.example/",
            "body": {"message": "m" * 10_000, "nested": {"list": list(range(500))}},
        }
    ]
    assert post(app, batch, "application/reports+json").status_code == 204
    body = received[0].body
    assert len(body["message"]) == 4096
    assert len(body["nested"]["list"]) == 100


def test_csrf_extension_exempts_the_receiver() -> None:
    exempted: list[Any] = []

    class FakeCSRF:
        def exempt(self, view: Any) -> Any:
            exempted.append(view)
            return view

    app = make_app()
    app.extensions["csrf"] = FakeCSRF()
    Talisman(app, report_receiver="/r")
    assert exempted == [app.view_functions["talisman_report_receiver"]]


def test_report_to_false_leaves_only_report_uri() -> None:
    """Chromium ignores report-uri in a policy that has report-to."""
    app, _ = receiver_app(
        content_security_policy_report_to=False,
        cross_origin_opener_policy="same-origin",
        cross_origin_opener_policy_report_to=False,
        permissions_policy={"camera": "()"},
        permissions_policy_report_to=False,
    )
    headers = app.test_client().get("/", **HTTPS).headers
    assert headers["Content-Security-Policy"] == (
        "default-src 'self'; object-src 'none'; report-uri /r"
    )
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["Permissions-Policy"] == "camera=()"
    assert headers["Reporting-Endpoints"] == 'default="https://localhost/r"'


def test_report_to_false_works_per_view() -> None:
    app, _ = receiver_app()
    t = app.extensions["talisman"].owner

    add_view(app, "/legacy", t(content_security_policy_report_to=False))

    csp = app.test_client().get("/legacy", **HTTPS).headers["Content-Security-Policy"]
    assert csp == "default-src 'self'; object-src 'none'; report-uri /r"


def test_report_to_is_left_out_on_plain_http() -> None:
    """Chromium sends no Reporting API reports from plain-HTTP pages and
    ignores report-uri beside report-to, so plain HTTP gets report-uri only."""
    app, _ = receiver_app(
        force_https=False,
        content_security_policy={"default-src": "'self'", "report-to": "mine"},
    )
    client = app.test_client()
    assert client.get("/").headers["Content-Security-Policy"] == (
        "default-src 'self'; report-uri /r"
    )
    assert client.get("/", **HTTPS).headers["Content-Security-Policy"] == (
        "default-src 'self'; report-to mine; report-uri /r"
    )


@pytest.mark.parametrize(
    "options",
    [{"report_receiver": "/r"}, {"reporting_endpoints": {"csp": "/r"}}],
    ids=["receiver", "relative-endpoint"],
)
@pytest.mark.parametrize(
    ("host", "status"), [("evil.example", 400), ("GOOD.EXAMPLE", 200)]
)
def test_an_untrusted_host_never_gets_a_5xx(
    options: dict[str, Any], host: str, status: int
) -> None:
    app = make_app()
    app.config["TRUSTED_HOSTS"] = ["good.example"]
    Talisman(app, force_https=False, **options)
    client = app.test_client()
    for base in ("https", "http"):
        response = client.get("/", base_url=f"{base}://{host}")
        assert response.status_code == status, base


@pytest.mark.parametrize(
    ("body", "content_type"),
    [(LEGACY, "application/csp-report"), (BATCH, "application/reports+json")],
    ids=["report-uri", "report-to"],
)
def test_accepted_reports_get_a_204_without_content_type_or_body(
    body: object, content_type: str
) -> None:
    """An empty 204 labelled text/html made Chromium log an ORB error per report."""
    app, received = receiver_app()
    response = post(app, body, content_type)
    assert response.status_code == 204
    assert received
    assert "Content-Type" not in response.headers
    assert response.headers.get("Content-Length", "0") == "0"
    assert response.data == b""


def test_an_absurd_receiver_limit_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="report_receiver_max_bytes"):
        Talisman(make_app(), report_receiver="/r", report_receiver_max_bytes=10**5000)


def _mounts() -> dict[str, Any]:
    """Three ways an app ends up under ``/shop`` (each a WSGI app to call)."""
    from werkzeug.middleware.dispatcher import DispatcherMiddleware
    from werkzeug.middleware.proxy_fix import ProxyFix

    def dispatcher(app: Flask) -> Any:
        return DispatcherMiddleware(Flask("outer"), {"/shop": app.wsgi_app})

    def script_name(app: Flask) -> Any:
        def call(environ: dict[str, Any], start_response: Any) -> Any:
            environ["SCRIPT_NAME"] = "/shop"
            environ["PATH_INFO"] = environ["PATH_INFO"].removeprefix("/shop")
            return app.wsgi_app(environ, start_response)

        return call

    def proxy_prefix(app: Flask) -> Any:
        fixed = ProxyFix(app.wsgi_app, x_prefix=1)

        def call(environ: dict[str, Any], start_response: Any) -> Any:
            environ["HTTP_X_FORWARDED_PREFIX"] = "/shop"
            environ["PATH_INFO"] = environ["PATH_INFO"].removeprefix("/shop")
            return fixed(environ, start_response)

        return call

    return {
        "dispatcher": dispatcher,
        "script-name": script_name,
        "proxy-fix-prefix": proxy_prefix,
    }


MOUNTS = _mounts()


@pytest.mark.parametrize("mount", MOUNTS.values(), ids=MOUNTS.keys())
@pytest.mark.parametrize(
    "options",
    [
        {},
        {"content_security_policy_nonce_in": ["script-src"]},
        {"content_security_policy_report_only": True},
        {"content_security_policy_report_to": False},
    ],
    ids=["static", "nonce", "report-only", "report-uri-only"],
)
@pytest.mark.parametrize("scheme", ["https", "http"])
def test_a_mounted_apps_report_uri_names_the_mounted_receiver(
    mount: Any, options: dict[str, Any], scheme: str
) -> None:
    """Firefox, WebKit and every plain-HTTP page post to report-uri."""
    from werkzeug.test import Client

    app, received = receiver_app(force_https=False, **options)
    client = Client(mount(app))
    page = client.get("/shop/", base_url=f"{scheme}://site.example")
    assert page.status_code == 200
    csp = page.headers.get("Content-Security-Policy") or page.headers.get(
        "Content-Security-Policy-Report-Only"
    )
    query = "?disposition=report" if "report_only" in str(options) else ""
    assert f"report-uri /shop/r{query}" in csp
    if scheme == "https":
        assert page.headers["Reporting-Endpoints"] == (
            'default="https://site.example/shop/r"'
        )
    posted = client.post(
        "/shop/r",
        data=json.dumps(LEGACY),
        content_type="application/csp-report",
        base_url=f"{scheme}://site.example",
    )
    assert posted.status_code == 204
    assert len(received) == 1
    # The same app unmounted keeps the path as it was.
    direct = app.test_client().get("/", base_url=f"{scheme}://site.example")
    assert f"report-uri /r{query}" in (
        direct.headers.get("Content-Security-Policy")
        or direct.headers["Content-Security-Policy-Report-Only"]
    )


def test_a_mounted_304_gets_no_nonced_policy() -> None:
    """The mount's values fill only the headers the response gets."""
    from werkzeug.test import Client

    app, _ = receiver_app(content_security_policy_nonce_in=["script-src"])

    @app.route("/unchanged")
    def unchanged() -> tuple[str, int]:
        return "", 304

    client = Client(MOUNTS["dispatcher"](app))
    response = client.get("/shop/unchanged", base_url="https://site.example")
    assert response.status_code == 304
    assert "Content-Security-Policy" not in response.headers
    assert "X-Frame-Options" in response.headers


def test_a_report_survives_its_json_line() -> None:
    from flask_talisman.report_types import Report

    report = Report("coop", "https://a.example/", {"x": [1, "y"]}, "UA", age=5)
    line = json.dumps(report.to_json())
    assert Report.from_json(json.loads(line)) == report
    with pytest.raises(ValueError, match="not a stored report"):
        Report.from_json({"type": "coop"})
    with pytest.raises(ValueError, match="wrong type"):
        Report.from_json({**report.to_json(), "age": True})
