"""Lifecycle: init and init_app, app factories, options edited after init (live options), change detection, the compiled policy."""

from __future__ import annotations

import collections
import copy
import pickle
import re
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import pytest
from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    render_template_string,
)
from werkzeug.datastructures import Headers

import flask_talisman.headers.csp as csp_module
import flask_talisman.options as options_module
import flask_talisman.policy as policy_module
from flask_talisman import (
    DEFAULT_CSP_POLICY,
    DEFAULT_PERMISSIONS_POLICY,
    DENY,
    GOOGLE_CSP_POLICY,
    SAMEORIGIN,
    ConfigurationError,
    ConfigurationWarning,
    Talisman,
)
from flask_talisman.options import PER_VIEW, SPECS, from_config
from flask_talisman.presets import PRESETS

from .conftest import (
    HTTP,
    HTTPS,
    NONCE_RE,
    add_cookie_view,
    add_view,
    blueprint_app,
    check,
    get,
    headers,
    make_app,
    strict_app,
)

# -- init, init_app and several apps ----------------------------------------


def test_state_lives_in_app_extensions(app: Flask) -> None:
    Talisman(app)
    assert "talisman" in app.extensions


def test_init_app_twice_raises(app: Flask) -> None:
    t = Talisman(app)
    with pytest.raises(RuntimeError, match="already registered"):
        t.init_app(app)
    with pytest.raises(RuntimeError, match="already registered"):
        Talisman(app)


def test_one_instance_serves_several_apps_with_different_options() -> None:
    t = Talisman(frame_options=DENY)
    first, second = make_app("first"), make_app("second")
    t.init_app(first)
    t.init_app(second, frame_options=SAMEORIGIN, referrer_policy="no-referrer")
    check(first.test_client().get("/", **HTTPS), {"X-Frame-Options": "DENY"})
    check(
        second.test_client().get("/", **HTTPS),
        {"X-Frame-Options": "SAMEORIGIN", "Referrer-Policy": "no-referrer"},
    )


def test_config_keys_and_keyword_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app()
    monkeypatch.setenv("FLASK_TALISMAN_FRAME_OPTIONS", '"DENY"')
    monkeypatch.setenv("FLASK_TALISMAN_REFERRER_POLICY", '"no-referrer"')
    monkeypatch.setenv("FLASK_TALISMAN_X_XSS_PROTECTION", "true")
    app.config.from_prefixed_env()
    Talisman(app, referrer_policy="same-origin")
    check(
        app.test_client().get("/", **HTTPS),
        {
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "same-origin",
            "X-XSS-Protection": "1; mode=block",
        },
    )


def test_constructor_options_reach_a_later_init_app() -> None:
    """1.1.0 dropped options given to ``Talisman()`` without an app."""
    t = Talisman(frame_options=DENY, referrer_policy="no-referrer")
    app = make_app()
    t.init_app(app)
    check(
        app.test_client().get("/", **HTTPS),
        {"X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"},
    )


def test_decorated_view_follows_later_app_changes(app: Flask) -> None:
    """1.1.0 froze the app's values into the view on its first request."""
    t = Talisman(app)

    add_view(app, "/framed", t(frame_options=DENY))

    client = app.test_client()
    check(client.get("/framed", **HTTPS), {"X-Frame-Options": "DENY"})
    t.content_security_policy["img-src"] = "*"
    t.force_https = False
    response = client.get("/framed")
    assert response.status_code == 200
    check(
        response,
        {
            "X-Frame-Options": "DENY",
            "Strict-Transport-Security": None,
            "Content-Security-Policy": "default-src 'self'; object-src 'none'; img-src *",
        },
    )


def test_app_config_is_not_changed_while_handling_requests(app: Flask) -> None:
    """1.1.0 set SESSION_COOKIE_SECURE inside a before-request hook."""
    Talisman(app)
    snapshot = dict(app.config)
    client = app.test_client()
    client.get("/")
    client.get("/", **HTTPS)
    client.get("/missing", **HTTPS)
    assert dict(app.config) == snapshot


