"""What browsers report, as typed :class:`Report` objects.

Browsers send reports in two formats: the legacy ``report-uri`` body
(``{"csp-report": {...}}``) and Reporting API reports (``{"type": ...,
"url": ..., "body": {...}}``, in a list or, from WebKit, alone). The parsers
here turn either into :class:`Report` objects whose ``body`` uses the
Reporting API's field names, and refuse (:class:`Rejected`) what is not a
report. Nothing here reads the request: the receiver (reports.py) does.

Each Reporting API type has its own subclass of :class:`Report`, chosen by
``type`` wherever a report is made (``Report(...)`` itself, the parsers,
:meth:`Report.from_json`): :class:`CSPViolation`, :class:`CSPHashReport`,
:class:`COOPViolation`, :class:`COEPViolation`,
:class:`PermissionsPolicyViolation`, :class:`IntegrityViolation`,
:class:`DocumentPolicyViolation`, :class:`DeprecationReport`,
:class:`InterventionReport` and :class:`CrashReport`. Their properties read
the body's fields, and a client writes the body: a field that is missing or
of the wrong type reads as ``None``, never as an exception. A type not
listed stays a plain :class:`Report` with its body as it came.

:func:`redact` removes what should not be kept from a report's URLs (query,
fragment, user name and password); :attr:`Report.from_extension` tells the
reports a browser extension caused.

A report kept in a file is one JSON object per line: :meth:`Report.to_json`
writes it and :meth:`Report.from_json` reads it back.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from functools import cache
from typing import Any

__all__ = [
    "EXTENSION_SCHEMES",
    "MAX_FIELD",
    "COEPViolation",
    "COOPViolation",
    "CSPHashReport",
    "CSPViolation",
    "CrashReport",
    "DeprecationReport",
    "DocumentPolicyViolation",
    "IntegrityViolation",
    "InterventionReport",
    "PermissionsPolicyViolation",
    "Rejected",
    "Report",
    "is_extension_url",
    "is_url_field",
    "parse_batch",
    "parse_legacy",
    "redact",
    "strip_url",
]

# Legacy report-uri field names -> the Reporting API's CSP body names.
_LEGACY_FIELDS = {
    "document-uri": "documentURL",
    "referrer": "referrer",
    "blocked-uri": "blockedURL",
    "effective-directive": "effectiveDirective",
    "violated-directive": "effectiveDirective",
    "original-policy": "originalPolicy",
    "source-file": "sourceFile",
    "script-sample": "sample",
    "disposition": "disposition",
    "status-code": "statusCode",
    "line-number": "lineNumber",
    "column-number": "columnNumber",
}
MAX_FIELD = 4096  # characters kept of any one string field
_MAX_AGE = 2**53  # milliseconds; a report's age beyond this is no age
_MAX_DEPTH = 32  # nesting of lists and objects inside a report's fields

# The schemes of browser extensions' URLs: Chromium's (Chrome, Edge, Opera,
# Brave), Firefox's, Safari's (web extensions, and the older Safari
# extensions), the old EdgeHTML Edge's, and the scheme WebKit shows instead
# of an extension's URL ("webkit-masked-url://hidden/"). A browser that
# follows CSP3's "strip URL for use in reports" sends a non-HTTP(S) URL as
# its scheme alone ("chrome-extension"); older ones send the whole URL.
EXTENSION_SCHEMES = frozenset(
    {
        "chrome-extension",
        "moz-extension",
        "safari-web-extension",
        "safari-extension",
        "ms-browser-extension",
        "webkit-masked-url",
    }
)
# The body fields that say where the blocked or offending code came from.
_SOURCE_FIELDS = ("blockedURL", "sourceFile")
# Body fields holding URLs besides those whose name ends in "URL" or "URI".
_OTHER_URL_FIELDS = frozenset({"referrer", "sourcefile", "srcattribute"})
_USERINFO = re.compile(r"\A([A-Za-z][A-Za-z0-9+.-]*:)?//[^/]*@")


@cache
def _snake(name: str) -> str:
    """``documentURL`` -> ``document_url``: the other spelling of a field."""
    return re.sub(r"(?<=[a-z0-9])([A-Z]+)", lambda m: "_" + m.group(1), name).lower()


def _field(body: Mapping[str, Any], name: str) -> Any:
    """A body field under its spec name, or else its snake_case spelling
    (which the Permissions Policy explainer's and CSP3's csp-hash examples
    use)."""
    if name in body:
        return body[name]
    return body.get(_snake(name))


def _text(body: Mapping[str, Any], name: str) -> str | None:
    value = _field(body, name)
    return value if isinstance(value, str) else None


def _number(body: Mapping[str, Any], name: str) -> int | None:
    value = _field(body, name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _first_text(body: Mapping[str, Any], *names: str) -> str | None:
    """The first of these fields that is text (an empty one included)."""
    for name in names:
        value = _text(body, name)
        if value is not None:
            return value
    return None


def _flag(body: Mapping[str, Any], name: str) -> bool | None:
    value = _field(body, name)
    return value if isinstance(value, bool) else None


def is_extension_url(value: object) -> bool:
    """Whether ``value`` is a browser extension's URL, or its scheme alone."""
    if not isinstance(value, str):
        return False
    return value.partition(":")[0].strip().lower() in EXTENSION_SCHEMES


