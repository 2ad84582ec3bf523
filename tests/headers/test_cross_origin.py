"""Cross-Origin-Opener-Policy, -Embedder-Policy, -Resource-Policy and Origin-Agent-Cluster."""

from __future__ import annotations

import warnings
from typing import Any

import http_sf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import flask_talisman.extension as extension_module
from flask_talisman import (
    ConfigurationError,
    ConfigurationWarning,
    Talisman,
)
from flask_talisman.headers.cross_origin import COEP_VALUES, COOP_VALUES

from ..conftest import (
    HTTP,
    HTTPS,
    add_view,
    check,
    contract_test,
    get,
    make_app,
    refused_test,
    shows,
)
from ..properties.test_options import SETTINGS

# -- contract: options in, exact headers out; values refused ----------------


#: An endpoint for each report-only header, so that it can report.
ENDPOINTS = {"reporting_endpoints": {"r": "https://r.example/reports"}}
COOP_ENDPOINT = {**ENDPOINTS, "cross_origin_opener_policy_report_to": "r"}
COEP_ENDPOINT = {**ENDPOINTS, "cross_origin_embedder_policy_report_to": "r"}


CONTRACT: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, str | None]]] = [
    # Cross-Origin-Opener-Policy
    *[
        (
            f"coop-{value}",
            {"cross_origin_opener_policy": value},
            HTTPS,
            {"Cross-Origin-Opener-Policy": value},
        )
        for value in (
            "same-origin",
            "same-origin-allow-popups",
            "noopener-allow-popups",
            "unsafe-none",
        )
    ],
    # Cross-Origin-Embedder-Policy
    *[
        (
            f"coep-{value}",
            {"cross_origin_embedder_policy": value},
            HTTPS,
            {"Cross-Origin-Embedder-Policy": value},
        )
        for value in ("require-corp", "credentialless", "unsafe-none")
    ],
    # Cross-Origin-Resource-Policy
    *[
        (
            f"corp-{value}",
            {"cross_origin_resource_policy": value},
            HTTPS,
            {"Cross-Origin-Resource-Policy": value},
        )
        for value in ("same-origin", "same-site", "cross-origin")
    ],
    (
        "coop-coep-corp-together",
        {
            "cross_origin_opener_policy": "same-origin",
            "cross_origin_embedder_policy": "require-corp",
            "cross_origin_resource_policy": "same-site",
        },
        HTTPS,
        {
            "Cross-Origin-Opener-Policy": "same-origin",
            "Cross-Origin-Embedder-Policy": "require-corp",
            "Cross-Origin-Resource-Policy": "same-site",
        },
    ),
    # The report-only variants: the same values, with the sibling's endpoint
    *[
        (
            f"coop-report-only-{value}",
            {"cross_origin_opener_policy_report_only": value, **COOP_ENDPOINT},
            HTTPS,
            {"Cross-Origin-Opener-Policy-Report-Only": f'{value}; report-to="r"'},
        )
        for value in (
            "same-origin",
            "same-origin-allow-popups",
            "noopener-allow-popups",
            "unsafe-none",
        )
    ],
    *[
        (
            f"coep-report-only-{value}",
            {"cross_origin_embedder_policy_report_only": value, **COEP_ENDPOINT},
            HTTPS,
            {"Cross-Origin-Embedder-Policy-Report-Only": f'{value}; report-to="r"'},
        )
        for value in ("require-corp", "credentialless", "unsafe-none")
    ],
    (
        "coop-enforced-beside-report-only",
        {
            "cross_origin_opener_policy": "same-origin-allow-popups",
            "cross_origin_opener_policy_report_only": "same-origin",
            **COOP_ENDPOINT,
        },
        HTTPS,
        {
            "Cross-Origin-Opener-Policy": 'same-origin-allow-popups; report-to="r"',
            "Cross-Origin-Opener-Policy-Report-Only": 'same-origin; report-to="r"',
        },
    ),
    (
        "coep-enforced-beside-report-only",
        {
            "cross_origin_embedder_policy": "credentialless",
            "cross_origin_embedder_policy_report_only": "require-corp",
            **COEP_ENDPOINT,
        },
        HTTPS,
        {
            "Cross-Origin-Embedder-Policy": 'credentialless; report-to="r"',
            "Cross-Origin-Embedder-Policy-Report-Only": 'require-corp; report-to="r"',
        },
    ),
    (
        "report-only-on-plain-http-too",
        {
            "cross_origin_opener_policy_report_only": "same-origin",
            "force_https": False,
            **COOP_ENDPOINT,
        },
        HTTP,
        {
            "Cross-Origin-Opener-Policy-Report-Only": 'same-origin; report-to="r"',
            "Strict-Transport-Security": None,
        },
    ),
    (
        "coop-report-only-None",
        {"cross_origin_opener_policy_report_only": None},
        HTTPS,
        {},
    ),
    (
        "coep-report-only-False",
        {"cross_origin_embedder_policy_report_only": False},
        HTTPS,
        {},
    ),
    ("coop-None", {"cross_origin_opener_policy": None}, HTTPS, {}),
    ("coop-False", {"cross_origin_opener_policy": False}, HTTPS, {}),
    # Origin-Agent-Cluster
    ("oac-True", {"origin_agent_cluster": True}, HTTPS, {"Origin-Agent-Cluster": "?1"}),
    ("oac-?1", {"origin_agent_cluster": "?1"}, HTTPS, {"Origin-Agent-Cluster": "?1"}),
    ("oac-?0", {"origin_agent_cluster": "?0"}, HTTPS, {"Origin-Agent-Cluster": "?0"}),
    ("oac-None", {"origin_agent_cluster": None}, HTTPS, {}),
    ("oac-False", {"origin_agent_cluster": False}, HTTPS, {}),
]


