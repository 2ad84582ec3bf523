"""Cookie flags: the session cookie's in ``app.config``, others per response.

Flask saves the session after every ``after_request`` hook has run, so the
session cookie's flags can only be set through ``SESSION_COOKIE_*``
configuration. They are written when Talisman is configured, never while
handling a request. Other cookies (``response.set_cookie``) are hardened in
the response when ``harden_cookies`` is on.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask
from werkzeug.datastructures import Headers

from .errors import ConfigurationError, type_error
from .headers.base import Option, Resolved, flag

__all__ = [
    "DEFAULT_SESSION_COOKIE_SAMESITE",
    "OPTIONS",
    "SESSION_OPTIONS",
    "CookieHardening",
    "apply_session_cookie_options",
    "cookie_hardening",
    "harden_cookie",
    "harden_response_cookies",
]

DEFAULT_SESSION_COOKIE_SAMESITE = "Lax"


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


def cookie_hardening(o: Resolved) -> CookieHardening | None:
    """The compiled ``harden_cookies*`` options, or ``None`` when off."""
    if not o["harden_cookies"]:
        return None
    include = o["harden_cookies_include"]
    return CookieHardening(
        http_only=o["harden_cookies_http_only"],
        samesite=o["harden_cookies_samesite"],
        include=None if include is None else frozenset(include),
        exclude=frozenset(o["harden_cookies_exclude"] or ()),
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
    # SameSite=None without Secure is rejected by Chromium and Firefox (WebKit
    # keeps it: tests/browser/test_doc_claims.py): not added on HTTP.
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


def check_samesite(option: str, value: object) -> str | None:
    """A SameSite value in its canonical case, or ``None`` to leave it out."""
    if value is None or value is False:
        return None
    if isinstance(value, str):
        for allowed in ("Strict", "Lax", "None"):
            if value.lower() == allowed.lower():
                return allowed
    raise ConfigurationError(
        f"{option}: {value!r} is not a SameSite value. Use 'Strict', 'Lax', "
        "'None' (which browsers only accept with Secure) or None to leave it out."
    )


_COOKIE_NAME = re.compile(r"[!#-'*+.^_`|~0-9A-Za-z-]+\Z")


def check_cookie_names(option: str, value: object) -> tuple[str, ...] | None:
    """Cookie names (one as a str, or a list), or ``None``."""
    if value is None:
        return None
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, (list, tuple)):
        raise type_error(option, value, "a list of cookie names")
    for name in names:
        if not isinstance(name, str) or not _COOKIE_NAME.match(name):
            raise ConfigurationError(
                f"{option}: {name!r} is not a cookie name (a token without "
                "spaces, quotes or separators)."
            )
    return tuple(names)


OPTIONS = (
    Option(
        "session_cookie_secure",
        True,
        flag,
        "Set SESSION_COOKIE_SECURE (not in debug mode).",
        per_view=False,
        header="Set-Cookie (session cookie)",
        example="False",
        section="Session cookie",
        details=(
            "``True`` sets ``SESSION_COOKIE_SECURE = True`` so the cookie is only "
            "sent over HTTPS, unless ``app.debug`` is true at that moment; then the "
            "key is left alone. ``False`` leaves the key as the app set it (as in "
            "flask-talisman 1.1.0, it never turns the flag off)."
        ),
    ),
    Option(
        "session_cookie_http_only",
        True,
        flag,
        "Set SESSION_COOKIE_HTTPONLY.",
        per_view=False,
        header="Set-Cookie (session cookie)",
        example="False",
        section="Session cookie",
        details=(
            "``True`` sets ``SESSION_COOKIE_HTTPONLY = True``: the cookie is hidden "
            "from JavaScript. ``False`` leaves the key as the app set it (Flask's "
            "default is ``True``); to let scripts read the session cookie, set "
            "``SESSION_COOKIE_HTTPONLY = False`` yourself."
        ),
    ),
    Option(
        "session_cookie_samesite",
        DEFAULT_SESSION_COOKIE_SAMESITE,
        check_samesite,
        "Set SESSION_COOKIE_SAMESITE: 'Strict', 'Lax', 'None' or None.",
        per_view=False,
        header="Set-Cookie (session cookie)",
        example='"Strict"',
        section="Session cookie",
        details=(
            'Sets ``SESSION_COOKIE_SAMESITE``: ``"Strict"``, ``"Lax"`` or '
            '``"None"`` in any capitalisation (normalised to that spelling), or '
            "``None`` to leave the attribute out. Chromium and Firefox accept "
            '``"None"`` only together with ``Secure``, as RFC 6265bis says; '
            "WebKit keeps it without (``tests/browser/test_doc_claims.py``). "
            "Other values are refused."
        ),
    ),
    Option(
        "harden_cookies",
        False,
        flag,
        "Add Secure (on HTTPS), HttpOnly and SameSite to cookies the app sets.",
        header="Set-Cookie",
        example="True",
        section="Other cookies",
        details=(
            "Add missing flags to every ``Set-Cookie`` header of a response: "
            "``Secure`` on responses to secure requests, ``HttpOnly`` and "
            "``SameSite``. Flags a cookie already has are kept as they are. The "
            "session cookie is not among them: Flask adds it after Talisman's hook "
            "has run."
        ),
    ),
    Option(
        "harden_cookies_http_only",
        True,
        flag,
        "With harden_cookies: add HttpOnly.",
        header="Set-Cookie",
        example="False",
        section="Other cookies",
        details=(
            "With :topt:`harden_cookies`: add ``HttpOnly``. Turn it off if scripts "
            "must read the cookies."
        ),
    ),
    Option(
        "harden_cookies_samesite",
        "Lax",
        check_samesite,
        "With harden_cookies: the SameSite added where a cookie has none.",
        header="Set-Cookie",
        example='"Strict"',
        section="Other cookies",
        details=(
            "With :topt:`harden_cookies`: the ``SameSite`` value added to cookies "
            'that have none: ``"Strict"``, ``"Lax"``, ``"None"`` (any '
            "capitalisation) or ``None`` to add none. ``SameSite=None`` is only "
            "added on secure responses, since Chromium and Firefox reject it "
            "without ``Secure`` (WebKit keeps it: "
            "``tests/browser/test_doc_claims.py``)."
        ),
    ),
    Option(
        "harden_cookies_include",
        None,
        check_cookie_names,
        "With harden_cookies: only these cookie names (None: all).",
        header="Set-Cookie",
        example='["cart"]',
        section="Other cookies",
        details=(
            "With :topt:`harden_cookies`: the names of the only cookies to touch (a "
            "list, or one name as a string). ``None`` means every cookie."
        ),
    ),
    Option(
        "harden_cookies_exclude",
        None,
        check_cookie_names,
        "With harden_cookies: never these cookie names.",
        header="Set-Cookie",
        example='["theme"]',
        section="Other cookies",
        details="With :topt:`harden_cookies`: names of cookies never to touch.",
    ),
)

#: The options written into ``app.config`` (``SESSION_COOKIE_*``): the app-wide ones.
SESSION_OPTIONS = tuple(option.name for option in OPTIONS if not option.per_view)
