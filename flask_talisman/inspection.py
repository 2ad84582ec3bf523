"""What each route's responses get from Talisman, without running its view.

:func:`route_headers` answers "what headers does this route really send?"
for every URL rule of an app, over HTTPS and over plain HTTP. It runs
Talisman's own before- and after-request hooks in a request context for the
route, on an empty response, so the answer is what a real request gets: the
same compiled policy, the same redirect decision, the same values. The
view, the app's other hooks and the session are not run. A nonce is shown
as the literal ``{nonce}``.

``flask talisman headers`` prints this; ``flask talisman check`` lints it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule

from .errors import ConfigurationError

__all__ = [
    "NONCE_PLACEHOLDER",
    "Redirect",
    "RouteHeaders",
    "Served",
    "default_host",
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
    https: Served
    http: Served

    def to_json(self) -> dict[str, Any]:
        """The shape ``flask talisman headers --format json`` prints."""
        return {
            "endpoint": self.endpoint,
            "rule": self.rule,
            "methods": list(self.methods),
            "https": self.https.to_json(),
            "http": self.http.to_json(),
        }


def default_host(app: Flask) -> str:
    """The host previews are made for: one the app accepts.

    ``SERVER_NAME`` if set, else the first exact name in ``TRUSTED_HOSTS``,
    else ``localhost``.
    """
    server_name = app.config.get("SERVER_NAME")
    if server_name:
        return str(server_name)
    for name in app.config.get("TRUSTED_HOSTS") or ():
        if isinstance(name, str) and name and not name.startswith("."):
            return name
    return "localhost"


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
    rule: Rule,
    *,
    secure: bool,
    host: str,
    path: str | None = None,
) -> Served:
    """What a request for ``rule`` gets from Talisman (HTTPS or plain HTTP).

    ``path`` is the URL path requested (a sample path the rule matches by
    default).
    """
    state = app.extensions["talisman"]
    before, after = state.before_hook, state.after_hook
    scheme = "https" if secure else "http"
    sample = path if path is not None else _sample_path(rule)
    with app.test_request_context(
        sample, method=_method(rule), base_url=f"{scheme}://{host}"
    ):
        if request.url_rule is not rule:
            # A custom converter the sample does not satisfy: the rule is
            # the one asked about, whatever the sample matched.
            request.url_rule = rule
            request.view_args = {}
            request.routing_exception = None
        try:
            redirect = before()
        except ConfigurationError as error:
            return Served({}, error=f"ConfigurationError: {error}")
        except HTTPException as error:
            return Served({}, error=f"{error.code} {error.name}: {error.description}")
        data = request._talisman  # type: ignore[attr-defined]
        # The nonce of this request (or of none, on a redirect) is shown as
        # the placeholder: the after-request hook joins it into the headers.
        request._talisman = (data[0], NONCE_PLACEHOLDER, data[2])  # type: ignore[attr-defined]
        request.csp_nonce = NONCE_PLACEHOLDER  # type: ignore[attr-defined]
        response = redirect if redirect is not None else app.response_class()
        before_headers = list(response.headers.items())
        response = after(response)
        added = [
            item for item in response.headers.items() if item not in before_headers
        ]
    headers: dict[str, str] = {}
    for name, value in added:
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    if redirect is None:
        return Served(headers)
    location = redirect.headers["Location"]
    if path is None and sample != rule.rule and location.endswith(sample):
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
    then those of that exact path). ``host`` defaults to
    :func:`default_host`. Raises :class:`RuntimeError` when Talisman is not
    registered on ``app``, and :class:`LookupError` when ``path`` or
    ``endpoint`` matches no rule.
    """
    if "talisman" not in app.extensions:
        raise RuntimeError(
            "Talisman is not registered on this app; call Talisman(app) or "
            "talisman.init_app(app) in the app (factory) that --app names."
        )
    host = host or default_host(app)
    rules: list[Rule]
    if path is not None:
        rules = [_rule_for(app, host, path)]
    else:
        rules = [r for r in _rules(app) if endpoint is None or r.endpoint == endpoint]
        if not rules:
            raise LookupError(f"no URL rule has the endpoint {endpoint!r}.")
    return [
        RouteHeaders(
            endpoint=rule.endpoint,
            rule=rule.rule,
            methods=tuple(sorted(rule.methods or ())),
            https=preview(app, rule, secure=True, host=host, path=path),
            http=preview(app, rule, secure=False, host=host, path=path),
        )
        for rule in rules
    ]
