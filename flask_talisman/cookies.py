"""Cookie flags: the session cookie's in ``app.config``, others per response.

Flask saves the session after every ``after_request`` hook has run, so the
session cookie's flags can only be set through ``SESSION_COOKIE_*``
configuration. They are written when Talisman is configured, never while
handling a request. Other cookies (``response.set_cookie``) are hardened in
the response when ``harden_cookies`` is on.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask
from werkzeug.datastructures import Headers

__all__ = [
    "CookieHardening",
    "apply_session_cookie_options",
    "cookie_hardening",
    "harden_cookie",
    "harden_response_cookies",
]


def apply_session_cookie_options(app: Flask, options: Mapping[str, Any]) -> None:
    """Write the ``session_cookie_*`` options into ``app.config``.

    As in flask-talisman 1.1.0, ``session_cookie_secure`` and
    ``session_cookie_http_only`` only ever turn a flag on: ``False`` leaves
    the app's own ``SESSION_COOKIE_SECURE`` / ``SESSION_COOKIE_HTTPONLY``
    as they are, so it never weakens a configuration. ``Secure`` is skipped
    in debug mode so local development over plain HTTP keeps its session.
    ``session_cookie_samesite`` is always written (``None`` included).
    """
    if options["session_cookie_secure"] and not app.debug:
        app.config["SESSION_COOKIE_SECURE"] = True
    if options["session_cookie_http_only"]:
        app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = options["session_cookie_samesite"]


_logger = logging.getLogger("flask_talisman")


@dataclass(frozen=True, slots=True)
class CookieHardening:
    """What ``harden_cookies`` adds to the cookies a response sets."""

    http_only: bool
    samesite: str | None
    include: frozenset[str] | None
    exclude: frozenset[str]


def cookie_hardening(options: Mapping[str, Any]) -> CookieHardening | None:
    """The compiled ``harden_cookies*`` options, or ``None`` when off."""
    if not options["harden_cookies"]:
        return None
    include = options["harden_cookies_include"]
    return CookieHardening(
        http_only=options["harden_cookies_http_only"],
        samesite=options["harden_cookies_samesite"],
        include=None if include is None else frozenset(include),
        exclude=frozenset(options["harden_cookies_exclude"] or ()),
    )


def harden_cookie(header: str, hardening: CookieHardening, secure: bool) -> str:
    """Add the missing flags to one ``Set-Cookie`` value.

    Cookies left out by ``harden_cookies_include`` / ``harden_cookies_exclude``
    are not touched at all. Flags a cookie already has are never weakened.
    ``Secure`` is added only on HTTPS responses. Cookies named ``__Host-``
    get the ``Path=/`` their prefix requires when they have no path; prefix
    violations that cannot be fixed safely (a plain-HTTP response, another
    path, a Domain) are logged on the ``flask_talisman`` logger and left
    alone.
    """
    parts = [part.strip() for part in header.split(";")]
    name = parts[0].partition("=")[0].strip()
    attributes = {part.partition("=")[0].strip().lower(): part for part in parts[1:]}
    added: list[str] = []
    selected = name not in hardening.exclude and (
        hardening.include is None or name in hardening.include
    )
    if not selected:
        return header
    if "secure" not in attributes:
        if secure:
            added.append("Secure")
        elif name.startswith(("__Secure-", "__Host-")):
            _logger.warning(
                "Cookie %r needs Secure for its prefix, which cannot be set on "
                "a plain-HTTP response; browsers will reject it.",
                name,
            )
    if hardening.http_only and "httponly" not in attributes:
        added.append("HttpOnly")
    samesite = hardening.samesite
    # SameSite=None without Secure is rejected by browsers: not added on HTTP.
    if samesite and "samesite" not in attributes and (samesite != "None" or secure):
        added.append(f"SameSite={samesite}")
    if name.startswith("__Host-"):
        path = attributes.get("path")
        if path is None:
            added.append("Path=/")
        elif path.partition("=")[2].strip() != "/":
            _logger.warning(
                "Cookie %r must have Path=/ for its __Host- prefix; got %r. "
                "Browsers will reject it.",
                name,
                path,
            )
        if "domain" in attributes:
            _logger.warning(
                "Cookie %r must not have a Domain for its __Host- prefix; "
                "browsers will reject it.",
                name,
            )
    if not added:
        return header
    return "; ".join([header.rstrip("; "), *added])


def harden_response_cookies(
    headers: Headers, hardening: CookieHardening, secure: bool
) -> None:
    """Harden every ``Set-Cookie`` header of a response in place."""
    cookies = headers.getlist("Set-Cookie")
    if cookies:
        hardened = [harden_cookie(value, hardening, secure) for value in cookies]
        if hardened != cookies:
            headers.setlist("Set-Cookie", hardened)
