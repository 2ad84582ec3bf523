"""The app half of the linter: what an app really sends, and the options behind it.

:func:`lint_app` lints the headers of every URL rule, as
:func:`~flask_talisman.inspection.route_headers` previews them (each CSP
through :func:`~flask_talisman.lint_csp.lint_csp`, a route that may serve
HTML and sends no CSP, a report-only policy that reports nowhere, a
cached view with a nonce), and the options and configuration behind them:
HTTPS, HSTS, cookies, hosts, proxies. A static folder without HTML is
judged as static files.
"""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from .caching import cached_view
from .cross_origin_protection import unprotected_routes
from .errors import ConfigurationError
from .headers.hsts import PRELOAD_MIN_AGE
from .inspection import Served, route_headers
from .lint_csp import (
    CSP,
    CSP_REPORT_ONLY,
    LACKING,
    NONCE_SOURCE,
    PLACEHOLDER_NONCE,
    lint_csp,
)
from .lint_findings import Finding, Findings
from .reports import RECEIVER_ENDPOINT

__all__ = ["lint_app"]


def _proxy_fix(app: Flask) -> ProxyFix | None:
    """The ProxyFix that sets the scheme, among the app's WSGI wrappers."""
    wsgi: object = app.wsgi_app
    seen: set[int] = set()
    while wsgi is not None and id(wsgi) not in seen:
        seen.add(id(wsgi))
        if isinstance(wsgi, ProxyFix) and wsgi.x_proto > 0:
            return wsgi
        wsgi = getattr(wsgi, "app", None)
    return None


def _option_findings(
    app: Flask, options: Mapping[str, Any], endpoint: str | None, found: Findings
) -> None:
    """What the resolved options of the app (or of one endpoint) get wrong."""
    hsts = "Strict-Transport-Security"
    if not options["force_https"] and not app.debug and endpoint != RECEIVER_ENDPOINT:
        found.add(
            "https-not-forced",
            None,
            "force_https is off: plain-HTTP requests are served, "
            "not redirected to HTTPS. Turn it on, unless a proxy in front of "
            "the app already redirects.",
        )
    max_age = options["strict_transport_security_max_age"]
    if not options["strict_transport_security"]:
        found.add(
            "hsts-off",
            None,
            "strict_transport_security is off: browsers may "
            "reach the site over plain HTTP again. Turn it on.",
            header=hsts,
        )
    elif max_age < PRELOAD_MIN_AGE:
        found.add(
            "hsts-short",
            None,
            f"strict_transport_security_max_age is {max_age}, "
            "under a year, so browsers soon forget to insist on HTTPS. Use "
            f"at least {PRELOAD_MIN_AGE} (one year).",
            header=hsts,
        )
    if (
        options["strict_transport_security"]
        and options["strict_transport_security_preload"]
        and (
            not options["strict_transport_security_include_subdomains"]
            or max_age < PRELOAD_MIN_AGE
        )
    ):
        found.add(
            "hsts-preload-ineligible",
            None,
            "strict_transport_security_preload is on, but the "
            "preload list requires includeSubDomains and a max-age of at "
            f"least {PRELOAD_MIN_AGE}. Set "
            "strict_transport_security_include_subdomains=True and "
            f"strict_transport_security_max_age={PRELOAD_MIN_AGE} or more.",
            header=hsts,
        )
    if (
        options["harden_cookies"]
        and options["harden_cookies_samesite"] == "None"
        and (app.debug or not options["force_https"])
    ):
        found.add(
            "harden-cookies-samesite-none-http",
            None,
            "harden_cookies_samesite='None', and responses are also served "
            "over plain HTTP: browsers refuse SameSite=None without Secure, so "
            "Talisman leaves SameSite out there and those cookies stay "
            "same-site. Serve the view over HTTPS only (force_https) or use "
            "'Lax'.",
            header="Set-Cookie",
        )
    if (
        options["cross_origin_embedder_policy"] == "require-corp"
        and options["cross_origin_resource_policy"] is None
    ):
        found.add(
            "coep-without-corp",
            None,
            "cross_origin_embedder_policy='require-corp' without "
            "cross_origin_resource_policy: cross-origin isolated pages, on "
            "your other origins too, cannot embed these responses. Set "
            "cross_origin_resource_policy ('same-origin', 'same-site' or, "
            "for public assets, 'cross-origin').",
            header="Cross-Origin-Resource-Policy",
        )
    proxy = _proxy_fix(app)
    if options["trust_x_forwarded_proto"] and proxy is not None:
        found.add(
            "trust-x-forwarded-proto-with-proxyfix",
            None,
            "trust_x_forwarded_proto is on, but ProxyFix "
            f"(x_proto={proxy.x_proto}) already sets the scheme from the "
            "proxies it trusts; Talisman would also take the raw "
            "X-Forwarded-Proto header, a client's own wherever a proxy passes "
            "it on. Set trust_x_forwarded_proto=False.",
        )


