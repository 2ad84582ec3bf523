"""Option storage: the user's objects are kept, and edits to them are seen.

As in flask-talisman 1.1.0, the object passed or assigned is the object the
extension holds and returns, and an edit made through any reference to it
(the attribute, or the user's own variable) takes effect on the next request.
Defaults and presets are copied per app, so editing them changes one app.
"""

from __future__ import annotations

import copy
import pickle
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, make_response

from flask_talisman import (
    DEFAULT_CSP_POLICY,
    DEFAULT_PERMISSIONS_POLICY,
    GOOGLE_CSP_POLICY,
    Talisman,
)
from flask_talisman.options import PER_VIEW, SPECS, from_config
from flask_talisman.presets import PRESETS

from .conftest import HTTPS, NONCE_RE, make_app


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
    }


# -- identity -----------------------------------------------------------------


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


# -- every edit of every container option is seen ----------------------------


def cookies_view(app: Flask) -> None:
    @app.route("/cookies")
    def cookies() -> Any:
        response = make_response("cookies")
        response.set_cookie("a", "1")
        response.set_cookie("b", "2")
        return response


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
        cookies_view(app)
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