# -- which responses get the headers -----------------------------------------


def test_headers_on_404_error_pages_and_static(tmp_path: Any) -> None:
    (tmp_path / "hello.txt").write_text("hi")
    app = Flask(__name__, static_folder=str(tmp_path), static_url_path="/static")
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/abort")
    def aborted() -> str:
        abort(403)

    @app.route("/boom")
    def boom() -> str:
        raise RuntimeError("boom")

    Talisman(app, frame_options=DENY)
    client = app.test_client()
    for path, status, own in [
        ("/missing", 404, {}),
        ("/abort", 403, {}),
        ("/boom", 500, {}),
        # Flask's own Cache-Control on static files is not Talisman's.
        ("/static/hello.txt", 200, {"Cache-Control": "no-cache"}),
    ]:
        response = client.get(path, **HTTPS)
        assert response.status_code == status, path
        check(response, {"X-Frame-Options": "DENY", **own})
        response.close()


def test_headers_when_an_earlier_before_request_hook_fails() -> None:
    app = make_app()
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.before_request
    def fail_first() -> None:
        raise RuntimeError("earlier hook")

    Talisman(app, content_security_policy_nonce_in=["script-src"])
    response = app.test_client().get("/", **HTTPS)
    assert response.status_code == 500
    csp = response.headers["Content-Security-Policy"]
    assert NONCE_RE.search(csp)


def test_headers_the_view_set_are_replaced_and_others_kept() -> None:
    app = make_app()

    @app.route("/own")
    def own() -> Response:
        response = Response("own")
        response.headers["x-frame-options"] = "DENY"  # any case
        response.headers.add("Content-Security-Policy", "default-src *")
        response.headers.add("Content-Security-Policy", "img-src *")
        response.headers["Document-Policy"] = "force-load-at-top"  # not Talisman's
        return response

    Talisman(app)
    check(get(app, "/own"), {"Document-Policy": "force-load-at-top"})


class AuditedHeaders(Headers):
    """A Headers subclass that records every header set through its API."""

    def __init__(self) -> None:
        super().__init__()
        self.set_names: list[str] = []

    def __setitem__(self, key: Any, value: Any) -> None:
        self.set_names.append(key)
        super().__setitem__(key, value)


def test_a_headers_subclass_is_written_through_its_own_api() -> None:
    app = make_app()
    audited = AuditedHeaders()

    @app.route("/audited")
    def view() -> Response:
        return Response("audited", headers=audited)

    Talisman(app)
    response = get(app, "/audited")
    check(response, {})
    assert set(audited.set_names) >= {
        "Content-Security-Policy",
        "Strict-Transport-Security",
        "X-Frame-Options",
    }


# -- options as attributes -----------------------------------------------------


def test_attribute_changes_take_effect_on_next_request(app: Flask) -> None:
    t = Talisman(app)
    client = app.test_client()
    assert client.get("/").status_code == 302
    t.force_https = False
    assert client.get("/").status_code == 200
    t.content_security_policy["img-src"] = "*"
    t.frame_options = DENY
    check(
        client.get("/", **HTTPS),
        {
            "Content-Security-Policy": "default-src 'self'; object-src 'none'; img-src *",
            "X-Frame-Options": "DENY",
        },
    )
    t.content_security_policy_nonce_in.append("script-src")
    csp = client.get("/", **HTTPS).headers["Content-Security-Policy"]
    assert NONCE_RE.search(csp)
    t.content_security_policy = {"default-src": "'none'"}
    csp = client.get("/", **HTTPS).headers["Content-Security-Policy"]
    assert csp.startswith("default-src 'none'; script-src 'nonce-")
    t.content_security_policy_nonce_in = None
    check(
        client.get("/", **HTTPS),
        {"Content-Security-Policy": "default-src 'none'", "X-Frame-Options": "DENY"},
    )


