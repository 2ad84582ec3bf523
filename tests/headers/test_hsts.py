"""Strict-Transport-Security."""

from __future__ import annotations

from typing import Any

import pytest

from flask_talisman import (
    ConfigurationError,
    ConfigurationWarning,
    Talisman,
)

from ..conftest import HTTPS, contract_test, get, make_app, refused_test, shows

# -- contract: options in, exact headers out; values refused ----------------


CONTRACT: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, str | None]]] = [
    (
        "hsts preload",
        {"strict_transport_security_preload": True},
        HTTPS,
        {"Strict-Transport-Security": "max-age=31556926; includeSubDomains; preload"},
    ),
    (
        "hsts without subdomains",
        {"strict_transport_security_include_subdomains": False},
        HTTPS,
        {"Strict-Transport-Security": "max-age=31556926"},
    ),
    (
        "hsts max-age 0",
        {"strict_transport_security_max_age": 0},
        HTTPS,
        {"Strict-Transport-Security": "max-age=0; includeSubDomains"},
    ),
    (
        "hsts off",
        {"strict_transport_security": False},
        HTTPS,
        {"Strict-Transport-Security": None},
    ),
]


REFUSED: list[tuple[str, str, Any, str]] = [
    (
        "strict_transport_security_max_age",
        "strict_transport_security_max_age",
        -1,
        "-1",
    ),
]


test_contract = contract_test(CONTRACT)


test_refused = refused_test(REFUSED)


# -- other behaviours --------------------------------------------------------


@pytest.mark.parametrize(
    "max_age",
    [
        pytest.param(-1, id="negative"),
        pytest.param(1.5, id="float"),
        pytest.param("1 year", id="str"),
        pytest.param("-1", id="negative-str"),
        pytest.param(float("inf"), id="infinite"),
        pytest.param(True, id="bool"),
        pytest.param(None, id="None"),
    ],
)
def test_hsts_max_age_must_be_a_non_negative_int(max_age: Any) -> None:
    with pytest.raises(
        ConfigurationError,
        match=shows("strict_transport_security_max_age", repr(max_age)),
    ):
        Talisman(make_app(), strict_transport_security_max_age=max_age)


@pytest.mark.parametrize("max_age", ["31536000", " 600 ", 600.0])
def test_hsts_max_age_as_a_str_of_digits_or_a_whole_float_is_that_number(
    max_age: Any,
) -> None:
    # 1.1.0 formats the value into the header as it is, which is right for
    # a str of digits (an environment variable, say).
    app = make_app()
    Talisman(app, strict_transport_security_max_age=max_age)
    header = get(app).headers["Strict-Transport-Security"]
    assert header == f"max-age={int(float(max_age))}; includeSubDomains"


def test_hsts_max_age_zero_is_accepted() -> None:
    # max-age=0 is how a site tells browsers to forget HSTS.
    app = make_app()
    Talisman(app, strict_transport_security_max_age=0)
    assert (
        get(app).headers["Strict-Transport-Security"] == "max-age=0; includeSubDomains"
    )


@pytest.mark.parametrize("value", [10**5000, 10**18], ids=["5001-digits", "19-digits"])
def test_an_absurd_max_age_is_a_configuration_error(value: int) -> None:
    with pytest.raises(
        ConfigurationError, match="strict_transport_security_max_age: a number of"
    ):
        Talisman(make_app(), strict_transport_security_max_age=value)
    Talisman(make_app(), strict_transport_security_max_age=10**18 - 1)


@pytest.mark.parametrize(
    "options",
    [
        pytest.param(
            {"strict_transport_security_include_subdomains": False},
            id="no-includeSubDomains",
        ),
        pytest.param(
            {"strict_transport_security_max_age": 86400}, id="max-age-one-day"
        ),
        pytest.param(
            {"strict_transport_security_max_age": 31535999},
            id="max-age-just-under-a-year",
        ),
    ],
)
def test_hsts_preload_the_preload_list_would_reject_warns(
    options: dict[str, Any],
) -> None:
    app = make_app()
    with pytest.warns(ConfigurationWarning, match="strict_transport_security_preload"):
        Talisman(app, strict_transport_security_preload=True, **options)
    assert get(app).headers["Strict-Transport-Security"].endswith("; preload")


def test_hsts_preload_that_the_list_would_reject_warns_when_used() -> None:
    app = make_app()
    talisman = Talisman(app, strict_transport_security_include_subdomains=False)
    talisman.strict_transport_security_preload = True  # more may follow
    with pytest.warns(ConfigurationWarning, match="strict_transport_security_preload"):
        get(app)


def test_hsts_preload_meeting_the_preload_list_rules_is_silent() -> None:
    app = make_app()
    Talisman(
        app,
        strict_transport_security_preload=True,
        strict_transport_security_max_age=31536000,
    )
    assert (
        get(app).headers["Strict-Transport-Security"]
        == "max-age=31536000; includeSubDomains; preload"
    )
