"""flask_talisman/wire.py: what it relies on in Werkzeug and Flask, and that
each function does what its plain public form does.

The first tests fail, naming the installed versions, when an internal a
shortcut relies on changes: then the shortcut goes back to its plain form
(named in the message) until it is measured again (docs/benchmarks.rst).
"""

from __future__ import annotations

from importlib.metadata import version

import pytest
from flask import Flask, Request, Response, request
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import Headers

from flask_talisman import Talisman
from flask_talisman.wire import append_headers, current_request, set_headers

VERSIONS = f"Werkzeug {version('werkzeug')}, Flask {version('flask')}"
PAIRS = (
    ("X-Frame-Options", "SAMEORIGIN"),
    ("X-Content-Type-Options", "nosniff"),
    ("Content-Security-Policy", "default-src 'self'"),
)
NAMES = frozenset(name.lower() for name, _ in PAIRS)


def plain_set_headers(headers: Headers, pairs: tuple[tuple[str, str], ...]) -> None:
    for name, value in pairs:
        headers[name] = value


# -- what the shortcuts rely on ----------------------------------------------


def test_headers_keep_their_items_as_a_list_of_pairs_in__list() -> None:
    headers = Headers([("Content-Type", "text/plain"), ("Set-Cookie", "a=1")])
    items = getattr(headers, "_list", None)
    expected = [("Content-Type", "text/plain"), ("Set-Cookie", "a=1")]
    assert (type(items), items) == (list, expected), (
        f"{VERSIONS}: Headers no longer keeps its items as a list of (name, "
        f"value) tuples in Headers._list (found {items!r}); "
        "flask_talisman.wire.set_headers appends to it: make it call "
        "Headers.extend (its plain form) instead."
    )


def test_what_is_appended_to__list_is_what_headers_send() -> None:
    headers = Headers([("Content-Type", "text/plain")])
    headers._list.extend([("X-Frame-Options", "DENY"), ("Set-Cookie", "b=2")])
    headers._list.append(("Set-Cookie", "c=3"))
    seen = (
        headers.get("x-frame-options"),
        headers.getlist("Set-Cookie"),
        "X-Frame-Options" in headers,
        list(headers.items()),
        headers.to_wsgi_list(),
        len(headers),
    )
    pairs = [
        ("Content-Type", "text/plain"),
        ("X-Frame-Options", "DENY"),
        ("Set-Cookie", "b=2"),
        ("Set-Cookie", "c=3"),
    ]
    assert seen == ("DENY", ["b=2", "c=3"], True, pairs, pairs, 4), (
        f"{VERSIONS}: pairs appended to Headers._list are not what Headers "
        f"reads and sends (got {seen!r}): it keeps its items elsewhere too. "
        "flask_talisman.wire.set_headers relies on it: make it call "
        "Headers.extend (its plain form) instead."
    )


def test_flask_responses_have_plain_headers() -> None:
    kind = type(Response().headers)
    assert kind is Headers, (
        f"{VERSIONS}: a Flask response's headers are a {kind!r}, not "
        "werkzeug.datastructures.Headers, so flask_talisman.wire.set_headers "
        "never takes its shortcut: measure it again or remove it."
    )


def test_the_request_proxy_hands_out_the_request_behind_it() -> None:
    app = Flask(__name__)
    with app.test_request_context("/"):
        method = getattr(request, "_get_current_object", None)
        assert callable(method), (
            f"{VERSIONS}: flask.request has no _get_current_object(); "
            "flask_talisman.wire.current_request calls it: make it return "
            "the flask.request proxy (its plain form) instead."
        )
        real = method()
        assert type(real) is app.request_class, (
            f"{VERSIONS}: flask.request._get_current_object() returned "
            f"{real!r}, not the app's {app.request_class.__name__}."
        )
        real.talisman_test = "set"
        assert request.talisman_test == "set", (
            f"{VERSIONS}: an attribute set on _get_current_object()'s result "
            "is not seen through flask.request: it is not the request."
        )
    with pytest.raises(RuntimeError):
        request._get_current_object()


