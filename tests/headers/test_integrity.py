"""Integrity-Policy and Integrity-Policy-Report-Only."""

from __future__ import annotations

from typing import Any

from ..conftest import (
    HTTPS,
    INTEGRITY_DICT,
    INTEGRITY_HEADER,
    contract_test,
    refused_test,
)

# -- contract: options in, exact headers out; values refused ----------------


CONTRACT: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, str | None]]] = [
    # Integrity-Policy and Integrity-Policy-Report-Only
    (
        "integrity-dict",
        {"integrity_policy": INTEGRITY_DICT},
        HTTPS,
        {"Integrity-Policy": INTEGRITY_HEADER},
    ),
    (
        "integrity-str",
        {"integrity_policy": "blocked-destinations=(script style), sources=(inline)"},
        HTTPS,
        {"Integrity-Policy": "blocked-destinations=(script style), sources=(inline)"},
    ),
    (
        "integrity-dict-str-items",
        {"integrity_policy": {"blocked-destinations": "(script style)"}},
        HTTPS,
        {"Integrity-Policy": "blocked-destinations=(script style)"},
    ),
    ("integrity-empty-dict", {"integrity_policy": {}}, HTTPS, {}),
    (
        "integrity-report-only-dict",
        {"integrity_policy_report_only": INTEGRITY_DICT},
        HTTPS,
        {"Integrity-Policy-Report-Only": INTEGRITY_HEADER},
    ),
    (
        "integrity-report-only-str",
        {"integrity_policy_report_only": "blocked-destinations=(style)"},
        HTTPS,
        {"Integrity-Policy-Report-Only": "blocked-destinations=(style)"},
    ),
    (
        "integrity-both-independent",
        {
            "integrity_policy": {"blocked-destinations": ["script"]},
            "integrity_policy_report_only": {"blocked-destinations": ["style"]},
        },
        HTTPS,
        {
            "Integrity-Policy": "blocked-destinations=(script)",
            "Integrity-Policy-Report-Only": "blocked-destinations=(style)",
        },
    ),
]


REFUSED: list[tuple[str, str, Any, str]] = [
    (
        "integrity-str-crlf",
        "integrity_policy",
        "blocked-destinations=(script)\r\nX-Injected: 1",
        "control character '\\r'",
    ),
    # Integrity-Policy
    (
        "integrity-unknown-key",
        "integrity_policy",
        {"blocked-destination": ["script"]},
        "unknown key 'blocked-destination'. Did you mean 'blocked-destinations'?",
    ),
    (
        "integrity-unknown-destination",
        "integrity_policy",
        {"blocked-destinations": ["scirpt"]},
        "'scirpt' is not valid. Did you mean 'script'?",
    ),
    (
        "integrity-unknown-source",
        "integrity_policy",
        {"sources": ["outline"]},
        "'outline' is not valid",
    ),
    (
        "integrity-endpoint-upper-case",
        "integrity_policy",
        {"endpoints": ["Default"]},
        "'Default' is not a Reporting-Endpoints name",
    ),
    (
        "integrity-endpoint-with-space",
        "integrity_policy",
        {"endpoints": ["a b"]},
        "'a b' is not a Reporting-Endpoints name",
    ),
    (
        "integrity-endpoint-with-comma",
        "integrity_policy",
        {"endpoints": ["a,b"]},
        "'a,b' is not a Reporting-Endpoints name",
    ),
    (
        "integrity-endpoint-url",
        "integrity_policy",
        {"endpoints": ["https://r.example/"]},
        "is not a Reporting-Endpoints name",
    ),
    (
        "integrity-destinations-int",
        "integrity_policy",
        {"blocked-destinations": 1},
        "got 1 (int)",
    ),
    (
        "integrity-destination-item-int",
        "integrity_policy",
        {"blocked-destinations": [1]},
        "got 1 (int)",
    ),
    ("integrity-list", "integrity_policy", ["script"], "(list)"),
    (
        "integrity-str-without-parentheses",
        "integrity_policy",
        "blocked-destinations=script",
        "'blocked-destinations=script' is not an Integrity-Policy",
    ),
    (
        "integrity-str-unknown-key",
        "integrity_policy",
        "blocked=(script)",
        "'blocked=(script)' is not an Integrity-Policy",
    ),
    (
        # The dict form refuses this destination; so must the str form.
        "integrity-str-unknown-destination",
        "integrity_policy",
        "blocked-destinations=(scirpt)",
        "'scirpt'",
    ),
    (
        "integrity-report-only-unknown-key",
        "integrity_policy_report_only",
        {"endpoint": ["default"]},
        "Did you mean 'endpoints'?",
    ),
    (
        "integrity-report-only-bad-endpoint",
        "integrity_policy_report_only",
        {"endpoints": ["no;pe"]},
        "'no;pe' is not a Reporting-Endpoints name",
    ),
]


test_contract = contract_test(CONTRACT)


test_refused = refused_test(REFUSED)


# -- other behaviours --------------------------------------------------------
