"""Strict-Transport-Security (RFC 6797), sent on secure requests only."""

from __future__ import annotations

import re

from ..errors import ConfigurationError
from .base import Header, Option, Resolved, flag

__all__ = ["ONE_YEAR_IN_SECS", "OPTIONS", "PRELOAD_MIN_AGE", "headers"]

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


def headers(o: Resolved) -> list[Header]:
    """``Strict-Transport-Security``, on HTTPS responses only."""
    if not o["strict_transport_security"]:
        return []
    max_age = o["strict_transport_security_max_age"]
    include_subdomains = o["strict_transport_security_include_subdomains"]
    value = f"max-age={max_age}"
    if include_subdomains:
        value += "; includeSubDomains"
    if o["strict_transport_security_preload"]:
        value += "; preload"
        if not include_subdomains or max_age < PRELOAD_MIN_AGE:
            o.warn(
                "strict_transport_security_preload: the HSTS preload list "
                "requires includeSubDomains and a max-age of at least "
                f"{PRELOAD_MIN_AGE}; got {value!r}. Set "
                "strict_transport_security_include_subdomains=True and "
                f"strict_transport_security_max_age>={PRELOAD_MIN_AGE}."
            )
    # Browsers ignore it on plain HTTP, where a network attacker could set it.
    return [Header("Strict-Transport-Security", value, None)]


OPTIONS = (
    Option(
        "strict_transport_security",
        True,
        flag,
        "Send Strict-Transport-Security on secure requests.",
        header="Strict-Transport-Security",
        example="False",
        section="HTTPS",
        details=(
            "Send ``Strict-Transport-Security`` on responses to secure requests "
            "(never on plain HTTP, where RFC 6797 has browsers ignore it)."
        ),
    ),
    Option(
        "strict_transport_security_preload",
        False,
        flag,
        "Add the HSTS preload token.",
        header="Strict-Transport-Security",
        example="True",
        section="HTTPS",
        details=(
            "Add ``preload``, the opt-in to hstspreload.org's list, which browsers "
            "build in. Warns "
            "unless ``includeSubDomains`` is on and ``max-age`` is at least "
            "31536000, which the preload list requires."
        ),
    ),
    Option(
        "strict_transport_security_max_age",
        ONE_YEAR_IN_SECS,
        check_max_age,
        "HSTS max-age in seconds.",
        header="Strict-Transport-Security",
        example="63072000",
        section="HTTPS",
        details=(
            "The ``max-age`` in seconds (the default is a year). A non-negative "
            "``int``; ``0`` tells browsers to forget the rule (RFC 6797). A string "
            "of digits "
            '(``"31536000"``, as read from the environment) and a float without a '
            "fraction (``600.0``) are taken as that number; other strings and "
            "floats, booleans and negative numbers are refused."
        ),
    ),
    Option(
        "strict_transport_security_include_subdomains",
        True,
        flag,
        "Add includeSubDomains to HSTS.",
        header="Strict-Transport-Security",
        example="False",
        section="HTTPS",
        details="Add ``includeSubDomains``, extending the rule to every subdomain.",
    ),
)
