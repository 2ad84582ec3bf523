"""Cache-Control and Clear-Site-Data."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response

from flask_talisman import (
    Talisman,
)

from ..conftest import HTTPS, check, contract_test, get, make_app, refused_test

# -- contract: options in, exact headers out; values refused ----------------


CONTRACT: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, str | None]]] = [
    # Cache-Control
    (
        "cache-no-store",
        {"cache_control": "no-store"},
        HTTPS,
        {"Cache-Control": "no-store"},
    ),
    (
        "cache-private-max-age",
        {"cache_control": "private, max-age=60"},
        HTTPS,
        {"Cache-Control": "private, max-age=60"},
    ),
    (
        "cache-spacing-normalised",
        {"cache_control": "private,max-age=60"},
        HTTPS,
        {"Cache-Control": "private, max-age=60"},
    ),
    (
        "cache-extra-spaces-normalised",
        {"cache_control": "  no-cache ,   no-store  "},
        HTTPS,
        {"Cache-Control": "no-cache, no-store"},
    ),
    (
        "cache-quoted-field-name",
        {"cache_control": 'private="Set-Cookie", max-age=0'},
        HTTPS,
        {"Cache-Control": 'private="Set-Cookie", max-age=0'},
    ),
    ("cache-empty-str", {"cache_control": ""}, HTTPS, {}),
    # Clear-Site-Data
    (
        "csd-list",
        {"clear_site_data": ["cache", "cookies", "storage"]},
        HTTPS,
        {"Clear-Site-Data": '"cache", "cookies", "storage"'},
    ),
    (
        "csd-tuple",
        {"clear_site_data": ("executionContexts", "clientHints")},
        HTTPS,
        {"Clear-Site-Data": '"executionContexts", "clientHints"'},
    ),
    ("csd-star-str", {"clear_site_data": "*"}, HTTPS, {"Clear-Site-Data": '"*"'}),
    ("csd-star-list", {"clear_site_data": ["*"]}, HTTPS, {"Clear-Site-Data": '"*"'}),
    (
        "csd-duplicates-dropped",
        {"clear_site_data": ["cache", "cookies", "cache", "cookies"]},
        HTTPS,
        {"Clear-Site-Data": '"cache", "cookies"'},
    ),
    (
        "csd-str",
        {"clear_site_data": "cache, cookies"},
        HTTPS,
        {"Clear-Site-Data": '"cache", "cookies"'},
    ),
    (
        "csd-str-already-quoted",
        {"clear_site_data": '"cache","storage"'},
        HTTPS,
        {"Clear-Site-Data": '"cache", "storage"'},
    ),
    ("csd-empty-list", {"clear_site_data": []}, HTTPS, {}),
]


REFUSED: list[tuple[str, str, Any, str]] = [
    ("cache-lf", "cache_control", "no-store\nX-Injected: 1", "control character"),
    (
        "csd-crlf-inside",
        "clear_site_data",
        "cache\r\nX-Injected: 1",
        "control character",
    ),
    # Cache-Control
    ("cache-semicolon", "cache_control", "no-store; x", "'no-store; x'"),
    ("cache-space", "cache_control", "a b", "'a b' in 'a b'"),
    ("cache-empty-member", "cache_control", "no-store,", "'' in 'no-store,'"),
    ("cache-int", "cache_control", 60, "got 60 (int)"),
    ("cache-list", "cache_control", ["no-store"], "(list)"),
    # Clear-Site-Data
    (
        "csd-typo",
        "clear_site_data",
        "cookie",
        "'cookie' is not a Clear-Site-Data type. Did you mean 'cookies'?",
    ),
    (
        "csd-typo-in-list",
        "clear_site_data",
        ["cache", "storag"],
        "Did you mean 'storage'?",
    ),
    ("csd-wrong-case", "clear_site_data", ["Cache"], "Did you mean 'cache'?"),
    ("csd-non-str-item", "clear_site_data", ["cache", 1], "1 is not"),
    ("csd-int", "clear_site_data", 5, "got 5 (int)"),
    ("csd-semicolon", "clear_site_data", "cache; cookies", "'cache; cookies'"),
]


test_contract = contract_test(CONTRACT)


test_refused = refused_test(REFUSED)


# -- other behaviours --------------------------------------------------------


def test_cache_control_replaces_the_views_own_value() -> None:
    # Like every Talisman header, the configured value wins over the view's.
    app = Flask(__name__)
    app.route("/")(lambda: Response("ok", headers={"Cache-Control": "public"}))
    Talisman(app, cache_control="no-store")
    check(get(app), {"Cache-Control": "no-store"})


def test_an_empty_clear_site_data_sends_no_header() -> None:
    for empty in ((), [], ""):
        app = make_app()
        Talisman(app, clear_site_data=empty)
        assert "Clear-Site-Data" not in app.test_client().get("/", **HTTPS).headers