def _cookie_findings(app: Flask, found: Findings) -> None:
    """The session cookie's flags, from ``app.config``."""
    secure = bool(app.config.get("SESSION_COOKIE_SECURE"))
    samesite = app.config.get("SESSION_COOKIE_SAMESITE")
    if not secure and not app.debug:
        found.add(
            "session-cookie-insecure",
            None,
            "SESSION_COOKIE_SECURE is off: browsers also send the session "
            "cookie over plain HTTP, where it can be stolen. Leave "
            "session_cookie_secure=True (the default) and do not set "
            "SESSION_COOKIE_SECURE=False.",
            header="Set-Cookie",
        )
    if isinstance(samesite, str) and samesite.lower() == "none" and not secure:
        found.add(
            "session-cookie-samesite-none-insecure",
            None,
            "The session cookie has SameSite=None without Secure, which "
            "browsers refuse, so no session lasts. Set SESSION_COOKIE_SECURE "
            "(session_cookie_secure=True; Talisman skips it in debug mode) or "
            "use session_cookie_samesite='Lax'.",
            header="Set-Cookie",
        )


def _directives_of(policy: str) -> dict[str, list[str]]:
    """Every policy's directives of one header value, the first of each."""
    directives: dict[str, list[str]] = {}
    for words in filter(None, (p.split() for p in policy.replace(",", ";").split(";"))):
        directives.setdefault(words[0].lower(), words[1:])
    return directives


def _reports(policy: str) -> bool:
    directives = _directives_of(policy)
    return bool(directives.get("report-uri") or directives.get("report-to"))


def _header_findings(headers: Mapping[str, str], found: Findings) -> None:
    """Lint the headers of one response."""
    enforced = headers.get(CSP)
    for name in (CSP, CSP_REPORT_ONLY):
        value = headers.get(name)
        if value is None:
            continue
        findings = lint_csp(value, header=name, endpoint=found.endpoint)
        if name == CSP_REPORT_ONLY and enforced is not None:
            # A second policy only adds restrictions: what it lacks, the
            # enforced one decides.
            findings = [f for f in findings if f.code not in LACKING]
        found.extend(findings)
        for directive, values in _directives_of(value).items():
            for word in values:
                if NONCE_SOURCE.match(word) and word != PLACEHOLDER_NONCE:
                    found.add(
                        "csp-static-nonce",
                        directive,
                        f"{word} in {directive} is written into the options, "
                        "so every response carries the same nonce and an "
                        "injected script can copy it. Use flask_talisman.NONCE, "
                        "which Talisman replaces by a fresh nonce per request.",
                        header=name,
                    )
    frame = headers.get("X-Frame-Options", "")
    if frame.upper().startswith("ALLOW-FROM") and (
        enforced is None or "frame-ancestors" not in _directives_of(enforced)
    ):
        found.add(
            "frame-options-allow-from",
            None,
            f"X-Frame-Options: {frame} is ignored by current browsers, and the "
            "CSP has no frame-ancestors, so any site can frame this page. Add "
            "frame-ancestors with that origin to content_security_policy.",
            header="X-Frame-Options",
        )