REFUSED: list[tuple[str, str, Any, str]] = [
    # unknown tokens, with a "did you mean" hint
    (
        "coop-typo",
        "cross_origin_opener_policy",
        "same-orign",
        "'same-orign' is not a valid value. Did you mean 'same-origin'?",
    ),
    (
        "coop-wrong-case",
        "cross_origin_opener_policy",
        "Same-Origin",
        "Did you mean 'same-origin'?",
    ),
    (
        "coep-underscore",
        "cross_origin_embedder_policy",
        "require_corp",
        "Did you mean 'require-corp'?",
    ),
    (
        "corp-typo",
        "cross_origin_resource_policy",
        "same-orign",
        "Did you mean 'same-origin'?",
    ),
    (
        "corp-coop-value",
        "cross_origin_resource_policy",
        "unsafe-none",
        "'unsafe-none'",
    ),
    # wrong types
    ("coop-int", "cross_origin_opener_policy", 1, "got 1 (int)"),
    (
        "coop-list",
        "cross_origin_opener_policy",
        ["same-origin"],
        "got ['same-origin'] (list)",
    ),
    ("coop-True", "cross_origin_opener_policy", True, "got True (bool)"),
    ("coep-list", "cross_origin_embedder_policy", ["require-corp"], "(list)"),
    ("corp-int", "cross_origin_resource_policy", 1, "(int)"),
    ("oac-str", "origin_agent_cluster", "yes", "'yes'"),
    ("oac-int", "origin_agent_cluster", 1, "1 is not valid"),
    ("oac-?2", "origin_agent_cluster", "?2", "'?2'"),
    # control characters
    (
        "coop-crlf",
        "cross_origin_opener_policy",
        "same-origin\r\nX-Injected: 1",
        "control character '\\r'",
    ),
]


#: The report-only options are checked as their enforcing siblings are: each
#: COOP and COEP row again, with the error naming the report-only option.
REPORT_ONLY_REFUSED = [
    (f"{row_id}-report-only", f"{option}_report_only", value, fragment)
    for row_id, option, value, fragment in REFUSED
    if option in ("cross_origin_opener_policy", "cross_origin_embedder_policy")
]


test_contract = contract_test(CONTRACT)


test_refused = refused_test(REFUSED + REPORT_ONLY_REFUSED)


# -- other behaviours --------------------------------------------------------


def test_refused_new_option_assignment_keeps_the_old_header() -> None:
    app = make_app()
    talisman = Talisman(app, cross_origin_opener_policy="same-origin")
    with pytest.raises(ConfigurationError, match="cross_origin_opener_policy"):
        talisman.cross_origin_opener_policy = "same-orign"
    assert talisman.cross_origin_opener_policy == "same-origin"
    check(get(app), {"Cross-Origin-Opener-Policy": "same-origin"})


# -- the report-only variants: where they report -------------------------------

REPORT_ONLY = {
    "cross_origin_opener_policy_report_only": (
        "Cross-Origin-Opener-Policy-Report-Only",
        "cross_origin_opener_policy_report_to",
        "same-origin",
    ),
    "cross_origin_embedder_policy_report_only": (
        "Cross-Origin-Embedder-Policy-Report-Only",
        "cross_origin_embedder_policy_report_to",
        "require-corp",
    ),
}
each_report_only = pytest.mark.parametrize(
    ("option", "header", "report_to", "value"),
    [(option, *rest) for option, rest in REPORT_ONLY.items()],
    ids=["coop", "coep"],
)