def test_attributes_before_init_app_are_used(app: Flask) -> None:
    t = Talisman()
    t.frame_options = DENY
    t.permissions_policy["camera"] = "()"
    t.init_app(app)
    check(
        app.test_client().get("/", **HTTPS),
        {
            "X-Frame-Options": "DENY",
            "Permissions-Policy": "browsing-topics=(), camera=()",
        },
    )


def test_attributes_follow_the_current_app() -> None:
    t = Talisman()
    first, second = make_app("first"), make_app("second")
    t.init_app(first, frame_options=DENY)
    t.init_app(second)
    with first.app_context():
        assert t.frame_options == DENY
        t.referrer_policy = "no-referrer"
    assert t.frame_options == SAMEORIGIN  # outside a context: the last app
    check(
        first.test_client().get("/", **HTTPS),
        {"X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"},
    )
    check(second.test_client().get("/", **HTTPS), {})


def test_unknown_attributes_are_plain_attributes(app: Flask) -> None:
    t = Talisman(app)
    t.my_note = "hello"
    assert t.my_note == "hello"
    with pytest.raises(AttributeError):
        _ = t.not_an_option


def test_misspelt_option_attribute_warns_and_changes_nothing() -> None:
    app = make_app()
    talisman = Talisman(app)
    with pytest.warns(
        ConfigurationWarning,
        match=re.escape(
            "Talisman.force_http is not an option, so it changes nothing. "
            "Did you mean 'force_https'?"
        ),
    ):
        talisman.force_http = False
    assert talisman.force_https is True
    assert app.test_client().get("/", **HTTP).status_code == 302


# -- live options: the user's objects are held and their edits seen ---------


def csp_of(app: Flask) -> str:
    return app.test_client().get("/", **HTTPS).headers["Content-Security-Policy"]


def test_every_option_has_a_doc_and_app_wide_options_are_known() -> None:
    assert all(spec.doc for spec in SPECS.values())
    assert set(SPECS) - PER_VIEW == {
        "session_cookie_secure",
        "session_cookie_http_only",
        "session_cookie_samesite",
        "report_receiver",
        "report_receiver_max_bytes",
        "report_receiver_rate_limit",
        "report_receiver_sample_rate",
        "report_receiver_keep_url_query",
        "report_receiver_file",
        "report_receiver_file_max_bytes",
    }


def test_the_object_passed_is_the_object_held(app: Flask) -> None:
    policy = {"default-src": "'self'"}
    nonce_in = ["script-src"]
    t = Talisman(
        app, content_security_policy=policy, content_security_policy_nonce_in=nonce_in
    )
    assert t.content_security_policy is policy
    assert t.content_security_policy_nonce_in is nonce_in


def test_the_object_assigned_is_the_object_held(app: Flask) -> None:
    t = Talisman(app)
    policy = {"default-src": "'self'"}
    t.content_security_policy = policy
    assert t.content_security_policy is policy
    assert csp_of(app) == "default-src 'self'"


def test_a_dict_subclass_keeps_its_type_and_methods(app: Flask) -> None:
    class Policy(OrderedDict[str, str]):
        def allow_images_from(self, origin: str) -> None:
            self["img-src"] = origin

    policy = Policy({"default-src": "'self'"})
    t = Talisman(app, content_security_policy=policy)
    t.content_security_policy.allow_images_from("https://img.example")
    assert type(t.content_security_policy) is Policy
    assert csp_of(app) == "default-src 'self'; img-src https://img.example"


def test_an_edit_through_the_users_own_reference_is_seen(app: Flask) -> None:
    mine = {"default-src": "'self'"}
    Talisman(app, content_security_policy=mine)
    assert csp_of(app) == "default-src 'self'"
    mine["img-src"] = "*"  # kept from before it was passed in, as in 1.1.0
    assert csp_of(app) == "default-src 'self'; img-src *"


def test_editing_the_defaults_changes_one_app_only() -> None:
    first, second = make_app("first"), make_app("second")
    t1, _ = Talisman(first), Talisman(second)
    t1.content_security_policy["img-src"] = "*"
    assert csp_of(first) == "default-src 'self'; object-src 'none'; img-src *"
    assert csp_of(second) == "default-src 'self'; object-src 'none'"
    assert DEFAULT_CSP_POLICY == {"default-src": "'self'", "object-src": "'none'"}


