"""The cross-origin checks beside the real Flask-WTF and Flask-CORS, and in the CLI.

docs/cross_origin.rst says what each of Flask-WTF's token check and
Talisman's check refuses, and how a Flask-CORS endpoint keeps working;
these run that wiring.
"""

from __future__ import annotations

import json
from typing import Any

import flask_wtf
import pytest
from flask import Blueprint, Flask, jsonify, request
from flask_cors import CORS

from flask_talisman import Talisman
from flask_talisman.cli import talisman as talisman_command
from flask_talisman.cross_origin_protection import unprotected_routes

OWN = "https://localhost"
PARTNER = "https://partner.example"
CROSS = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "cors"}


# -- Flask-WTF -------------------------------------------------------------------


def wtf_app(order: str) -> Flask:
    app = Flask("wtf")
    app.config["SECRET_KEY"] = "k"

    @app.route("/form", methods=["GET", "POST"])
    def form() -> str:
        return flask_wtf.csrf.generate_csrf() if request.method == "GET" else "posted"

    options: dict[str, Any] = {"force_https": False, "cross_origin_protection": True}
    if order == "csrf-first":
        flask_wtf.CSRFProtect(app)
        Talisman(app, **options)
    else:
        Talisman(app, **options)
        flask_wtf.CSRFProtect(app)
    return app


@pytest.mark.parametrize("order", ["csrf-first", "talisman-first"])
def test_with_flask_wtf_each_refuses_for_its_own_reason(order: str) -> None:
    app = wtf_app(order)
    client = app.test_client()
    cross = client.post("/form", base_url=OWN, headers={"Sec-Fetch-Site": "cross-site"})
    assert cross.status_code == 403  # Talisman's, before Flask-WTF's hook
    assert "cross_origin_protection" in cross.get_data(as_text=True)
    same = client.post("/form", base_url=OWN, headers={"Sec-Fetch-Site": "same-origin"})
    assert same.status_code == 400
    assert "The CSRF token is missing." in same.get_data(as_text=True)
    token = client.get("/form", base_url=OWN).get_data(as_text=True)
    ok = client.post(
        "/form",
        base_url=OWN,
        headers={
            "Sec-Fetch-Site": "same-origin",
            "X-CSRFToken": token,
            "Referer": OWN + "/form",  # Flask-WTF's own check over HTTPS
        },
    )
    assert ok.status_code == 200


# -- Flask-CORS ------------------------------------------------------------------


def cors_app(trusted: list[str]) -> Flask:
    app = Flask("cors")

    @app.route("/api/data", methods=["GET", "POST"])
    def data() -> Any:
        return jsonify(ok=True)

    # Two origins: Flask-CORS then adds a Vary line of its own.
    origins = [PARTNER, "https://second.example"]
    CORS(app, resources={r"/api/*": {"origins": origins}}, supports_credentials=True)
    Talisman(
        app,
        preset="strict",
        force_https=False,
        cross_origin_trusted_origins=trusted,
    )
    return app


