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
from dataclasses import dataclass
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
    """One option: its default, whether a view can set it, its validator."""

    name: str
    default: Any
    per_view: bool
    check: Checker
    doc: str


_SPECS = (
    OptionSpec(
        "feature_policy",
        DEFAULT_FEATURE_POLICY,
        True,
        _policy(compile_feature_policy),
        "Legacy Feature-Policy header, as a dict or string.",
    ),
    OptionSpec(
        "permissions_policy",
        DEFAULT_PERMISSIONS_POLICY,
        True,
        _policy(compile_permissions_policy),
        "Permissions-Policy header, as a dict or string.",
    ),
    OptionSpec(
        "document_policy",
        DEFAULT_DOCUMENT_POLICY,
        True,
        _policy(compile_document_policy),
        "Document-Policy header, as a dict or string.",
    ),
    OptionSpec(
        "force_https",
        True,
        True,
        _bool,
        "Redirect plain-HTTP requests to HTTPS (not in debug mode).",
    ),
    OptionSpec(
        "force_https_permanent",
        False,
        True,
        _bool,
        "Redirect with 301 (or 308) instead of 302 (or 307).",
    ),
    OptionSpec(
        "force_https_preserve_method",
        False,
        True,
        _bool,
        "Redirect with 307/308 so browsers repeat POST bodies.",
    ),
    OptionSpec(
        "trust_x_forwarded_proto",
        True,
        True,
        _bool,
        "Count 'X-Forwarded-Proto: https' as a secure request.",
    ),
    OptionSpec(
        "force_file_save",
        False,
        True,
        _bool,
        "Send X-Download-Options: noopen.",
    ),
    OptionSpec(
        "frame_options",
        SAMEORIGIN,
        True,
        check_frame_options,
        "X-Frame-Options: DENY, SAMEORIGIN, ALLOW_FROM or None.",
    ),
    OptionSpec(
        "frame_options_allow_from",
        None,
        True,
        check_allow_from,
        "The origin for frame_options=ALLOW_FROM.",
    ),
    OptionSpec(
        "strict_transport_security",
        True,
        True,
        _bool,
        "Send Strict-Transport-Security on secure requests.",
    ),
    OptionSpec(
        "strict_transport_security_preload",
        False,
        True,
        _bool,
        "Add the HSTS preload token.",
    ),
    OptionSpec(
        "strict_transport_security_max_age",
        ONE_YEAR_IN_SECS,
        True,
        check_max_age,
        "HSTS max-age in seconds.",
    ),
    OptionSpec(
        "strict_transport_security_include_subdomains",
        True,
        True,
        _bool,
        "Add includeSubDomains to HSTS.",
    ),
    OptionSpec(
        "content_security_policy",
        DEFAULT_CSP_POLICY,
        True,
        _csp,
        "Content-Security-Policy, as a dict or string; None or {} for none.",
    ),
    OptionSpec(
        "content_security_policy_report_uri",
        None,
        True,
        check_report_uri,
        "URI appended as the CSP report-uri directive.",
    ),
    OptionSpec(
        "content_security_policy_report_only",
        False,
        True,
        _report_only,
        "True: send the CSP as Content-Security-Policy-Report-Only. A policy "
        "(dict or str): send it as a report-only policy beside the enforced one.",
    ),
    OptionSpec(
        "content_security_policy_report_only_nonce_in",
        None,
        True,
        check_nonce_in,
        "Directives of the report-only policy that get the request's nonce.",
    ),
    OptionSpec(
        "content_security_policy_nonce_in",
        [],
        True,
        check_nonce_in,
        "CSP directives that get the per-request nonce.",
    ),
    OptionSpec(
        "referrer_policy",
        DEFAULT_REFERRER_POLICY,
        True,
        check_referrer_policy,
        "Referrer-Policy header; None for none.",
    ),
    OptionSpec(
        "session_cookie_secure",
        True,
        False,
        _bool,
        "Set SESSION_COOKIE_SECURE (not in debug mode).",
    ),
    OptionSpec(
        "session_cookie_http_only",
        True,
        False,
        _bool,
        "Set SESSION_COOKIE_HTTPONLY.",
    ),
    OptionSpec(
        "session_cookie_samesite",
        DEFAULT_SESSION_COOKIE_SAMESITE,
        False,
        _samesite,
        "Set SESSION_COOKIE_SAMESITE: 'Strict', 'Lax', 'None' or None.",
    ),
    OptionSpec(
        "x_content_type_options",
        True,
        True,
        _bool,
        "Send X-Content-Type-Options: nosniff.",
    ),
    OptionSpec(
        "x_xss_protection",
        False,
        True,
        check_xss,
        "X-XSS-Protection: True sends '1; mode=block', '0' disables the filter.",
    ),
    OptionSpec(
        "cross_origin_opener_policy",
        None,
        True,
        check_coop,
        "Cross-Origin-Opener-Policy, e.g. 'same-origin'.",
    ),
    OptionSpec(
        "cross_origin_embedder_policy",
        None,
        True,
        check_coep,
        "Cross-Origin-Embedder-Policy, e.g. 'require-corp'.",
    ),
    OptionSpec(
        "cross_origin_resource_policy",
        None,
        True,
        check_corp,
        "Cross-Origin-Resource-Policy, e.g. 'same-origin'.",
    ),
    OptionSpec(
        "origin_agent_cluster",
        None,
        True,
        check_origin_agent_cluster,
        "Origin-Agent-Cluster: True sends ?1.",
    ),
    OptionSpec(
        "x_dns_prefetch_control",
        None,
        True,
        check_dns_prefetch,
        "X-DNS-Prefetch-Control: 'off' or 'on'.",
    ),
    OptionSpec(
        "x_permitted_cross_domain_policies",
        None,
        True,
        check_permitted_cross_domain,
        "X-Permitted-Cross-Domain-Policies, e.g. 'none'.",
    ),
    OptionSpec(
        "cache_control",
        None,
        True,
        check_cache_control,
        "Cache-Control, e.g. 'no-store'.",
    ),
    OptionSpec(
        "clear_site_data",
        None,
        True,
        check_clear_site_data,
        "Clear-Site-Data types, e.g. ['cache', 'cookies', 'storage'].",
    ),
    OptionSpec(
        "integrity_policy",
        None,
        True,
        _policy(compile_integrity_policy),
        "Integrity-Policy, e.g. {'blocked-destinations': ['script']}.",
    ),
    OptionSpec(
        "integrity_policy_report_only",
        None,
        True,
        _policy(compile_integrity_policy),
        "Integrity-Policy-Report-Only, the same syntax as integrity_policy.",
    ),
    OptionSpec(
        "reporting_endpoints",
        None,
        True,
        check_reporting_endpoints,
        "Reporting-Endpoints: {name: URL or /path}.",
    ),
    OptionSpec(
        "content_security_policy_report_to",
        None,
        True,
        check_endpoint_name,
        "Reporting-Endpoints name for the CSP report-to directive.",
    ),
    OptionSpec(
        "cross_origin_opener_policy_report_to",
        None,
        True,
        check_endpoint_name,
        "Reporting-Endpoints name for COOP reports.",
    ),
    OptionSpec(
        "cross_origin_embedder_policy_report_to",
        None,
        True,
        check_endpoint_name,
        "Reporting-Endpoints name for COEP reports.",
    ),
    OptionSpec(
        "permissions_policy_report_to",
        None,
        True,
        check_endpoint_name,
        "Reporting-Endpoints name for Permissions-Policy reports.",
    ),
    OptionSpec(
        "report_receiver",
        None,
        False,
        _receiver_path,
        "Path of the built-in report receiver, e.g. '/talisman/reports'.",
    ),
    OptionSpec(
        "report_receiver_max_bytes",
        65536,
        False,
        _positive_int,
        "Largest report body the receiver accepts (413 beyond).",
    ),
    OptionSpec(
        "report_receiver_rate_limit",
        None,
        False,
        _optional_positive_int,
        "Reports a client may post per minute (429 beyond); None: no limit.",
    ),
    OptionSpec(
        "report_receiver_sample_rate",
        1.0,
        False,
        _sample_rate,
        "Fraction of received reports to signal and log.",
    ),
    OptionSpec(
        "harden_cookies",
        False,
        True,
        _bool,
        "Add Secure (on HTTPS), HttpOnly and SameSite to cookies the app sets.",
    ),
    OptionSpec(
        "harden_cookies_http_only",
        True,
        True,
        _bool,
        "With harden_cookies: add HttpOnly.",
    ),
    OptionSpec(
        "harden_cookies_samesite",
        "Lax",
        True,
        _samesite,
        "With harden_cookies: the SameSite added where a cookie has none.",
    ),
    OptionSpec(
        "harden_cookies_include",
        None,
        True,
        _cookie_names,
        "With harden_cookies: only these cookie names (None: all).",
    ),
    OptionSpec(
        "harden_cookies_exclude",
        None,
        True,
        _cookie_names,
        "With harden_cookies: never these cookie names.",
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