def test_editing_a_shipped_policy_passed_in_never_changes_the_constant() -> None:
    first, second = make_app("first"), make_app("second")
    t1 = Talisman(first, content_security_policy=GOOGLE_CSP_POLICY)
    Talisman(second, content_security_policy=GOOGLE_CSP_POLICY)
    before = dict(GOOGLE_CSP_POLICY)
    t1.content_security_policy["img-src"] = "*"
    t1.permissions_policy = DEFAULT_PERMISSIONS_POLICY
    t1.permissions_policy["camera"] = "()"
    assert "img-src *" in csp_of(first)
    assert "img-src" not in csp_of(second)
    assert before == GOOGLE_CSP_POLICY
    assert DEFAULT_PERMISSIONS_POLICY == {"browsing-topics": "()"}


def test_editing_a_presets_dict_changes_one_app_only() -> None:
    before = repr(PRESETS["strict"])
    first, second = make_app("first"), make_app("second")
    t1, _ = Talisman(first, preset="strict"), Talisman(second, preset="strict")
    t1.content_security_policy["img-src"] = "*"
    assert "img-src" not in second.test_client().get("/", **HTTPS).headers.get(
        "Content-Security-Policy", ""
    )
    assert repr(PRESETS["strict"]) == before


def test_values_pickle_and_copy_as_the_users_own_types(app: Flask) -> None:
    t = Talisman(app, content_security_policy={"default-src": ["'self'"]})
    plain = pickle.loads(pickle.dumps(t.content_security_policy))
    assert type(plain) is dict
    assert type(plain["default-src"]) is list
    assert copy.deepcopy(t.content_security_policy) == {"default-src": ["'self'"]}


def test_nonce_in_defaults_to_an_empty_list_that_can_be_appended_to(
    app: Flask,
) -> None:
    t = Talisman(app)
    assert t.content_security_policy_nonce_in == []  # as in 1.1.0
    t.content_security_policy_nonce_in.append("script-src")
    assert "'nonce-" in csp_of(app)


#: (option, initial value, edit, options that go with it)
CONTAINER_EDITS: list[Any] = [
    ("content_security_policy", {"default-src": "'self'"},
     lambda v: v.update({"img-src": "*"}), {}),
    ("content_security_policy", {"default-src": ["'self'"]},
     lambda v: v["default-src"].append("https://cdn.example"), {}),
    ("content_security_policy", {"default-src": "'self'", "img-src": "*"},
     lambda v: v.__setitem__("default-src", v.pop("default-src")), {}),
    ("content_security_policy_report_only", {"default-src": "'self'"},
     lambda v: v.__setitem__("img-src", "*"), {}),
    ("content_security_policy_nonce_in", ["script-src"],
     lambda v: v.append("style-src"), {}),
    # Sets, which 1.1.0 accepts wherever it iterates or asks `in`.
    ("content_security_policy", {"default-src": {"'self'"}},
     lambda v: v["default-src"].add("https://cdn.example"), {}),
    ("content_security_policy_nonce_in", {"script-src"},
     lambda v: v.add("style-src"), {}),
    ("content_security_policy_nonce_in", ["script-src", "style-src"],
     lambda v: v.reverse(), {}),
    ("content_security_policy_report_only_nonce_in", [],
     lambda v: v.append("script-src"),
     {"content_security_policy_report_only": {"default-src": "'self'"}}),
    ("permissions_policy", {"camera": "()"},
     lambda v: v.__setitem__("geolocation", "(self)"), {}),
    ("permissions_policy", {"camera": ["self"]},
     lambda v: v["camera"].append('"https://a.example"'), {}),
    ("document_policy", {}, lambda v: v.__setitem__("document-write", "?0"), {}),
    # Equal in Python, three different headers: 1, True and 1.0.
    ("document_policy", {"oversized-images": 1},
     lambda v: v.__setitem__("oversized-images", True), {}),
    ("document_policy", {"oversized-images": 1},
     lambda v: v.__setitem__("oversized-images", 1.0), {}),
    ("document_policy", {"document-write": 0},
     lambda v: v.__setitem__("document-write", False), {}),

    ("feature_policy", {}, lambda v: v.__setitem__("camera", "'none'"), {}),
    ("reporting_endpoints", {"csp": "https://r.example/csp"},
     lambda v: v.__setitem__("coop", "https://r.example/coop"), {}),
    ("clear_site_data", ["cache"], lambda v: v.append("cookies"), {}),
    ("integrity_policy", {"blocked-destinations": ["script"]},
     lambda v: v.__setitem__("endpoints", ["default"]), {}),
    ("harden_cookies_include", ["a"], lambda v: v.append("b"),
     {"harden_cookies": True}),
    ("harden_cookies_exclude", ["a"], lambda v: v.remove("a"),
     {"harden_cookies": True}),
]  # fmt: skip


