"""Cross-origin protection from Fetch Metadata: CSRF without tokens, and
resource isolation.

Two request checks, both off by default, read from the headers every current
browser sends with a request (``Sec-Fetch-Site``, ``Sec-Fetch-Mode``,
``Sec-Fetch-Dest``, and ``Origin``):

``cross_origin_protection``
    Go 1.25's ``net/http.CrossOriginProtection`` algorithm, plus the scheme
    check it leaves out. A request with an unsafe method (anything but GET,
    HEAD and OPTIONS) is refused when ``Sec-Fetch-Site`` is anything but
    ``same-origin`` or ``none``; without that header, when an ``Origin``
    header names another origin than the request's own, as Talisman judges
    it (scheme from :func:`~.https.is_secure`, host from
    :func:`~.https.checked_host`). Without either header (a client that is
    not a browser) it passes.

``resource_isolation``
    web.dev's resource isolation policy: a request whose ``Sec-Fetch-Site``
    is ``cross-site`` is refused unless it is a top-level navigation
    (``Sec-Fetch-Mode: navigate``, method GET, ``Sec-Fetch-Dest`` neither
    ``object`` nor ``embed``). Same-site requests and requests without Fetch
    Metadata pass.

Each is ``True`` (refuse), ``"report-only"`` (log and signal what would have
been refused, serve it) or ``False``, for the app and per view or blueprint.
An ``Origin`` in ``cross_origin_trusted_origins`` passes both. Exemptions
follow the endpoint Flask routed the request to, never a path pattern: a
request that Werkzeug redirects (a missing trailing slash), a 404 and a 405
are judged by the app's options (Go's GO-2025-3955 exempted requests that
would be redirected to a bypassed pattern).

The options are compiled into a :class:`CrossOriginCheck` on the endpoint's
:class:`~.policy.CompiledPolicy` (``None`` when both are off, which is all
the per-request path reads then). The extension runs :func:`judge` in a
before-request hook at the front of the app's list (see :doc:`/cross_origin`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from blinker import Namespace
from flask import Flask, Request, current_app
from werkzeug.datastructures import Headers
from werkzeug.exceptions import Forbidden, HTTPException

from .errors import ConfigurationError, check_header_text, suggest, type_error
from .headers.base import Option, Resolved, flag
from .https import checked_host, is_secure
from .wire import append_headers

__all__ = [
    "OPTIONS",
    "REPORT_ONLY",
    "CrossOriginCheck",
    "CrossOriginRefused",
    "CrossOriginViolation",
    "add_vary",
    "check_mode",
    "check_trusted_origins",
    "compile_check",
    "cross_origin_violation",
    "judge",
    "unprotected_routes",
]

#: The mode that logs and signals instead of refusing.
REPORT_ONLY = "report-only"
Mode = bool | Literal["report-only"]

PROTECTION = "cross_origin_protection"
ISOLATION = "resource_isolation"
#: What a refusal's body says each check stops.
_STOPS = {
    PROTECTION: "a cross-origin request with an unsafe method",
    ISOLATION: "a cross-site request that is not a top-level navigation",
}
#: Methods that must not change state; never judged by cross_origin_protection.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: The request headers resource isolation's answers depend on.
VARY = ("Sec-Fetch-Site", "Sec-Fetch-Mode", "Sec-Fetch-Dest")

_signals = Namespace()
#: Sent once per request that a check refused, or would have refused in
#: report-only mode; sender: the app, keyword ``violation``
#: (a :class:`CrossOriginViolation`).
cross_origin_violation = _signals.signal("cross-origin-violation")
logger = logging.getLogger("flask_talisman.cross_origin")

# -- options -------------------------------------------------------------------


def check_mode(option: str, value: object) -> Mode:
    """``True``, ``False`` (also ``1``, ``0``, ``None``) or ``"report-only"``."""
    if value == REPORT_ONLY:
        return "report-only"
    if isinstance(value, str):
        raise ConfigurationError(
            f"{option}: {value!r} is not a mode."
            + suggest(value.lower().replace("_", "-"), [REPORT_ONLY])
            + " Use True (refuse), 'report-only' (log and serve) or False."
        )
    try:
        return flag(option, value)
    except ConfigurationError:
        raise ConfigurationError(
            f"{option}: expected True, False or 'report-only', got {value!r} "
            f"({type(value).__name__})."
        ) from None


# scheme "://" host [":" port], as browsers serialise an origin: a DNS name
# (letters, digits, '-', '_'), an IPv4 or a bracketed IPv6 address.
_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
_ORIGIN = re.compile(
    r"(?P<scheme>[a-z][a-z0-9+.-]*)://"
    rf"(?P<host>{_LABEL}(?:\.{_LABEL})*|\[[0-9a-f:.]{{2,45}}\])"
    r"(?::(?P<port>[0-9]{1,5}))?\Z"
)
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def _origin(option: str, value: object) -> str:
    """One trusted origin, in the form a browser's ``Origin`` header has it."""
    if not isinstance(value, str):
        raise type_error(option, value, "an origin str such as 'https://example.com'")
    check_header_text(option, value)
    text = value.strip().lower()
    fix = ""
    if text == "null":
        fix = (
            "'null' is the Origin of every sandboxed frame, file: page and "
            "privacy-sensitive redirect: trusting it trusts them all."
        )
    elif "*" in text:
        fix = "Give exact origins; wildcards are not supported."
    elif "://" not in text:
        fix = f"An origin starts with its scheme: did you mean 'https://{text}'?"
    else:
        scheme, rest = text.split("://", 1)
        if "@" in rest:
            fix = "An origin has no user name or password ('user@')."
        else:
            cut = min((rest.find(c) for c in "/?#" if c in rest), default=-1)
            if cut >= 0:
                fix = (
                    "An origin has no path, query or fragment: did you mean "
                    f"{scheme + '://' + rest[:cut]!r}?"
                )
    match = _ORIGIN.match(text) if not fix else None
    if match is None or (
        match["port"] is not None and not 0 < int(match["port"]) < 65536
    ):
        raise ConfigurationError(
            f"{option}: {value!r} is not an origin. "
            + (
                fix
                or "Write scheme://host or scheme://host:port, such as 'https://app.example.com'."
            )
        )
    port = match["port"]
    if port is not None and port == _DEFAULT_PORTS.get(match["scheme"]):
        port = None  # browsers leave the scheme's default port out
    host = f"{match['scheme']}://{match['host']}"
    return host if port is None else f"{host}:{int(port)}"