def test_a_cors_endpoint_keeps_working_for_its_trusted_origins() -> None:
    client = cors_app([PARTNER]).test_client()
    preflight = client.options(
        "/api/data",
        base_url=OWN,
        headers={
            **CROSS,
            "Sec-Fetch-Dest": "empty",
            "Origin": PARTNER,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == PARTNER
    posted = client.post(
        "/api/data",
        base_url=OWN,
        json={},
        headers={**CROSS, "Sec-Fetch-Dest": "empty", "Origin": PARTNER},
    )
    assert posted.status_code == 200
    assert posted.headers["Access-Control-Allow-Origin"] == PARTNER
    assert posted.json == {"ok": True}
    assert posted.headers.getlist("Vary") == [
        "Sec-Fetch-Site, Sec-Fetch-Mode, Sec-Fetch-Dest",
        "Origin",
    ]


def test_without_trust_the_cors_call_is_refused_and_says_why() -> None:
    client = cors_app([]).test_client()
    refused = client.post(
        "/api/data",
        base_url=OWN,
        json={},
        headers={**CROSS, "Sec-Fetch-Dest": "empty", "Origin": PARTNER},
    )
    assert refused.status_code == 403
    # Flask-CORS's hook still runs: the partner's page can read the reason.
    assert refused.headers["Access-Control-Allow-Origin"] == PARTNER
    assert refused.headers["Content-Security-Policy"].startswith("script-src")
    other = client.post(
        "/api/data",
        base_url=OWN,
        json={},
        headers={**CROSS, "Sec-Fetch-Dest": "empty", "Origin": "https://evil.example"},
    )
    assert other.status_code == 403
    assert "Access-Control-Allow-Origin" not in other.headers


# -- the CLI -----------------------------------------------------------------------


def cli_app() -> Flask:
    app = Flask("cli")
    talisman = Talisman(app, preset="balanced", cross_origin_trusted_origins=[PARTNER])

    @app.post("/submit")
    @talisman(resource_isolation="report-only")
    def submit() -> str:
        return "ok"

    @app.route("/open")
    @talisman(cross_origin_protection=False)
    def open_view() -> str:
        return "open"

    return app


def test_headers_shows_each_routes_checks() -> None:
    app = cli_app()
    runner = app.test_cli_runner()
    table = runner.invoke(talisman_command, ["headers", "/submit"]).output
    # (Wrapped at the terminal's width, 60 to 100 columns.)
    assert " ".join(table.split()).startswith(
        "Previewed as https://localhost and http://localhost "
        "/submit (submit; OPTIONS, POST) ================================ "
        "Checks: cross_origin_protection, resource_isolation (report-only); "
        "trusted origins: https://partner.example HTTPS: served"
    )
    assert "Checks:" not in runner.invoke(talisman_command, ["headers", "/open"]).output
    entries = json.loads(
        runner.invoke(talisman_command, ["headers", "--format", "json"]).output
    )
    checks = {entry["endpoint"]: entry["checks"] for entry in entries}
    assert checks["submit"] == {
        "cross_origin_protection": True,
        "resource_isolation": "report-only",
        "cross_origin_trusted_origins": [PARTNER],
    }
    assert checks["open_view"]["cross_origin_protection"] is False


def test_a_view_that_cannot_compile_shows_no_checks() -> None:
    app = Flask("broken")
    talisman = Talisman(app, cross_origin_protection=True)

    @app.post("/x")
    @talisman(frame_options="ALLOW-FROM")
    def x() -> str:
        return "x"

    entries = json.loads(
        app.test_cli_runner()
        .invoke(talisman_command, ["headers", "--format", "json"])
        .output
    )
    (entry,) = [e for e in entries if e["endpoint"] == "x"]
    assert entry["checks"]["cross_origin_protection"] is False
    assert "error" in entry["https"]


# -- routes nothing guards ---------------------------------------------------------


def test_unprotected_routes_are_those_with_neither_guard() -> None:
    app = Flask("guards")
    talisman = Talisman(app, report_receiver="/reports")
    admin = Blueprint("admin", __name__)

    @admin.post("/save")
    def save() -> str:
        return "saved"

    @app.post("/open")
    def open_post() -> str:
        return "open"

    @app.route("/guarded", methods=["GET", "DELETE"])
    @talisman(cross_origin_protection="report-only")
    def guarded() -> str:
        return "guarded"

    @app.post("/hook")
    def hook() -> str:
        return "hook"

    @app.route("/read")
    def read() -> str:
        return "read"

    @app.post("/broken")
    @talisman(frame_options="ALLOW-FROM")
    def broken() -> str:
        return "broken"

    app.register_blueprint(admin)
    assert unprotected_routes(app) == [
        ("broken", "/broken", ("POST",)),
        ("hook", "/hook", ("POST",)),
        ("open_post", "/open", ("POST",)),
        ("admin.save", "/save", ("POST",)),
    ]
    csrf = flask_wtf.CSRFProtect(app)
    csrf.exempt(hook)
    assert unprotected_routes(app) == [("hook", "/hook", ("POST",))]
    csrf.exempt(admin)
    csrf.exempt(hook)
    assert [e for e, _, _ in unprotected_routes(app)] == ["hook", "admin.save"]