def headers_of(app: Flask) -> dict[str, list[str]]:
    client = app.test_client()
    headers: dict[str, list[str]] = {}
    for path in ("/", "/cookies"):
        response = client.get(path, **HTTPS)
        for name in set(response.headers.keys()):
            values = response.headers.getlist(name)
            headers[f"{path} {name}"] = [NONCE_RE.sub("'nonce-N'", v) for v in values]
    return headers


@pytest.mark.parametrize(
    ("option", "initial", "edit", "extra"),
    CONTAINER_EDITS,
    ids=[f"{row[0]}-{i}" for i, row in enumerate(CONTAINER_EDITS)],
)
def test_in_place_edit_gives_the_headers_of_the_edited_value(
    option: str,
    initial: Any,
    edit: Callable[[Any], None],
    extra: dict[str, Any],
) -> None:
    # Differential: after the edit, the app sends exactly what an app
    # configured with the edited value from the start sends.
    edited_app, fresh_app = make_app("edited"), make_app("fresh")
    for app in (edited_app, fresh_app):
        add_cookie_view(app)
    mine = copy.deepcopy(initial)
    Talisman(edited_app, **{option: mine}, **extra)
    before = headers_of(edited_app)
    edit(mine)
    Talisman(fresh_app, **{option: copy.deepcopy(mine)}, **extra)
    after = headers_of(edited_app)
    assert after == headers_of(fresh_app)
    assert after != before


def test_clearing_the_policy_removes_the_header(app: Flask) -> None:
    t = Talisman(app)
    t.content_security_policy.clear()
    assert "Content-Security-Policy" not in app.test_client().get("/", **HTTPS).headers


def test_from_config_reads_only_prefixed_keys() -> None:
    assert from_config({"TALISMAN_FORCE_HTTPS": False, "OTHER": 1}) == {
        "force_https": False
    }


# -- change detection -----------------------------------------------------------


class NeverEqual(dict[str, Any]):
    """A policy that never compares equal, not even to its own copy."""

    def __eq__(self, other: object) -> bool:
        return False

    def __ne__(self, other: object) -> bool:
        return True

    __hash__ = None  # type: ignore[assignment]


