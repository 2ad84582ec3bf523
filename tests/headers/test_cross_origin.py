"""Cross-Origin-Opener-Policy, -Embedder-Policy, -Resource-Policy and Origin-Agent-Cluster."""

from __future__ import annotations

from typing import Any

import pytest

from flask_talisman import (
    ConfigurationError,
    Talisman,
)

from ..conftest import HTTPS, check, contract_test, get, make_app, refused_test

# -- contract: options in, exact headers out; values refused ----------------


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


test_contract = contract_test(CONTRACT)


test_refused = refused_test(REFUSED)


# -- other behaviours --------------------------------------------------------


def test_refused_new_option_assignment_keeps_the_old_header() -> None:
    app = make_app()
    talisman = Talisman(app, cross_origin_opener_policy="same-origin")
    with pytest.raises(ConfigurationError, match="cross_origin_opener_policy"):
        talisman.cross_origin_opener_policy = "same-orign"
    assert talisman.cross_origin_opener_policy == "same-origin"
    check(get(app), {"Cross-Origin-Opener-Policy": "same-origin"})