_MISSING = (
    "No Content-Security-Policy is sent, not even a report-only one, so "
    "nothing stops an injected script. Set content_security_policy "
    "(Talisman's default, or a nonce with 'strict-dynamic': "
    "flask_talisman.NONCE, STRICT_DYNAMIC) and do not turn it off for a "
    "view: a CSP does no harm to responses that are not HTML."
)
#: What a static file can be that runs script in the page: a document.
_DOCUMENT_TYPES = frozenset({"text/html", "application/xhtml+xml"})


def _sends_csp(names: Iterable[str]) -> bool:
    names = {name.lower() for name in names}
    return CSP.lower() in names or CSP_REPORT_ONLY.lower() in names


def _serves_documents(app: Flask, endpoint: str) -> bool:
    """Whether ``endpoint`` may answer with a page that runs scripts.

    Views are not run to see, so any view may; not a static folder's
    endpoint (``static``, ``<blueprint>.static``) when the folder holds no
    HTML file.
    """
    blueprint = app.blueprints.get(endpoint.removesuffix(".static"))
    if endpoint == "static":
        folder = app.static_folder
    elif endpoint.endswith(".static") and blueprint is not None:
        folder = blueprint.static_folder
    else:
        return True
    if folder is None:
        return True  # a view of the app's own named "static"
    return any(
        mimetypes.guess_type(name)[0] in _DOCUMENT_TYPES
        for _, _, files in os.walk(folder)
        for name in files
    )


def _missing_csp_findings(
    served: Sequence[tuple[bool, Served]], found: Findings
) -> None:
    """A page served without any CSP, or with a report-only one alone."""
    if not all(_sends_csp(response.headers) for _, response in served):
        found.add("csp-missing", None, _MISSING, header=CSP)
        return
    alone = [r.headers[CSP_REPORT_ONLY] for _, r in served if CSP not in r.headers]
    # One that reports nowhere is csp-report-only-no-endpoint.
    if alone and all(_reports(policy) for policy in alone):
        found.add(
            "csp-not-enforced",
            None,
            "The only CSP is report-only: browsers report what it would "
            "block, and block nothing, so an injected script runs. Enforce "
            "it (content_security_policy_report_only=False) once its "
            "reports show that the pages keep working.",
            header=CSP_REPORT_ONLY,
        )


def _report_only_findings(
    served: Sequence[tuple[bool, Served]], found: Findings
) -> None:
    """A report-only CSP that reports nowhere (HTTPS first, then plain HTTP)."""
    for secure, response in sorted(served, key=lambda item: not item[0]):
        headers = response.headers
        policy = headers.get(CSP_REPORT_ONLY)
        if policy is None or _reports(policy):
            continue
        where = (
            "" if secure else " over plain HTTP, where Talisman leaves report-to out"
        )
        if CSP not in headers:
            found.add(
                "csp-report-only-no-endpoint",
                None,
                "The only CSP is report-only and names no report-uri or "
                f"report-to{where}: it neither blocks nor reports anything. Add "
                "content_security_policy_report_uri (or report_receiver), or "
                "enforce the policy.",
                header=CSP_REPORT_ONLY,
            )
        else:
            found.add(
                "csp-report-only-unreported",
                None,
                "The report-only CSP beside the enforced one names no "
                f"report-uri or report-to{where}: its violations only show in "
                "the browser console. Add report_receiver (or "
                "content_security_policy_report_uri) to collect them.",
                header=CSP_REPORT_ONLY,
            )
        return


def _options(
    app: Flask, endpoint: str | None, found: Findings
) -> Mapping[str, Any] | None:
    """The resolved options, or ``None`` (and a finding) if they do not work."""
    try:
        options: Mapping[str, Any] = app.extensions["talisman"].options_for(endpoint)
    except ConfigurationError as error:
        _configuration_error(str(error), found)
        return None
    return options


def _configuration_error(error: str, found: Findings) -> None:
    found.add(
        "configuration-error",
        None,
        f"{error.removeprefix('ConfigurationError: ')} Requests fail until the "
        "options are fixed (Talisman.check() raises for every such problem).",
    )


