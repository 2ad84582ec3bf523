"""Reporting-Endpoints (W3C Reporting API) and report-to names.

``{"csp": "https://r.example/csp", "default": "/reports"}`` becomes
``csp="https://r.example/csp", default="https://<this host>/reports"``: a
relative path is resolved against the request's origin, so the header
value is a template with an origin slot.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from ..errors import ConfigurationError, check_header_text, type_error
from .base import ORIGIN_SLOT, Header, Option, Resolved, header

__all__ = [
    "OPTIONS",
    "REPORT_ONLY_QUERY",
    "check_endpoint_name",
    "check_fraction",
    "check_reporting_endpoints",
    "check_reporting_sample_rate",
    "headers",
]

#: Added to the built-in receiver's path in a report-only policy's
#: ``report-uri``: WebKit's ``report-uri`` reports have no ``disposition``.
REPORT_ONLY_QUERY = "?disposition=report"

_NAME = re.compile(r"[a-z*][a-z0-9_.*-]*\Z")
_URL_CHARS = re.compile(r"[!#-+\--:<-\[\]-~]+\Z")  # no space, '"', ',', ';', '\'


def check_endpoint_name(option: str, value: object) -> str | bool | None:
    """A Reporting-Endpoints name: a structured-field key.

    ``False`` means "none", even where the report receiver would add one.
    """
    if value is False:
        return False
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise type_error(option, value, "an endpoint name str")
    check_header_text(option, value)
    if not _NAME.match(value):
        raise _not_a_name(option, value)
    return value


def _not_a_name(option: str, value: object) -> ConfigurationError:
    return ConfigurationError(
        f"{option}: {value!r} is not an endpoint name. Use lowercase "
        "letters, digits, '_', '-', '.', '*', starting with a letter, such "
        "as 'csp-endpoint'."
    )


def _check_url(where: str, url: object) -> str:
    if not isinstance(url, str):
        raise type_error(where, url, "a URL str")
    check_header_text(where, url)
    if not _URL_CHARS.match(url):
        raise ConfigurationError(
            f"{where}: {url!r} must be one URL without spaces, quotes, ',' or "
            "';'. Percent-encode those characters."
        )
    if url.startswith("/") and not url.startswith("//"):
        return url
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ConfigurationError(
            f"{where}: {url!r} is neither an absolute http(s) URL nor a path "
            "starting with '/'. Browsers only deliver reports to HTTPS URLs "
            "(and to http://localhost)."
        )
    return url


def check_reporting_endpoints(
    option: str, endpoints: object
) -> tuple[tuple[str, str], ...]:
    """A mapping of endpoint names to URLs (or paths), as ``(name, url)`` pairs."""
    if endpoints is None or endpoints is False:
        return ()
    if not isinstance(endpoints, Mapping):
        raise type_error(option, endpoints, "a dict of endpoint names to URLs")
    pairs = []
    for name, url in endpoints.items():
        if not check_endpoint_name(option, name):
            raise _not_a_name(option, name)
        pairs.append((name, _check_url(f"{option}[{name!r}]", url)))
    return tuple(pairs)


def check_fraction(option: str, value: object, meaning: str, fix: str = "") -> float:
    """A fraction above 0 and at most 1 (``meaning`` says of what; ``fix``,
    if given, follows the error's explanation)."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not 0 < value <= 1
    ):
        raise ConfigurationError(
            f"{option}: {value!r} must be a number above 0 and at most 1 (the "
            f"fraction of {meaning}){fix}"
        )
    return float(value)


def check_reporting_sample_rate(option: str, value: object) -> float:
    """The fraction of responses that carry reporting: above 0, at most 1."""
    return check_fraction(
        option,
        value,
        "responses that ask browsers for reports",
        ", such as 0.1. To ask for no reports, leave the reporting options unset.",
    )


def headers(o: Resolved) -> list[Header]:
    """``Reporting-Endpoints``; a path is resolved against the request's origin.

    The built-in receiver is the ``default`` endpoint unless one is named.
    """
    if not o.reporting:
        return []
    endpoints = dict(o["reporting_endpoints"])
    receiver = o["report_receiver"]
    if receiver is not None:
        endpoints.setdefault("default", receiver)
    value = ", ".join(
        f'{name}="{ORIGIN_SLOT if url.startswith("/") else ""}{url}"'
        for name, url in endpoints.items()
    )
    return header("Reporting-Endpoints", value or None)


OPTIONS = (
    Option(
        "reporting_endpoints",
        None,
        check_reporting_endpoints,
        "Reporting-Endpoints: {name: URL or /path}.",
        kept_by_presets=True,
        header="Reporting-Endpoints",
        example='{"csp": "https://reports.example/csp"}',
        section="Reporting",
        details=(
            "``Reporting-Endpoints``, as a dict mapping endpoint names to URLs: "
            '``{"csp": "https://reports.example/csp", "default": "/reports"}``. '
            "Names follow the same rule as Permissions-Policy feature names. A URL "
            "is an absolute ``http://`` or ``https://`` URL or a path starting with "
            "``/``, which is sent as an absolute URL on this request's origin. "
            "Spaces, double quotes, ``,``, ``;`` and ``\\`` are refused."
        ),
    ),
    Option(
        "reporting_sample_rate",
        1.0,
        check_reporting_sample_rate,
        "Fraction of responses that ask browsers for reports.",
        kept_by_presets=True,
        header=(
            "Reporting-Endpoints, Content-Security-Policy, "
            "Content-Security-Policy-Report-Only"
        ),
        example="0.1",
        section="Reporting",
        details=(
            "The fraction of responses, above 0 and at most 1, that carry the "
            "reporting directives: ``report-uri`` and ``report-to`` in the CSP "
            "(the ones Talisman adds and the ones written in the policy), the "
            "``report-to`` parameters of the other headers and the "
            "``Reporting-Endpoints`` header. Each response is drawn at random; "
            "the others carry the same policies without them, so browsers do "
            "not even send those reports. ``0.1`` asks one page view in ten for "
            "its reports. :topt:`report_receiver_sample_rate` still thins out "
            "what arrives. Per view, like the policy."
        ),
    ),
)
