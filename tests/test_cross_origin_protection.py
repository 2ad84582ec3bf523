"""Cross-origin protection (CSRF without tokens) and resource isolation.

The specification is issue 22's: the decision table first (method x
Sec-Fetch-Site x Mode x Dest x Origin x trusted x per-view, against an
oracle written from the issue's words), then the request's own origin as
Talisman judges it (proxies, mounts, default ports), exemptions, the
report-only rollout, refusals, Vary, presets, configuration and the hook's
place among the app's hooks.
"""

from __future__ import annotations

import itertools
import logging
from typing import Any

import pytest
from flask import (
    Blueprint,
    Flask,
    jsonify,
    make_response,
    render_template_string,
    session,
)
from werkzeug.datastructures import Headers
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.test import Client, TestResponse

from flask_talisman import (
    ConfigurationError,
    CrossOriginRefused,
    CrossOriginViolation,
    Talisman,
    cross_origin_violation,
)
from flask_talisman.cross_origin_protection import (
    add_vary,
    check_mode,
    check_trusted_origins,
)

from .conftest import refused_test, shows, table

OWN = "https://localhost"
TRUSTED = "https://partner.example"
OTHER = "https://evil.example"
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
VARY = "Sec-Fetch-Site, Sec-Fetch-Mode, Sec-Fetch-Dest"


def fetch_headers(
    site: str | None = None,
    mode: str | None = None,
    dest: str | None = None,
    origin: str | None = None,
) -> dict[str, str]:
    given = {
        "Sec-Fetch-Site": site,
        "Sec-Fetch-Mode": mode,
        "Sec-Fetch-Dest": dest,
        "Origin": origin,
    }
    return {name: value for name, value in given.items() if value is not None}


def checked_app(**options: Any) -> tuple[Flask, Talisman]:
    """An app whose ``/`` takes every method, with ``options`` over no redirect."""
    app = Flask("cross_origin")
    app.config["SECRET_KEY"] = "k"
    talisman = Talisman(app, **{"force_https": False, **options})

    @app.route("/", methods=ALL_METHODS)
    def index() -> str:
        return "served"

    return app, talisman


def call(
    app: Flask, method: str = "POST", path: str = "/", **headers: str | None
) -> TestResponse:
    return app.test_client().open(
        path,
        method=method,
        base_url=OWN,
        headers=fetch_headers(**headers),  # type: ignore[arg-type]
    )


# -- the decision table ------------------------------------------------------------


def oracle(
    method: str,
    site: str | None,
    mode: str | None,
    dest: str | None,
    origin: str | None,
) -> tuple[str, ...]:
    """The checks a request fails, in the issue's words (before trust)."""
    failed = []
    if method not in ("GET", "HEAD", "OPTIONS"):
        if site:
            csrf = site not in ("same-origin", "none")
        else:
            csrf = origin is not None and origin != OWN
        if csrf:
            failed.append("cross_origin_protection")
    top_level = (
        mode == "navigate" and method == "GET" and dest not in ("object", "embed")
    )
    if site == "cross-site" and not top_level:
        failed.append("resource_isolation")
    if origin == TRUSTED:
        return ()
    return tuple(failed)


SITES = [None, "same-origin", "same-site", "cross-site", "none", "Cross-Site", ""]
MODES = [None, "navigate", "no-cors", "cors", "same-origin"]
DESTS = [None, "document", "iframe", "object", "embed", "script", "empty"]
ORIGINS = [None, OWN, "http://localhost", OTHER, TRUSTED, "null"]
#: Per-view settings: (path, decorator options, how its failures are treated).
VIEWS = [
    ("/app", {}, "refused"),
    ("/off", {"cross_origin_protection": False, "resource_isolation": False}, "served"),
    (
        "/report",
        {"cross_origin_protection": "report-only", "resource_isolation": "report-only"},
        "reported",
    ),
    ("/csrf-only", {"resource_isolation": False}, "csrf-only"),
]


