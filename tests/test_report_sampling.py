"""``reporting_sample_rate``: reporting directives on a fraction of responses.

A response inside the sample carries every reporting directive, exactly as
with no sampling; a response outside it carries the same policies with no
``report-uri``, no ``report-to`` (directive or parameter) and no
``Reporting-Endpoints``, so the browser sends nothing for that page. Each
response is drawn on its own, from :func:`random.random`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest
from flask import Flask, abort
from hypothesis import given, settings
from hypothesis import strategies as st

import flask_talisman.extension as extension_module
from flask_talisman import ConfigurationError, Talisman, csp_nonce
from flask_talisman.policy import compile_policy
from flask_talisman.state import AppState
from flask_talisman.testing import https_client

REPORTING = {
    "report_receiver": "/talisman/reports",
    "reporting_endpoints": {"csp": "https://r.example/csp"},
    "content_security_policy": {
        "default-src": "'self'",
        "script-src": "'self'",
    },
    "content_security_policy_nonce_in": ["script-src"],
    "content_security_policy_report_only": {"img-src": "'self'"},
    "cross_origin_opener_policy": "same-origin",
    "cross_origin_opener_policy_report_to": "csp",
    "permissions_policy": {"camera": "()"},
    "permissions_policy_report_to": "csp",
    "force_https": False,
}


def make_app(**options: object) -> Flask:
    app = Flask("sampling")
    talisman = Talisman(app, **{**REPORTING, **options})  # type: ignore[arg-type]

    @app.route("/")
    def page() -> str:
        return f'<script nonce="{csp_nonce()}"></script>'

    @app.route("/quiet")
    @talisman(reporting_sample_rate=1.0)
    def quiet() -> str:
        return "every response reports"

    @app.route("/missing")
    def missing() -> str:
        abort(404)

    return app


@pytest.fixture
def draws(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    """The values random() gives the extension, in order (test-chosen)."""
    values: list[float] = []
    monkeypatch.setattr(extension_module, "random", lambda: values.pop(0))
    yield values
    assert not values, "a draw the test expected was not made"


def reporting_headers(response: object) -> dict[str, str]:
    headers = response.headers  # type: ignore[attr-defined]
    names = (
        "Content-Security-Policy",
        "Content-Security-Policy-Report-Only",
        "Reporting-Endpoints",
        "Cross-Origin-Opener-Policy",
        "Permissions-Policy",
    )
    return {name: headers[name] for name in names if name in headers}


def test_inside_the_sample_a_response_reports_as_without_sampling(
    draws: list[float],
) -> None:
    full = reporting_headers(make_app().test_client().get("/"))
    draws.append(0.0)
    sampled = reporting_headers(
        make_app(reporting_sample_rate=0.5).test_client().get("/")
    )
    nonce = "nonce-"
    assert {k: v.split(nonce)[0] for k, v in sampled.items()} == {
        k: v.split(nonce)[0] for k, v in full.items()
    }
    assert "report-uri /talisman/reports" in sampled["Content-Security-Policy"]
    assert 'report-to="csp"' in sampled["Cross-Origin-Opener-Policy"]


def test_outside_the_sample_a_response_asks_for_no_reports(draws: list[float]) -> None:
    draws.append(0.5)
    response = make_app(reporting_sample_rate=0.5).test_client().get("/")
    headers = reporting_headers(response)
    assert headers == {
        "Content-Security-Policy": headers["Content-Security-Policy"],
        "Content-Security-Policy-Report-Only": "img-src 'self'",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=()",
    }
    csp = headers["Content-Security-Policy"]
    assert csp.startswith("default-src 'self'; script-src 'self' 'nonce-")
    assert "report" not in csp
    # The nonce still matches the page.
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.get_data(as_text=True)


def test_the_policys_own_reporting_directives_are_left_out_too(
    draws: list[float],
) -> None:
    app = make_app(
        reporting_sample_rate=0.25,
        content_security_policy=(
            "default-src 'self'; report-uri https://r.example/csp; report-to csp"
        ),
        report_receiver=None,
        content_security_policy_nonce_in=None,
    )
    draws.extend([0.9, 0.1])
    client = app.test_client()
    secure = https_client(app)
    assert client.get("/").headers["Content-Security-Policy"] == "default-src 'self'"
    assert secure.get("/").headers["Content-Security-Policy"] == (
        "default-src 'self'; report-uri https://r.example/csp; report-to csp"
    )


def test_over_plain_http_and_https_alike(draws: list[float]) -> None:
    app = make_app(reporting_sample_rate=0.5)
    draws.extend([0.7, 0.7])
    for client in (app.test_client(), https_client(app)):
        headers = client.get("/").headers
        assert "Reporting-Endpoints" not in headers
        assert "report" not in headers["Content-Security-Policy"]


def test_a_view_can_set_its_own_rate(draws: list[float]) -> None:
    app = make_app(reporting_sample_rate=0.1)
    draws.append(0.99)
    client = app.test_client()
    assert "report" not in client.get("/").headers["Content-Security-Policy"]
    # At 1.0 nothing is drawn: every response reports.
    assert "report-uri" in client.get("/quiet").headers["Content-Security-Policy"]


def test_error_responses_are_sampled_like_pages(draws: list[float]) -> None:
    app = make_app(reporting_sample_rate=0.5)

    @app.before_request
    def refuse() -> None:
        abort(403)

    app.before_request_funcs[None].reverse()  # before Talisman's hook
    draws.append(0.6)
    response = app.test_client().get("/")
    assert response.status_code == 403
    assert "report" not in response.headers["Content-Security-Policy"]


def test_a_policy_that_asks_for_no_reports_is_not_drawn_for() -> None:
    app = Flask("quiet")
    Talisman(app, reporting_sample_rate=0.5, force_https=False)
    state: AppState = app.extensions["talisman"]
    policy = state.policy_for(None)
    assert policy.secure.unsampled is None
    assert policy.secure.sample_rate == 1.0
    assert policy.insecure.unsampled is None


def test_the_fraction_of_reporting_responses_follows_the_rate() -> None:
    app = make_app(reporting_sample_rate=0.25)
    client = app.test_client()
    runs = 2000
    reported = sum(
        "report-uri" in client.get("/").headers["Content-Security-Policy"]
        for _ in range(runs)
    )
    spread = 6 * math.sqrt(runs * 0.25 * 0.75)  # six standard deviations
    assert abs(reported - runs * 0.25) < spread, reported


@pytest.mark.parametrize("value", [0, -0.5, 1.5, True, "0.5", None, math.nan])
def test_a_rate_outside_zero_to_one_is_refused(value: object) -> None:
    with pytest.raises(ConfigurationError) as raised:
        Talisman(Flask("bad"), reporting_sample_rate=value)  # type: ignore[arg-type]
    message = str(raised.value)
    assert message.startswith("reporting_sample_rate: ")
    assert repr(value) in message
    assert "above 0 and at most 1" in message


_DIRECTIVE = st.sampled_from(["default-src", "script-src", "img-src", "style-src"])
_REPORTING = st.sampled_from(
    ["report-uri /r", "report-uri https://r.example/x; report-to csp", "report-to csp"]
)


@settings(max_examples=60, deadline=None)
@given(
    rate=st.floats(min_value=0.01, max_value=0.99),
    directives=st.lists(_DIRECTIVE, min_size=1, max_size=3, unique=True),
    reporting=st.lists(_REPORTING, max_size=1),
    receiver=st.booleans(),
    report_only=st.booleans(),
)
def test_an_unsampled_response_names_no_report_destination(
    rate: float,
    directives: list[str],
    reporting: list[str],
    receiver: bool,
    report_only: bool,
) -> None:
    policy = "; ".join([*(f"{d} 'self'" for d in directives), *filter(None, reporting)])
    app = Flask("prop")
    Talisman(
        app,
        content_security_policy=policy,
        content_security_policy_report_only=report_only and receiver,
        report_receiver="/r" if receiver else None,
        reporting_endpoints={"csp": "https://r.example/"},
        cross_origin_opener_policy="same-origin",
        cross_origin_opener_policy_report_to="csp",
        reporting_sample_rate=rate,
        force_https=False,
    )
    compiled = app.extensions["talisman"].policy_for(None)
    for header_set in (compiled.secure, compiled.insecure):
        if header_set.unsampled is None:
            continue
        sent = header_set.unsampled
        values = [v for _, v in sent.static] + [
            "".join(parts) for _, parts in sent.templated + sent.origin_templated
        ]
        assert not sent.origin_templated
        assert not sent.rooted
        assert all("report-uri" not in v and "report-to" not in v for v in values)
        assert "reporting-endpoints" not in sent.names
        assert header_set.sample_rate == rate


def test_compiling_a_sampled_policy_is_done_once() -> None:
    state = make_app(reporting_sample_rate=0.5).extensions["talisman"]
    options = state.options_for(None)
    compiled = compile_policy(options)
    assert compiled.secure.unsampled is not None
    # The variants keep their own nonce-free sets for cached pages.
    assert compiled.secure.unsampled.without_nonce is not None
    assert compiled.secure.unsampled.unsampled is None


# How the draw meets the other variants of a response's headers.


@pytest.mark.parametrize(("draw", "reports"), [(0.0, True), (0.9, False)])
def test_a_304_gets_its_draws_headers_and_no_nonced_policy(
    draws: list[float], draw: float, reports: bool
) -> None:
    """A 304 updates the stored response's headers (RFC 9111, 4.3.4): it
    gets the drawn set's static headers; the nonce'd CSP stays the stored
    page's, whatever the draw."""
    app = make_app(reporting_sample_rate=0.5)

    @app.route("/etag")
    def etag() -> object:
        from flask import make_response, request

        response = make_response(f'<script nonce="{csp_nonce()}"></script>')
        response.set_etag("v1")
        return response.make_conditional(request)

    draws.append(draw)
    response = app.test_client().get("/etag", headers={"If-None-Match": '"v1"'})
    assert response.status_code == 304
    headers = reporting_headers(response)
    assert "Content-Security-Policy" not in headers
    assert ("Reporting-Endpoints" in headers) is reports
    assert ('report-to="csp"' in headers["Cross-Origin-Opener-Policy"]) is reports
    # The report-only policy has no nonce: it is updated with the draw's.
    assert ("report-uri" in headers["Content-Security-Policy-Report-Only"]) is reports