def check_trusted_origins(option: str, value: object) -> tuple[str, ...]:
    """Exact origins (``scheme://host[:port]``), in their browser form.

    A str is one origin; a list, tuple, set or frozenset holds several (a
    set's are sorted). Letter case and a default port (``:443`` on https)
    are normalised as browsers send them; a path, a wildcard, user info and
    ``null`` are refused.
    """
    if value is None or value == "" or value is False:
        return ()
    if isinstance(value, str):
        items: Iterable[object] = [value]
    elif isinstance(value, (list, tuple)):
        items = value
    elif isinstance(value, (set, frozenset)):
        items = sorted(value, key=repr)
    else:
        raise type_error(option, value, "an origin str or a list of them")
    return tuple(dict.fromkeys(_origin(option, item) for item in items))


def extend_trusted(
    option: str,
    base: tuple[str, ...],
    added: tuple[str, ...],
    warn: Callable[[str], None],
) -> tuple[str, ...]:
    """``@talisman.extend(cross_origin_trusted_origins=...)``: the union."""
    return tuple(dict.fromkeys((*base, *added)))


# -- the compiled check ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CrossOriginCheck:
    """One endpoint's cross-origin checks, compiled: what :func:`judge` reads."""

    protection: Mode
    isolation: Mode
    trusted: frozenset[str]
    trust_x_forwarded_proto: bool


