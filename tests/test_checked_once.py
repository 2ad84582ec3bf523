"""Each value is checked and parsed once per configuration change.

A value is checked (and a policy parsed) where it is configured; layering
merges normal forms and compiling renders them, so neither parses again,
and requests only compare. These tests count the calls of every option's
check and of the CSP parser.
"""

from __future__ import annotations

import collections
import warnings
from typing import Any

import pytest
from flask import Blueprint, Flask

import flask_talisman.headers.csp as csp_module
import flask_talisman.options as options_module
from flask_talisman import DENY, Talisman

from .conftest import HTTPS, add_view, make_app

Counts = collections.Counter[str]


@pytest.fixture
def counts(monkeypatch: pytest.MonkeyPatch) -> Counts:
    """Calls of each option's check (``check:<option>``) and of the parser."""
    found: Counts = collections.Counter()
    check_value = options_module.check_value
    parse = csp_module.parse_directives

    def counting_check(option: str, value: Any) -> Any:
        found[f"check:{option}"] += 1
        return check_value(option, value)

    def counting_parse(option: str, policy: object, **kwargs: Any) -> Any:
        found[f"parse:{option}"] += 1
        return parse(option, policy, **kwargs)

    monkeypatch.setattr(options_module, "check_value", counting_check)
    monkeypatch.setattr(csp_module, "parse_directives", counting_parse)
    return found


def serve(app: Flask, *paths: str, times: int = 3) -> None:
    client = app.test_client()
    for _ in range(times):
        for path in paths:
            client.get(path, **HTTPS)


def app_with_views() -> tuple[Flask, Talisman, dict[str, Any]]:
    app = make_app()
    policy: dict[str, Any] = {"default-src": "'self'", "img-src": "https://cdn"}
    talisman = Talisman(
        app,
        content_security_policy=policy,
        permissions_policy={"camera": ["self"]},
    )

    add_view(
        app,
        "/framed",
        talisman(frame_options=DENY, content_security_policy={"default-src": "'none'"}),
    )

    add_view(
        app,
        "/extended",
        talisman.extend(content_security_policy={"script-src": "https://js"}),
    )

    admin = Blueprint("admin", __name__)

    @admin.route("/admin/")
    def admin_index() -> str:
        return "admin"

    talisman.extend(permissions_policy={"camera": ["https://a.example"]})(admin)
    app.register_blueprint(admin)
    return app, talisman, policy


PATHS = ("/", "/framed", "/extended", "/admin/", "/missing")


def test_configuring_checks_each_value_once(counts: Counts) -> None:
    app_with_views()
    assert counts["check:content_security_policy"] == 3  # app, view, extend
    assert counts["parse:content_security_policy"] == 3
    assert counts["check:permissions_policy"] == 2  # app, blueprint
    assert counts["check:frame_options"] == 1


def test_compiling_and_serving_parse_nothing(counts: Counts) -> None:
    app, _, _ = app_with_views()
    configured = counts.copy()
    serve(app, *PATHS, times=5)
    assert counts == configured


def test_assigning_an_option_checks_only_that_value(counts: Counts) -> None:
    app, talisman, _ = app_with_views()
    serve(app, *PATHS)
    before = counts.copy()
    talisman.referrer_policy = "no-referrer"
    serve(app, *PATHS)  # every endpoint compiles again, from normal forms
    assert counts - before == collections.Counter({"check:referrer_policy": 1})


def test_an_edit_in_place_checks_the_edited_value_once(counts: Counts) -> None:
    app, _, policy = app_with_views()
    serve(app, *PATHS)
    before = counts.copy()
    policy["img-src"] = "https://other-cdn"
    serve(app, *PATHS, times=5)
    assert counts - before == collections.Counter(
        {"check:content_security_policy": 1, "parse:content_security_policy": 1}
    )
    response = app.test_client().get("/extended", **HTTPS)
    assert response.headers["Content-Security-Policy"] == (
        "default-src 'self'; img-src https://other-cdn; script-src 'self' https://js"
    )


def test_options_given_before_init_app_are_not_checked_again(counts: Counts) -> None:
    talisman = Talisman(content_security_policy={"default-src": "'self'"})
    talisman.referrer_policy = "no-referrer"
    first, second = make_app("first"), make_app("second")
    talisman.init_app(first)
    talisman.init_app(second)
    assert counts["check:content_security_policy"] == 1
    assert counts["check:referrer_policy"] == 1


def test_config_keys_and_presets_are_checked_once_each(counts: Counts) -> None:
    app = make_app()
    app.config["TALISMAN_CONTENT_SECURITY_POLICY"] = "default-src 'self'"
    Talisman(app, preset="strict")
    assert counts["check:content_security_policy"] == 2  # the preset's, config's
    assert counts["check:content_security_policy_report_only"] == 1  # preset's
    serve(app, "/")
    assert counts["check:content_security_policy"] == 2


def test_a_view_attribute_is_checked_once_per_edit(counts: Counts) -> None:
    # flask-talisman 1.1.0 read per-view options from this attribute.
    app = make_app()
    talisman = Talisman(app)

    @app.route("/legacy")
    def legacy() -> str:
        return "legacy"

    attribute = {"content_security_policy": {"default-src": "'none'"}}
    legacy.talisman_view_options = attribute  # type: ignore[attr-defined]
    serve(app, "/legacy")
    assert counts["parse:content_security_policy"] == 1
    talisman.referrer_policy = "no-referrer"
    serve(app, "/legacy")
    assert counts["parse:content_security_policy"] == 1
    attribute["content_security_policy"] = {"default-src": "'self'"}
    serve(app, "/legacy")
    assert counts["parse:content_security_policy"] == 2


def test_a_warning_is_shown_once_where_it_is_configured() -> None:
    app = make_app()
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        talisman = Talisman(
            app,
            content_security_policy={"scirpt-src": "'self'"},
            strict_transport_security_preload=True,
            strict_transport_security_include_subdomains=False,
        )

        add_view(app, "/view", talisman(frame_options=DENY))

        serve(app, "/", "/view")
        talisman.referrer_policy = "no-referrer"
        serve(app, "/", "/view")
    messages = [str(w.message) for w in shown]
    assert len(messages) == 2, messages
    assert "'scirpt-src' is not a known CSP directive" in messages[0]
    assert "preload list requires includeSubDomains" in messages[1]


def test_a_decorator_value_edited_in_place_is_checked_once_for_all_its_views(
    counts: Counts,
) -> None:
    app = make_app()
    talisman = Talisman(app)
    admin = Blueprint("admin", __name__)
    for name in ("one", "two", "three"):
        admin.add_url_rule(f"/admin/{name}", name, lambda: "admin")
    policy: dict[str, Any] = {"default-src": "'none'"}
    talisman(content_security_policy=policy)(admin)
    app.register_blueprint(admin)
    paths = ("/admin/one", "/admin/two", "/admin/three")
    serve(app, *paths)
    before = counts.copy()
    policy["img-src"] = "'self'"
    serve(app, *paths)
    talisman.referrer_policy = "no-referrer"  # every view compiles again
    serve(app, *paths)
    assert counts - before == collections.Counter(
        {
            "check:content_security_policy": 1,
            "parse:content_security_policy": 1,
            "check:referrer_policy": 1,
        }
    )
    response = app.test_client().get("/admin/two", **HTTPS)
    assert response.headers["Content-Security-Policy"] == (
        "default-src 'none'; img-src 'self'"
    )
