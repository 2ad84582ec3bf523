"""Option names, defaults, validation, and change detection.

Resolution, most specific last: defaults < ``TALISMAN_*`` config <
``Talisman(...)`` keywords < ``init_app`` keywords < per-view options.
Each value is checked on its own by its option's validator when it is
configured, and kept as given: the user's own dicts and lists are held, never
copied or wrapped, so an edit made through any reference to them takes
effect, as in flask-talisman 1.1.0. :func:`watch` and :func:`unchanged` tell
the extension when one was edited, so it recompiles (and checks) only then.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import KW_ONLY, dataclass
from types import MappingProxyType
from typing import Any

from .errors import ConfigurationError, suggest, type_error
from .headers.cache import check_cache_control, check_clear_site_data
from .headers.cross_origin import (
    check_coep,
    check_coop,
    check_corp,
    check_origin_agent_cluster,
)
from .headers.csp import build_csp, check_nonce_in, check_report_uri
from .headers.frame_options import SAMEORIGIN, check_allow_from, check_frame_options
from .headers.hsts import MAX_AGE_LIMIT, ONE_YEAR_IN_SECS, check_max_age
from .headers.integrity import compile_integrity_policy
from .headers.legacy import (
    check_dns_prefetch,
    check_permitted_cross_domain,
    check_xss,
)
from .headers.referrer import check_referrer_policy
from .headers.reporting import check_endpoint_name, check_reporting_endpoints
from .headers.structured import (
    compile_document_policy,
    compile_feature_policy,
    compile_permissions_policy,
)

DEFAULT_CSP_POLICY: dict[str, str] = {
    "default-src": "'self'",
    "object-src": "'none'",
}
DEFAULT_PERMISSIONS_POLICY: dict[str, str] = {"browsing-topics": "()"}
DEFAULT_DOCUMENT_POLICY: dict[str, str] = {}
DEFAULT_FEATURE_POLICY: dict[str, str] = {}
#: Policy for sites using Google Fonts, Maps, YouTube and hosted libraries.
GOOGLE_CSP_POLICY: dict[str, str] = {
    "font-src": "'self' themes.googleusercontent.com *.gstatic.com",
    "frame-src": "'self' www.google.com www.youtube.com",
    "script-src": "'self' ajax.googleapis.com *.googleanalytics.com "
    "*.google-analytics.com",
    "style-src": "'self' ajax.googleapis.com fonts.googleapis.com *.gstatic.com",
    "object-src": "'none'",
    "default-src": "'self' *.gstatic.com",
}
DEFAULT_REFERRER_POLICY = "strict-origin-when-cross-origin"
DEFAULT_SESSION_COOKIE_SAMESITE = "Lax"

Checker = Callable[[str, Any], Any]


def _bool(option: str, value: object) -> bool:
    # flask-talisman 1.1.0 reads these flags by truth value, so 1 and 0 (as
    # written by code that predates bool, or read from a config file) work.
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        raise ConfigurationError(
            f"{option}: {value!r} is a str, and any non-empty str (even "
            "'False' or '0') would read as true. Pass True or False; for an "
            "environment variable, compare it, e.g. os.environ.get(NAME) == '1'."
        )
    raise type_error(option, value, "True or False")


def _policy(compile_fn: Callable[[str, object], object]) -> Checker:
    def check(option: str, value: Any) -> Any:
        compile_fn(option, value)
        return value

    return check


def _csp(option: str, value: Any) -> Any:
    build_csp(value, option=option)
    return value


def _samesite(option: str, value: object) -> str | None:
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


_BOOL_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "0", "1"})


def _report_only(option: str, value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, int) and value in (0, 1):  # truth value, as in 1.1.0
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _BOOL_WORDS:
        raise ConfigurationError(
            f"{option}: {value!r} is a str, not a policy or a bool. Pass True "
            "or False (or a policy: a dict or a CSP str)."
        )
    build_csp(value, option=option)
    return value


_COOKIE_NAME = re.compile(r"[!#-'*+.^_`|~0-9A-Za-z-]+\Z")


def _cookie_names(option: str, value: object) -> list[str] | None:
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
    return list(names)


_PATH = re.compile(r"/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*\Z")


def _receiver_path(option: str, value: object) -> str | None:
    if value is None or value is False:
        return None
    if not isinstance(value, str) or not _PATH.match(value) or value.startswith("//"):
        raise ConfigurationError(
            f"{option}: {value!r} is not a URL path. Use a path starting with "
            "'/', such as '/talisman/reports'."
        )
    return value


def _positive_int(option: str, value: object) -> int:
    if isinstance(value, int) and value >= MAX_AGE_LIMIT:
        raise ConfigurationError(f"{option}: the number is too large to mean anything.")
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigurationError(f"{option}: {value!r} is not a positive whole number.")
    return value


def _optional_positive_int(option: str, value: object) -> int | None:
    return None if value is None else _positive_int(option, value)


def _sample_rate(option: str, value: object) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not 0 < value <= 1
    ):
        raise ConfigurationError(
            f"{option}: {value!r} must be a number above 0 and at most 1 (the "
            "fraction of reports kept)."
        )
    return float(value)


@dataclass(frozen=True)
class OptionSpec:
    """One option: its default, whether a view can set it, its validator.

    The rest is its documentation, from which docs/options.rst is generated
    (the option's type comes from :mod:`flask_talisman.option_types`).
    """

    name: str
    default: Any
    per_view: bool
    check: Checker
    #: A one-line summary.
    doc: str
    _: KW_ONLY
    #: The header or headers the option controls (``", "`` between two), or
    #: ``None`` for an option that controls behaviour (the HTTPS redirect,
    #: the report receiver).
    header: str | None
    #: A Python expression of a typical value, read with the names of
    #: :mod:`flask_talisman` (``SELF``, ``DENY``...) in scope.
    example: str
    #: The section of docs/options.rst the option is shown in.
    section: str
    #: The full documentation, in reStructuredText (inline markup only).
    details: str


_SPECS = (
    OptionSpec(
        "feature_policy",
        DEFAULT_FEATURE_POLICY,
        True,
        _policy(compile_feature_policy),
        "Legacy Feature-Policy header, as a dict or string.",
        header="Feature-Policy",
        example='{"geolocation": NONE}',
        section="Other policies",
        details=(
            "The legacy ``Feature-Policy`` header, which browsers replaced with "
            "Permissions-Policy. A dict mapping features to sources (a string or a "
            "list) or a header string, written like a CSP. Never gets a nonce. "
            "Refuses ``;`` and ``,`` inside names and sources."
        ),
    ),
    OptionSpec(
        "permissions_policy",
        DEFAULT_PERMISSIONS_POLICY,
        True,
        _policy(compile_permissions_policy),
        "Permissions-Policy header, as a dict or string.",
        header="Permissions-Policy",
        example='{"geolocation": [], "camera": ["self"]}',
        section="Other policies",
        details=(
            "``Permissions-Policy``, as a dict mapping feature names to allowlists "
            "or as a header string. An allowlist is a list or tuple of items "
            '(``"self"``, ``"*"``, ``"src"`` or origins), ``True`` (``*``), '
            "``False`` (``()``), or a string in the header's own structured-field "
            'syntax: ``"*"``, ``"self"``, ``"src"``, ``"()"``, a double-quoted '
            "origin, or an inner list such as ``'(self \"https://a.example\")'``, "
            "optionally followed by parameters (``;report-to=...``). Other strings "
            "are refused with the accepted forms in the message, among them "
            'CSP-style values such as ``"\'self\'"``, unquoted origins and ``"() '
            'geolocation=*"``. The items ``"none"`` and ``"\'none\'"`` are refused '
            "too: an empty list (``()``) is what disables a feature. In a header "
            'string every member needs an ``=`` and an allowlist: ``"geolocation"`` '
            "alone is refused, with ``geolocation=()`` and ``geolocation=(self)`` "
            "offered instead. Also refused: feature names outside "
            "``[a-z*][a-z0-9_.*-]*``; a ``,`` outside parentheses (it would add a "
            "feature); ``;`` inside parentheses; unbalanced parentheses or quotes; "
            "sets and frozensets (use a list, which keeps its order); list items "
            'that are empty or contain whitespace, ``,``, ``;`` or a ``"`` (other '
            "than a pair around the whole origin). A ``,`` between items inside "
            "parentheses, as in ``'(self, \"https://a.example\")'``, warns and shows "
            "the valid form. The value is then sent as written, but it is not valid "
            "structured-field syntax, so browsers fail to parse the header and "
            "ignore all of it."
        ),
    ),
    OptionSpec(
        "document_policy",
        DEFAULT_DOCUMENT_POLICY,
        True,
        _policy(compile_document_policy),
        "Document-Policy header, as a dict or string.",
        header="Document-Policy",
        example='{"force-load-at-top": True}',
        section="Other policies",
        details=(
            "``Document-Policy``, as a dict or a header string. A value of ``True`` "
            "sends the bare name, ``False`` sends ``name=?0``, a number "
            "``name=<number>`` and a string ``name=<string>``. Numbers must fit a "
            "structured field: an ``int`` has at most 15 digits, and a ``float`` "
            "must be finite, below 10\\ :sup:`12` in size and have at most three "
            "decimal places (``1.2345`` or ``1e-7`` is refused, with the rounded "
            "value offered); it is written without an exponent (``2.0``, "
            "``1.235``). A string must be one structured-field item, optionally "
            "with parameters: a token, a number (up to 15 digits before the point "
            "and three after it), a double-quoted string without spaces, ``,`` or "
            "``;``, ``?0`` or ``?1``. Values in single quotes, spaces, inner lists "
            "and a ``,`` (which would add a member) are refused, and so are "
            "``None``, lists, sets and other types. A header string is checked "
            "member by member the same way."
        ),
    ),
    OptionSpec(
        "force_https",
        True,
        True,
        _bool,
        "Redirect plain-HTTP requests to HTTPS (not in debug mode).",
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
    OptionSpec(
        "force_https_permanent",
        False,
        True,
        _bool,
        "Redirect with 301 (or 308) instead of 302 (or 307).",
        header=None,
        example="True",
        section="HTTPS",
        details=(
            "Redirect with a permanent status: 301 instead of 302, or 308 instead "
            "of 307 together with :topt:`force_https_preserve_method`."
        ),
    ),
    OptionSpec(
        "force_https_preserve_method",
        False,
        True,
        _bool,
        "Redirect with 307/308 so browsers repeat POST bodies.",
        header=None,
        example="True",
        section="HTTPS",
        details=(
            "Redirect with 307 (or 308) so that browsers repeat the request with "
            "the same method and body; with 302 and 301 they turn a POST into a "
            "GET."
        ),
    ),
    OptionSpec(
        "trust_x_forwarded_proto",
        True,
        True,
        _bool,
        "Count 'X-Forwarded-Proto: https' as a secure request.",
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
    OptionSpec(
        "force_file_save",
        False,
        True,
        _bool,
        "Send X-Download-Options: noopen.",
        header="X-Download-Options",
        example="True",
        section="Other headers",
        details=(
            "Send ``X-Download-Options: noopen``, which made old versions of "
            "Internet Explorer save downloads instead of opening them in the site's "
            "context."
        ),
    ),
    OptionSpec(
        "frame_options",
        SAMEORIGIN,
        True,
        check_frame_options,
        "X-Frame-Options: DENY, SAMEORIGIN, ALLOW_FROM or None.",
        header="X-Frame-Options",
        example="DENY",
        section="Framing",
        details=(
            "``X-Frame-Options``: ``DENY`` (no page may frame this one), "
            "``SAMEORIGIN`` (pages of the same origin may) or ``ALLOW_FROM``. "
            "Case-insensitive, sent in upper case. ``None`` sends no header. Other "
            'strings, including ``"ALLOW-FROM https://a.example"`` written as one '
            "value, are refused."
        ),
    ),
    OptionSpec(
        "frame_options_allow_from",
        None,
        True,
        check_allow_from,
        "The origin for frame_options=ALLOW_FROM.",
        header="X-Frame-Options",
        example='"https://partner.example"',
        section="Framing",
        details=(
            "The origin for ``frame_options=ALLOW_FROM``, giving ``ALLOW-FROM "
            "<origin>``. One token without whitespace, ``,`` or ``;``. "
            "``ALLOW_FROM`` without it raises "
            ":class:`~flask_talisman.ConfigurationError` (at the same moments as "
            ":topt:`content_security_policy_report_only` without a report URI), and "
            "using it warns because current browsers ignore ``ALLOW-FROM``: add a "
            "``frame-ancestors`` directive to the CSP instead."
        ),
    ),
    OptionSpec(
        "strict_transport_security",
        True,
        True,
        _bool,
        "Send Strict-Transport-Security on secure requests.",
        header="Strict-Transport-Security",
        example="False",
        section="HTTPS",
        details=(
            "Send ``Strict-Transport-Security`` on responses to secure requests "
            "(never on plain HTTP, where browsers ignore it)."
        ),
    ),
    OptionSpec(
        "strict_transport_security_preload",
        False,
        True,
        _bool,
        "Add the HSTS preload token.",
        header="Strict-Transport-Security",
        example="True",
        section="HTTPS",
        details=(
            "Add ``preload``, the opt-in to browsers' built-in HSTS lists. Warns "
            "unless ``includeSubDomains`` is on and ``max-age`` is at least "
            "31536000, which the preload list requires."
        ),
    ),
    OptionSpec(
        "strict_transport_security_max_age",
        ONE_YEAR_IN_SECS,
        True,
        check_max_age,
        "HSTS max-age in seconds.",
        header="Strict-Transport-Security",
        example="63072000",
        section="HTTPS",
        details=(
            "The ``max-age`` in seconds (the default is a year). A non-negative "
            "``int``; ``0`` tells browsers to forget the rule. A string of digits "
            '(``"31536000"``, as read from the environment) and a float without a '
            "fraction (``600.0``) are taken as that number; other strings and "
            "floats, booleans and negative numbers are refused."
        ),
    ),
    OptionSpec(
        "strict_transport_security_include_subdomains",
        True,
        True,
        _bool,
        "Add includeSubDomains to HSTS.",
        header="Strict-Transport-Security",
        example="False",
        section="HTTPS",
        details=("Add ``includeSubDomains``, extending the rule to every subdomain."),
    ),
    OptionSpec(
        "content_security_policy",
        DEFAULT_CSP_POLICY,
        True,
        _csp,
        "Content-Security-Policy, as a dict or string; None or {} for none.",
        header="Content-Security-Policy, Content-Security-Policy-Report-Only",
        example='{"default-src": SELF, "img-src": [SELF, "data:"]}',
        section="Content-Security-Policy",
        details=(
            "The policy, as a dict mapping directive names to sources (a string of "
            "space-separated sources or a list of them) or as a policy string. "
            '``None``, ``False``, ``""`` or ``{}`` sends no CSP header. Refuses '
            "anything that would break or inject into the header and keywords "
            "written without their quotes; warns about unknown directives."
        ),
    ),
    OptionSpec(
        "content_security_policy_report_uri",
        None,
        True,
        check_report_uri,
        "URI appended as the CSP report-uri directive.",
        header="Content-Security-Policy, Content-Security-Policy-Report-Only",
        example='"/csp-reports"',
        section="Content-Security-Policy",
        details=(
            "A URI appended to the policy as ``report-uri <uri>``, unless the "
            "policy has its own ``report-uri`` directive. One token: whitespace, "
            "``;`` and ``,`` are refused."
        ),
    ),
    OptionSpec(
        "content_security_policy_report_only",
        False,
        True,
        _report_only,
        "True: send the CSP as Content-Security-Policy-Report-Only. A policy "
        "(dict or str): send it as a report-only policy beside the enforced one.",
        header="Content-Security-Policy-Report-Only",
        example="True",
        section="Content-Security-Policy",
        details=(
            "``True`` sends the policy as ``Content-Security-Policy-Report-Only``: "
            "browsers report violations without blocking anything. That needs "
            "somewhere to send reports: :topt:`content_security_policy_report_uri`, "
            ":topt:`content_security_policy_report_to`, :topt:`report_receiver` or "
            "a ``report-uri`` or ``report-to`` directive in the policy. Without one "
            "it raises :class:`~flask_talisman.ConfigurationError`. A policy (a "
            "dict or a string, written like :topt:`content_security_policy`) is "
            "sent as a second, report-only header next to the enforced policy; it "
            "needs no report destination, since violations also show in the browser "
            'console. A string that looks like a boolean (``"true"``, ``"0"``, '
            '``"yes"``...) is refused.'
        ),
    ),
    OptionSpec(
        "content_security_policy_report_only_nonce_in",
        None,
        True,
        check_nonce_in,
        "Directives of the report-only policy that get the request's nonce.",
        header="Content-Security-Policy-Report-Only",
        example='["script-src"]',
        section="Content-Security-Policy",
        details=(
            "Like :topt:`content_security_policy_nonce_in`, for the report-only "
            "policy given as a policy; both headers carry the same nonce. With "
            "``content_security_policy_report_only=True`` it is ignored, with a "
            "warning: the one policy then takes "
            ":topt:`content_security_policy_nonce_in`."
        ),
    ),
    OptionSpec(
        "content_security_policy_nonce_in",
        [],
        True,
        check_nonce_in,
        "CSP directives that get the per-request nonce.",
        header="Content-Security-Policy, Content-Security-Policy-Report-Only",
        example='["script-src", "style-src"]',
        section="Content-Security-Policy",
        details=(
            "Directives that get this request's nonce, as a list, tuple or set of "
            "names or one string of names separated by commas or spaces. A listed "
            "directive the policy lacks is created from ``default-src``'s sources. "
            "Warns for directives where browsers ignore nonces (anything but "
            "``default-src``, ``script-src``, ``script-src-elem``, ``style-src``, "
            "``style-src-elem``). A nonce added to a directive whose only source is "
            "``'none'`` replaces the ``'none'``."
        ),
    ),
    OptionSpec(
        "referrer_policy",
        DEFAULT_REFERRER_POLICY,
        True,
        check_referrer_policy,
        "Referrer-Policy header; None for none.",
        header="Referrer-Policy",
        example='"no-referrer"',
        section="Other policies",
        details=(
            "``Referrer-Policy``: one of ``no-referrer``, "
            "``no-referrer-when-downgrade``, ``origin``, "
            "``origin-when-cross-origin``, ``same-origin``, ``strict-origin``, "
            "``strict-origin-when-cross-origin``, ``unsafe-url``. A list (or a "
            "comma-separated string) gives fallbacks, of which browsers use the "
            "last one they know. Other tokens, including differently capitalised "
            "ones, are refused. ``None`` sends no header."
        ),
    ),
    OptionSpec(
        "session_cookie_secure",
        True,
        False,
        _bool,
        "Set SESSION_COOKIE_SECURE (not in debug mode).",
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
    OptionSpec(
        "session_cookie_http_only",
        True,
        False,
        _bool,
        "Set SESSION_COOKIE_HTTPONLY.",
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
    OptionSpec(
        "session_cookie_samesite",
        DEFAULT_SESSION_COOKIE_SAMESITE,
        False,
        _samesite,
        "Set SESSION_COOKIE_SAMESITE: 'Strict', 'Lax', 'None' or None.",
        header="Set-Cookie (session cookie)",
        example='"Strict"',
        section="Session cookie",
        details=(
            'Sets ``SESSION_COOKIE_SAMESITE``: ``"Strict"``, ``"Lax"`` or '
            '``"None"`` in any capitalisation (normalised to that spelling), or '
            '``None`` to leave the attribute out. Browsers accept ``"None"`` only '
            "together with ``Secure``. Other values are refused."
        ),
    ),
    OptionSpec(
        "x_content_type_options",
        True,
        True,
        _bool,
        "Send X-Content-Type-Options: nosniff.",
        header="X-Content-Type-Options",
        example="False",
        section="Other headers",
        details=(
            "Send ``X-Content-Type-Options: nosniff``, which stops browsers from "
            "guessing a response's type from its content."
        ),
    ),
    OptionSpec(
        "x_xss_protection",
        False,
        True,
        check_xss,
        "X-XSS-Protection: True sends '1; mode=block', '0' disables the filter.",
        header="X-XSS-Protection",
        example='"0"',
        section="Other headers",
        details=(
            '``X-XSS-Protection``. The string ``"0"`` sends ``0``, which turns off '
            "the filter that older browsers ran; current browsers have removed it, "
            'and the old filter could be abused, so ``"0"`` is the value to send if '
            'any. ``True``, ``1`` or ``"1; mode=block"`` sends ``1; mode=block``, '
            "as flask-talisman 1.1.0 did. ``False``, ``0`` or ``None`` sends "
            "nothing (1.1.0 read the option by truth value). Other values are "
            "refused."
        ),
    ),
    OptionSpec(
        "cross_origin_opener_policy",
        None,
        True,
        check_coop,
        "Cross-Origin-Opener-Policy, e.g. 'same-origin'.",
        header="Cross-Origin-Opener-Policy",
        example='"same-origin"',
        section="Cross-origin isolation",
        details=(
            "``Cross-Origin-Opener-Policy``: ``same-origin``, "
            "``same-origin-allow-popups``, ``noopener-allow-popups`` or "
            "``unsafe-none``. ``same-origin`` puts the page in its own browsing "
            "context group, away from cross-origin windows it opens or that open "
            "it."
        ),
    ),
    OptionSpec(
        "cross_origin_embedder_policy",
        None,
        True,
        check_coep,
        "Cross-Origin-Embedder-Policy, e.g. 'require-corp'.",
        header="Cross-Origin-Embedder-Policy",
        example='"require-corp"',
        section="Cross-origin isolation",
        details=(
            "``Cross-Origin-Embedder-Policy``: ``require-corp``, ``credentialless`` "
            "or ``unsafe-none``. With COOP ``same-origin`` it makes the page "
            "cross-origin isolated; every cross-origin resource it loads must then "
            "allow that (CORP or CORS), so test before enabling."
        ),
    ),
    OptionSpec(
        "cross_origin_resource_policy",
        None,
        True,
        check_corp,
        "Cross-Origin-Resource-Policy, e.g. 'same-origin'.",
        header="Cross-Origin-Resource-Policy",
        example='"same-origin"',
        section="Cross-origin isolation",
        details=(
            "``Cross-Origin-Resource-Policy``: ``same-origin``, ``same-site`` or "
            "``cross-origin``: which sites may load this response as a subresource."
        ),
    ),
    OptionSpec(
        "origin_agent_cluster",
        None,
        True,
        check_origin_agent_cluster,
        "Origin-Agent-Cluster: True sends ?1.",
        header="Origin-Agent-Cluster",
        example="True",
        section="Cross-origin isolation",
        details=(
            '``Origin-Agent-Cluster``: ``True`` or ``"?1"`` sends ``?1`` (keep this '
            'origin in its own agent cluster), ``"?0"`` sends ``?0``. ``False`` or '
            "``None`` sends nothing."
        ),
    ),
    OptionSpec(
        "x_dns_prefetch_control",
        None,
        True,
        check_dns_prefetch,
        "X-DNS-Prefetch-Control: 'off' or 'on'.",
        header="X-DNS-Prefetch-Control",
        example='"off"',
        section="More headers",
        details=(
            '``X-DNS-Prefetch-Control``: ``"off"`` stops browsers from resolving '
            'the host names of links ahead of time; ``"on"`` allows it.'
        ),
    ),
    OptionSpec(
        "x_permitted_cross_domain_policies",
        None,
        True,
        check_permitted_cross_domain,
        "X-Permitted-Cross-Domain-Policies, e.g. 'none'.",
        header="X-Permitted-Cross-Domain-Policies",
        example='"none"',
        section="More headers",
        details=(
            "``X-Permitted-Cross-Domain-Policies``, for Adobe Flash and Acrobat "
            "cross-domain policy files: ``none``, ``master-only``, "
            "``by-content-type``, ``by-ftp-filename``, ``all`` or "
            "``none-this-response``."
        ),
    ),
    OptionSpec(
        "cache_control",
        None,
        True,
        check_cache_control,
        "Cache-Control, e.g. 'no-store'.",
        header="Cache-Control",
        example='"no-store"',
        section="More headers",
        details=(
            '``Cache-Control``, such as ``"no-store"`` for pages with private data '
            'or ``"private, max-age=60"``. Each comma-separated directive must be a '
            "name, optionally ``=`` a number, a token or a quoted string; the "
            'directives are re-joined with ``", "``. It replaces a '
            "``Cache-Control`` header the view set itself."
        ),
    ),
    OptionSpec(
        "clear_site_data",
        None,
        True,
        check_clear_site_data,
        "Clear-Site-Data types, e.g. ['cache', 'cookies', 'storage'].",
        header="Clear-Site-Data",
        example='["cache", "cookies", "storage"]',
        section="More headers",
        details=(
            "``Clear-Site-Data``, which makes the browser delete this site's data, "
            'for a logout view for instance: a list of types from ``"cache"``, '
            '``"clientHints"``, ``"cookies"``, ``"executionContexts"``, '
            '``"prefetchCache"``, ``"prerenderCache"``, ``"storage"`` and ``"*"`` '
            "(case-sensitive), or a string of them separated by commas. Each is "
            'sent quoted, once: ``["cache", "cookies"]`` gives ``"cache", '
            '"cookies"``. An empty list sends nothing.'
        ),
    ),
    OptionSpec(
        "integrity_policy",
        None,
        True,
        _policy(compile_integrity_policy),
        "Integrity-Policy, e.g. {'blocked-destinations': ['script']}.",
        header="Integrity-Policy",
        example='{"blocked-destinations": ["script"]}',
        section="More headers",
        details=(
            "``Integrity-Policy``: make the browser refuse scripts (and styles) "
            "loaded without Subresource Integrity metadata. A dict with the keys "
            '``blocked-destinations`` (a list of ``"script"`` and ``"style"``), '
            '``sources`` (``["inline"]``) and ``endpoints`` (a list of '
            "``Reporting-Endpoints`` names), or the header string itself: "
            '``{"blocked-destinations": ["script"], "endpoints": ["default"]}`` '
            "gives ``blocked-destinations=(script), endpoints=(default)``. Other "
            "keys and values are refused."
        ),
    ),
    OptionSpec(
        "integrity_policy_report_only",
        None,
        True,
        _policy(compile_integrity_policy),
        "Integrity-Policy-Report-Only, the same syntax as integrity_policy.",
        header="Integrity-Policy-Report-Only",
        example='{"blocked-destinations": ["script", "style"]}',
        section="More headers",
        details=(
            "``Integrity-Policy-Report-Only``, the same syntax: report what "
            ":topt:`integrity_policy` would block, without blocking it."
        ),
    ),
    OptionSpec(
        "reporting_endpoints",
        None,
        True,
        check_reporting_endpoints,
        "Reporting-Endpoints: {name: URL or /path}.",
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
    OptionSpec(
        "content_security_policy_report_to",
        None,
        True,
        check_endpoint_name,
        "Reporting-Endpoints name for the CSP report-to directive.",
        header="Content-Security-Policy, Content-Security-Policy-Report-Only",
        example='"csp"',
        section="Content-Security-Policy",
        details=(
            "A ``Reporting-Endpoints`` name added to the policy as ``report-to "
            "<name>``, unless the policy has its own ``report-to`` directive. "
            "``False`` keeps the ``report-to`` directive out even when "
            ":topt:`report_receiver` would add one, so that Chromium, which ignores "
            "``report-uri`` in a policy that has ``report-to``, uses the "
            "``report-uri``. Responses to plain-HTTP requests never get a "
            "``report-to`` directive. See :doc:`reporting`."
        ),
    ),
    OptionSpec(
        "cross_origin_opener_policy_report_to",
        None,
        True,
        check_endpoint_name,
        "Reporting-Endpoints name for COOP reports.",
        header="Cross-Origin-Opener-Policy",
        example='"coop"',
        section="Reporting",
        details=(
            "An endpoint name added to ``Cross-Origin-Opener-Policy`` as ``; "
            'report-to="<name>"``. ``None`` or ``False`` adds none. Has no effect '
            "while :topt:`cross_origin_opener_policy` is ``None``."
        ),
    ),
    OptionSpec(
        "cross_origin_embedder_policy_report_to",
        None,
        True,
        check_endpoint_name,
        "Reporting-Endpoints name for COEP reports.",
        header="Cross-Origin-Embedder-Policy",
        example='"coep"',
        section="Reporting",
        details=(
            "An endpoint name added to ``Cross-Origin-Embedder-Policy`` as ``; "
            'report-to="<name>"``, the same as '
            ":topt:`cross_origin_opener_policy_report_to` does for "
            "``Cross-Origin-Opener-Policy``. ``None`` or ``False`` adds none. Has "
            "no effect while :topt:`cross_origin_embedder_policy` is ``None``."
        ),
    ),
    OptionSpec(
        "permissions_policy_report_to",
        None,
        True,
        check_endpoint_name,
        "Reporting-Endpoints name for Permissions-Policy reports.",
        header="Permissions-Policy",
        example='"default"',
        section="Reporting",
        details=(
            "An endpoint name added to every Permissions-Policy member as "
            "``;report-to=<name>``, except members that have their own. ``None`` or "
            "``False`` adds none."
        ),
    ),
    OptionSpec(
        "report_receiver",
        None,
        False,
        _receiver_path,
        "Path of the built-in report receiver, e.g. '/talisman/reports'.",
        header=(
            "Reporting-Endpoints, Content-Security-Policy, "
            "Content-Security-Policy-Report-Only"
        ),
        example='"/talisman/reports"',
        section="Reporting",
        details=(
            'A path, such as ``"/talisman/reports"``, at which ``init_app`` '
            "registers a view that receives violation reports. It also becomes the "
            "``default`` reporting endpoint, the CSP ``report-uri`` (unless "
            ":topt:`content_security_policy_report_uri` is set) and the CSP "
            "``report-to`` (unless :topt:`content_security_policy_report_to` is "
            "set; ``False`` keeps it out); a ``default`` endpoint of your own in "
            ":topt:`reporting_endpoints` takes precedence. Cannot be assigned after "
            "``init_app``."
        ),
    ),
    OptionSpec(
        "report_receiver_max_bytes",
        65536,
        False,
        _positive_int,
        "Largest report body the receiver accepts (413 beyond).",
        header=None,
        example="16384",
        section="Reporting",
        details=(
            "The largest request body the receiver reads; larger ones get 413. A "
            "positive ``int``."
        ),
    ),
    OptionSpec(
        "report_receiver_rate_limit",
        None,
        False,
        _optional_positive_int,
        "Reports a client may post per minute (429 beyond); None: no limit.",
        header=None,
        example="60",
        section="Reporting",
        details=(
            "How many reports one client address may post per minute; more get 429. "
            "A positive ``int``, or ``None`` for no limit."
        ),
    ),
    OptionSpec(
        "report_receiver_sample_rate",
        1.0,
        False,
        _sample_rate,
        "Fraction of received reports to signal and log.",
        header=None,
        example="0.1",
        section="Reporting",
        details=(
            "The fraction of received reports that are logged and signalled, a "
            "number above 0 and at most 1. The others are accepted and dropped."
        ),
    ),
    OptionSpec(
        "harden_cookies",
        False,
        True,
        _bool,
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
    OptionSpec(
        "harden_cookies_http_only",
        True,
        True,
        _bool,
        "With harden_cookies: add HttpOnly.",
        header="Set-Cookie",
        example="False",
        section="Other cookies",
        details=(
            "With :topt:`harden_cookies`: add ``HttpOnly``. Turn it off if scripts "
            "must read the cookies."
        ),
    ),
    OptionSpec(
        "harden_cookies_samesite",
        "Lax",
        True,
        _samesite,
        "With harden_cookies: the SameSite added where a cookie has none.",
        header="Set-Cookie",
        example='"Strict"',
        section="Other cookies",
        details=(
            "With :topt:`harden_cookies`: the ``SameSite`` value added to cookies "
            'that have none: ``"Strict"``, ``"Lax"``, ``"None"`` (any '
            "capitalisation) or ``None`` to add none. ``SameSite=None`` is only "
            "added on secure responses, since browsers reject it without "
            "``Secure``."
        ),
    ),
    OptionSpec(
        "harden_cookies_include",
        None,
        True,
        _cookie_names,
        "With harden_cookies: only these cookie names (None: all).",
        header="Set-Cookie",
        example='["cart"]',
        section="Other cookies",
        details=(
            "With :topt:`harden_cookies`: the names of the only cookies to touch (a "
            "list, or one name as a string). ``None`` means every cookie."
        ),
    ),
    OptionSpec(
        "harden_cookies_exclude",
        None,
        True,
        _cookie_names,
        "With harden_cookies: never these cookie names.",
        header="Set-Cookie",
        example='["theme"]',
        section="Other cookies",
        details=("With :topt:`harden_cookies`: names of cookies never to touch."),
    ),
)

#: Every option, by name.
SPECS: Mapping[str, OptionSpec] = MappingProxyType({s.name: s for s in _SPECS})
#: Options a view (``@talisman(...)``) may set.
PER_VIEW: frozenset[str] = frozenset(s.name for s in _SPECS if s.per_view)


def check_name(option: str, *, where: str, per_view: bool = False) -> None:
    """Refuse an unknown option name, with a "did you mean" hint."""
    if option not in SPECS:
        raise ConfigurationError(
            f"{where}: unknown option {option!r}." + suggest(option, SPECS)
        )
    if per_view and option not in PER_VIEW:
        raise ConfigurationError(
            f"{where}: {option!r} cannot be set per view: it configures the "
            "app as a whole (the session cookie or the report receiver). Pass "
            "it to Talisman(...) or init_app(...)."
        )


def plain(value: Any) -> Any:
    """``value`` with every str, int and float in it as exactly that type.

    A ``str`` subclass (a ``(str, Enum)`` member among them) compares equal
    to its text but may render differently through ``str()`` or
    ``format()``: what is validated, and sent, is the text itself. Mappings
    become dicts and lists and tuples keep their type; anything else is left
    for the option's check to accept or refuse.
    """
    kind = type(value)
    if kind is str or kind is bool or kind is int or kind is float or value is None:
        return value
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, bool):  # pragma: no cover - bool cannot be subclassed
        return bool(value)
    if isinstance(value, int):
        return int.__int__(value)
    if isinstance(value, float):
        return float.__float__(value)
    if isinstance(value, Mapping):
        return {plain(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, tuple):
        return tuple(plain(v) for v in value)
    if isinstance(value, set):
        return {plain(v) for v in value}
    if isinstance(value, frozenset):
        return frozenset(plain(v) for v in value)
    return value


def check_value(option: str, value: Any) -> Any:
    """Validate one option's value and return its normal form (plain types).

    Raises :class:`ConfigurationError`, also for a value that breaks the
    check itself (a ``__repr__`` that raises, a structure nested too deep).
    """
    try:
        return SPECS[option].check(option, plain(value))
    except ConfigurationError:
        raise
    except Exception as error:
        raise ConfigurationError(
            f"{option}: the value of type {type(value).__name__} could not be "
            f"checked ({type(error).__name__}: {error}). Pass a value of the "
            "type the option documents."
        ) from None


def check_options(
    options: Mapping[str, Any], *, where: str, per_view: bool = False
) -> dict[str, Any]:
    """Check each name and each value on its own; return the options as given.

    The values are kept as they are (the user's own objects); combinations
    are checked when the options are compiled.
    """
    for name, value in options.items():
        check_name(name, where=where, per_view=per_view)
        check_value(name, value)
    return {name: own(value) for name, value in options.items()}


def own(value: Any) -> Any:
    """``value`` to keep: the object itself, or a copy of one of our constants.

    The package's policy constants (``DEFAULT_CSP_POLICY``,
    ``GOOGLE_CSP_POLICY``, ...) are copied, as flask-talisman 1.1.0 copied
    them, so editing an app's policy in place never changes them for every
    other app in the process.
    """
    if any(value is constant for constant in _CONSTANTS):
        return _copy(value)
    return value


@dataclass(frozen=True, slots=True)
class Watch:
    """The user's dicts and lists among some options, and copies to compare.

    :func:`unchanged` compares all of them in one tuple comparison, then the
    key order of every top-level dict with more than one key (``==`` on
    dicts ignores order, which is the order of a header's directives).
    Nested dicts and numbers are copied as :class:`_Ordered` and
    :class:`_Typed`, which compare order and type too (``1 == True`` in
    Python, but not in a header). An object that differs from its copy even
    right after copying (a type with its own ``==``) is compared by its
    ``repr`` instead.
    """

    objects: tuple[Any, ...] = ()
    copies: tuple[Any, ...] = ()
    #: ``(dict, its keys in order)`` for each top-level dict with several keys.
    ordered: tuple[tuple[Any, tuple[Any, ...]], ...] = ()
    #: ``(object, its repr)`` for objects that never equal their copy.
    opaque: tuple[tuple[Any, str], ...] = ()


def _copy(value: Any) -> Any:
    # A plain deep copy of the containers in ``value``: what is compiled.
    if isinstance(value, Mapping):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_copy(v) for v in value)
    if isinstance(value, (set, frozenset)):
        return frozenset(value)
    return value


def _kind(value: object) -> type | None:
    # The type a number is rendered as: True, 1 and 1.0 are three headers.
    for kind in (bool, int, float):
        if isinstance(value, kind):
            return kind
    return None


class _Typed:
    """A number in a comparison copy: equal only to a number of its kind."""

    __slots__ = ("kind", "value")

    def __init__(self, value: Any) -> None:
        self.value = value
        self.kind = _kind(value)

    def __eq__(self, other: object) -> bool:
        return _kind(other) is self.kind and bool(other == self.value)

    __hash__ = None  # type: ignore[assignment]


class _Ordered(dict[Any, Any]):
    """A nested dict in a comparison copy: equal only with the same key order."""

    __slots__ = ()

    # As a dict subclass it is asked first when compared with a plain dict.
    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Mapping)
            and tuple(other) == tuple(self)
            and tuple(other.values()) == tuple(self.values())
        )

    __hash__ = None


def _compare_copy(value: Any, top: bool = False) -> Any:
    if isinstance(value, Mapping):
        copy = {k: _compare_copy(v) for k, v in value.items()}
        return _Ordered(copy) if not top and len(copy) > 1 else copy
    if isinstance(value, list):
        return [_compare_copy(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_compare_copy(v) for v in value)
    if isinstance(value, (set, frozenset)):
        return frozenset(value)
    if _kind(value) is not None:
        return _Typed(value)
    return value


# A copy taken while another thread resizes the dict fails; it is retaken.
_COPY_ATTEMPTS = 100


def watch(values: Iterable[Any]) -> tuple[list[Any], Watch]:
    """Copies of ``values`` and what tells when one is edited in place.

    Returns plain copies (what a policy is compiled from, so that an edit
    made while it compiles cannot reach it halfway) and a :class:`Watch` of
    every dict or list among ``values``, which :func:`unchanged` compares.
    The user's objects are never wrapped or written to.
    """
    items = list(values)
    for _ in range(_COPY_ATTEMPTS - 1):
        try:
            return _watch(items)
        except RuntimeError:  # resized by another thread while copied
            continue
    return _watch(items)  # pragma: no cover - resized during 99 copies in a row


def _watch(values: list[Any]) -> tuple[list[Any], Watch]:
    copies: list[Any] = []
    objects: list[Any] = []
    compared: list[Any] = []
    ordered: list[tuple[Any, tuple[Any, ...]]] = []
    opaque: list[tuple[Any, str]] = []
    for value in values:
        copies.append(_copy(value))
        if not isinstance(value, (Mapping, list, tuple, set)):
            continue
        comparison = _compare_copy(value, top=True)
        if value != comparison:
            opaque.append((value, repr(value)))
            continue
        objects.append(value)
        compared.append(comparison)
        if isinstance(comparison, dict) and len(comparison) > 1:
            ordered.append((value, tuple(comparison)))
    return copies, Watch(tuple(objects), tuple(compared), tuple(ordered), tuple(opaque))


def unchanged(watched: Watch) -> bool:
    """Whether no watched object was edited since :func:`watch` copied it."""
    try:
        return watched.objects == watched.copies and rest_unchanged(watched)
    except Exception:  # edited by another thread while compared, or worse
        return False


def rest_unchanged(watched: Watch) -> bool:
    """The key order and the opaque objects (once ``objects == copies``)."""
    for mapping, keys in watched.ordered:
        if tuple(mapping) != keys:
            return False
    for value, text in watched.opaque:  # noqa: SIM110 - no generator per request
        if repr(value) != text:
            return False
    return True


_CONSTANTS = (
    DEFAULT_CSP_POLICY,
    GOOGLE_CSP_POLICY,
    DEFAULT_PERMISSIONS_POLICY,
    DEFAULT_DOCUMENT_POLICY,
    DEFAULT_FEATURE_POLICY,
)


def defaults() -> dict[str, Any]:
    """A fresh copy of every option's default (edits never reach the module's)."""
    return {name: _copy(spec.default) for name, spec in SPECS.items()}


def normalize(values: Mapping[str, Any]) -> dict[str, Any]:
    """Every option's normal form: what :func:`~.policy.compile_policy` reads."""
    return {name: check_value(name, value) for name, value in values.items()}


def from_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """Read ``TALISMAN_<OPTION>`` keys (e.g. from ``from_prefixed_env()``)."""
    options = {}
    for key, value in config.items():
        if key.startswith("TALISMAN_") and key != "TALISMAN_PRESET":
            name = key[len("TALISMAN_") :].lower()
            if name not in SPECS:
                raise ConfigurationError(
                    f"app.config[{key!r}]: unknown option {name!r}."
                    + suggest(name, SPECS)
                )
            options[name] = value
    return options
