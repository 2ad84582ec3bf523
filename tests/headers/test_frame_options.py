"""X-Frame-Options."""

from __future__ import annotations

from typing import Any

import pytest

from flask_talisman import (
    ALLOW_FROM,
    DENY,
    SAMEORIGIN,
    ConfigurationError,
    ConfigurationWarning,
    Talisman,
)

from ..conftest import (
    HTTPS,
    check,
    contract_test,
    get,
    headers,
    make_app,
    refused_test,
    shows,
)

# -- contract: options in, exact headers out; values refused ----------------


CONTRACT: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, str | None]]] = [
    ("frame DENY", {"frame_options": DENY}, HTTPS, {"X-Frame-Options": "DENY"}),
    ("frame SAMEORIGIN", {"frame_options": SAMEORIGIN}, HTTPS, {}),
    ("frame off", {"frame_options": None}, HTTPS, {"X-Frame-Options": None}),
    ("frame off False", {"frame_options": False}, HTTPS, {"X-Frame-Options": None}),
    ("frame lower case", {"frame_options": "deny"}, HTTPS, {"X-Frame-Options": "DENY"}),
    ("frame lower case sameorigin", {"frame_options": "sameorigin"}, HTTPS, {}),
]


REFUSED: list[tuple[str, str, Any, str]] = [
    ("frame_options", "frame_options", "ALLOWALL", "'ALLOWALL'"),
    (
        "frame_options_allow_from",
        "frame_options_allow_from",
        "https://a.example https://b.example",
        "'https://a.example https://b.example'",
    ),
]


test_contract = contract_test(CONTRACT)


test_refused = refused_test(REFUSED)


# -- other behaviours --------------------------------------------------------


def test_allow_from_contract_warns_that_browsers_ignore_it() -> None:
    app = make_app()
    with pytest.warns(ConfigurationWarning, match="frame-ancestors"):
        Talisman(
            app, frame_options=ALLOW_FROM, frame_options_allow_from="https://a.example"
        )
    response = app.test_client().get("/", **HTTPS)
    check(response, {"X-Frame-Options": "ALLOW-FROM https://a.example"})


@pytest.mark.parametrize(
    ("value", "match"),
    [
        pytest.param("ALLOWALL", shows("frame_options", "'ALLOWALL'"), id="ALLOWALL"),
        pytest.param(
            "ALLOW-FROM https://x.example",
            shows("frame_options", "'ALLOW-FROM https://x.example'")
            + ".*frame_options_allow_from",
            id="origin-inline",
        ),
        pytest.param(1, shows("frame_options", "1"), id="int"),
        pytest.param(True, shows("frame_options", "True"), id="True"),
    ],
)
def test_bad_frame_options_are_refused(value: Any, match: str) -> None:
    with pytest.raises(ConfigurationError, match=match):
        Talisman(make_app(), frame_options=value)


def test_allow_from_without_origin_is_refused_at_init_app() -> None:
    talisman = Talisman(frame_options=ALLOW_FROM)  # the origin may come from config
    with pytest.raises(ConfigurationError, match="frame_options_allow_from"):
        talisman.init_app(make_app())


def test_allow_from_origin_may_come_from_app_config() -> None:
    app = make_app()
    app.config["TALISMAN_FRAME_OPTIONS_ALLOW_FROM"] = "https://a.example"
    with pytest.warns(
        ConfigurationWarning, match="'frame-ancestors': \"https://a.example\""
    ):
        Talisman(frame_options=ALLOW_FROM).init_app(app)
    assert get(app).headers["X-Frame-Options"] == "ALLOW-FROM https://a.example"


@pytest.mark.parametrize(
    ("allow_from", "source"),
    [
        ("https://a.example", '"https://a.example"'),
        ("SAMEORIGIN", "\"'self'\""),
        ("a.example", '"a.example"'),
    ],
)
def test_allow_from_advice_gives_a_valid_csp_source(
    allow_from: str, source: str
) -> None:
    with pytest.warns(ConfigurationWarning) as record:
        Talisman(
            make_app(), frame_options=ALLOW_FROM, frame_options_allow_from=allow_from
        )
    (warning,) = record
    assert f"'frame-ancestors': {source}" in str(warning.message)


def test_no_allow_from_advice_when_the_policy_has_frame_ancestors() -> None:
    app = make_app()
    Talisman(
        app,
        frame_options=ALLOW_FROM,
        frame_options_allow_from="https://a.example",
        content_security_policy={"frame-ancestors": "https://a.example"},
    )
    assert headers(app)["X-Frame-Options"] == "ALLOW-FROM https://a.example"
