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

__all__ = ["check_endpoint_name", "compile_reporting_endpoints"]

_NAME = re.compile(r"[a-z*][a-z0-9_.*-]*\Z")
_URL_CHARS = re.compile(r"[!#-+\--:<-\[\]-~]+\Z")  # no space, '"', ',', ';', '\'
#: Marks where the request's origin (``https://host``) goes.
ORIGIN_SLOT = "\x01"


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
        raise ConfigurationError(
            f"{option}: {value!r} is not an endpoint name. Use lowercase "
            "letters, digits, '_', '-', '.', '*', starting with a letter, such "
            "as 'csp-endpoint'."
        )
    return value


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


def check_reporting_endpoints(option: str, value: object) -> object:
    """Validate a mapping of endpoint names to URLs (or paths)."""
    compile_reporting_endpoints(option, value)
    return value


def compile_reporting_endpoints(
    option: str, endpoints: object, extra: Mapping[str, str] | None = None
) -> str | None:
    """The header value; relative paths carry :data:`ORIGIN_SLOT`.

    ``extra`` adds endpoints the user has not named (the built-in receiver).
    """
    if endpoints is None or endpoints is False:
        endpoints = {}
    if not isinstance(endpoints, Mapping):
        raise type_error(option, endpoints, "a dict of endpoint names to URLs")
    merged = dict(endpoints)
    for name, url in (extra or {}).items():
        merged.setdefault(name, url)
    members = []
    for name, url in merged.items():
        if not check_endpoint_name(option, name):
            raise ConfigurationError(
                f"{option}: {name!r} is not an endpoint name. Use lowercase "
                "letters, digits, '_', '-', '.', '*', starting with a letter, "
                "such as 'csp-endpoint'."
            )
        checked = _check_url(f"{option}[{name!r}]", url)
        if checked.startswith("/"):
            checked = ORIGIN_SLOT + checked
        members.append(f'{name}="{checked}"')
    return ", ".join(members) or None