@pytest.fixture(scope="module")
def table_app() -> Flask:
    app = Flask("table")
    talisman = Talisman(
        app,
        force_https=False,
        cross_origin_protection=True,
        resource_isolation=True,
        cross_origin_trusted_origins=[TRUSTED],
    )
    for path, options, _ in VIEWS:

        def view() -> str:
            return "served"

        view.__name__ = path.strip("/").replace("-", "_")
        if options:
            view = talisman(**options)(view)
        app.add_url_rule(path, view_func=view, methods=ALL_METHODS)
    return app


def test_the_decision_table(table_app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    """Every combination, against the oracle: status, log and signal."""
    client = table_app.test_client()
    signalled: list[CrossOriginViolation] = []

    def receive(sender: Flask, violation: CrossOriginViolation) -> None:
        signalled.append(violation)

    rows = 0
    with cross_origin_violation.connected_to(receive, table_app):
        for method, site, mode, dest, origin in itertools.product(
            ALL_METHODS, SITES, MODES, DESTS, ORIGINS
        ):
            failed = oracle(method, site or None, mode, dest, origin)
            for path, _, treatment in VIEWS:
                signalled.clear()
                caplog.clear()
                headers = fetch_headers(site, mode, dest, origin)
                response = client.open(
                    path, method=method, base_url=OWN, headers=headers
                )
                expected = failed
                if treatment == "served":
                    expected = ()
                elif treatment == "csrf-only":
                    expected = tuple(c for c in failed if c != "resource_isolation")
                where = (method, site, mode, dest, origin, path)
                refused = bool(expected) and treatment != "reported"
                assert response.status_code == (403 if refused else 200), where
                assert [v.checks for v in signalled] == (
                    [expected] if expected else []
                ), where
                assert len(caplog.records) == (1 if expected else 0), where
                if expected:
                    assert signalled[0].refused is refused
                rows += 1
    assert rows == 7 * 7 * 5 * 7 * 6 * 4


# The rows the issue spells out, by name.
DECISIONS = [
    # id, options, method, headers, status
    ("safe-methods-pass-cross-site", {"cross_origin_protection": True}, "GET",
     {"site": "cross-site"}, 200),
    ("cross-site-post", {"cross_origin_protection": True}, "POST",
     {"site": "cross-site"}, 403),
    ("same-site-post", {"cross_origin_protection": True}, "POST",
     {"site": "same-site"}, 403),
    ("same-origin-post", {"cross_origin_protection": True}, "POST",
     {"site": "same-origin", "origin": OTHER}, 200),
    ("user-initiated-post", {"cross_origin_protection": True}, "POST",
     {"site": "none"}, 200),
    ("unknown-site-value", {"cross_origin_protection": True}, "DELETE",
     {"site": "same-origin, cross-site"}, 403),
    ("no-metadata-other-origin", {"cross_origin_protection": True}, "POST",
     {"origin": OTHER}, 403),
    ("no-metadata-own-origin", {"cross_origin_protection": True}, "POST",
     {"origin": OWN}, 200),
    ("no-metadata-scheme-differs", {"cross_origin_protection": True}, "POST",
     {"origin": "http://localhost"}, 403),
    ("no-metadata-port-differs", {"cross_origin_protection": True}, "POST",
     {"origin": "https://localhost:8443"}, 403),
    ("no-metadata-userinfo", {"cross_origin_protection": True}, "POST",
     {"origin": "https://evil@localhost"}, 403),
    ("not-a-browser", {"cross_origin_protection": True}, "POST", {}, 200),
    ("trusted-origin", {"cross_origin_protection": True,
                        "cross_origin_trusted_origins": TRUSTED}, "POST",
     {"site": "cross-site", "origin": TRUSTED}, 200),
    ("trusted-needs-the-origin-header", {"cross_origin_protection": True,
                                         "cross_origin_trusted_origins": TRUSTED},
     "POST", {"site": "cross-site"}, 403),
    ("isolation-cross-site-script", {"resource_isolation": True}, "GET",
     {"site": "cross-site", "mode": "no-cors", "dest": "script"}, 403),
    ("isolation-link-navigation", {"resource_isolation": True}, "GET",
     {"site": "cross-site", "mode": "navigate", "dest": "document"}, 200),
    ("isolation-iframe-navigation", {"resource_isolation": True}, "GET",
     {"site": "cross-site", "mode": "navigate", "dest": "iframe"}, 200),
    ("isolation-object", {"resource_isolation": True}, "GET",
     {"site": "cross-site", "mode": "navigate", "dest": "object"}, 403),
    ("isolation-embed", {"resource_isolation": True}, "GET",
     {"site": "cross-site", "mode": "navigate", "dest": "embed"}, 403),
    ("isolation-navigating-post", {"resource_isolation": True}, "POST",
     {"site": "cross-site", "mode": "navigate", "dest": "document"}, 403),
    ("isolation-same-site-passes", {"resource_isolation": True}, "GET",
     {"site": "same-site", "mode": "no-cors", "dest": "image"}, 200),
    ("isolation-no-metadata-passes", {"resource_isolation": True}, "GET",
     {"origin": OTHER}, 200),
    ("isolation-preflight", {"resource_isolation": True}, "OPTIONS",
     {"site": "cross-site", "mode": "cors", "dest": "empty", "origin": OTHER}, 403),
    ("isolation-trusted-cors", {"resource_isolation": True,
                                "cross_origin_trusted_origins": [TRUSTED]}, "GET",
     {"site": "cross-site", "mode": "cors", "dest": "empty", "origin": TRUSTED}, 200),
    ("both-off-by-default", {}, "POST",
     {"site": "cross-site", "mode": "no-cors", "dest": "script"}, 200),
]  # fmt: skip


@pytest.mark.parametrize(("options", "method", "headers", "status"), table(DECISIONS))
def test_decisions(
    options: dict[str, Any], method: str, headers: dict[str, str], status: int
) -> None:
    app, _ = checked_app(**options)
    assert call(app, method, **headers).status_code == status


# -- the request's own origin --------------------------------------------------------


def proxied_app(**options: Any) -> Flask:
    app, _ = checked_app(cross_origin_protection=True, **options)
    app.wsgi_app = ProxyFix(app.wsgi_app, x_proto=1, x_host=1)  # type: ignore[method-assign]
    return app


@pytest.mark.parametrize(
    ("forwarded", "origin", "status"),
    [
        ({"X-Forwarded-Proto": "https", "X-Forwarded-Host": "app.example"},
         "https://app.example", 200),
        ({"X-Forwarded-Proto": "https", "X-Forwarded-Host": "app.example"},
         "http://app.example", 403),
        ({"X-Forwarded-Proto": "http", "X-Forwarded-Host": "app.example"},
         "http://app.example", 200),
        ({"X-Forwarded-Proto": "https", "X-Forwarded-Host": "app.example"},
         "https://localhost", 403),
        ({"X-Forwarded-Proto": "https", "X-Forwarded-Host": "app.example:443"},
         "https://app.example", 200),
        ({"X-Forwarded-Proto": "https", "X-Forwarded-Host": "APP.example:8443"},
         "https://app.example:8443", 200),
    ],
)  # fmt: skip
def test_behind_proxy_fix_the_origin_is_the_one_the_client_used(
    forwarded: dict[str, str], origin: str, status: int
) -> None:
    app = proxied_app(trust_x_forwarded_proto=False)
    response = app.test_client().post(
        "/", base_url="http://internal:8000", headers={**forwarded, "Origin": origin}
    )
    assert response.status_code == status


def test_x_forwarded_proto_counts_as_talisman_counts_it() -> None:
    app, talisman = checked_app(cross_origin_protection=True)
    client = app.test_client()
    headers = {"X-Forwarded-Proto": "https", "Origin": "https://localhost"}
    assert client.post("/", headers=headers).status_code == 200
    talisman.trust_x_forwarded_proto = False
    assert client.post("/", headers=headers).status_code == 403
    assert client.post("/", headers={"Origin": "http://localhost"}).status_code == 200


@pytest.mark.parametrize(
    ("host", "origin", "status"),
    [
        ("localhost:443", "https://localhost", 200),
        ("localhost:80", "http://localhost", 200),
        ("[::1]:443", "https://[::1]", 200),
        ("[::1]:8443", "https://[::1]:8443", 200),
        ("bad host", "https://bad host", 403),
        ("", "https://", 403),
    ],
)
def test_default_ports_and_invalid_hosts(host: str, origin: str, status: int) -> None:
    app, _ = checked_app(cross_origin_protection=True)
    scheme = "https" if "https" in origin else "http"
    response = Client(app).post(
        "/",
        environ_overrides={"wsgi.url_scheme": scheme, "HTTP_HOST": host},
        headers={"Origin": origin},
    )
    assert response.status_code == status


def test_a_mounted_app_is_judged_by_its_origin_not_its_path(
    caplog: pytest.LogCaptureFixture,
) -> None:
    inner, _ = checked_app(cross_origin_protection=True, resource_isolation=True)
    outer = Flask("outer")
    outer.wsgi_app = DispatcherMiddleware(outer.wsgi_app, {"/sub": inner})  # type: ignore[method-assign]
    client = outer.test_client()
    assert (
        client.post("/sub/", base_url=OWN, headers={"Origin": OWN}).status_code == 200
    )
    caplog.set_level(logging.WARNING, "flask_talisman.cross_origin")
    refused = client.post(
        "/sub/", base_url=OWN, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert refused.status_code == 403
    assert "'/sub/'" in caplog.records[0].getMessage()


# -- exemptions ----------------------------------------------------------------------


def test_exemptions_follow_the_routed_endpoint_not_a_path() -> None:
    # GO-2025-3955: Go 1.25.0 exempted requests that its mux would redirect to
    # a bypassed pattern. Here the exempt view is exempt; the redirect to it,
    # a 404 and a 405 are judged by the app's options.
    app, talisman = checked_app(cross_origin_protection=True)

    @app.route("/hook/", methods=["POST"])
    @talisman(cross_origin_protection=False)
    def hook() -> str:
        return "hook"

    @app.route("/read-only")
    @talisman(cross_origin_protection=False)
    def read_only() -> str:
        return "read"

    client = app.test_client()
    cross = {"Sec-Fetch-Site": "cross-site"}
    assert client.post("/hook/", headers=cross).status_code == 200
    assert client.post("/hook", headers=cross).status_code == 403  # not a 308
    assert client.post("/hook", headers={}).status_code == 308
    assert client.post("/missing", headers=cross).status_code == 403
    assert client.post("/read-only", headers=cross).status_code == 403  # not a 405
    assert client.post("/read-only").status_code == 405


def test_a_blueprint_turns_a_check_off_or_to_report_only() -> None:
    app = Flask("bp")
    talisman = Talisman(force_https=False, preset="strict")
    api = Blueprint("api", __name__)
    talisman(resource_isolation=False)(api)
    legacy = Blueprint("legacy", __name__)
    talisman(cross_origin_protection="report-only")(legacy)

    @api.route("/data")
    def data() -> Any:
        return jsonify(ok=True)

    @legacy.route("/form", methods=["POST"])
    def form() -> str:
        return "posted"

    app.register_blueprint(api, url_prefix="/api")
    app.register_blueprint(legacy, url_prefix="/legacy")
    talisman.init_app(app)
    script = {"site": "cross-site", "mode": "no-cors", "dest": "script"}
    assert call(app, "GET", "/api/data", **script).status_code == 200
    # A method the view does not take is a 405, judged by the app's options.
    assert call(app, "POST", "/api/data", site="cross-site").status_code == 403
    assert call(app, "POST", "/api/data", site="same-origin").status_code == 405
    assert call(app, "POST", "/legacy/form", site="same-site").status_code == 200
    # resource_isolation still refuses the blueprint's cross-site POST.
    assert call(app, "POST", "/legacy/form", site="cross-site").status_code == 403


def test_the_report_receiver_is_always_exempt() -> None:
    app, _ = checked_app(preset="strict", report_receiver="/reports", force_https=False)
    body = {"csp-report": {"document-uri": OWN, "blocked-uri": "inline"}}
    response = app.test_client().post(
        "/reports",
        base_url=OWN,
        json=body,
        headers={
            "Content-Type": "application/csp-report",
            **fetch_headers("cross-site", "no-cors", "report", OTHER),
        },
    )
    assert response.status_code == 204


def test_extend_adds_trusted_origins_to_the_inherited_ones() -> None:
    app, talisman = checked_app(
        cross_origin_protection=True, cross_origin_trusted_origins=[TRUSTED]
    )

    @app.route("/partner", methods=["POST"])
    @talisman.extend(cross_origin_trusted_origins="https://second.example")
    def partner() -> str:
        return "partner"

    for origin in (TRUSTED, "https://second.example"):
        assert (
            call(app, path="/partner", site="cross-site", origin=origin).status_code
            == 200
        )
    assert (
        call(app, site="cross-site", origin="https://second.example").status_code == 403
    )


# -- report-only -------------------------------------------------------------------


def test_report_only_logs_and_signals_once_and_serves(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app, _ = checked_app(
        cross_origin_protection="report-only", resource_isolation="report-only"
    )
    seen: list[CrossOriginViolation] = []
    caplog.set_level(logging.INFO, "flask_talisman.cross_origin")
    with cross_origin_violation.connected_to(
        lambda sender, violation: seen.append(violation), app
    ):
        response = call(app, "PUT", site="cross-site", mode="cors", dest="empty",
                        origin=OTHER)  # fmt: skip
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "served"
    assert seen == [
        CrossOriginViolation(
            checks=("cross_origin_protection", "resource_isolation"),
            refused=False,
            method="PUT",
            path="/",
            endpoint="index",
            sec_fetch_site="cross-site",
            sec_fetch_mode="cors",
            sec_fetch_dest="empty",
            origin=OTHER,
        )
    ]
    [record] = caplog.records
    assert record.name == "flask_talisman.cross_origin"
    assert record.levelno == logging.WARNING
    assert record.getMessage() == (
        "would refuse (report-only) 'PUT' '/' by cross_origin_protection and "
        "resource_isolation: Sec-Fetch-Site='cross-site' Sec-Fetch-Mode='cors' "
        f"Sec-Fetch-Dest='empty' Origin='{OTHER}'"
    )


def test_one_check_enforced_and_one_reported_refuse_naming_the_enforced(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app, _ = checked_app(cross_origin_protection="report-only", resource_isolation=True)
    response = call(app, "POST", site="cross-site", mode="no-cors", dest="empty")
    assert response.status_code == 403
    assert "resource_isolation" in response.get_data(as_text=True)
    assert "cross_origin_protection" not in response.get_data(as_text=True)
    [record] = caplog.records
    assert record.getMessage().startswith(
        "refused 'POST' '/' by cross_origin_protection"
    )


def test_logged_values_cannot_forge_a_log_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app, _ = checked_app(cross_origin_protection=True)
    response = Client(app).post(
        "/",
        base_url=OWN,
        environ_overrides={
            "HTTP_ORIGIN": "https://x\nrefused 'GET' '/admin'" + "a" * 900
        },
    )
    assert response.status_code == 403
    message = caplog.records[0].getMessage()
    assert "\n" not in message
    assert len(message) < 600
    body = response.get_data(as_text=True)
    assert body == (  # the request's values are not echoed
        "403 Forbidden: Refused by cross_origin_protection: a cross-origin "
        "request with an unsafe method.\n"
    )


# -- refusals ----------------------------------------------------------------------


def test_a_refusal_is_plain_text_with_talismans_headers() -> None:
    app, _ = checked_app(cross_origin_protection=True)
    response = call(app, site="cross-site", origin="https://<script>.example")
    assert response.status_code == 403
    assert response.content_type == "text/plain; charset=utf-8"
    assert response.get_data(as_text=True) == (
        "403 Forbidden: Refused by cross_origin_protection: a cross-origin "
        "request with an unsafe method.\n"
    )
    assert response.headers["Content-Security-Policy"] == (
        "default-src 'self'; object-src 'none'"
    )
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_an_app_renders_its_own_403() -> None:
    app, _ = checked_app(resource_isolation=True)

    @app.errorhandler(CrossOriginRefused)
    def refused(error: CrossOriginRefused) -> Any:
        return jsonify(error="cross-origin", checks=list(error.checks)), 403

    response = call(app, "GET", site="cross-site", mode="no-cors", dest="image")
    assert response.status_code == 403
    assert response.json == {"error": "cross-origin", "checks": ["resource_isolation"]}
    assert "X-Content-Type-Options" in response.headers


def test_the_check_runs_before_every_other_hook_and_the_view() -> None:
    ran: list[str] = []
    app = Flask("order")

    @app.before_request
    def registered_before() -> None:
        ran.append("before")

    Talisman(app, force_https=False, cross_origin_protection=True)

    @app.before_request
    def registered_after() -> None:
        ran.append("after")

    @app.route("/", methods=["POST"])
    def index() -> str:
        ran.append("view")
        return "ok"

    assert call(app, site="cross-site").status_code == 403
    assert ran == []
    assert call(app, site="same-origin").status_code == 200
    assert ran == ["before", "after", "view"]
    names = [f.__name__ for f in app.before_request_funcs[None]]
    assert names == ["talisman_before_request", "registered_before", "registered_after"]


def test_checks_turned_on_after_the_first_request_run_in_talismans_hook() -> None:
    app, talisman = checked_app()
    assert [f.__name__ for f in app.before_request_funcs[None]] == [
        "talisman_before_request"
    ]
    assert call(app, site="cross-site").status_code == 200
    talisman.cross_origin_protection = True  # the app is serving: no new hook
    assert [f.__name__ for f in app.before_request_funcs[None]] == [
        "talisman_before_request"
    ]
    assert call(app, site="cross-site").status_code == 403
    assert call(app, site="same-origin").status_code == 200


@pytest.mark.parametrize(
    "turn_on",
    [
        pytest.param(
            lambda app, t: setattr(t, "resource_isolation", True), id="attribute"
        ),
        pytest.param(
            lambda app, t: t(cross_origin_protection="report-only")(lambda: "v"),
            id="decorator",
        ),
    ],
)
def test_turned_on_while_setting_up_the_hook_goes_first(turn_on: Any) -> None:
    app = Flask("setup")
    app.before_request(lambda: None)
    talisman = Talisman(app)
    app.before_request(lambda: None)
    names = [f.__name__ for f in app.before_request_funcs[None]]
    assert names == ["<lambda>", "talisman_before_request", "<lambda>"]
    turn_on(app, talisman)
    turn_on(app, talisman)  # once only
    names = [f.__name__ for f in app.before_request_funcs[None]]
    assert names == ["talisman_before_request", "<lambda>", "<lambda>"]


def test_a_decorated_view_before_init_app_registers_the_hook() -> None:
    talisman = Talisman(force_https=False)
    app = Flask("late")

    @app.route("/", methods=["POST"])
    @talisman(cross_origin_protection=True)
    def index() -> str:
        return "ok"

    app.before_request(lambda: None)
    talisman.init_app(app)
    assert app.before_request_funcs[None][0].__name__ == "talisman_before_request"
    assert call(app, site="cross-site").status_code == 403


def test_off_the_hooks_keep_their_order_and_nothing_is_compiled() -> None:
    app = Flask("off")
    app.before_request(lambda: None)
    Talisman(app, preset="talisman")
    app.add_url_rule("/", view_func=lambda: "x")
    names = [f.__name__ for f in app.before_request_funcs[None]]
    assert names == ["<lambda>", "talisman_before_request"]
    state = app.extensions["talisman"]
    assert state.policy_for("index").cross_origin is None
    assert state.policy_for("index").secure.vary == ""


# -- Vary ----------------------------------------------------------------------------


def test_vary_is_sent_where_resource_isolation_is_enforced() -> None:
    enforced, _ = checked_app(resource_isolation=True)
    reported, _ = checked_app(resource_isolation="report-only")
    csrf, _ = checked_app(cross_origin_protection=True)
    assert call(enforced, "GET").headers["Vary"] == VARY
    refusal = call(enforced, "GET", site="cross-site", mode="no-cors", dest="script")
    assert refusal.headers["Vary"] == VARY
    assert "Vary" not in call(reported, "GET").headers
    assert "Vary" not in call(csrf, "GET").headers


def test_vary_keeps_the_apps_own() -> None:
    app, _ = checked_app(resource_isolation=True)

    @app.route("/session")
    def with_session() -> str:
        session["seen"] = True
        return "s"

    @app.route("/own")
    def own() -> Any:
        response = make_response("o")
        response.headers["Vary"] = "Accept-Encoding, sec-fetch-site"
        return response

    @app.route("/star")
    def star() -> Any:
        response = make_response("*")
        response.headers["Vary"] = "*"
        return response

    assert call(app, "GET", "/session").headers["Vary"] == f"{VARY}, Cookie"
    assert call(app, "GET", "/own").headers["Vary"] == (
        "Accept-Encoding, sec-fetch-site, Sec-Fetch-Mode, Sec-Fetch-Dest"
    )
    assert call(app, "GET", "/star").headers["Vary"] == "*"


def test_vary_is_compiled_with_the_other_headers() -> None:
    # Appended with them in one step when the response has none of their
    # names: no per-request merge of its own.
    app, _ = checked_app(resource_isolation=True)
    header_set = app.extensions["talisman"].policy_for("index").secure
    assert header_set.static[-1] == ("Vary", VARY)
    assert "vary" in header_set.names
    response = call(app, "GET")
    assert response.headers.getlist("Vary") == [VARY]
    assert list(response.headers.keys()).count("X-Frame-Options") == 1


def test_vary_is_kept_when_the_view_sets_one_of_talismans_headers() -> None:
    app, _ = checked_app(resource_isolation=True)

    @app.route("/framed")
    def framed() -> Any:
        response = make_response("f")
        response.headers["X-Frame-Options"] = "DENY"
        return response

    response = call(app, "GET", "/framed")
    assert response.headers.getlist("Vary") == [VARY]
    assert response.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]


def test_vary_on_a_page_that_used_its_nonce() -> None:
    app, _ = checked_app(
        resource_isolation=True,
        content_security_policy_nonce_in=["script-src"],
    )

    @app.route("/page")
    def page() -> str:
        return render_template_string("<script nonce='{{ csp_nonce() }}'></script>")

    @app.route("/cached")
    def cached() -> Any:
        response = make_response(
            render_template_string("<script nonce='{{ csp_nonce() }}'></script>")
        )
        response.headers["Vary"] = "Accept-Language"
        response.headers["Cache-Control"] = "max-age=60"
        return response

    response = call(app, "GET", "/page")
    assert response.headers.getlist("Vary") == [VARY]
    assert response.headers["Cache-Control"] == "private"
    response = call(app, "GET", "/cached")
    assert response.headers.getlist("Vary") == [f"Accept-Language, {VARY}"]
    assert "private" in response.headers["Cache-Control"]


def test_add_vary_adds_nothing_already_there_and_keeps_every_line() -> None:
    headers = Headers({"Vary": "Sec-Fetch-Site, Sec-Fetch-Mode, Sec-Fetch-Dest"})
    add_vary(headers, "Sec-Fetch-Site")
    assert headers.getlist("Vary") == [VARY]
    headers = Headers([("Vary", "Cookie"), ("Vary", "Origin")])
    add_vary(headers, "Sec-Fetch-Site, Cookie")
    assert headers.getlist("Vary") == ["Cookie, Origin, Sec-Fetch-Site"]

    class Other(Headers):
        pass

    other = Other()
    add_vary(other, VARY)  # not Werkzeug's own class: the public API
    assert other.getlist("Vary") == [VARY]


# -- presets and configuration -------------------------------------------------------


@pytest.mark.parametrize(
    ("preset", "protection", "isolation"),
    [("talisman", False, False), ("balanced", True, False), ("strict", True, True),
     ("api", False, False)],
)  # fmt: skip
def test_presets(preset: str, protection: bool, isolation: bool) -> None:
    app, talisman = checked_app(preset=preset)
    with app.app_context():
        assert talisman.cross_origin_protection is protection
        assert talisman.resource_isolation is isolation
    assert (call(app, site="same-site").status_code == 403) is protection
    script = {"site": "cross-site", "mode": "no-cors", "dest": "script"}
    assert (call(app, "GET", **script).status_code == 403) is isolation


def test_talisman_config_keys() -> None:
    app = Flask("config")
    app.config.update(
        TALISMAN_CROSS_ORIGIN_PROTECTION="report-only",
        TALISMAN_RESOURCE_ISOLATION=True,
        TALISMAN_CROSS_ORIGIN_TRUSTED_ORIGINS=["HTTPS://Partner.Example:443"],
        TALISMAN_FORCE_HTTPS=False,
    )
    talisman = Talisman(app)
    app.add_url_rule("/", view_func=lambda: "ok", methods=["POST"])
    assert call(app, site="cross-site", origin=TRUSTED).status_code == 200
    assert call(app, "GET", site="cross-site", mode="cors").status_code == 403
    assert call(app, site="same-site").status_code == 200  # reported
    with app.app_context():
        assert talisman.cross_origin_trusted_origins == ["HTTPS://Partner.Example:443"]


MODES_ACCEPTED = [
    (True, True), (False, False), (None, False), (1, True), (0, False),
    ("report-only", "report-only"),
]  # fmt: skip


@pytest.mark.parametrize(("value", "normal"), MODES_ACCEPTED)
def test_modes(value: Any, normal: Any) -> None:
    assert check_mode("resource_isolation", value) == normal


@pytest.mark.parametrize(
    ("value", "normal"),
    [
        (None, ()),
        ("", ()),
        ([], ()),
        ("https://a.example", ("https://a.example",)),
        ("HTTPS://A.Example:443", ("https://a.example",)),
        ("http://a.example:80", ("http://a.example",)),
        ("http://a.example:0443", ("http://a.example:443",)),
        ("https://a.example:8443", ("https://a.example:8443",)),
        (["https://b.example", "https://a.example", "https://b.example"],
         ("https://b.example", "https://a.example")),
        ({"https://b.example", "https://a.example"},
         ("https://a.example", "https://b.example")),
        ("http://[::1]:5000", ("http://[::1]:5000",)),
        ("chrome-extension://abcdefghijklmnop", ("chrome-extension://abcdefghijklmnop",)),
    ],
)  # fmt: skip
def test_trusted_origins_are_put_as_browsers_send_them(value: Any, normal: Any) -> None:
    assert check_trusted_origins("cross_origin_trusted_origins", value) == normal


TRUSTED_OPTION = "cross_origin_trusted_origins"
REFUSED = [
    ("mode-word", "cross_origin_protection", "report_only", "Did you mean 'report-only'"),
    ("mode-str-bool", "resource_isolation", "True", "is not a mode"),
    ("mode-type", "resource_isolation", 2, "expected True, False or 'report-only'"),
    ("null", TRUSTED_OPTION, "null", "trusting it trusts them all"),
    ("wildcard", TRUSTED_OPTION, "https://*.example", "wildcards are not supported"),
    ("no-scheme", TRUSTED_OPTION, "partner.example", "did you mean 'https://partner.example'"),
    ("path", TRUSTED_OPTION, "https://partner.example/", "did you mean 'https://partner.example'"),
    ("query", TRUSTED_OPTION, ["https://partner.example?x"], "no path, query or fragment"),
    ("userinfo", TRUSTED_OPTION, "https://u@partner.example", "no user name"),
    ("port", TRUSTED_OPTION, "https://partner.example:99999", "is not an origin"),
    ("port-zero", TRUSTED_OPTION, "https://partner.example:0", "is not an origin"),
    ("space", TRUSTED_OPTION, "https://partner example", "is not an origin"),
    ("control", TRUSTED_OPTION, "https://partner.example\r\n", "control character"),
    ("non-ascii", TRUSTED_OPTION, "https://bücher.example", "punycode"),
    ("type", TRUSTED_OPTION, 42, "an origin str or a list of them"),
    ("item-type", TRUSTED_OPTION, [b"https://a.example"], "an origin str"),
]  # fmt: skip
test_refused = refused_test(REFUSED)


def test_a_bad_origin_names_the_option_and_value() -> None:
    with pytest.raises(ConfigurationError, match=shows(TRUSTED_OPTION, "'ftp:/x'")):
        Talisman(cross_origin_trusted_origins=["ftp:/x"])