def compile_check(o: Resolved) -> CrossOriginCheck | None:
    """The endpoint's checks, or ``None`` when both are off."""
    protection: Mode = o[PROTECTION]
    isolation: Mode = o[ISOLATION]
    if not protection and not isolation:
        return None
    return CrossOriginCheck(
        protection,
        isolation,
        frozenset(o["cross_origin_trusted_origins"]),
        o["trust_x_forwarded_proto"],
    )


def vary(check: CrossOriginCheck | None) -> str:
    """The ``Vary`` value every response under ``check`` gets, or ``""``.

    Only enforced resource isolation answers a GET differently by how it
    was requested; a shared cache must not give a response stored for a
    same-origin fetch to a cross-site ``<script src>`` (nor a refusal to the
    page itself). Unsafe methods' responses are not stored by shared caches,
    and report-only mode serves every request the same.
    """
    return ", ".join(VARY) if check is not None and check.isolation is True else ""


_VARY_NAME = frozenset({"vary"})


def add_vary(headers: Headers, value: str) -> None:
    """Add ``value``'s names to the response's ``Vary``, keeping what it has.

    Every ``Vary`` line already there (Flask-CORS adds one of its own) is
    kept, in one line with the names it lacked. The after hook calls this
    only for a response that has one of Talisman's headers already; the
    usual response gets ``Vary`` with the compiled headers
    (:attr:`.HeaderSet.vary`).
    """
    if append_headers(headers, (("Vary", value),), _VARY_NAME):  # none there
        return
    current = headers.getlist("Vary")
    if not current:
        headers["Vary"] = value
        return
    have = {part.strip().lower() for line in current for part in line.split(",")}
    if "*" in have:
        return
    names = [name.strip() for name in value.split(",")]
    missing = [name for name in names if name.lower() not in have]
    if missing:
        headers["Vary"] = ", ".join((*current, *missing))


# -- per request ---------------------------------------------------------------------


class CrossOriginRefused(Forbidden):
    """403: a cross-origin check refused the request.

    Its body is one line of plain text naming the check; ``checks`` holds
    the names of the checks that refused it. Render your own page with
    ``@app.errorhandler(403)`` (or for this class alone).
    """

    def __init__(self, checks: tuple[str, ...]) -> None:
        #: The checks that refused the request.
        self.checks = checks
        super().__init__(
            "Refused by "
            + " and ".join(checks)
            + ": "
            + "; ".join(_STOPS[name] for name in checks)
            + "."
        )

    def get_body(self, environ: Any = None, scope: Any = None) -> str:
        return f"403 Forbidden: {self.description}\n"

    def get_headers(
        self, environ: Any = None, scope: Any = None
    ) -> list[tuple[str, str]]:
        return [("Content-Type", "text/plain; charset=utf-8")]


@dataclass(frozen=True)
class CrossOriginViolation:
    """A request a check refused, or would have refused in report-only mode.

    The request's values are as received (untrusted text, at most 256
    characters each); ``None`` for a header it did not have.
    """

    #: The checks the request failed (``"cross_origin_protection"``,
    #: ``"resource_isolation"``).
    checks: tuple[str, ...]
    #: Whether it was refused (``False``: every failed check is report-only).
    refused: bool
    method: str
    #: The path, with the path the app is mounted at.
    path: str
    endpoint: str | None
    sec_fetch_site: str | None
    sec_fetch_mode: str | None
    sec_fetch_dest: str | None
    origin: str | None


_KEPT = 256  # characters kept of each request value logged and signalled


def _kept(value: str | None) -> str | None:
    return None if value is None else value[:_KEPT]


def own_origin(request: Request, trust_x_forwarded_proto: bool) -> str | None:
    """The request's own origin as Talisman judges it, or ``None``.

    The scheme is the one :func:`~.https.is_secure` gives (``ProxyFix`` and,
    unless turned off, ``X-Forwarded-Proto: https``), the host the checked
    ``Host`` (lower-cased, the scheme's default port left out, as browsers
    write an ``Origin``). ``None`` for a Host that is not a valid host name
    or not one the app serves.
    """
    try:
        host = checked_host(request)
    except HTTPException:
        return None
    if is_secure(request, trust_x_forwarded_proto):
        return "https://" + (host[:-4] if host.endswith(":443") else host)
    return "http://" + (host[:-3] if host.endswith(":80") else host)


