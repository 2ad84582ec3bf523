"""Telling secure requests apart, and the redirect to HTTPS."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

from flask import Request
from werkzeug.exceptions import BadRequest, HTTPException

from .headers.base import Option, Resolved, flag

__all__ = [
    "OPTIONS",
    "allowed_host",
    "checked_host",
    "https_url",
    "is_secure",
    "mount_path",
    "origin",
    "redirect_code",
]


def is_secure(request: Request, trust_x_forwarded_proto: bool) -> bool:
    """Whether the request came over HTTPS.

    ``request.is_secure`` is the source of truth (configure Werkzeug's
    ``ProxyFix`` behind a proxy). For flask-talisman 1.1.0 compatibility an
    ``X-Forwarded-Proto: https`` header also counts unless
    ``trust_x_forwarded_proto`` is off.
    """
    if request.is_secure:
        return True
    return (
        trust_x_forwarded_proto
        and request.environ.get("HTTP_X_FORWARDED_PROTO") == "https"
    )


@functools.lru_cache(maxsize=256)
def _name_of(entry: str) -> str:
    """A ``SERVER_NAME`` or ``TRUSTED_HOSTS`` entry's host name, lower-cased.

    The port is dropped (as Werkzeug does) and the name put in its ASCII
    (IDNA) form; an entry that has none matches nothing. Cached: the config
    is read per request, its entries converted once.
    """
    name = entry.rsplit(":", 1)[0] if not entry.endswith("]") else entry
    try:
        return name.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return ""


def _matches(name: str, entries: Iterable[str]) -> bool:
    """Whether the lower-cased host ``name`` is one of ``entries``.

    An entry with a leading dot also matches every subdomain. Host names
    compare without regard to letter case (RFC 9110, section 4.2.3), which
    Werkzeug's own ``host_is_trusted`` does not do.
    """
    for entry in entries:
        suffix = entry.startswith(".")
        ref = _name_of(entry[1:] if suffix else entry)
        if ref and (name == ref or (suffix and name.endswith("." + ref))):
            return True
    return False


def allowed_host(host: str, config: Mapping[str, Any]) -> bool:
    """Whether the redirect may point at ``host`` (lower-cased, checked).

    When ``TRUSTED_HOSTS`` is set the host must match it; when
    ``SERVER_NAME`` is set it must be that name or one of its subdomains.
    Letter case never matters.
    """
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    trusted = config.get("TRUSTED_HOSTS")
    if trusted:
        if isinstance(trusted, str):
            trusted = [trusted]
        if not _matches(name, trusted):
            return False
    server_name = config.get("SERVER_NAME")
    if server_name:
        return _matches(name, [server_name, "." + server_name])
    return True


# A Host header: a DNS name (labels of letters, digits, '-' and, for
# container networks, '_'), an IPv4 address or a bracketed IPv6 address,
# with an optional port. Nothing else may reach a Location header or an
# origin (no '@', '/', '\\', spaces or empty names).
_LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
_HOST = re.compile(
    rf"(?P<name>{_LABEL}(?:\.{_LABEL})*\.?|\[[0-9A-Fa-f:.]{{2,45}}\])"
    r"(?::(?P<port>[0-9]{1,5}))?\Z"
)


def checked_host(request: Request) -> str:
    """The request's Host, lower-cased, if it is a valid host name and port.

    Raises :class:`~werkzeug.exceptions.BadRequest` (400) otherwise, and for
    a Host outside ``TRUSTED_HOSTS``, whatever the Werkzeug version.
    """
    try:
        host = request.host
    except HTTPException:  # SecurityError: outside TRUSTED_HOSTS
        raise BadRequest("The Host header is not one this app serves.") from None
    match = _HOST.match(host)
    if (
        match is None
        or len(match.group("name")) > 253
        or (match.group("port") is not None and int(match.group("port")) > 65535)
    ):
        raise BadRequest("The Host header is not a valid host name.")
    return host.lower()


def origin(request: Request, secure: bool, config: Mapping[str, Any]) -> str:
    """``https://host`` (or ``http://``) plus the app's root path.

    The scheme is the one Talisman judged the request by (so behind a proxy
    that sets ``X-Forwarded-Proto: https`` it is ``https``), and the host
    stays in its ASCII form. Raises
    :class:`~werkzeug.exceptions.BadRequest` for a Host that is not valid or
    is outside ``TRUSTED_HOSTS`` or ``SERVER_NAME``.
    """
    host = checked_host(request)
    if not allowed_host(host, config):
        raise BadRequest("The Host header is not one this app serves.")
    scheme = "https" if secure else "http"
    return f"{scheme}://{host}{mount_path(request)}"


def mount_path(request: Request) -> str:
    """The path the app is mounted at (``""`` at the root), URL-quoted.

    That is Werkzeug's ``script_root``: ``SCRIPT_NAME``, as set by a mount
    (``DispatcherMiddleware``) or ``ProxyFix(x_prefix=1)``.
    """
    # Only characters a header value and a quoted URL can hold as they are
    # (no space, ',' or ';', which would end a CSP source or directive).
    return quote(request.script_root, safe="/!$&'()*+=:@-._~%")


def https_url(request: Request, config: Mapping[str, Any]) -> str | None:
    """The HTTPS URL for a plain-HTTP request, or ``None`` if not applicable.

    Raises :class:`~werkzeug.exceptions.BadRequest` (400) rather than
    redirect a client to a host the app does not serve, or to something that
    is not a host name at all.
    """
    if request.scheme != "http":  # ws:// has no https:// to go to
        return None
    host = checked_host(request)
    if not allowed_host(host, config):
        raise BadRequest(
            "The Host header does not match TRUSTED_HOSTS or SERVER_NAME; "
            "refusing to redirect to it."
        )
    # The URL the client asked for, on the checked host, quoted here:
    # Werkzeug's request.url is an IRI (an IDN host in Unicode, a decoded
    # '%' left bare), and a Location must be ASCII that means the same path.
    path = quote(request.script_root + request.path, safe="/!$&'()*+,:;=@-._~")
    query = request.query_string
    if query:
        path += "?" + quote(query, safe="!$&'()*+,/:;=?@%-._~")
    return f"https://{host}{path}"


def redirect_code(o: Resolved) -> int:
    """The status of the redirect to HTTPS: 302, 301, 307 or 308."""
    permanent = o["force_https_permanent"]
    if o["force_https_preserve_method"]:
        return 308 if permanent else 307
    return 301 if permanent else 302


OPTIONS = (
    Option(
        "force_https",
        True,
        flag,
        "Redirect plain-HTTP requests to HTTPS (not in debug mode).",
        kept_by_presets=True,
        header=None,
        example="False",
        section="HTTPS",
        details=(
            "Redirect plain-HTTP requests to the same URL with ``https://``. "
            "Skipped while ``app.debug`` is true. Refuses to redirect (400 Bad "
            "Request) to a host outside ``TRUSTED_HOSTS`` or ``SERVER_NAME`` when "
            "those are set."
        ),
    ),
    Option(
        "force_https_permanent",
        False,
        flag,
        "Redirect with 301 (or 308) instead of 302 (or 307).",
        kept_by_presets=True,
        header=None,
        example="True",
        section="HTTPS",
        details=(
            "Redirect with a permanent status: 301 instead of 302, or 308 instead "
            "of 307 together with :topt:`force_https_preserve_method`."
        ),
    ),
    Option(
        "force_https_preserve_method",
        False,
        flag,
        "Redirect with 307/308 so browsers repeat POST bodies.",
        kept_by_presets=True,
        header=None,
        example="True",
        section="HTTPS",
        details=(
            "Redirect with 307 (or 308) so that browsers repeat the request with "
            "the same method and body; with 302 and 301 they turn a POST into a "
            "GET (Chromium, Firefox and WebKit do both: "
            "``tests/browser/test_doc_claims.py``)."
        ),
    ),
    Option(
        "trust_x_forwarded_proto",
        True,
        flag,
        "Count 'X-Forwarded-Proto: https' as a secure request.",
        kept_by_presets=True,
        header=None,
        example="False",
        section="HTTPS",
        details=(
            "Treat a request with the header ``X-Forwarded-Proto: https`` (exactly "
            "that value) as secure even if it reached the app over plain HTTP, as "
            "flask-talisman 1.1.0 did. Turn it off when the app is not behind a "
            "proxy or when Werkzeug's ``ProxyFix`` handles the header."
        ),
    ),
)