@pytest.mark.parametrize(("draw", "reports"), [(0.0, True), (0.9, False)])
def test_a_page_replayed_by_flask_caching_gets_its_draws_nonce_free_policy(
    draws: list[float], draw: float, reports: bool
) -> None:
    flask_caching = pytest.importorskip("flask_caching")
    app = Flask("cached")
    cache = flask_caching.Cache(app, config={"CACHE_TYPE": "SimpleCache"})
    Talisman(app, **{**REPORTING, "reporting_sample_rate": 0.5})  # type: ignore[arg-type]

    @app.route("/stored")
    @cache.cached(timeout=60)
    def stored() -> str:
        return "<p>no script</p>"

    client = app.test_client()
    draws.extend([0.0, draw])
    client.get("/stored")
    csp = client.get("/stored").headers["Content-Security-Policy"]
    assert "nonce-" not in csp
    assert ("report-uri /talisman/reports" in csp) is reports


@pytest.mark.parametrize(("draw", "reports"), [(0.0, True), (0.9, False)])
def test_a_mounted_app_reports_to_its_own_path_or_nowhere(
    draws: list[float], draw: float, reports: bool
) -> None:
    app = make_app(reporting_sample_rate=0.5, reporting_endpoints=None)
    draws.append(draw)
    response = app.test_client().get("/", environ_overrides={"SCRIPT_NAME": "/shop"})
    csp = response.headers["Content-Security-Policy"]
    assert ("report-uri /shop/talisman/reports" in csp) is reports
    assert "report-uri /talisman/reports" not in csp
    assert ("Reporting-Endpoints" in response.headers) is reports
    if reports:
        assert response.headers["Reporting-Endpoints"] == (
            'default="http://localhost/shop/talisman/reports"'
        )


# Werkzeug before 3.0 warns when the Host is not SERVER_NAME.
@pytest.mark.filterwarnings("ignore:Current server name:UserWarning")
@pytest.mark.parametrize("draw", [0.0, 0.9])
def test_a_host_the_app_does_not_serve_is_refused_whatever_the_draw(
    draws: list[float], draw: float
) -> None:
    """The receiver's endpoint is named from the Host: one outside
    SERVER_NAME is a 400, never a 400 on some draws and a page on others."""
    app = make_app(reporting_sample_rate=0.5)
    app.config["SERVER_NAME"] = "shop.example"
    draws.extend([draw, draw])  # the 400's own headers are drawn for again
    response = app.test_client().get("/", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "Reporting-Endpoints" not in response.headers
    assert "report-to" not in response.headers.get("Content-Security-Policy", "")