def _cached_view_findings(app: Flask, endpoint: str, found: Findings) -> None:
    """A view cached by Flask-Caching whose CSP has a nonce."""
    if cached_view(app, endpoint) is None:
        return
    try:
        uses_nonce = app.extensions["talisman"].policy_for(endpoint).uses_nonce
    except ConfigurationError:  # reported as configuration-error
        return
    if uses_nonce:
        found.add(
            "csp-nonce-in-cached-view",
            None,
            "the view is cached by Flask-Caching (@cache.cached) and its CSP "
            "has a nonce. A cached page would carry another request's nonce, "
            "so Talisman removes each page that renders csp_nonce() from the "
            "cache as soon as it is stored: the view renders for every "
            "request. Allow its inline scripts by hash instead of a nonce "
            "({% csp_script %} in the template, and no nonce in the view's "
            "policy), or stop caching the view.",
            header=CSP,
        )


def _csrf_finding(methods: tuple[str, ...], found: Findings) -> None:
    """A route that takes unsafe methods, with nothing that checks their origin."""
    found.add(
        "csrf-unguarded",
        None,
        f"the route accepts {', '.join(methods)} and nothing checks where such "
        "requests come from: cross_origin_protection is off for it and no CSRF "
        "token extension (Flask-WTF's CSRFProtect) guards it, so a page of "
        "another site can make a visitor's browser send it, with their cookies. "
        "Turn cross_origin_protection on for the app or the view ('report-only' "
        "first, to see what it would refuse), or set up CSRFProtect.",
    )


def lint_app(app: Flask, *, endpoint: str | None = None) -> list[Finding]:
    """Lint everything Talisman does for ``app``: its options and every route.

    App-wide findings (``endpoint`` ``None``) come first: the options of the
    app as a whole and its session cookie. Then, for each endpoint in the
    order of :func:`~flask_talisman.inspection.route_headers` (or for
    ``endpoint`` alone), the findings of the headers its URL rules send over
    HTTPS and, where they are served rather than redirected, over plain HTTP
    (each CSP header through :func:`lint_csp`), and of its resolved options
    where those differ from the app's. A static folder's endpoint that
    serves no HTML is judged as static files: its options are, the CSP rules
    for pages are not. A finding is given once per endpoint, and not for an
    endpoint when the app-wide finding already says it;
    :func:`group_findings` makes one of each problem. Raises
    :class:`RuntimeError` when Talisman is not registered on ``app``, and
    :class:`LookupError` when ``endpoint`` has no URL rule.
    """
    routes = route_headers(app, endpoint=endpoint)
    app_wide = Findings(None, None)
    state = app.extensions["talisman"]
    try:
        policy = state.policy_for(None)
    except ConfigurationError as error:
        _configuration_error(str(error), app_wide)
    else:
        # The app's own policy, which error pages and every view without
        # options of its own get.
        if not _sends_csp(policy.secure.names | policy.insecure.names):
            app_wide.add("csp-missing", None, _MISSING, header=CSP)
    options = _options(app, None, app_wide)
    if options is not None:
        _option_findings(app, options, None, app_wide)
    _cookie_findings(app, app_wide)
    result = list(app_wide)
    said = {(f.header, f.directive, f.code, f.message) for f in result}
    unguarded = {name: methods for name, _, methods in unprotected_routes(app)}
    served: dict[str, list[tuple[bool, Served]]] = {}
    for route in routes:
        served.setdefault(route.endpoint, []).extend(
            [(True, route.https), (False, route.http)]
        )
    for name, responses in served.items():
        found = Findings(name, None)
        options = _options(app, name, found)
        if options is not None:
            _option_findings(app, options, name, found)
        pages = _serves_documents(app, name)
        documents = []
        for secure, response in responses:
            if response.error is not None:
                _configuration_error(response.error, found)
            elif response.redirect is None:
                documents.append((secure, response))
                if pages:
                    _header_findings(response.headers, found)
        if pages:
            _missing_csp_findings(documents, found)
            _report_only_findings(documents, found)
            _cached_view_findings(app, name, found)
        if name in unguarded:
            _csrf_finding(unguarded[name], found)
        result.extend(
            f for f in found if (f.header, f.directive, f.code, f.message) not in said
        )
    return result