def test_an_object_that_never_equals_its_copy_is_compared_by_repr(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import flask_talisman.state as state_module

    compiles = []
    real = state_module.compile_policy
    monkeypatch.setattr(
        state_module,
        "compile_policy",
        lambda o, **kw: compiles.append(1) or real(o, **kw),
    )
    app = make_app()
    policy = NeverEqual({"default-src": "'self'"})
    Talisman(app, content_security_policy=policy)
    for _ in range(3):
        assert headers(app)["Content-Security-Policy"] == "default-src 'self'"
    assert len(compiles) == 1  # not recompiled on every request
    policy["img-src"] = "*"
    assert headers(app)["Content-Security-Policy"] == "default-src 'self'; img-src *"


class ResizedWhileCopied(dict[str, Any]):
    """Copying it fails a few times, as a dict resized by another thread does."""

    failures = 0

    def items(self) -> Any:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("dictionary changed size during iteration")
        return super().items()


def test_a_policy_resized_while_copied_is_copied_again() -> None:
    app = make_app()
    policy = ResizedWhileCopied({"default-src": "'self'"})
    Talisman(app, content_security_policy=policy)
    policy["img-src"] = "*"
    policy.failures = 5
    assert headers(app)["Content-Security-Policy"] == "default-src 'self'; img-src *"


def test_reordering_a_nested_dict_is_seen() -> None:
    app = make_app()
    Talisman(app)

    view = add_view(app, "/view")

    options: dict[str, Any] = {
        "content_security_policy": {"default-src": "'self'", "img-src": "a.example"}
    }
    view.talisman_view_options = options
    assert headers(app, "/view")["Content-Security-Policy"] == (
        "default-src 'self'; img-src a.example"
    )
    options["content_security_policy"] = {
        "img-src": "a.example",
        "default-src": "'self'",
    }
    assert headers(app, "/view")["Content-Security-Policy"] == (
        "img-src a.example; default-src 'self'"
    )


class FailsOnceWhileIterated(dict[str, Any]):
    """Iterating it fails once as a dict edited by another thread would."""

    armed = False

    def __iter__(self) -> Any:
        if self.armed:
            self.armed = False
            raise RuntimeError("dictionary changed size during iteration")
        return super().__iter__()


def test_a_policy_edited_while_compared_is_treated_as_changed() -> None:
    app = make_app()
    policy = FailsOnceWhileIterated({"default-src": "'self'"})
    Talisman(app, content_security_policy=policy)
    headers(app)
    policy.armed = True
    assert headers(app)["Content-Security-Policy"] == "default-src 'self'"


class FailsWhileCompared(dict[str, Any]):
    """Comparing it fails (twice) as a dict edited by another thread would."""

    failures = 0

    def __eq__(self, other: object) -> bool:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("dictionary changed size during iteration")
        return dict.__eq__(self, other)  # type: ignore[operator,no-any-return]

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None  # type: ignore[assignment]


def test_a_policy_that_fails_while_compared_is_treated_as_changed() -> None:
    app = make_app()
    policy = FailsWhileCompared({"default-src": "'self'"})
    Talisman(app, content_security_policy=policy)
    headers(app)
    policy.failures = 2
    assert headers(app)["Content-Security-Policy"] == "default-src 'self'"


class Restless(NeverEqual):
    """Different every time it is looked at."""

    looks = 0

    def __repr__(self) -> str:
        Restless.looks += 1
        return f"Restless({Restless.looks})"


def test_an_object_that_changes_at_every_look_is_still_served() -> None:
    app = make_app()
    Talisman(app, content_security_policy=Restless({"default-src": "'self'"}))
    for _ in range(2):
        assert headers(app)["Content-Security-Policy"] == "default-src 'self'"


# -- the compiled policy: compiled once, swapped whole ------------------------


def test_no_policy_is_compiled_or_parsed_per_request(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The per-request path only picks the compiled policy and joins the nonce."""
    t = Talisman(app, content_security_policy_nonce_in=["script-src"])

    add_view(app, "/view", t(frame_options=DENY))

    calls: dict[str, int] = {"compile": 0, "parse": 0}

    def counting(name: str, real: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return real(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(
        "flask_talisman.state.compile_policy",
        counting("compile", policy_module.compile_policy),
    )
    monkeypatch.setattr(
        csp_module, "parse_directives", counting("parse", csp_module.parse_directives)
    )
    client = app.test_client()
    for _ in range(3):  # warm up: one compile per endpoint at most
        for path in ("/", "/view", "/missing"):
            client.get(path, **HTTPS)
    warm = dict(calls)
    assert warm["compile"] <= 3
    for _ in range(20):
        for path in ("/", "/view", "/missing"):
            client.get(path, **HTTPS)
    assert calls == warm
    t.referrer_policy = "no-referrer"  # a change recompiles, once per endpoint
    assert calls == warm  # ... when the options are next used
    for path in ("/", "/view", "/missing"):
        client.get(path, **HTTPS)
    assert calls["compile"] == warm["compile"] + 2  # the app policy + /view
    for _ in range(5):
        client.get("/view", **HTTPS)
    assert calls["compile"] == warm["compile"] + 2  # and nothing per request


def test_composed_views_reuse_their_compiled_policy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app, _ = blueprint_app()
    import flask_talisman.state as state_module

    calls = []
    real = state_module.compile_policy
    monkeypatch.setattr(
        state_module,
        "compile_policy",
        lambda values, **kw: calls.append(1) or real(values, **kw),
    )
    client = app.test_client()
    for _ in range(10):
        client.get("/admin/reports/chart", **HTTPS)
    assert calls == [1]  # compiled on first use, then reused


class PausingDict(dict[str, Any]):
    """A policy whose next copy stops half-way until the test lets it go."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.pause = False
        self.reached = threading.Event()
        self.resume = threading.Event()

    def items(self) -> Any:
        if self.pause:
            self.pause = False
            self.reached.set()
            assert self.resume.wait(5)
        return super().items()


def run(target: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(target()))
    thread.start()
    return thread, result


def test_an_edit_during_a_compile_never_gives_a_mixed_header_set() -> None:
    app = make_app()
    policy = PausingDict({"default-src": "'self'"})
    permissions = {"camera": "()"}
    talisman = Talisman(
        app, content_security_policy=policy, permissions_policy=permissions
    )
    policy["img-src"] = "*"  # so that the next request recompiles
    policy.pause = True
    thread, result = run(lambda: headers(app))
    assert policy.reached.wait(5)  # the request is copying the options
    # Meanwhile an admin view changes two options, one after the other.
    policy["img-src"] = "https://img.example"
    permissions["camera"] = "(self)"
    policy.resume.set()
    thread.join(5)
    (got,) = result
    # Either both edits or neither: here both, since the copy is retaken.
    assert got["Content-Security-Policy"] == (
        "default-src 'self'; img-src https://img.example"
    )
    assert got["Permissions-Policy"] == "camera=(self)"
    assert talisman.content_security_policy is policy


def test_a_response_keeps_the_policy_its_request_started_with() -> None:
    app = make_app()
    talisman = Talisman(app, content_security_policy_nonce_in=["script-src"])
    entered, leave = threading.Event(), threading.Event()

    @app.route("/slow")
    def slow() -> str:
        entered.set()
        assert leave.wait(5)
        return render_template_string("{{ csp_nonce() }}")

    thread, result = run(lambda: app.test_client().get("/slow", **HTTPS))
    assert entered.wait(5)
    talisman.frame_options = DENY  # while the view runs
    talisman.content_security_policy = {"default-src": "'none'"}
    leave.set()
    thread.join(5)
    (response,) = result
    assert response.headers["X-Frame-Options"] == SAMEORIGIN
    csp = response.headers["Content-Security-Policy"]
    assert csp.startswith("default-src 'self'; object-src 'none'; script-src")
    assert response.get_data(as_text=True) in csp  # its own nonce
    assert headers(app)["X-Frame-Options"] == DENY  # the next one: new options


def test_a_valid_edit_is_not_refused_because_of_another_threads_bad_edit() -> None:
    app = strict_app()
    talisman = Talisman(app)
    bad_done = threading.Event()

    def bad_edit() -> None:
        talisman.content_security_policy["script-src"] = "self"  # unquoted
        bad_done.set()

    thread, _ = run(bad_edit)
    assert bad_done.wait(5)
    thread.join(5)
    talisman.frame_options = DENY  # valid on its own: accepted
    assert talisman.frame_options == DENY
    with pytest.raises(ConfigurationError, match="should be quoted"):
        app.test_client().get("/", **HTTPS)
    del talisman.content_security_policy["script-src"]
    assert headers(app)["X-Frame-Options"] == DENY


def test_concurrent_requests_and_edits_always_send_one_whole_configuration() -> None:
    # One assignment that moves the policy between two headers: a response
    # that mixed the two configurations would have both headers, or neither.
    app = make_app()
    talisman = Talisman(app, content_security_policy_report_uri="/r")
    stop = threading.Event()
    seen: list[tuple[str | None, str | None]] = []
    failures: list[BaseException] = []

    def serve() -> None:
        client = app.test_client()
        while not stop.is_set():
            try:
                response = client.get("/", **HTTPS)
                seen.append(
                    (
                        response.headers.get("Content-Security-Policy"),
                        response.headers.get("Content-Security-Policy-Report-Only"),
                    )
                )
            except BaseException as error:  # pragma: no cover - reported below
                failures.append(error)

    threads = [threading.Thread(target=serve) for _ in range(4)]
    for thread in threads:
        thread.start()
    i = 0
    while i < 400 or (len(seen) < 200 and i < 100_000):
        talisman.content_security_policy_report_only = bool(i % 2)
        talisman.content_security_policy["img-src"] = f"https://{i}.example"
        i += 1
    stop.set()
    for thread in threads:
        thread.join(10)
    assert not failures
    assert seen
    for enforced, report_only in seen:
        assert (enforced is None) != (report_only is None)
        value = enforced or report_only
        assert value is not None
        assert re.fullmatch(
            r"default-src 'self'; object-src 'none'(; img-src https://\d+\.example)?"
            r"; report-uri /r",
            value,
        ), value
    assert talisman.content_security_policy["img-src"] == f"https://{i - 1}.example"


# -- a view whose options are wrong now, then fixed in place -------------------


def decorated_by_dict(talisman: Talisman, app: Flask, options: dict[str, Any]) -> None:
    add_view(app, "/view", talisman(**options))


def decorated_blueprint(
    talisman: Talisman, app: Flask, options: dict[str, Any]
) -> None:
    admin = Blueprint("admin", __name__)
    add_view(admin, "/view")
    talisman.extend(**options)(admin)
    app.register_blueprint(admin)


def view_attribute(talisman: Talisman, app: Flask, options: dict[str, Any]) -> None:
    add_view(app, "/view").talisman_view_options = options


@pytest.mark.parametrize(
    "configure", [decorated_by_dict, decorated_blueprint, view_attribute]
)
def test_a_view_fixed_in_place_is_served_again(configure: Any) -> None:
    app = make_app()
    talisman = Talisman(app)
    policy = {"img-src": "https://a.example"}
    configure(talisman, app, {"content_security_policy": policy})
    client = app.test_client()
    policy["img-src"] = "self"  # a keyword without its quotes: refused
    assert client.get("/view", **HTTPS).status_code == 500
    with pytest.raises(ConfigurationError, match="should be quoted"):
        talisman.check(app)
    policy["img-src"] = "'self'"
    response = client.get("/view", **HTTPS)
    assert response.status_code == 200
    assert "img-src 'self'" in response.headers["Content-Security-Policy"]
    talisman.check(app)


class ResizedWhileChecked(dict[str, Any]):
    """Its third read fails, as when another thread resizes it meanwhile.

    The first two reads are the copies change detection takes; a check that
    read the dict itself again would be the third.
    """

    reads = 0

    def items(self) -> Any:
        self.reads += 1
        if self.reads == 3:
            raise RuntimeError("dictionary changed size during iteration")
        return super().items()


def test_a_value_is_checked_from_the_copy_that_is_watched() -> None:
    app = make_app()
    talisman = Talisman(app)
    policy = ResizedWhileChecked({"default-src": "'self'", "img-src": "*"})
    talisman.content_security_policy = policy
    assert headers(app)["Content-Security-Policy"] == "default-src 'self'; img-src *"


# -- each value checked and parsed once per configuration change ----------------
#
# A value is checked (and a policy parsed) where it is configured; layering
# merges normal forms and compiling renders them, so neither parses again,
# and requests only compare. These tests count the calls of every option's
# check and of the CSP parser.


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
