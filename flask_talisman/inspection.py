"""What each route's responses get from Talisman, without running its view.

:func:`route_headers` answers "what headers does this route really send?"
for every URL rule of an app, over HTTPS and over plain HTTP. It runs
Talisman's own before- and after-request hooks in a request context for the
route, on an empty response, so the answer is what a real request gets: the
same compiled policy, the same redirect decision, the same values. The
view, the app's other hooks (before- and after-request, teardown, URL
processors) and its session interface are not run. A nonce is shown as the
literal ``{nonce}``.

``flask talisman headers`` prints this; ``flask talisman check`` lints it.
"""

from __future__ import annotations

import contextvars
import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, request
from flask.sessions import NullSession
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule

from .errors import ConfigurationError, suggest
from .https import allowed_host

__all__ = [
    "NONCE_PLACEHOLDER",
    "Redirect",
    "RouteHeaders",
    "Served",
    "app_headers",
    "default_host",
    "preview_host",
    "route_headers",
]

#: What stands for the per-request nonce in previewed headers.
NONCE_PLACEHOLDER = "{nonce}"


@dataclass(frozen=True)
class Redirect:
    """The HTTPS redirect a plain-HTTP request gets."""

    status: int
    location: str


@dataclass(frozen=True)
class Served:
    """What one kind of request (HTTPS or plain HTTP) to a route gets."""

    #: The headers Talisman adds, in the order it adds them.
    headers: dict[str, str]
    #: The redirect to HTTPS, or ``None`` when the request is served.
    redirect: Redirect | None = None
    #: Set instead when the request cannot be answered: the options cannot
    #: work together (a 500), or the host is refused (a 400).
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        """``{"redirect": ..., "headers": ...}`` (``"error"`` instead of
        ``"redirect"`` when the request cannot be answered)."""
        out: dict[str, Any] = {}
        if self.error is not None:
            out["error"] = self.error
        else:
            out["redirect"] = (
                None
                if self.redirect is None
                else {
                    "status": self.redirect.status,
                    "location": self.redirect.location,
                }
            )
        out["headers"] = dict(self.headers)
        return out


