"""X-XSS-Protection, X-Content-Type-Options, X-Download-Options, X-DNS-Prefetch-Control and X-Permitted-Cross-Domain-Policies."""

from __future__ import annotations

from typing import Any

from ..conftest import HTTPS, contract_test, refused_test

# -- contract: options in, exact headers out; values refused ----------------


CONTRACT: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, str | None]]] = [
    (
        "x_xss_protection",
        {"x_xss_protection": True},
        HTTPS,
        {"X-XSS-Protection": "1; mode=block"},
    ),
    (
        "force_file_save",
        {"force_file_save": True},
        HTTPS,
        {"X-Download-Options": "noopen"},
    ),
    (
        "nosniff off",
        {"x_content_type_options": False},
        HTTPS,
        {"X-Content-Type-Options": None},
    ),
    # X-DNS-Prefetch-Control
    (
        "dns-off",
        {"x_dns_prefetch_control": "off"},
        HTTPS,
        {"X-DNS-Prefetch-Control": "off"},
    ),
    (
        "dns-on",
        {"x_dns_prefetch_control": "on"},
        HTTPS,
        {"X-DNS-Prefetch-Control": "on"},
    ),
    # X-Permitted-Cross-Domain-Policies
    *[
        (
            f"xpcdp-{value}",
            {"x_permitted_cross_domain_policies": value},
            HTTPS,
            {"X-Permitted-Cross-Domain-Policies": value},
        )
        for value in (
            "none",
            "master-only",
            "by-content-type",
            "by-ftp-filename",
            "all",
            "none-this-response",
        )
    ],
    # X-XSS-Protection
    ("xss-0", {"x_xss_protection": "0"}, HTTPS, {"X-XSS-Protection": "0"}),
    (
        "xss-True",
        {"x_xss_protection": True},
        HTTPS,
        {"X-XSS-Protection": "1; mode=block"},
    ),
    (
        "xss-1-mode-block",
        {"x_xss_protection": "1; mode=block"},
        HTTPS,
        {"X-XSS-Protection": "1; mode=block"},
    ),
    ("xss-False", {"x_xss_protection": False}, HTTPS, {}),
]


REFUSED: list[tuple[str, str, Any, str]] = [
    ("dns-typo", "x_dns_prefetch_control", "of", "Did you mean 'off'?"),
    (
        "xpcdp-underscore",
        "x_permitted_cross_domain_policies",
        "master_only",
        "Did you mean 'master-only'?",
    ),
    ("dns-True", "x_dns_prefetch_control", True, "got True (bool)"),
    ("xpcdp-list", "x_permitted_cross_domain_policies", ["none"], "(list)"),
    ("dns-nul", "x_dns_prefetch_control", "off\x00", "control character '\\x00'"),
    # X-XSS-Protection
    ("xss-yes", "x_xss_protection", "yes", "'yes' is not valid"),
    ("xss-1", "x_xss_protection", "1", "'1' is not valid"),
    ("xss-int-2", "x_xss_protection", 2, "2 is not valid"),
]


test_contract = contract_test(CONTRACT)


test_refused = refused_test(REFUSED)


# -- other behaviours --------------------------------------------------------
