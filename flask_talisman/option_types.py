"""The options' types, for editors and type checkers.

``Talisman(...)``, ``init_app(...)``, ``@talisman(...)`` and
``@talisman.extend(...)`` take their options as keyword arguments typed by
these :class:`~typing.TypedDict` classes, so an editor completes the names
and ``mypy`` or ``pyright`` catches a typo (``force_http=False``) or a value
of the wrong type (``content_security_policy=42``). Every check still runs
when the options are given: the types say what is accepted, the checks say
what is valid.

:class:`ViewOptions` are the options a view or blueprint can set;
:class:`TalismanOptions` adds the app-wide ones. Each option's default and
documentation are declared beside its check, in the ``OPTIONS`` of the module
that owns it (``flask_talisman/headers/<family>.py``, ``https.py``,
``cookies.py``, ``reports.py``, ``cross_origin_protection.py``); a test keeps
the names here and there the same.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence, Set
from typing import Any, Literal, TypeAlias, TypedDict

__all__ = [
    "CSPPolicy",
    "CSPSources",
    "TalismanOptions",
    "ViewOptions",
]

#: One directive's sources: ``"'self' https://cdn.example"``, a list of
#: sources, a set of them (sent sorted), or ``None`` for none.
CSPSources: TypeAlias = str | Sequence[str] | Set[str] | None
#: A Content-Security-Policy: a dict of directives, or a policy string.
CSPPolicy: TypeAlias = Mapping[str, CSPSources] | str
_Names: TypeAlias = str | Sequence[str] | Set[str] | None
_CookieNames: TypeAlias = str | Sequence[str] | None
_ReportTo: TypeAlias = str | Literal[False] | None
_Preset: TypeAlias = str | Mapping[str, Any] | None


class ViewOptions(TypedDict, total=False):
    """The options a view or a blueprint can set (``@talisman(...)``)."""

    preset: _Preset
    feature_policy: Mapping[str, str | Sequence[str]] | str | None
    permissions_policy: Mapping[str, str | bool | Sequence[str]] | str | None
    permissions_policy_report_only: (
        Mapping[str, str | bool | Sequence[str]] | str | None
    )
    document_policy: Mapping[str, str | bool | int | float] | str | None
    force_https: bool
    force_https_permanent: bool
    force_https_preserve_method: bool
    trust_x_forwarded_proto: bool
    force_file_save: bool
    frame_options: str | None
    frame_options_allow_from: str | None
    strict_transport_security: bool
    strict_transport_security_preload: bool
    strict_transport_security_max_age: int
    strict_transport_security_include_subdomains: bool
    content_security_policy: CSPPolicy | Literal[False] | None
    content_security_policy_report_uri: str | None
    content_security_policy_report_only: bool | CSPPolicy
    content_security_policy_report_only_nonce_in: _Names
    content_security_policy_nonce_in: _Names
    referrer_policy: str | Sequence[str] | None
    x_content_type_options: bool
    x_xss_protection: bool | str
    cross_origin_opener_policy: str | None
    cross_origin_embedder_policy: str | None
    cross_origin_opener_policy_report_only: str | None
    cross_origin_embedder_policy_report_only: str | None
    cross_origin_resource_policy: str | None
    origin_agent_cluster: bool | None
    x_dns_prefetch_control: str | None
    x_permitted_cross_domain_policies: str | None
    cache_control: str | None
    clear_site_data: str | Sequence[str] | None
    x_robots_tag: str | Sequence[str] | None
    integrity_policy: Mapping[str, str | Sequence[str]] | str | None
    integrity_policy_report_only: Mapping[str, str | Sequence[str]] | str | None
    reporting_endpoints: Mapping[str, str] | None
    reporting_sample_rate: float
    content_security_policy_report_to: _ReportTo
    cross_origin_opener_policy_report_to: _ReportTo
    cross_origin_embedder_policy_report_to: _ReportTo
    permissions_policy_report_to: _ReportTo
    harden_cookies: bool
    harden_cookies_http_only: bool
    harden_cookies_samesite: str | None
    harden_cookies_include: _CookieNames
    harden_cookies_exclude: _CookieNames
    cross_origin_protection: bool | Literal["report-only"]
    resource_isolation: bool | Literal["report-only"]
    cross_origin_trusted_origins: str | Sequence[str] | Set[str] | None


class TalismanOptions(ViewOptions, total=False):
    """Every option: those of :class:`ViewOptions` and the app-wide ones."""

    session_cookie_secure: bool
    session_cookie_http_only: bool
    session_cookie_samesite: str | None
    report_receiver: str | None
    report_receiver_max_bytes: int
    report_receiver_rate_limit: int | None
    report_receiver_sample_rate: float
    report_receiver_keep_url_query: bool
    report_receiver_file: str | os.PathLike[str] | None
    report_receiver_file_max_bytes: int | None