@each_report_only
def test_report_only_reports_to_the_receiver_when_its_report_to_is_unset(
    option: str, header: str, report_to: str, value: str
) -> None:
    """The HTML standard names no implicit endpoint for COOP or COEP."""
    app = make_app()
    Talisman(app, report_receiver="/r", **{option: value})

    response = get(app)

    assert response.headers[header] == f'{value}; report-to="default"'
    assert response.headers["Reporting-Endpoints"] == 'default="https://localhost/r"'


@each_report_only
def test_report_only_takes_its_siblings_report_to_over_the_receiver(
    option: str, header: str, report_to: str, value: str
) -> None:
    app = make_app()
    Talisman(app, report_receiver="/r", **{option: value, report_to: "mine"})

    assert get(app).headers[header] == f'{value}; report-to="mine"'


@each_report_only
def test_report_only_without_an_endpoint_warns_that_it_reports_nowhere(
    option: str, header: str, report_to: str, value: str
) -> None:
    app = make_app()
    with pytest.warns(ConfigurationWarning, match=shows(option, repr(value))) as seen:
        Talisman(app, **{option: value})

    assert get(app).headers[header] == value
    message = str(seen[0].message)
    assert "report-to" in message
    assert report_to in message
    assert "report_receiver" in message


@each_report_only
def test_report_to_false_keeps_the_receiver_out_and_warns(
    option: str, header: str, report_to: str, value: str
) -> None:
    app = make_app()
    with pytest.warns(ConfigurationWarning, match=shows(option, repr(value))):
        Talisman(app, report_receiver="/r", **{option: value, report_to: False})

    assert get(app).headers[header] == value


@each_report_only
def test_report_only_with_an_endpoint_does_not_warn(
    option: str, header: str, report_to: str, value: str
) -> None:
    # pytest turns warnings into errors: configuring and serving must not warn.
    app = make_app()
    Talisman(app, **{option: value, report_to: "r"}, **ENDPOINTS)
    assert get(app).headers[header] == f'{value}; report-to="r"'


@each_report_only
def test_report_only_without_reporting_carries_no_report_to(
    option: str, header: str, report_to: str, value: str
) -> None:
    """A response whose origin cannot be named gets no Reporting-Endpoints,
    so no header names an endpoint on it."""
    app = make_app()
    Talisman(app, report_receiver="/r", **{option: value})

    response = app.test_client().get(
        "/", **HTTPS, headers={"Host": 'evil.example",x="1'}
    )

    assert response.headers.getlist(header) == [value]
    assert "Reporting-Endpoints" not in response.headers


@each_report_only
def test_the_enforcing_header_is_untouched_by_the_report_only_one(
    option: str, header: str, report_to: str, value: str
) -> None:
    """The receiver names an endpoint for the report-only header only; the
    enforcing one keeps what its own options say, as before."""
    enforcing = option.removesuffix("_report_only")
    app = make_app()
    Talisman(app, report_receiver="/r", **{option: value, enforcing: value})

    headers = get(app).headers
    assert headers[header.removesuffix("-Report-Only")] == value
    assert headers[header] == f'{value}; report-to="default"'


# -- the report-only variants, per view ------------------------------------------


@each_report_only
def test_report_only_on_one_view(
    option: str, header: str, report_to: str, value: str
) -> None:
    app = make_app()
    talisman = Talisman(app, report_receiver="/r")

    add_view(app, "/trial", talisman(**{option: value}))

    assert get(app, "/trial").headers[header] == f'{value}; report-to="default"'
    assert header not in get(app).headers


@each_report_only
def test_a_view_turns_the_apps_report_only_off(
    option: str, header: str, report_to: str, value: str
) -> None:
    app = make_app()
    talisman = Talisman(app, report_receiver="/r", **{option: value})

    add_view(app, "/off", talisman(**{option: None}))
    add_view(app, "/extended-off", talisman.extend(**{option: False}))

    assert header in get(app).headers
    assert header not in get(app, "/off").headers
    assert header not in get(app, "/extended-off").headers


def test_extend_replaces_a_report_only_value() -> None:
    app = make_app()
    talisman = Talisman(
        app,
        report_receiver="/r",
        cross_origin_opener_policy_report_only="same-origin",
        cross_origin_embedder_policy_report_only="require-corp",
    )

    add_view(
        app,
        "/popups",
        talisman.extend(
            cross_origin_opener_policy_report_only="same-origin-allow-popups",
            cross_origin_embedder_policy_report_to="coep",
        ),
    )

    headers = get(app, "/popups").headers
    assert headers["Cross-Origin-Opener-Policy-Report-Only"] == (
        'same-origin-allow-popups; report-to="default"'
    )
    assert headers["Cross-Origin-Embedder-Policy-Report-Only"] == (
        'require-corp; report-to="coep"'
    )