def _fails_protection(
    check: CrossOriginCheck, request: Request, site: str, origin: str | None
) -> bool:
    if site:
        # Browsers send exactly these four; anything else is not a browser
        # telling the truth, so it is refused, as Go refuses it.
        return site != "same-origin" and site != "none"
    if not origin:
        return False  # not a browser, or a same-origin request of an old one
    return origin != own_origin(request, check.trust_x_forwarded_proto)


def judge(check: CrossOriginCheck, request: Request) -> None:
    """Apply ``check`` to ``request``; raise :class:`CrossOriginRefused`.

    A request that fails a report-only check is logged and signalled, and
    passes; one that fails an enforced check is logged, signalled and
    refused. The usual requests (a same-origin one, a safe method without
    resource isolation) end after a dictionary lookup or two.
    """
    environ = request.environ
    site: str = environ.get("HTTP_SEC_FETCH_SITE", "")
    failed: tuple[str, ...] = ()
    if (
        check.protection
        and site != "same-origin"
        and request.method not in SAFE_METHODS
        and _fails_protection(check, request, site, environ.get("HTTP_ORIGIN"))
    ):
        failed = (PROTECTION,)
    if (
        check.isolation
        and site == "cross-site"
        and not (
            environ.get("HTTP_SEC_FETCH_MODE") == "navigate"
            and request.method == "GET"
            and environ.get("HTTP_SEC_FETCH_DEST") not in ("object", "embed")
        )
    ):
        failed += (ISOLATION,)
    if not failed:
        return
    origin = environ.get("HTTP_ORIGIN")
    if origin is not None and origin in check.trusted:
        return
    modes = {PROTECTION: check.protection, ISOLATION: check.isolation}
    refused = tuple(name for name in failed if modes[name] is True)
    _tell(request, failed, bool(refused), site, origin)
    if refused:
        raise CrossOriginRefused(refused)


def _tell(
    request: Request,
    checks: tuple[str, ...],
    refused: bool,
    site: str,
    origin: str | None,
) -> None:
    environ = request.environ
    violation = CrossOriginViolation(
        checks=checks,
        refused=refused,
        method=_kept(request.method) or "",
        path=_kept(request.script_root + request.path) or "",
        endpoint=request.endpoint,
        sec_fetch_site=_kept(site or None),
        sec_fetch_mode=_kept(environ.get("HTTP_SEC_FETCH_MODE")),
        sec_fetch_dest=_kept(environ.get("HTTP_SEC_FETCH_DEST")),
        origin=_kept(origin),
    )
    # %r: the request's values are quoted, control characters escaped, so
    # a value cannot start a line of its own in the log.
    logger.warning(
        "%s %r %r by %s: Sec-Fetch-Site=%r Sec-Fetch-Mode=%r Sec-Fetch-Dest=%r "
        "Origin=%r",
        "refused" if refused else "would refuse (report-only)",
        violation.method,
        violation.path,
        " and ".join(checks),
        violation.sec_fetch_site,
        violation.sec_fetch_mode,
        violation.sec_fetch_dest,
        violation.origin,
    )
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    cross_origin_violation.send(app, violation=violation)


# -- for flask talisman check ------------------------------------------------


