"""Properties: what a client sends never makes a 5xx or leaves the app's hosts.

Any Host header, against apps with ``TRUSTED_HOSTS``, ``SERVER_NAME`` or
neither, with and without relative reporting endpoints: the answer is below
500, a redirect's ``Location`` names exactly the Host that was sent (as a
valid host name, over ``https``), and every header value is printable ASCII.
Any body posted to the report receiver gets 204 or a 4xx, and one log line
per report; whatever it is sent, and from however many clients, the receiver
holds no more memory than its rate limiter's bound.
"""

from __future__ import annotations

import gc
import json
import logging
import re
import tracemalloc
import warnings
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder, run_wsgi_app

import flask_talisman.reports as reports_module
from flask_talisman import Talisman

from .test_options import SETTINGS

PRINTABLE = re.compile(r"[\x20-\x7e]*\Z")
CONFIGS: list[dict[str, Any]] = [
    {"TRUSTED_HOSTS": ["good.example", ".good.example"]},
    {"SERVER_NAME": "good.example"},
    {},
]
OPTIONS: list[dict[str, Any]] = [
    {},
    {"report_receiver": "/reports"},
    {
        "reporting_endpoints": {"main": "/r"},
        "content_security_policy_report_to": "main",
    },
]
host_chars = st.sampled_from(list("abcGOOD.-_:@/\\[]%?#0129 \t\x00\x7f\u00e9"))
hosts = st.one_of(
    st.text(host_chars, max_size=30),
    st.builds(lambda a: a + ".example", st.text(host_chars, max_size=12)),
    st.builds(lambda a, b: a + b, st.sampled_from(["good.example", "www.good.example"]),
              st.text(host_chars, max_size=10)),
    st.just("a" * 64 + ".good.example"),
    st.sampled_from(["good.example:99999", "[::1]:8080", "xn--bcher-kva.example"]),
)  # fmt: skip
paths = st.sampled_from(
    ["/", "/evil.example/a", "//evil.example", "/a?b=c", "/reports"]
)


def build(config: dict[str, Any], options: dict[str, Any] | None) -> Flask:
    app = Flask("hosts")
    app.config.update(config)
    app.logger.disabled = True

    @app.route("/<path:anything>")
    @app.route("/")
    def anything(anything: str = "") -> str:
        return anything

    if options is not None:
        Talisman(app, **options)
    return app


# (the same app without Talisman, the app with it)
APPS = [
    (build(config, None), build(config, options))
    for config in CONFIGS
    for options in OPTIONS
]


@SETTINGS
@given(
    index=st.integers(0, len(APPS) - 1),
    host=hosts,
    path=paths,
    scheme=st.sampled_from(["http", "https"]),
    proxy=st.booleans(),
)
def test_any_host_is_answered_below_500_and_never_redirected_elsewhere(
    index: int, host: str, path: str, scheme: str, proxy: bool
) -> None:
    bare, app = APPS[index]
    environ = EnvironBuilder(path=path.split("?")[0]).get_environ()
    environ.update({"HTTP_HOST": host, "wsgi.url_scheme": scheme})
    if proxy:
        environ["HTTP_X_FORWARDED_PROTO"] = "https"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Werkzeug < 3 warns about foreign hosts
        _, status, headers = run_wsgi_app(app.wsgi_app, dict(environ))
        _, bare_status, _ = run_wsgi_app(bare.wsgi_app, dict(environ))
    code = int(status.split()[0])
    if int(bare_status.split()[0]) >= 500:
        # Werkzeug < 3.1 fails on some Hosts in its own routing, with or
        # without Talisman; not what this property is about.
        return
    assert code < 500, (host, status)
    for name, value in headers:
        # A 308 is Werkzeug's own routing redirect (a merged slash): before
        # Werkzeug 3.1 its Location repeats the Host unchecked. Not ours.
        if not (name == "Location" and code == 308):
            assert PRINTABLE.match(value), (name, value)
    if code == 302:  # the HTTPS redirect (Werkzeug's own routing uses 308)
        location = urlsplit(headers["Location"])
        assert location.scheme == "https"
        assert location.netloc == host.lower()
        assert re.fullmatch(r"[a-z0-9._\[\]:-]+", location.netloc)
    for value in headers.getlist("Reporting-Endpoints"):
        origin = urlsplit(value.split('"')[1])
        assert origin.netloc == host.lower()


