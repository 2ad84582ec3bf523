"""Referrer-Policy."""

from __future__ import annotations

from typing import Any

import pytest

from flask_talisman import (
    ConfigurationError,
    Talisman,
)

from ..conftest import HTTPS, contract_test, get, make_app, refused_test, shows

# -- contract: options in, exact headers out; values refused ----------------


CONTRACT: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, str | None]]] = [
    (
        "referrer",
        {"referrer_policy": "no-referrer"},
        HTTPS,
        {"Referrer-Policy": "no-referrer"},
    ),
    (
        "referrer fallbacks",
        {"referrer_policy": ["no-referrer", "strict-origin-when-cross-origin"]},
        HTTPS,
        {"Referrer-Policy": "no-referrer, strict-origin-when-cross-origin"},
    ),
    ("referrer off", {"referrer_policy": None}, HTTPS, {"Referrer-Policy": None}),
]


REFUSED: list[tuple[str, str, Any, str]] = [
    ("referrer_policy", "referrer_policy", "no-referer", "'no-referer'"),
]


test_contract = contract_test(CONTRACT)


test_refused = refused_test(REFUSED)


# -- other behaviours --------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "match"),
    [
        pytest.param(
            "no-referer",
            shows("referrer_policy", "'no-referer'")
            + "(?i:.*did you mean 'no-referrer')",
            id="misspelt",
        ),
        pytest.param(
            "no-referrer; origin",
            shows("referrer_policy", "'no-referrer; origin'"),
            id="semicolon",
        ),
        pytest.param(
            "no-referrer, origni",
            shows("referrer_policy", "'origni'"),
            id="bad-fallback",
        ),
        pytest.param(
            ["no-referrer", 1], shows("referrer_policy", "1"), id="non-str-item"
        ),
    ],
)
def test_bad_referrer_policy_is_refused(value: Any, match: str) -> None:
    with pytest.raises(ConfigurationError, match=match):
        Talisman(make_app(), referrer_policy=value)


@pytest.mark.parametrize(
    ("value", "header"),
    [
        ("no-referrer", "no-referrer"),
        (
            "no-referrer, strict-origin-when-cross-origin",
            "no-referrer, strict-origin-when-cross-origin",
        ),
        ("no-referrer,strict-origin", "no-referrer, strict-origin"),
        (["no-referrer", "strict-origin"], "no-referrer, strict-origin"),
    ],
)
def test_referrer_policy_fallbacks_are_accepted(value: Any, header: str) -> None:
    app = make_app()
    Talisman(app, referrer_policy=value)
    assert get(app).headers["Referrer-Policy"] == header
