"""Strict-Transport-Security (RFC 6797)."""

from __future__ import annotations

import re

from ..errors import ConfigurationError, warn

__all__ = ["ONE_YEAR_IN_SECS", "PRELOAD_MIN_AGE", "compile_hsts"]

#: flask-talisman's default max-age (a mean solar year).
ONE_YEAR_IN_SECS = 31556926
#: The smallest max-age https://hstspreload.org accepts.
PRELOAD_MIN_AGE = 31536000


#: Larger values mean nothing more: browsers stop at 2**31 seconds (RFC 9111).
MAX_AGE_LIMIT = 10**18


_DIGITS = re.compile(r"[0-9]{1,19}\Z")


def check_max_age(option: str, value: object) -> int:
    """A max-age must be a non-negative int (``0`` tells browsers to forget).

    A str of digits (as read from an environment variable) and a float with
    no fraction are taken as that int: flask-talisman 1.1.0 formatted the
    value into the header as it was, which is right for such a str.
    """
    if isinstance(value, str) and _DIGITS.match(value.strip()):
        value = int(value.strip())
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and value >= MAX_AGE_LIMIT
    ):
        raise ConfigurationError(
            f"{option}: a number of about {int(value.bit_length() * 0.30103) + 1} "
            "digits is far beyond any max-age browsers honour (they stop at "
            "2147483648 seconds). Use e.g. 31536000 (one year)."
        )
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigurationError(
            f"{option}: {value!r} is not a non-negative whole number of seconds. "
            "Use e.g. 31536000 (one year), or 0 to make browsers forget HSTS."
        )
    return value


def compile_hsts(
    enabled: bool, max_age: int, include_subdomains: bool, preload: bool
) -> str | None:
    """Return the header value, or ``None`` when HSTS is off."""
    if not enabled:
        return None
    check_max_age("strict_transport_security_max_age", max_age)
    value = f"max-age={max_age}"
    if include_subdomains:
        value += "; includeSubDomains"
    if preload:
        value += "; preload"
        if not include_subdomains or max_age < PRELOAD_MIN_AGE:
            warn(
                "strict_transport_security_preload: the HSTS preload list "
                "requires includeSubDomains and a max-age of at least "
                f"{PRELOAD_MIN_AGE}; got {value!r}. Set "
                "strict_transport_security_include_subdomains=True and "
                f"strict_transport_security_max_age>={PRELOAD_MIN_AGE}."
            )
    return value