def strip_url(value: str) -> str:
    """``value`` without its query, fragment, user name and password.

    Everything from the first ``?`` or ``#`` goes, and the ``user:password@``
    of an ``scheme://`` authority. Text that is not a URL (``inline``,
    ``eval``, ``'self'``, ``""``) has none of these and stays as it is.
    """
    value = re.split(r"[?#]", value, maxsplit=1)[0]
    return _USERINFO.sub(lambda m: (m.group(1) or "") + "//", value, count=1)


def is_url_field(name: object) -> bool:
    """Whether a body field of this name holds a URL.

    A name ending in ``URL`` or ``URI`` in any spelling (``documentURL``,
    ``blocked-uri``, ``subresource_url``, COOP's ``previousResponseURL``...),
    ``referrer``, ``sourceFile`` and Permissions Policy's ``srcAttribute``.
    """
    if not isinstance(name, str):
        return False
    plain = name.lower().replace("-", "").replace("_", "")
    return plain.endswith(("url", "uri")) or plain in _OTHER_URL_FIELDS


def _strip_all(value: Any) -> Any:
    """Every string in a URL field's value stripped (a client may have sent a
    list or an object where a URL belongs)."""
    if isinstance(value, str):
        return strip_url(value)
    if isinstance(value, list):
        return [_strip_all(item) for item in value]
    if isinstance(value, Mapping):
        return {key: _strip_all(item) for key, item in value.items()}
    return value


def _redact_body(body: Mapping[str, Any]) -> dict[str, Any]:
    return {
        key: _strip_all(value) if is_url_field(key) else _redact_nested(value)
        for key, value in body.items()
    }


def _redact_nested(value: Any) -> Any:
    if isinstance(value, Mapping):
        return _redact_body(value)
    if isinstance(value, list):
        return [_redact_nested(item) for item in value]
    return value


_TYPES: dict[str, type[Report]] = {}


