"""The compiled policy: every header value, computed once.

:func:`compile_policy` turns fully resolved options into a
:class:`CompiledPolicy`. Per request the extension only picks the header set
for the request's scheme, sets the static pairs, and joins each templated
value with the nonce. Nothing here runs per request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .cookies import CookieHardening, cookie_hardening
from .errors import ConfigurationError, configuring, warn
from .headers.csp import Directives, build_csp, render_csp
from .headers.frame_options import compile_frame_options
from .headers.hsts import compile_hsts
from .headers.integrity import compile_integrity_policy
from .headers.reporting import ORIGIN_SLOT, compile_reporting_endpoints
from .headers.structured import (
    compile_document_policy,
    compile_feature_policy,
    compile_permissions_policy,
)

__all__ = ["CompiledPolicy", "HeaderSet", "compile_policy"]

Pairs = tuple[tuple[str, str], ...]
Templates = tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True, slots=True)
class HeaderSet:
    """Headers for one kind of request (secure or plain HTTP).

    ``static`` pairs are set as they are; each ``templated`` value is a tuple
    of parts joined with the request's nonce.
    """

    static: Pairs
    templated: Templates
    #: Lower-cased names of every header in this set.
    names: frozenset[str]
    #: Whether this set is for HTTPS requests.
    secure: bool = False
    #: Flags to add to the response's cookies, if any.
    cookies: CookieHardening | None = None
    #: Values to join with the request's root URL (``https://host``).
    origin_templated: Templates = ()
    #: This set without reporting, for a response whose origin cannot be
    #: named (its Host was refused): no report-to group without its endpoint.
    no_origin: HeaderSet | None = None


@dataclass(frozen=True, slots=True)
class CompiledPolicy:
    """Everything the per-request hooks need, precomputed."""

    force_https: bool
    redirect_code: int
    trust_x_forwarded_proto: bool
    uses_nonce: bool
    secure: HeaderSet
    insecure: HeaderSet


_WIRE_SAFE = re.compile(r"[\x20-\x7e]*\Z")


def _header_set(
    pairs: list[tuple[str, str]],
    templated: list[tuple[str, tuple[str, ...]]],
    secure: bool,
    cookies: CookieHardening | None,
    origin_templated: list[tuple[str, tuple[str, ...]]],
    no_origin: HeaderSet | None = None,
) -> HeaderSet:
    # The one place every value passes before it can reach a response: the
    # per-request path appends these without re-checking them.
    joined = ((n, "".join(parts)) for n, parts in [*templated, *origin_templated])
    for name, value in [*pairs, *joined]:
        if not _WIRE_SAFE.match(value):  # pragma: no cover - validators refuse first
            raise ConfigurationError(f"{name}: refusing to send {value!r}.")
    names = frozenset(
        name.lower() for name, _ in [*pairs, *templated, *origin_templated]
    )
    return HeaderSet(
        tuple(pairs),
        tuple(templated),
        names,
        secure,
        cookies,
        tuple(origin_templated),
        no_origin,
    )


def _with_report_to(value: str | None, report_to: str | None) -> str | None:
    if value is None or not report_to:
        return value
    return f'{value}; report-to="{report_to}"'


def _add_csp(
    name: str,
    parts: tuple[str, ...] | None,
    pairs: list[tuple[str, str]],
    templated: list[tuple[str, tuple[str, ...]]],
) -> None:
    if parts is None:
        return
    if len(parts) == 1:
        pairs.append((name, parts[0]))
    else:
        templated.append((name, parts))


def compile_policy(
    options: Mapping[str, Any], *, with_reporting: bool = True
) -> CompiledPolicy:
    """Compile fully resolved options; raise on inconsistent combinations.

    ``with_reporting=False`` leaves out every report-to group and the
    Reporting-Endpoints header (``report-uri`` stays).
    """
    pairs: list[tuple[str, str]] = []

    def add(name: str, value: str | None) -> None:
        if value is not None:
            pairs.append((name, value))

    add(
        "Feature-Policy",
        compile_feature_policy("feature_policy", options["feature_policy"]),
    )
    receiver = options["report_receiver"]
    report_to = options["content_security_policy_report_to"]
    extra_endpoints: dict[str, str] = {}
    if receiver is not None:
        # The built-in receiver takes every report nobody else was told to.
        extra_endpoints["default"] = receiver
        if report_to is None:
            report_to = "default"
    if report_to is False or not with_reporting:
        # Chromium ignores report-uri when a policy has report-to: False
        # keeps report-to out so that report-uri is used.
        report_to = None
    if not with_reporting:
        extra_endpoints = {}
    add(
        "Permissions-Policy",
        compile_permissions_policy(
            "permissions_policy",
            options["permissions_policy"],
            options["permissions_policy_report_to"],
            reporting=with_reporting,
        ),
    )
    add(
        "Document-Policy",
        compile_document_policy(
            "document_policy", options["document_policy"], reporting=with_reporting
        ),
    )
    frame_options_at = len(pairs)
    add("X-XSS-Protection", options["x_xss_protection"] or None)
    if options["x_content_type_options"]:
        add("X-Content-Type-Options", "nosniff")
    if options["force_file_save"]:
        add("X-Download-Options", "noopen")
    add("Referrer-Policy", options["referrer_policy"])
    add(
        "Cross-Origin-Opener-Policy",
        _with_report_to(
            options["cross_origin_opener_policy"],
            options["cross_origin_opener_policy_report_to"] if with_reporting else None,
        ),
    )
    add(
        "Cross-Origin-Embedder-Policy",
        _with_report_to(
            options["cross_origin_embedder_policy"],
            options["cross_origin_embedder_policy_report_to"]
            if with_reporting
            else None,
        ),
    )
    add("Cross-Origin-Resource-Policy", options["cross_origin_resource_policy"])
    add("Origin-Agent-Cluster", options["origin_agent_cluster"])
    add("X-DNS-Prefetch-Control", options["x_dns_prefetch_control"])
    add(
        "X-Permitted-Cross-Domain-Policies",
        options["x_permitted_cross_domain_policies"],
    )
    add("Cache-Control", options["cache_control"])
    add("Clear-Site-Data", options["clear_site_data"])
    add(
        "Integrity-Policy",
        compile_integrity_policy(
            "integrity_policy", options["integrity_policy"], reporting=with_reporting
        ),
    )
    add(
        "Integrity-Policy-Report-Only",
        compile_integrity_policy(
            "integrity_policy_report_only",
            options["integrity_policy_report_only"],
            reporting=with_reporting,
        ),
    )

    origin_templated: list[tuple[str, tuple[str, ...]]] = []
    endpoints = compile_reporting_endpoints(
        "reporting_endpoints",
        options["reporting_endpoints"] if with_reporting else None,
        extra_endpoints,
    )
    if endpoints is not None:
        if ORIGIN_SLOT in endpoints:
            origin_templated.append(
                ("Reporting-Endpoints", tuple(endpoints.split(ORIGIN_SLOT)))
            )
        else:
            pairs.append(("Reporting-Endpoints", endpoints))

    report_uri = options["content_security_policy_report_uri"]
    if report_uri is None and receiver is not None:
        report_uri = receiver
    report_only = options["content_security_policy_report_only"]
    reporting = {"report_uri": report_uri, "report_to": report_to}
    # (header name, directives) for each CSP header to send.
    policies: list[tuple[str, Directives]] = []
    if report_only is True:
        # flask-talisman 1.1.0: the one policy is sent as report-only.
        directives = build_csp(
            options["content_security_policy"],
            nonce_in=options["content_security_policy_nonce_in"] or (),
            **reporting,
        )
        names = {name.lower() for name, _ in directives}
        if (
            with_reporting  # checked once, with reporting
            and report_uri is None
            and report_to is None
            and not names & {"report-uri", "report-to"}
        ):
            raise ConfigurationError(
                "content_security_policy_report_only: setting it to True also "
                "requires a URI in content_security_policy_report_uri (or a "
                "report-uri / report-to directive in the policy), or the "
                "browser has nowhere to send reports.",
                options=(
                    "content_security_policy_report_only",
                    "content_security_policy_report_uri",
                    "content_security_policy",
                ),
            )
        if options["content_security_policy_report_only_nonce_in"]:
            warn(
                "content_security_policy_report_only_nonce_in: with "
                "content_security_policy_report_only=True the one policy is "
                "sent as report-only and takes its nonces from "
                "content_security_policy_nonce_in; this option is ignored."
            )
        policies.append(("Content-Security-Policy-Report-Only", directives))
    else:
        policies.append(
            (
                "Content-Security-Policy",
                build_csp(
                    options["content_security_policy"],
                    nonce_in=options["content_security_policy_nonce_in"] or (),
                    **reporting,
                ),
            )
        )
        # Without report-uri / report-to, violations of a report-only policy
        # still show in the browser console, which is how it is used while
        # developing (and how the strict preset ships it).
        if report_only is not False:
            policies.append(
                (
                    "Content-Security-Policy-Report-Only",
                    build_csp(
                        report_only,
                        option="content_security_policy_report_only",
                        nonce_in=(
                            options["content_security_policy_report_only_nonce_in"]
                            or ()
                        ),
                        **reporting,
                    ),
                )
            )

    # The enforced policy: does it already say who may frame the page?
    enforced = [d for name, d in policies if name == "Content-Security-Policy"]
    frame_options = compile_frame_options(
        options["frame_options"],
        options["frame_options_allow_from"],
        csp_frame_ancestors=any(
            name.lower() == "frame-ancestors" for d in enforced for name, _ in d
        ),
    )
    if frame_options is not None:
        pairs.insert(frame_options_at, ("X-Frame-Options", frame_options))

    hsts = compile_hsts(
        options["strict_transport_security"],
        options["strict_transport_security_max_age"],
        options["strict_transport_security_include_subdomains"],
        options["strict_transport_security_preload"],
    )
    secure_pairs = list(pairs)
    secure_templated: list[tuple[str, tuple[str, ...]]] = []
    plain_pairs = list(pairs)
    plain_templated: list[tuple[str, tuple[str, ...]]] = []
    for name, directives in policies:
        _add_csp(
            name,
            render_csp(directives, drop=() if with_reporting else ("report-to",)),
            secure_pairs,
            secure_templated,
        )
        # upgrade-insecure-requests on a page served over plain HTTP (local
        # development) would send its subresources to an HTTPS port that is
        # not there, so it is left out of responses to plain-HTTP requests.
        # So is report-to: Chromium delivers no Reporting API reports from
        # plain-HTTP pages, and ignores report-uri in a policy with report-to.
        _add_csp(
            name,
            render_csp(directives, drop=("upgrade-insecure-requests", "report-to")),
            plain_pairs,
            plain_templated,
        )
    if hsts is not None:
        secure_pairs.append(("Strict-Transport-Security", hsts))

    cookies = cookie_hardening(options)
    permanent = options["force_https_permanent"]
    if options["force_https_preserve_method"]:
        code = 308 if permanent else 307
    else:
        code = 301 if permanent else 302
    without = None
    if origin_templated:
        with configuring(quiet=True):
            without = compile_policy(options, with_reporting=False)
    return CompiledPolicy(
        force_https=options["force_https"],
        redirect_code=code,
        trust_x_forwarded_proto=options["trust_x_forwarded_proto"],
        uses_nonce=bool(secure_templated or plain_templated),
        secure=_header_set(
            secure_pairs,
            secure_templated,
            True,
            cookies,
            origin_templated,
            without.secure if without else None,
        ),
        insecure=_header_set(
            plain_pairs,
            plain_templated,
            False,
            cookies,
            origin_templated,
            without.insecure if without else None,
        ),
    )
