"""Small legacy headers: X-XSS-Protection, X-DNS-Prefetch-Control,
X-Permitted-Cross-Domain-Policies."""

from __future__ import annotations

from ..errors import ConfigurationError
from .tokens import one_of

__all__ = ["check_dns_prefetch", "check_permitted_cross_domain", "check_xss"]

CROSS_DOMAIN_VALUES = (
    "none",
    "master-only",
    "by-content-type",
    "by-ftp-filename",
    "all",
    "none-this-response",
)


def check_xss(option: str, value: object) -> str | bool:
    """X-XSS-Protection.

    ``True`` sends ``1; mode=block`` as flask-talisman 1.1.0 did; ``"0"``
    turns the obsolete filter off explicitly, which is what current advice
    (and helmet) recommends.
    """
    # flask-talisman 1.1.0 reads the option by truth value: 0 sends nothing
    # and 1 sends '1; mode=block'. Only the str '0' sends 'X-XSS-Protection: 0'.
    if value is None or value is False or (type(value) is int and value == 0):
        return False  # as flask-talisman 1.1.0 stored it
    if value is True or (type(value) is int and value == 1):
        return "1; mode=block"
    if value == "1; mode=block":
        return "1; mode=block"
    if value == "0":
        return "0"
    raise ConfigurationError(
        f"{option}: {value!r} is not valid. Use '0' (recommended: disables the "
        "obsolete filter), True for '1; mode=block', or False for no header."
    )


def check_dns_prefetch(option: str, value: object) -> str | None:
    """X-DNS-Prefetch-Control: ``"off"`` or ``"on"``."""
    return one_of(option, value, ("off", "on"))


def check_permitted_cross_domain(option: str, value: object) -> str | None:
    """X-Permitted-Cross-Domain-Policies (Adobe cross-domain policy files)."""
    return one_of(option, value, CROSS_DOMAIN_VALUES)