def any_case(text: str) -> st.SearchStrategy[str]:
    """``text`` with each letter in either case."""
    return st.lists(st.booleans(), min_size=len(text), max_size=len(text)).map(
        lambda upper: "".join(
            c.upper() if u else c.lower() for c, u in zip(text, upper, strict=True)
        )
    )


@SETTINGS
@given(
    server_name=st.sampled_from(["good.example", "good.example:8080"]).flatmap(
        any_case
    ),
    host=st.sampled_from(["good.example", "www.good.example", "evil.example"]).flatmap(
        any_case
    ),
    options=st.sampled_from(OPTIONS),
    scheme=st.sampled_from(["http", "https"]),
)
def test_host_names_compare_in_any_letter_case(
    server_name: str, host: str, options: dict[str, Any], scheme: str
) -> None:
    """What bare Flask serves under a SERVER_NAME, Talisman serves too.

    (RFC 9110, 4.2.3: host names are case-insensitive; Werkzeug's routing
    lower-cases SERVER_NAME.) A served page's redirect and endpoint origin
    name the host in lower case; a foreign host is never named.
    """
    config = {"SERVER_NAME": server_name}
    bare, app = build(config, None), build(config, options)
    environ = EnvironBuilder(path="/").get_environ()
    environ.update({"HTTP_HOST": host, "wsgi.url_scheme": scheme})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Werkzeug < 3 warns about foreign hosts
        _, status, headers = run_wsgi_app(app.wsgi_app, dict(environ))
        _, bare_status, _ = run_wsgi_app(bare.wsgi_app, dict(environ))
    code = int(status.split()[0])
    if host.lower() == "evil.example":
        # Never named in a redirect or an origin; served as bare Flask does
        # when nothing names it (Flask 3.1), or 404 from Werkzeug's routing.
        assert code in (200, 400, 404), status
        assert "Location" not in headers
        assert "Reporting-Endpoints" not in headers
        return
    # Before Flask 3.1, a subdomain of SERVER_NAME is Werkzeug's 404.
    assert bare_status[:3] in ("200", "404"), bare_status
    if scheme == "https":
        assert status[:3] == bare_status[:3], (status, bare_status)
    else:
        assert code == 302, status
    if code == 302:
        assert headers["Location"] == f"https://{host.lower()}/"
    for value in headers.getlist("Reporting-Endpoints"):
        assert urlsplit(value.split('"')[1]).netloc == host.lower()


json_values = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20)
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.text(max_size=10), inner, max_size=3),
    ),
    max_leaves=10,
)
report = st.fixed_dictionaries(
    {"type": st.one_of(st.text(max_size=10), json_values),
     "url": st.one_of(st.text(max_size=30), json_values)},
    optional={"body": json_values, "age": json_values, "user_agent": json_values},
)  # fmt: skip


def nested(depth: int, opener: str) -> bytes:
    closer = {"[": "]", '{"a":': "}"}[opener]
    inner = opener * depth + ("[]" if opener == "[" else "0") + closer * depth
    return ('[{"type": "x", "url": "u", "body": {"a": ' + inner + "}}]").encode()


bodies = st.one_of(
    st.binary(max_size=200),
    st.builds(nested, st.integers(0, 4000), st.sampled_from(["[", '{"a":'])),
    st.builds(json.dumps, st.lists(report, max_size=3)).map(str.encode),
    st.builds(lambda r: json.dumps({"csp-report": r}), json_values).map(str.encode),
    st.builds(lambda r: json.dumps({"csp-report": r}), st.dictionaries(
        st.sampled_from(["document-uri", "blocked-uri", "line-number", "disposition"]),
        json_values)).map(str.encode),
)  # fmt: skip
content_types = st.sampled_from(
    [
        "application/csp-report",
        "application/reports+json",
        "application/json",
        "text/plain",
    ]
)
# A small limit (most bodies hit it) and the default one (deep nesting fits).
RECEIVERS = [
    build({}, {"report_receiver": "/reports", "report_receiver_max_bytes": 150}),
    build({}, {"report_receiver": "/reports"}),
]


@settings(
    SETTINGS,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=bodies, content_type=content_types, receiver=st.sampled_from(RECEIVERS))
