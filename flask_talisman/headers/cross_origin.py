"""Cross-origin isolation: COOP, COEP, CORP and Origin-Agent-Cluster."""

from __future__ import annotations

from ..errors import ConfigurationError
from .tokens import one_of

__all__ = [
    "check_coep",
    "check_coop",
    "check_corp",
    "check_origin_agent_cluster",
]

COOP_VALUES = (
    "same-origin",
    "same-origin-allow-popups",
    "noopener-allow-popups",
    "unsafe-none",
)
COEP_VALUES = ("require-corp", "credentialless", "unsafe-none")
CORP_VALUES = ("same-origin", "same-site", "cross-origin")


def check_coop(option: str, value: object) -> str | None:
    """Cross-Origin-Opener-Policy."""
    return one_of(option, value, COOP_VALUES)


def check_coep(option: str, value: object) -> str | None:
    """Cross-Origin-Embedder-Policy."""
    return one_of(option, value, COEP_VALUES)


def check_corp(option: str, value: object) -> str | None:
    """Cross-Origin-Resource-Policy."""
    return one_of(option, value, CORP_VALUES)


def check_origin_agent_cluster(option: str, value: object) -> str | None:
    """Origin-Agent-Cluster: ``True`` sends ``?1``; ``"?0"`` opts out."""
    if value is None or value is False:
        return None
    if value is True or value == "?1":
        return "?1"
    if value == "?0":
        return "?0"
    raise ConfigurationError(
        f"{option}: {value!r} is not valid. Use True (sends ?1), '?0', or None "
        "for no header."
    )