@pytest.mark.parametrize("name", ["_talisman", "csp_nonce"])
def test_requests_have_no_attribute_of_the_names_the_hooks_store(name: str) -> None:
    # The hooks store per-request data on the request and read it back with
    # getattr(request, name, default): a class attribute would be read for
    # requests the before-request hook never saw.
    assert not hasattr(Request, name), (
        f"{VERSIONS}: flask.Request now has an attribute {name!r}, which "
        "Talisman's hooks use for their per-request data: rename theirs."
    )


# -- each function does what its plain form does -----------------------------


@pytest.mark.parametrize(
    "existing",
    [
        [],
        [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", "5")],
        [("x-frame-options", "DENY")],  # another case
        [("X-Frame-Options", "DENY"), ("Vary", "Cookie"), ("X-FRAME-OPTIONS", "x")],
        [("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), ("content-security-policy", "")],
        [("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")],  # multi-valued, not ours
    ],
)
def test_set_headers_is_setting_each_header(existing: list[tuple[str, str]]) -> None:
    headers, plain = Headers(existing), Headers(existing)
    set_headers(headers, PAIRS, NAMES)
    plain_set_headers(plain, PAIRS)
    assert headers.to_wsgi_list() == plain.to_wsgi_list()


class _Subclass(Headers):
    def __setitem__(self, key: object, value: object) -> None:
        super().__setitem__(key, f"{value} (seen)")  # type: ignore[index]


def test_set_headers_on_a_headers_subclass_uses_its_setitem() -> None:
    headers = _Subclass([("Vary", "Cookie")])
    set_headers(headers, PAIRS, NAMES)
    assert headers.to_wsgi_list() == [
        ("Vary", "Cookie"),
        *((name, f"{value} (seen)") for name, value in PAIRS),
    ]


NAME_POOL = ["X-Frame-Options", "Content-Security-Policy", "Vary", "Set-Cookie"]
#: A response's headers before the hook: our names in any case, and others.
EXISTING = st.lists(
    st.tuples(
        st.sampled_from(NAME_POOL).flatmap(
            lambda name: st.sampled_from([name, name.lower(), name.upper()])
        ),
        st.sampled_from(["1", "a b", ""]),
    ),
    max_size=6,
)


@given(EXISTING)
def test_set_headers_matches_setting_each_header_whatever_is_there(
    existing: list[tuple[str, str]],
) -> None:
    headers, plain = Headers(existing), Headers(existing)
    set_headers(headers, PAIRS, NAMES)
    plain_set_headers(plain, PAIRS)
    assert headers.to_wsgi_list() == plain.to_wsgi_list()


@given(EXISTING)
def test_append_headers_appends_exactly_when_none_of_the_names_is_there(
    existing: list[tuple[str, str]],
) -> None:
    headers, plain = Headers(existing), Headers(existing)
    appended = append_headers(headers, PAIRS, NAMES)
    assert appended == (not any(name.lower() in NAMES for name, _ in existing))
    if appended:
        plain_set_headers(plain, PAIRS)
    assert headers.to_wsgi_list() == plain.to_wsgi_list()


def test_append_headers_leaves_a_headers_subclass_to_its_own_methods() -> None:
    headers = _Subclass([("Vary", "Cookie")])
    assert append_headers(headers, PAIRS, NAMES) is False
    assert headers.to_wsgi_list() == [("Vary", "Cookie")]


def test_current_request_is_the_request_the_proxy_stands_for() -> None:
    app = Flask(__name__)
    Talisman(app)

    @app.route("/page")
    def page() -> str:
        real = current_request()
        real.talisman_test = "x"
        return f"{real.endpoint} {request.talisman_test} {real is request}"

    assert (
        app.test_client().get("/page", base_url="https://localhost").text
        == "page x False"
    )
    with pytest.raises(RuntimeError):
        current_request()