def test_any_report_body_gets_204_or_4xx_and_one_line_per_report(
    body: bytes, content_type: str, receiver: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="flask_talisman.reports"):
        response = receiver.test_client().post(
            "/reports",
            data=body,
            content_type=content_type,
            base_url="https://localhost",
        )
    assert response.status_code == 204 or 400 <= response.status_code < 500
    for record in caplog.records:
        assert record.levelno < logging.ERROR
        assert "\n" not in record.getMessage()
        assert "\r" not in record.getMessage()


HOSTILE_BODIES = [
    # Three reports with every field at its clipping limit and beyond.
    json.dumps(
        [{"type": "t" * 200, "url": "u" * 5000,
          "body": {f"k{i}": "v" * 5000 for i in range(12)}}] * 3
    ),
    nested(5000, "["),
    nested(5000, '{"a":'),
    "\xff" * 100,
    json.dumps({"csp-report": {"blocked-uri": "x" * 60_000}}),
    json.dumps([{"type": "x", "url": "u"}] * 50),
]  # fmt: skip


def test_the_receiver_holds_bounded_memory_whatever_it_is_sent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Thousands of hostile posts from as many clients: memory stays flat.

    The rate limiter remembers at most ``_MAX_CLIENTS`` clients (lowered here
    so the bound is reached quickly); nothing else outlives a request.
    Without the bound, the 600 further clients measured would hold ~100 KB.
    """
    monkeypatch.setattr(reports_module, "_MAX_CLIENTS", 100)
    app = build({}, {"report_receiver": "/reports", "report_receiver_rate_limit": 5})
    client = app.test_client()

    def post_from(clients: range) -> None:
        for n in clients:
            client.post(
                "/reports",
                data=HOSTILE_BODIES[n % len(HOSTILE_BODIES)],
                content_type="application/reports+json",
                base_url="https://localhost",
                environ_base={
                    "REMOTE_ADDR": f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"
                },
            )

    growth = []
    tracemalloc.start()
    try:
        post_from(range(150))  # warm: every cache filled, the limiter full
        for window in range(3):
            # Interpreters make some one-time allocations late (caches, frames
            # for code first run nested, dict resizes), each in one window; a
            # leak grows every window.
            gc.collect()
            before = tracemalloc.get_traced_memory()[0]
            post_from(range(150 + 600 * window, 750 + 600 * window))
            gc.collect()
            growth.append(tracemalloc.get_traced_memory()[0] - before)
    finally:
        tracemalloc.stop()
    assert min(growth) < 16 * 1024, growth


MOUNTED = [
    build({}, {"report_receiver": "/r", "force_https": False, **extra})
    for extra in (
        {},
        {"content_security_policy_nonce_in": ["script-src"]},
        {"content_security_policy_report_only": True},
    )
]
mount_chars = st.sampled_from(list("abZ09/-._~%;, '\"\t()*+=:@!$&?#\u00e9\u2028"))


@SETTINGS
@given(
    mount=st.text(mount_chars, max_size=20).map(lambda t: "/" + t.strip("/")),
    app=st.sampled_from(MOUNTED),
    scheme=st.sampled_from(["http", "https"]),
)
def test_a_mounted_apps_report_uri_is_its_receiver_under_any_mount_path(
    mount: str, app: Flask, scheme: str
) -> None:
    """Any SCRIPT_NAME: the report-uri is one well-formed source naming it."""
    environ = EnvironBuilder(path="/").get_environ()
    environ.update(
        {
            "HTTP_HOST": "site.example",
            "wsgi.url_scheme": scheme,
            # WSGI strings are the request's bytes, decoded as Latin-1.
            "SCRIPT_NAME": mount.encode().decode("latin-1"),
        }
    )
    _, status, headers = run_wsgi_app(app.wsgi_app, environ)
    assert status.startswith("200"), status
    csp = headers.get("Content-Security-Policy") or headers.get(
        "Content-Security-Policy-Report-Only"
    )
    assert csp is not None
    assert PRINTABLE.match(csp), csp
    uris = re.findall(r"(?:^|; )report-uri ([^;]*)", csp)
    assert len(uris) == 1, csp
    (uri,) = uris
    query = "?disposition=report" if "Content-Security-Policy" not in headers else ""
    assert uri.endswith("/r" + query), uri
    uri = uri.removesuffix(query)
    assert not re.search(r"[\s,;\"\\]", uri), uri
    if "%" not in mount:
        assert unquote(uri) == mount.rstrip("/") + "/r"
    for value in headers.getlist("Reporting-Endpoints"):
        assert value.split('"')[1] == f"{scheme}://site.example{uri}"
