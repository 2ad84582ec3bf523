"""Option names, defaults, validation, and change tracking.

Resolution, most specific last: defaults < ``TALISMAN_*`` config <
``Talisman(...)`` keywords < ``init_app`` keywords < per-view options.
Every value is checked by its option's validator when it is configured.
Dicts and lists are stored as tracked copies, so an in-place edit such as
``talisman.content_security_policy["img-src"] = "*"`` is validated at once
(and rolled back if bad) and invalidates the compiled policies.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, SupportsIndex

from .errors import ConfigurationError, configuring, suggest, type_error
from .headers.cache import check_cache_control, check_clear_site_data
from .headers.cross_origin import (
    check_coep,
    check_coop,
    check_corp,
    check_origin_agent_cluster,
)
from .headers.csp import build_csp, check_nonce_in, check_report_uri
from .headers.frame_options import SAMEORIGIN, check_allow_from, check_frame_options
from .headers.hsts import ONE_YEAR_IN_SECS, check_max_age
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
DEFAULT_REFERRER_POLICY = "strict-origin-when-cross-origin"
DEFAULT_SESSION_COOKIE_SAMESITE = "Lax"

Checker = Callable[[str, Any], Any]


def _bool(option: str, value: object) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise type_error(option, value, "True or False")
    return value


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


def _tuple_to_list(check: Checker) -> Checker:
    def wrapped(option: str, value: Any) -> Any:
        return list(check(option, value))

    return wrapped


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
        _tuple_to_list(check_nonce_in),
        "Directives of the report-only policy that get the request's nonce.",
    ),
    OptionSpec(
        "content_security_policy_nonce_in",
        None,
        True,
        _tuple_to_list(check_nonce_in),
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


def check_value(option: str, value: Any) -> Any:
    """Validate one option's value and return its normalised form."""
    return SPECS[option].check(option, value)


def check_options(
    options: Mapping[str, Any], *, where: str, per_view: bool = False
) -> dict[str, Any]:
    """Validate names and values; return the normalised options."""
    result = {}
    for name, value in options.items():
        check_name(name, where=where, per_view=per_view)
        result[name] = check_value(name, value)
    return result


class _TrackedDict(dict[Any, Any]):
    """A dict that validates and reports every in-place change."""

    __slots__ = ("_listener",)

    def __init__(self, data: Mapping[Any, Any], listener: Callable[[], None]):
        super().__init__()
        self._listener = listener
        for key, value in data.items():
            dict.__setitem__(self, key, _track(value, listener))

    def _change(self, apply: Callable[[], Any]) -> Any:
        before = dict(self)
        result = apply()
        try:
            self._listener()
        except BaseException:
            dict.clear(self)
            dict.update(self, before)
            raise
        return result

    def __setitem__(self, key: Any, value: Any) -> None:
        tracked = _track(value, self._listener)
        self._change(lambda: dict.__setitem__(self, key, tracked))

    def __delitem__(self, key: Any) -> None:
        self._change(lambda: dict.__delitem__(self, key))

    def update(self, *args: Any, **kwargs: Any) -> None:
        incoming = dict(*args, **kwargs)
        tracked = {k: _track(v, self._listener) for k, v in incoming.items()}
        self._change(lambda: dict.update(self, tracked))

    def __ior__(self, other: Any) -> _TrackedDict:  # type: ignore[misc]
        self.update(other)
        return self

    def setdefault(self, key: Any, default: Any = None) -> Any:
        if key in self:
            return self[key]
        self[key] = default
        return self[key]

    def pop(self, key: Any, *default: Any) -> Any:
        if key not in self and default:
            return default[0]
        return self._change(lambda: dict.pop(self, key))

    def popitem(self) -> tuple[Any, Any]:
        item: tuple[Any, Any] = self._change(lambda: dict.popitem(self))
        return item

    def clear(self) -> None:
        self._change(lambda: dict.clear(self))

    def __reduce__(self) -> Any:
        return (dict, (dict(self),))


class _TrackedList(list[Any]):
    """A list that validates and reports every in-place change."""

    __slots__ = ("_listener",)

    def __init__(self, data: Iterable[Any], listener: Callable[[], None]):
        super().__init__(data)
        self._listener = listener

    def _change(self, apply: Callable[[], Any]) -> Any:
        before = list(self)
        result = apply()
        try:
            self._listener()
        except BaseException:
            list.__init__(self, before)
            raise
        return result

    def __setitem__(self, index: Any, value: Any) -> None:
        self._change(lambda: list.__setitem__(self, index, value))

    def __delitem__(self, index: Any) -> None:
        self._change(lambda: list.__delitem__(self, index))

    def __iadd__(self, other: Iterable[Any]) -> _TrackedList:  # type: ignore[misc]
        self.extend(other)
        return self

    def __imul__(self, count: SupportsIndex) -> _TrackedList:
        self._change(lambda: list.__imul__(self, count))
        return self

    def append(self, value: Any) -> None:
        self._change(lambda: list.append(self, value))

    def extend(self, values: Iterable[Any]) -> None:
        items = list(values)
        self._change(lambda: list.extend(self, items))

    def insert(self, index: SupportsIndex, value: Any) -> None:
        self._change(lambda: list.insert(self, index, value))

    def remove(self, value: Any) -> None:
        self._change(lambda: list.remove(self, value))

    def pop(self, index: SupportsIndex = -1) -> Any:
        return self._change(lambda: list.pop(self, index))

    def clear(self) -> None:
        self._change(lambda: list.clear(self))

    def sort(self, *args: Any, **kwargs: Any) -> None:
        self._change(lambda: list.sort(self, *args, **kwargs))

    def reverse(self) -> None:
        self._change(lambda: list.reverse(self))

    def __reduce__(self) -> Any:
        return (list, (list(self),))


def _track(value: Any, listener: Callable[[], None]) -> Any:
    if isinstance(value, Mapping):
        return _TrackedDict(value, listener)
    if isinstance(value, list):
        return _TrackedList(value, listener)
    return value


def untrack(value: Any) -> Any:
    """Return a plain deep copy of a (possibly tracked) option value."""
    if isinstance(value, Mapping):
        return {k: untrack(v) for k, v in value.items()}
    if isinstance(value, list):
        return [untrack(v) for v in value]
    return value


class OptionStore:
    """The resolved options of one app (or of an extension before init_app).

    ``on_change(name)`` is called after every accepted change, whether made by
    :meth:`set` or by editing a stored dict or list in place.
    """

    def __init__(
        self, values: Mapping[str, Any], on_change: Callable[[str], None]
    ) -> None:
        self._on_change = on_change
        self.values: dict[str, Any] = {}
        for name, value in values.items():
            self.values[name] = _track(untrack(value), self._listener(name))

    def _listener(self, name: str) -> Callable[[], None]:
        def changed() -> None:
            with configuring():
                check_value(name, self.values[name])
                self._on_change(name)

        return changed

    def set(self, name: str, value: Any) -> None:
        """Validate and store one option; on any error nothing changes."""
        check_name(name, where=f"Talisman.{name}")
        with configuring():
            checked = check_value(name, value)
            previous = self.values[name]
            self.values[name] = _track(untrack(checked), self._listener(name))
            try:
                self._on_change(name)
            except BaseException:
                self.values[name] = previous
                raise


def defaults() -> dict[str, Any]:
    """A fresh copy of every option's default."""
    return {
        name: spec.check(name, untrack(spec.default)) for name, spec in SPECS.items()
    }


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