@each_report_only
def test_a_views_report_only_without_an_endpoint_warns_when_it_compiles(
    option: str, header: str, report_to: str, value: str
) -> None:
    app = make_app()
    talisman = Talisman(app)
    add_view(app, "/trial", talisman(**{option: value}))

    with pytest.warns(ConfigurationWarning, match=shows(option, repr(value))):
        response = get(app, "/trial")

    assert response.headers[header] == value


@each_report_only
def test_refused_report_only_value_names_the_report_only_option(
    option: str, header: str, report_to: str, value: str
) -> None:
    """The same check as the enforcing option, the same message but the name."""
    enforcing = option.removesuffix("_report_only")
    for bad in ("same-orign", "require_corp", "Same-Origin", 1, ["x"], True, "a\r\nb"):
        messages = []
        for name in (enforcing, option):
            with pytest.raises(ConfigurationError) as error:
                Talisman(make_app(), **{name: bad})
            messages.append(str(error.value))
        assert messages[1] == messages[0].replace(enforcing, option), bad


# -- properties -------------------------------------------------------------------

#: Anything a user might pass: the valid tokens, near misses and junk.
coop_like = st.one_of(
    st.sampled_from([*COOP_VALUES, *COEP_VALUES, None, False, True, ""]),
    st.text(max_size=20),
    st.builds(
        lambda word, junk: word + junk,
        st.sampled_from([*COOP_VALUES, *COEP_VALUES]),
        st.sampled_from(["\r\n", ";", ",", " ", '"', "=x", "\x00", "\u00e9"]),
    ),
    st.integers(),
    st.lists(st.sampled_from(COOP_VALUES), max_size=2),
)
endpoint_like = st.one_of(
    st.none(),
    st.just(False),
    st.sampled_from(["r", "default", "coop-1"]),
    st.text(max_size=8),
)


@settings(SETTINGS)
@given(
    option=st.sampled_from(sorted(REPORT_ONLY)),
    value=coop_like,
    report_to=endpoint_like,
    receiver=st.booleans(),
)
def test_any_accepted_report_only_value_is_one_valid_structured_item(
    option: str, value: Any, report_to: Any, receiver: bool
) -> None:
    """Refused, or sent as one RFC 9651 item: a valid token and at most a
    report-to string naming an endpoint."""
    header, report_to_option, _ = REPORT_ONLY[option]
    app = make_app()
    options = {option: value, report_to_option: report_to}
    if receiver:
        options["report_receiver"] = "/r"
    refused: str | None = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConfigurationWarning)
            Talisman(app, **options)
            sent = get(app).headers.getlist(header)
    except ConfigurationError as error:
        refused = str(error)
    if refused is not None:
        assert option in refused or report_to_option in refused
        return
    if value in (None, False, ""):
        assert sent == []
        return
    assert len(sent) == 1
    item, params = http_sf.parse(sent[0].encode(), tltype="item")
    assert str(item) == value
    allowed = COOP_VALUES if "opener" in option else COEP_VALUES
    assert str(item) in allowed
    assert set(params) <= {"report-to"}
    if report_to:
        assert params == {"report-to": report_to}
    elif report_to in (None, "") and receiver:  # "" is no name, as None
        assert params == {"report-to": "default"}
    else:
        assert params == {}


def test_a_response_outside_the_reporting_sample_names_no_endpoint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``reporting_sample_rate``: a response drawn outside the sample gets
    the report-only headers without report-to (and no Reporting-Endpoints),
    so browsers send nothing for it; one inside gets them whole."""
    draws = [0.9, 0.1]  # outside a 0.5 sample, then inside it
    monkeypatch.setattr(extension_module, "random", lambda: draws.pop(0))
    app = make_app()
    Talisman(
        app,
        report_receiver="/r",
        reporting_sample_rate=0.5,
        cross_origin_opener_policy_report_only="same-origin",
        cross_origin_embedder_policy_report_only="require-corp",
        permissions_policy_report_only="usb=();report-to=u",
    )

    outside, inside = get(app).headers, get(app).headers

    assert draws == []
    assert outside["Cross-Origin-Opener-Policy-Report-Only"] == "same-origin"
    assert outside["Cross-Origin-Embedder-Policy-Report-Only"] == "require-corp"
    assert outside["Permissions-Policy-Report-Only"] == "usb=()"
    assert "Reporting-Endpoints" not in outside
    assert inside["Cross-Origin-Opener-Policy-Report-Only"] == (
        'same-origin; report-to="default"'
    )
    assert inside["Cross-Origin-Embedder-Policy-Report-Only"] == (
        'require-corp; report-to="default"'
    )
    assert inside["Permissions-Policy-Report-Only"] == "usb=();report-to=u"