@dataclass(frozen=True)
class RouteHeaders:
    """The headers of one URL rule's responses."""

    endpoint: str
    rule: str
    methods: tuple[str, ...]
    #: The Host the requests were previewed with (:func:`preview_host`).
    host: str
    https: Served
    http: Served
    #: The cross-origin request checks (cross_origin_protection.py):
    #: ``cross_origin_protection`` and ``resource_isolation`` (``True``,
    #: ``"report-only"`` or ``False``) and ``cross_origin_trusted_origins``.
    checks: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The shape ``flask talisman headers --format json`` prints."""
        return {
            "endpoint": self.endpoint,
            "rule": self.rule,
            "methods": list(self.methods),
            "host": self.host,
            "https": self.https.to_json(),
            "http": self.http.to_json(),
            "checks": dict(self.checks),
        }


# A host name (labels of letters, digits, '-' and, for container networks,
# '_'; a final dot allowed) once lower-cased and in its ASCII form.
_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
_NAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})*\.?")
_PORT = re.compile(r"[0-9]{1,5}")
_IPV6 = re.compile(r"\[[0-9a-f:.]+\]")


def _is_ipv6(text: str) -> bool:
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


def preview_host(text: str) -> str:
    """``text`` as the Host of a preview, in the form a browser sends it.

    A host name, an IPv4 address or a bracketed IPv6 address, with an
    optional port from 1 to 65535. Host names compare without regard to
    letter case (RFC 9110, section 4.2.3) and browsers send them
    lower-cased, with a non-ASCII name in its ASCII (IDNA) form: so does
    this. Raises :class:`ValueError`, naming the value and the fix, for
    anything else.
    """
    name, colon, port = text.rpartition(":")
    if not colon or (name.startswith("[") and not name.endswith("]")):
        name, colon, port = text, "", ""  # no port ("[::1]" has colons)
    problem = None
    if colon and not (_PORT.fullmatch(port) and 0 < int(port) <= 65535):
        problem = f"the port {port!r} is not a number from 1 to 65535"
    elif name.startswith("["):
        name = name.lower()
        # (No zone, "%eth0": a browser never sends one.)
        if not (_IPV6.fullmatch(name) and _is_ipv6(name[1:-1])):
            problem = f"{name!r} is not a bracketed IPv6 address"
    else:
        try:
            name = name.encode("idna").decode("ascii").lower()
        except UnicodeError:
            name = ""
        if not _NAME.fullmatch(name) or len(name) > 253:
            problem = "it is not a host name or IP address"
    if problem is not None:
        raise ValueError(
            f"{text!r} cannot be a Host: {problem}. Give a host name or IP "
            "address, with a port if needed, such as example.com, "
            "localhost:5000 or [::1]:8080."
        )
    return f"{name}:{int(port)}" if colon else name


def default_host(app: Flask) -> str:
    """The host previews are made for: one the app accepts.

    The first name, in this order, that Talisman accepts (as the host of a
    redirect or of reporting endpoints): ``SERVER_NAME``, the exact names in
    ``TRUSTED_HOSTS``, the names its entries with a leading dot stand for
    (``.example.com`` matches ``example.com`` and every subdomain, as in
    Werkzeug: ``example.com``), and ``localhost``. When none is accepted,
    the first of them, so that the preview shows the 400 real requests get.
    The name is in the form :func:`preview_host` gives.
    """
    config = app.config
    trusted = config.get("TRUSTED_HOSTS") or ()
    if isinstance(trusted, str):
        trusted = [trusted]
    names = [config.get("SERVER_NAME")]
    names += [e for e in trusted if isinstance(e, str) and e[:1] != "."]
    names += [e[1:] for e in trusted if isinstance(e, str) and e[:1] == "."]
    candidates = []
    for name in names:
        if isinstance(name, str):
            try:
                candidates.append(preview_host(name))
            except ValueError:
                continue  # an entry that names no host: matches nothing
    candidates.append("localhost")
    for host in candidates:
        if allowed_host(host, config):
            return host
    return candidates[0]


# A rule's variable: <name>, <converter:name> or <converter(args):name>.
_VARIABLE = re.compile(r"<(?:(?P<converter>[a-zA-Z_]\w*)(?:\((?P<args>.*?)\))?:)?\w+>")
_SAMPLES = {
    "default": "x",
    "string": "x",
    "path": "x",
    "int": "1",
    "float": "1.0",
    "uuid": "00000000-0000-0000-0000-000000000000",
}


def _sample_path(rule: Rule) -> str:
    """A path the rule matches, with a sample value for each variable."""

    def sample(match: re.Match[str]) -> str:
        converter = match.group("converter") or "default"
        if converter == "any" and match.group("args"):
            return match.group("args").split(",")[0].strip().strip("'\"")
        return _SAMPLES.get(converter, "x")

    return _VARIABLE.sub(sample, rule.rule)


def _method(rule: Rule) -> str:
    methods = rule.methods or {"GET"}
    for preferred in ("GET", "POST"):
        if preferred in methods:
            return preferred
    return sorted(methods)[0]


def preview(
    app: Flask,
    rule: Rule | None,
    *,
    secure: bool,
    host: str,
    path: str | None = None,
) -> Served:
    """What a request for ``rule`` gets from Talisman (HTTPS or plain HTTP).

    ``path`` is the URL path requested (a sample path the rule matches by
    default). With ``rule`` ``None``, a request that matches no rule (an
    error page): what the app's own options give.
    """
    scheme = "https" if secure else "http"
    if rule is None:
        sample, method = path or "/", "GET"
    else:
        sample = path if path is not None else _sample_path(rule)
        method = _method(rule)
    context = app.test_request_context(
        sample, method=method, base_url=f"{scheme}://{host}"
    )
    # A context made with a session does not open one when pushed: the app's
    # session interface (a server-side store, say) is not run, and Talisman's
    # hooks never read the session. (The attribute is _session from Flask
    # 3.1 on, session before.)
    for name in ("_session", "session"):
        if vars(context).get(name, False) is None:
            vars(context)[name] = NullSession()
    # The context is pushed in a copy of the context variables and never
    # popped: popping runs the app's teardown_request functions (and its
    # teardown_appcontext ones, for the app context a push makes when none
    # is active, and for every context from Flask 3.2 on), which expect the
    # before-request hooks that did not run ("g.db.close()"). The copy, and
    # the context with it, is dropped when the preview returns.
    return contextvars.copy_context().run(
        _preview_pushed, app, context, rule, sample, path
    )


def _preview_pushed(
    app: Flask, context: Any, rule: Rule | None, sample: str, path: str | None
) -> Served:
    # (context: a RequestContext, or from Flask 3.2 on an AppContext.)
    context.push()
    if request.url_rule is not rule:
        # A custom converter the sample does not satisfy: the rule is the
        # one asked about, whatever the sample matched (none, for the app's
        # own headers).
        request.url_rule = rule
        request.view_args = {}
        request.routing_exception = None
    state = app.extensions["talisman"]
    try:
        redirect = state.before_hook()
    except ConfigurationError as error:
        return Served({}, error=f"ConfigurationError: {error}")
    except HTTPException as error:
        return Served({}, error=f"{error.code} {error.name}: {error.description}")
    data = request._talisman  # type: ignore[attr-defined]
    # The nonce of this request (or of none, on a redirect) is shown as the
    # placeholder: the after-request hook joins it into the headers.
    request._talisman = (data[0], NONCE_PLACEHOLDER, data[2])  # type: ignore[attr-defined]
    request.csp_nonce = NONCE_PLACEHOLDER  # type: ignore[attr-defined]
    response = redirect if redirect is not None else app.response_class()
    before_headers = list(response.headers.items())
    response = state.after_hook(response)
    headers: dict[str, str] = {}
    for name, value in response.headers.items():
        if (name, value) not in before_headers:
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
    if redirect is None:
        return Served(headers)
    location = redirect.headers["Location"]
    if (
        rule is not None
        and path is None
        and sample != rule.rule
        and location.endswith(sample)
    ):
        # Shown with the rule's own variables, not the sample's values.
        location = location[: -len(sample)] + rule.rule
    return Served(headers, Redirect(redirect.status_code, location))


def _rule_for(app: Flask, host: str, path: str) -> Rule:
    adapter = app.url_map.bind(host)
    # GET first; then a rule for other methods only (which GET gets a 405).
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
        try:
            rule, _ = adapter.match(path, method=method, return_rule=True)
        except HTTPException:
            continue
        return rule
    raise LookupError(f"no URL rule matches the path {path!r}.")


def _rules(app: Flask) -> Iterable[Rule]:
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))


def route_headers(
    app: Flask,
    *,
    host: str | None = None,
    endpoint: str | None = None,
    path: str | None = None,
) -> list[RouteHeaders]:
    """The headers Talisman adds to each URL rule's responses.

    One :class:`RouteHeaders` per rule, sorted by rule: every rule, the
    rules of ``endpoint``, or the rule ``path`` matches (its headers are
    then those of that exact path). ``host`` (in any letter case; see
    :func:`preview_host`) defaults to :func:`default_host`. Raises
    :class:`RuntimeError` when Talisman is not registered on ``app``,
    :class:`LookupError` when ``path`` or ``endpoint`` matches no rule, and
    :class:`ValueError` when ``host`` is not a host.

    The app's view functions, its other hooks and its session interface are
    not run, so a preview has no side effects; no app context is needed.
    """
    _registered(app)
    host = preview_host(host) if host else default_host(app)
    rules: list[Rule]
    if path is not None:
        rules = [_rule_for(app, host, path)]
    else:
        rules = [r for r in _rules(app) if endpoint is None or r.endpoint == endpoint]
        if not rules and endpoint is not None:
            raise LookupError(
                f"no URL rule has the endpoint {endpoint!r}."
                + suggest(endpoint, {r.endpoint for r in _rules(app)})
            )
    return [
        RouteHeaders(
            endpoint=rule.endpoint,
            rule=rule.rule,
            methods=tuple(sorted(rule.methods or ())),
            host=host,
            https=preview(app, rule, secure=True, host=host, path=path),
            http=preview(app, rule, secure=False, host=host, path=path),
            checks=_checks(app, rule.endpoint),
        )
        for rule in rules
    ]


def app_headers(app: Flask, *, host: str | None = None) -> tuple[Served, Served]:
    """The headers of the app's own options, over HTTPS and plain HTTP.

    What a view without options of its own gets, and an error page (a
    request that matches no rule): the set ``flask talisman headers
    --diff`` compares each route with. Raises as :func:`route_headers`.
    """
    _registered(app)
    host = preview_host(host) if host else default_host(app)
    return (
        preview(app, None, secure=True, host=host),
        preview(app, None, secure=False, host=host),
    )


def _registered(app: Flask) -> None:
    if "talisman" not in app.extensions:
        raise RuntimeError(
            "Talisman is not registered on this app; call Talisman(app) or "
            "talisman.init_app(app) in the app (factory) that --app names."
        )


def _checks(app: Flask, endpoint: str) -> dict[str, Any]:
    """The cross-origin checks of ``endpoint`` (all off if it cannot compile)."""
    try:
        check = app.extensions["talisman"].policy_for(endpoint).cross_origin
    except ConfigurationError:  # the previews show the error
        check = None
    if check is None:
        return {
            "cross_origin_protection": False,
            "resource_isolation": False,
            "cross_origin_trusted_origins": [],
        }
    return {
        "cross_origin_protection": check.protection,
        "resource_isolation": check.isolation,
        "cross_origin_trusted_origins": sorted(check.trusted),
    }