def unprotected_routes(app: Flask) -> list[tuple[str, str, tuple[str, ...]]]:
    """``(endpoint, rule, unsafe methods)`` of each route nothing guards from CSRF.

    A route that accepts an unsafe method is guarded when its options turn
    ``cross_origin_protection`` on (enforced or report-only) or when a CSRF
    token extension checks it: Flask-WTF's ``CSRFProtect`` (in
    ``app.extensions["csrf"]``), unless the view or its blueprint is exempt
    from it. The report receiver is exempt by design.
    """
    state = app.extensions["talisman"]
    csrf = app.extensions.get("csrf")
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        unsafe = tuple(sorted((rule.methods or set()) - SAFE_METHODS))
        if not unsafe or rule.endpoint == "talisman_report_receiver":
            continue
        try:
            options = state.options_for(rule.endpoint)
        except ConfigurationError:
            continue  # check reports it as an error already
        if options[PROTECTION] or (
            csrf is not None and not _exempt_from_csrf(app, csrf, rule.endpoint)
        ):
            continue
        found.append((rule.endpoint, rule.rule, unsafe))
    return found


def _exempt_from_csrf(app: Flask, csrf: object, endpoint: str) -> bool:
    # Flask-WTF keeps exempt views as "module.name", and blueprints.
    views: Any = getattr(csrf, "_exempt_views", ())
    blueprints = {
        getattr(bp, "name", bp) for bp in getattr(csrf, "_exempt_blueprints", ())
    }
    view = app.view_functions.get(endpoint)
    name = f"{getattr(view, '__module__', '')}.{getattr(view, '__name__', '')}"
    parts = endpoint.split(".")[:-1]
    return name in views or any(
        ".".join(parts[: i + 1]) in blueprints for i in range(len(parts))
    )


OPTIONS = (
    Option(
        PROTECTION,
        False,
        check_mode,
        "Refuse cross-origin requests with unsafe methods (CSRF), from Fetch Metadata.",
        header=None,
        example="True",
        section="Cross-origin protection",
        details=(
            "CSRF protection without tokens. A request with an unsafe method "
            "(anything but GET, HEAD and OPTIONS) is refused with 403 when "
            "``Sec-Fetch-Site`` is ``cross-site`` or ``same-site`` (or any value "
            "but ``same-origin`` and ``none``); without that header, when an "
            "``Origin`` header names another origin than the request's own "
            "(scheme, host and port, as Talisman judges them behind a proxy). "
            "A request with neither header passes (a client that is not a "
            "browser). ``'report-only'`` logs and signals instead of refusing. "
            "See :doc:`/cross_origin`."
        ),
    ),
    Option(
        ISOLATION,
        False,
        check_mode,
        "Refuse cross-site requests that are not top-level navigations.",
        header="Vary",
        example='"report-only"',
        section="Cross-origin protection",
        details=(
            "A resource isolation policy. A request whose ``Sec-Fetch-Site`` is "
            "``cross-site`` is refused with 403 unless it is a top-level "
            "navigation (``Sec-Fetch-Mode: navigate``, method GET, "
            "``Sec-Fetch-Dest`` neither ``object`` nor ``embed``): another site "
            "can link to the page but cannot load it as a script, image, frame "
            "of an ``<object>`` or ``fetch()`` it. Same-site requests and "
            "requests without Fetch Metadata pass. When enforced, every "
            "response gets ``Vary: Sec-Fetch-Site, Sec-Fetch-Mode, "
            "Sec-Fetch-Dest`` for caches. ``'report-only'`` logs and signals "
            "instead of refusing. See :doc:`/cross_origin`."
        ),
    ),
    Option(
        "cross_origin_trusted_origins",
        (),
        check_trusted_origins,
        "Origins whose requests pass both cross-origin checks.",
        extend=extend_trusted,
        header=None,
        example='["https://partner.example"]',
        section="Cross-origin protection",
        details=(
            "Exact origins (``scheme://host[:port]``) whose requests pass "
            ":topt:`cross_origin_protection` and :topt:`resource_isolation`, "
            "matched against the request's ``Origin`` header. The Fetch standard "
            "has browsers send ``Origin`` with every unsafe method and every CORS "
            "request "
            "(``fetch()``, preflights), not with an ``<img>`` or a classic "
            "``<script>``. Case and a default port are normalised; a path, a "
            "wildcard and ``null`` are refused. ``@talisman.extend(...)`` adds "
            "to the inherited list."
        ),
    ),
)