@dataclass(frozen=True)
class Report:
    """One violation or browser report, whichever format it arrived in.

    ``type`` is the Reporting API type (``"csp-violation"``, ``"coep"``,
    ``"coop"``, ``"integrity-violation"``, ``"permissions-policy-violation"``,
    ``"deprecation"``, ``"intervention"``...); a legacy ``report-uri`` report
    is a ``"csp-violation"`` whose ``body`` uses the Reporting API's field
    names (``documentURL``, ``blockedURL``, ``effectiveDirective``...).

    ``Report(type, url, body, user_agent, received, age)`` makes the subclass
    for ``type`` (``Report("coop", ...)`` is a :class:`COOPViolation`); a type
    without one stays a plain ``Report``. ``url`` is the document's URL,
    ``user_agent`` the browser's, ``received`` when the receiver took the
    report (an aware datetime) and ``age`` how many milliseconds the browser
    held it before sending, if it said.
    """

    type: str
    url: str
    body: Mapping[str, Any]
    user_agent: str
    received: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    age: int | None = None

    def __new__(cls, *args: Any, **kwargs: Any) -> Report:
        if cls is Report:
            kind = args[0] if args else kwargs.get("type")
            if isinstance(kind, str):
                cls = _TYPES.get(kind, Report)
        return object.__new__(cls)

    @property
    def from_extension(self) -> bool:
        """Whether a browser extension caused this report.

        True when the body's ``blockedURL`` or ``sourceFile`` is an extension's
        URL, or its scheme alone as CSP3 has browsers send it:
        ``chrome-extension`` (Chromium), ``moz-extension`` (Firefox),
        ``safari-web-extension`` and ``safari-extension`` (Safari),
        ``ms-browser-extension`` (the old Edge), or ``webkit-masked-url``
        (WebKit's stand-in for an extension's URL). Such a report says nothing
        about the site's own pages and policy.
        """
        return any(is_extension_url(_field(self.body, f)) for f in _SOURCE_FIELDS)

    def to_json(self) -> dict[str, Any]:
        """This report as a JSON object: one line of a reports file.

        The keys are ``type``, ``url``, ``age``, ``user_agent``, ``received``
        (ISO 8601), ``body`` and ``from_extension`` (which
        :meth:`from_json` works out again rather than reads).
        """
        return {
            "type": self.type,
            "url": self.url,
            "age": self.age,
            "user_agent": self.user_agent,
            "received": self.received.isoformat(),
            "body": dict(self.body),
            "from_extension": self.from_extension,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Report:
        """A report from :meth:`to_json`'s object; raises ``ValueError``.

        The class is chosen by ``type``, as ``Report(...)`` chooses it;
        keys it does not know are ignored.
        """
        try:
            kind, url, body = data["type"], data["url"], data["body"]
            received = datetime.fromisoformat(data["received"])
        except (KeyError, TypeError) as error:
            raise ValueError(f"not a stored report: {error}") from None
        agent, age = data.get("user_agent", ""), data.get("age")
        if (
            not isinstance(kind, str)
            or not isinstance(url, str)
            or not isinstance(body, dict)
            or not isinstance(agent, str)
            or not (age is None or (isinstance(age, int) and not isinstance(age, bool)))
        ):
            raise ValueError("not a stored report: a field has the wrong type")
        if received.tzinfo is None:
            received = received.replace(tzinfo=timezone.utc)
        return Report(kind, url, body, agent, received, age)


def _typed(*kinds: str) -> Any:
    """Register a subclass of :class:`Report` for these report types."""

    def register(cls: type[Report]) -> type[Report]:
        for kind in kinds:
            _TYPES[kind] = cls
        return cls

    return register


class _SourceLocation(Report):
    """The script position most report bodies carry."""

    @property
    def source_file(self) -> str | None:
        """``sourceFile``: the URL of the script that caused the report, if
        the browser knows it (stripped of its fragment, user name and
        password; a non-HTTP(S) URL is sent as its scheme alone)."""
        return _text(self.body, "sourceFile")

    @property
    def line_number(self) -> int | None:
        """``lineNumber``: the line in :attr:`source_file`, if known."""
        return _number(self.body, "lineNumber")

    @property
    def column_number(self) -> int | None:
        """``columnNumber``: the column in :attr:`source_file`, if known."""
        return _number(self.body, "columnNumber")


@_typed("csp-violation")
class CSPViolation(_SourceLocation):
    """A ``csp-violation`` report: a Content Security Policy was violated.

    Its body is CSP3's ``CSPViolationReportBody`` (CSP3, section 5,
    "Reporting"). A legacy ``report-uri`` report (CSP3 section 5.3, "Obtain
    the deprecated serialization of violation"; CSP2 section 8.2) arrives
    under the same names: ``document-uri`` is read as ``documentURL``,
    ``blocked-uri`` as ``blockedURL``, ``effective-directive`` (or, from
    CSP2 browsers, ``violated-directive``) as ``effectiveDirective``,
    ``original-policy``, ``source-file``, ``script-sample``,
    ``status-code``, ``line-number`` and ``column-number`` likewise.

    Engines differ (``tests/data/engine_reports.json``): Firefox sends
    ``null`` for an empty ``referrer`` and ``sample``; WebKit's ``report-uri``
    reports have no ``disposition`` (the receiver supplies it).
    """

    @property
    def document_url(self) -> str | None:
        """``documentURL``: the document or worker whose policy was violated."""
        return _text(self.body, "documentURL")

    @property
    def referrer(self) -> str | None:
        """``referrer``: the referrer of that document, or ``None``."""
        return _text(self.body, "referrer")

    @property
    def blocked_url(self) -> str | None:
        """``blockedURL``: what was blocked. Either a URL (only the original
        request's URL, never a redirect's target) or one of ``"inline"``,
        ``"eval"``, ``"wasm-eval"``, ``"trusted-types-policy"`` and
        ``"trusted-types-sink"`` (CSP3 section 2.4, "Violations")."""
        return _text(self.body, "blockedURL")

    @property
    def effective_directive(self) -> str | None:
        """``effectiveDirective``: the directive whose enforcement found the
        violation, e.g. ``"script-src-elem"`` for a ``<script>`` that
        ``script-src`` or ``default-src`` refused."""
        return _text(self.body, "effectiveDirective")

    @property
    def original_policy(self) -> str | None:
        """``originalPolicy``: the whole policy that was violated, serialized."""
        return _text(self.body, "originalPolicy")

    @property
    def sample(self) -> str | None:
        """``sample``: the first 40 characters of the inline script, event
        handler or style that was blocked, when the directive has
        ``'report-sample'``; empty otherwise. Written by the page's content,
        so attacker-controlled (CSP3 section 8.4)."""
        return _text(self.body, "sample")

    @property
    def disposition(self) -> str | None:
        """``disposition``: ``"enforce"`` (the policy blocked it) or
        ``"report"`` (a report-only policy: nothing was blocked)."""
        return _text(self.body, "disposition")

    @property
    def status_code(self) -> int | None:
        """``statusCode``: the HTTP status of the document's response."""
        return _number(self.body, "statusCode")


@_typed("csp-hash")
class CSPHashReport(Report):
    """A ``csp-hash`` report: the hash of a script the page loaded.

    Sent for a fetch directive with ``'report-sha256'``, ``'report-sha384'``
    or ``'report-sha512'`` and a ``report-to`` (CSP3 section 5, the "csp hash
    report body": ``documentURL``, ``subresourceURL``, ``hash``,
    ``destination``, ``type``). Not a violation: nothing was blocked.
    """

    @property
    def document_url(self) -> str | None:
        """``documentURL``: the page that loaded the script."""
        return _text(self.body, "documentURL")

    @property
    def subresource_url(self) -> str | None:
        """``subresourceURL``: the script's URL."""
        return _text(self.body, "subresourceURL")

    @property
    def hash(self) -> str | None:
        """``hash``: ``"<algorithm>-<hex digest>"`` of the script's body, or
        empty when the response was not CORS-same-origin."""
        return _text(self.body, "hash")

    @property
    def destination(self) -> str | None:
        """``destination``: the request's destination, e.g. ``"script"``."""
        return _text(self.body, "destination")

    @property
    def kind(self) -> str | None:
        """The body's ``type``: ``"subresource"``."""
        return _text(self.body, "type")


@_typed("coop")
class COOPViolation(_SourceLocation):
    """A ``coop`` report: a Cross-Origin-Opener-Policy broke, or would break,
    a window's link to another.

    Its body is built by HTML's COOP reporting algorithms (HTML section
    7.1.3, "Cross-origin opener policies", "Reporting"). :attr:`kind` says
    which: ``"navigation-to-response"`` and ``"navigation-from-response"``
    for a browsing context group switch, ``"access-to-opener"`` and the
    others for a cross-window access a report-only policy would block
    (Chromium names these ``"access-from-coop-page-to-opener"``,
    ``"access-to-coop-page-from-openee"`` and so on). A URL of another origin
    than the reporting page is reported empty or ``null``. Chromium also
    sends ``openeeURL``, ``initialPopupURL`` and ``otherDocumentURL``
    where HTML has ``openedWindowURL``, ``openedWindowInitialURL`` and
    ``otherURL``.
    """

    @property
    def kind(self) -> str | None:
        """The body's ``type``: what happened, e.g.
        ``"navigation-to-response"``."""
        return _text(self.body, "type")

    @property
    def disposition(self) -> str | None:
        """``disposition``: ``"enforce"`` or ``"reporting"`` (note: not
        ``"report"`` as in CSP), for ``Cross-Origin-Opener-Policy-Report-Only``."""
        return _text(self.body, "disposition")

    @property
    def effective_policy(self) -> str | None:
        """``effectivePolicy``: the COOP value that applied, e.g.
        ``"same-origin"`` or ``"same-origin-allow-popups"``."""
        return _text(self.body, "effectivePolicy")

    @property
    def accessed_property(self) -> str | None:
        """``property``: the window property accessed, e.g. ``"postMessage"``
        (access reports only)."""
        return _text(self.body, "property")

    @property
    def previous_response_url(self) -> str | None:
        """``previousResponseURL``: the page navigated from, if same-origin."""
        return _text(self.body, "previousResponseURL")

    @property
    def next_response_url(self) -> str | None:
        """``nextResponseURL``: the page navigated to, if same-origin."""
        return _text(self.body, "nextResponseURL")

    @property
    def referrer(self) -> str | None:
        """``referrer``: the referrer of the reporting page."""
        return _text(self.body, "referrer")

    @property
    def opener_url(self) -> str | None:
        """``openerURL``: the URL of the window that opened this one."""
        return _text(self.body, "openerURL")

    @property
    def opened_window_url(self) -> str | None:
        """``openedWindowURL`` (Chromium: ``openeeURL``): the window this one
        opened."""
        return _first_text(self.body, "openedWindowURL", "openeeURL")

    @property
    def opened_window_initial_url(self) -> str | None:
        """``openedWindowInitialURL`` (Chromium: ``initialPopupURL``): the
        first URL of the window this one opened."""
        return _first_text(self.body, "openedWindowInitialURL", "initialPopupURL")

    @property
    def other_url(self) -> str | None:
        """``otherURL`` (Chromium: ``otherDocumentURL``): the other window, when
        it is neither opener nor opened."""
        return _first_text(self.body, "otherURL", "otherDocumentURL")


@_typed("coep")
class COEPViolation(Report):
    """A ``coep`` report: a Cross-Origin-Embedder-Policy blocked, or would
    block, a resource.

    :attr:`kind` ``"corp"`` comes from Fetch ("Cross-Origin-Resource-Policy
    header": "queue a cross-origin embedder policy CORP violation report");
    ``"navigation"`` and ``"worker initialization"`` from HTML section
    7.1.4.2, "Embedder policy checks".
    """

    @property
    def kind(self) -> str | None:
        """The body's ``type``: ``"corp"``, ``"navigation"`` (a frame without
        a compatible policy) or ``"worker initialization"``."""
        return _text(self.body, "type")

    @property
    def blocked_url(self) -> str | None:
        """``blockedURL``: the resource, frame or worker blocked."""
        return _text(self.body, "blockedURL")

    @property
    def destination(self) -> str | None:
        """``destination``: the request's destination, e.g. ``"image"``
        (``"corp"`` reports only)."""
        return _text(self.body, "destination")

    @property
    def disposition(self) -> str | None:
        """``disposition``: ``"enforce"`` or ``"reporting"`` (for
        ``Cross-Origin-Embedder-Policy-Report-Only``)."""
        return _text(self.body, "disposition")


@_typed("permissions-policy-violation", "potential-permissions-policy-violation")
class PermissionsPolicyViolation(_SourceLocation):
    """A ``permissions-policy-violation`` report: the page used, or tried to
    use, a feature its Permissions-Policy disallows.

    Its body is Permissions Policy's ``PermissionsPolicyViolationReportBody``
    (Permissions Policy section 7, "Reporting"). The same class reads
    ``potential-permissions-policy-violation`` reports, which add
    :attr:`allow_attribute` and :attr:`src_attribute` for an ``<iframe>``.
    Chromium adds a console :attr:`message` (as in the spec's reporting
    explainer, whose example spells the position fields in snake_case).
    """

    @property
    def feature_id(self) -> str | None:
        """``featureId``: the feature, e.g. ``"geolocation"``.

        Chromium (156, measured in ``tests/browser/test_report_only_variants``)
        names this field ``policyId``; either is read.
        """
        return _first_text(self.body, "featureId", "policyId")

    @property
    def disposition(self) -> str | None:
        """``disposition``: ``"enforce"`` or ``"report"`` (for
        ``Permissions-Policy-Report-Only``)."""
        return _text(self.body, "disposition")

    @property
    def message(self) -> str | None:
        """``message``: the browser's console message, if it sends one."""
        return _text(self.body, "message")

    @property
    def allow_attribute(self) -> str | None:
        """``allowAttribute``: the ``<iframe>``'s ``allow`` attribute."""
        return _text(self.body, "allowAttribute")

    @property
    def src_attribute(self) -> str | None:
        """``srcAttribute``: the ``<iframe>``'s ``src`` attribute."""
        return _text(self.body, "srcAttribute")


@_typed("integrity-violation")
class IntegrityViolation(Report):
    """An ``integrity-violation`` report: a script or style loaded without
    integrity metadata where an ``Integrity-Policy`` requires it.

    Its body is Subresource Integrity's ``IntegrityViolationReportBody`` (SRI
    section "Integrity-Policy", "Report violations"): ``documentURL``,
    ``blockedURL``, ``destination`` and the boolean ``reportOnly``.
    """

    @property
    def document_url(self) -> str | None:
        """``documentURL``: the page or worker that made the request."""
        return _text(self.body, "documentURL")

    @property
    def blocked_url(self) -> str | None:
        """``blockedURL``: the script or style requested."""
        return _text(self.body, "blockedURL")

    @property
    def destination(self) -> str | None:
        """``destination``: ``"script"`` or ``"style"``."""
        return _text(self.body, "destination")

    @property
    def report_only(self) -> bool | None:
        """``reportOnly``: true for ``Integrity-Policy-Report-Only``."""
        return _flag(self.body, "reportOnly")

    @property
    def disposition(self) -> str | None:
        """``"report"`` or ``"enforce"``, from :attr:`report_only` (CSP's
        words for it)."""
        only = self.report_only
        return None if only is None else ("report" if only else "enforce")


@_typed("document-policy-violation")
class DocumentPolicyViolation(_SourceLocation):
    """A ``document-policy-violation`` report: the page did something its
    Document-Policy does not allow.

    Its body is built by Document Policy's "Determine if value is compatible
    with policy for feature or report" algorithm: ``featureId``,
    ``sourceFile``, ``lineNumber``, ``columnNumber`` and ``disposition``;
    Chromium adds ``message``.
    """

    @property
    def feature_id(self) -> str | None:
        """``featureId``: the policy's feature, e.g. ``"oversized-images"``."""
        return _text(self.body, "featureId")

    @property
    def disposition(self) -> str | None:
        """``disposition``: ``"enforce"`` or ``"report"`` (for
        ``Document-Policy-Report-Only``)."""
        return _text(self.body, "disposition")

    @property
    def message(self) -> str | None:
        """``message``: the browser's console message, if it sends one."""
        return _text(self.body, "message")


@_typed("deprecation")
class DeprecationReport(_SourceLocation):
    """A ``deprecation`` report: the page used an API the browser will remove.

    Its body is ``DeprecationReportBody`` (Deprecation Reporting section 2,
    "Deprecation Reports"). Browsers send these to the endpoint named
    ``default`` only.
    """

    @property
    def id(self) -> str | None:
        """``id``: the browser's name for the feature, e.g. ``"websql"``."""
        return _text(self.body, "id")

    @property
    def anticipated_removal(self) -> str | None:
        """``anticipatedRemoval``: roughly when the feature goes, as an ISO
        8601 date string, or ``None`` if the browser does not know."""
        return _text(self.body, "anticipatedRemoval")

    @property
    def message(self) -> str | None:
        """``message``: the console message for it."""
        return _text(self.body, "message")


@_typed("intervention")
class InterventionReport(_SourceLocation):
    """An ``intervention`` report: the browser refused something the page
    asked for (for security, performance or the user's sake).

    Its body is ``InterventionReportBody`` (Intervention Reporting section 3,
    "Intervention Reports"). Browsers send these to the endpoint named
    ``default`` only.
    """

    @property
    def id(self) -> str | None:
        """``id``: the browser's name for the intervention, e.g.
        ``"audio-no-gesture"``."""
        return _text(self.body, "id")

    @property
    def message(self) -> str | None:
        """``message``: the console message for it."""
        return _text(self.body, "message")


@_typed("crash")
class CrashReport(Report):
    """A ``crash`` report: the page's browser process crashed or was killed.

    Its body is ``CrashReportBody`` (Crash Reporting section 3, "Crash
    Reports"); later drafts add ``stack``, ``is_top_level`` and
    ``visibility_state`` (earlier ``page_visibility``), spelled in
    snake_case. Browsers send these to the endpoint named ``default`` only.
    """

    @property
    def reason(self) -> str | None:
        """``reason``: ``"oom"`` (out of memory), ``"unresponsive"``, or
        ``None`` if unknown."""
        return _text(self.body, "reason")

    @property
    def stack(self) -> str | None:
        """``stack``: the JavaScript call stack of an unresponsive page, when
        its Document-Policy asked for it."""
        return _text(self.body, "stack")

    @property
    def is_top_level(self) -> bool | None:
        """``is_top_level``: whether the crashed document was the top one."""
        return _flag(self.body, "is_top_level")

    @property
    def visibility_state(self) -> str | None:
        """``visibility_state`` (earlier ``page_visibility``): ``"visible"``
        or ``"hidden"``."""
        return _first_text(self.body, "visibility_state", "page_visibility")


def redact(report: Report) -> Report:
    """``report`` with its URLs safe to keep: a new report, of the same class.

    Removes the query string, the fragment, and a user name and password
    (where tokens, e-mail addresses and session identifiers travel) from
    the report's ``url`` and from every URL field of its body, at any depth:
    a field whose name ends in ``URL`` or ``URI`` (``documentURL``,
    ``blockedURL``, COOP's ``previousResponseURL``, ``nextResponseURL``,
    ``openerURL``...), ``referrer``, ``sourceFile`` and ``srcAttribute``.
    Values that are not URLs (``inline``, ``eval``, ``'self'``, empty) stay
    as they are, and so does every other field (a ``sample``, a policy, a
    ``message``, a crash's ``stack``). Redacting twice changes nothing more.
    """
    return replace(report, url=strip_url(report.url), body=_redact_body(report.body))


class Rejected(Exception):
    """A body the receiver refuses: the status to answer and why."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _unicode(text: str) -> str:
    """``text``, if it is Unicode: an escaped lone surrogate (``"\\ud800"``)
    is not, and no UTF-8 log handler or file could write it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise Rejected(400, "the body holds text that is not Unicode") from None
    return text


def _clip(value: Any, depth: int = 0) -> Any:
    if isinstance(value, str):
        return _unicode(value)[:MAX_FIELD]
    if isinstance(value, float) and not math.isfinite(value):
        # Python's json reads NaN, Infinity and 1e999; JSON has no such
        # number, and a reports file must stay JSON for any reader.
        raise Rejected(400, "the body holds a number JSON cannot carry")
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    if depth >= _MAX_DEPTH and isinstance(value, (list, dict)):
        raise Rejected(400, "the report is nested too deeply")
    if isinstance(value, list):
        return [_clip(v, depth + 1) for v in value[:100]]
    if isinstance(value, dict):
        return {
            _unicode(str(k))[:200]: _clip(v, depth + 1)
            for k, v in list(value.items())[:100]
        }
    return str(value)[:MAX_FIELD]


def parse_legacy(data: object, user_agent: str) -> list[Report]:
    """``{"csp-report": {...}}`` (``report-uri``) to one :class:`Report`.

    WebKit adds ``"type"`` and ``"url"`` beside ``"csp-report"``; they are
    the same report.
    """
    if not isinstance(data, dict) or not isinstance(data.get("csp-report"), dict):
        raise Rejected(400, 'expected {"csp-report": {...}}')
    raw = data["csp-report"]
    body: dict[str, Any] = {}
    for legacy, modern in _LEGACY_FIELDS.items():
        if legacy in raw and modern not in body:
            value = raw[legacy]
            if not isinstance(value, (str, int)) or isinstance(value, bool):
                raise Rejected(400, f"csp-report field {legacy!r} has a bad type")
            body[modern] = _clip(value)
    url = body.get("documentURL", "")
    return [Report("csp-violation", str(url), body, user_agent)]


def parse_batch(data: object, user_agent: str) -> list[Report]:
    """A Reporting API batch (a JSON list of reports) to :class:`Report` s."""
    if not isinstance(data, list):
        raise Rejected(400, "expected a JSON list of reports")
    reports = []
    for item in data:
        if not isinstance(item, dict):
            raise Rejected(400, "each report must be a JSON object")
        kind, url, body = item.get("type"), item.get("url"), item.get("body", {})
        age = item.get("age")
        if not isinstance(kind, str) or not kind or not isinstance(url, str):
            raise Rejected(400, "each report needs a str 'type' and 'url'")
        if body is None:
            body = {}
        if not isinstance(body, dict):
            raise Rejected(400, "a report's 'body' must be a JSON object")
        if age is not None and (
            not isinstance(age, int)
            or isinstance(age, bool)
            or not 0 <= age <= _MAX_AGE
        ):
            raise Rejected(400, "a report's 'age' must be a whole number of ms")
        agent = item.get("user_agent")
        reports.append(
            Report(
                _clip(kind)[:100],
                _clip(url),
                _clip(body),
                _clip(agent) if isinstance(agent, str) else user_agent,
                age=age,
            )
        )
    return reports
