"""The compiled policy: every header value, computed once.

:func:`compile_policy` turns fully resolved options into a
:class:`CompiledPolicy`. Per request the extension only picks the header set
for the request's scheme, sets the static pairs, and joins each templated
value with the nonce. Nothing here runs per request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import ConfigurationError
from .headers.csp import compile_csp, parse_directives
from .headers.frame_options import compile_frame_options
from .headers.hsts import compile_hsts
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


@dataclass(frozen=True, slots=True)
class CompiledPolicy:
    """Everything the per-request hooks need, precomputed."""

    force_https: bool
    redirect_code: int
    trust_x_forwarded_proto: bool
    uses_nonce: bool
    secure: HeaderSet
    insecure: HeaderSet


def _has_report_directive(policy: object) -> bool:
    if policy is None or policy is False or policy == "" or policy == {}:
        return False
    names = {name.lower() for name, _ in parse_directives("", policy)}
    return bool(names & {"report-uri", "report-to"})


def _header_set(
    pairs: list[tuple[str, str]], templated: list[tuple[str, tuple[str, ...]]]
) -> HeaderSet:
    names = frozenset(name.lower() for name, _ in [*pairs, *templated])
    return HeaderSet(tuple(pairs), tuple(templated), names)


def compile_policy(options: Mapping[str, Any]) -> CompiledPolicy:
    """Compile fully resolved options; raise on inconsistent combinations."""
    pairs: list[tuple[str, str]] = []
    templated: list[tuple[str, tuple[str, ...]]] = []

    def add(name: str, value: str | None) -> None:
        if value is not None:
            pairs.append((name, value))

    add(
        "Feature-Policy",
        compile_feature_policy("feature_policy", options["feature_policy"]),
    )
    add(
        "Permissions-Policy",
        compile_permissions_policy("permissions_policy", options["permissions_policy"]),
    )
    add(
        "Document-Policy",
        compile_document_policy("document_policy", options["document_policy"]),
    )
    add(
        "X-Frame-Options",
        compile_frame_options(
            options["frame_options"], options["frame_options_allow_from"]
        ),
    )
    if options["x_xss_protection"]:
        add("X-XSS-Protection", "1; mode=block")
    if options["x_content_type_options"]:
        add("X-Content-Type-Options", "nosniff")
    if options["force_file_save"]:
        add("X-Download-Options", "noopen")

    policy = options["content_security_policy"]
    report_uri = options["content_security_policy_report_uri"]
    report_only = options["content_security_policy_report_only"]
    if report_only and report_uri is None and not _has_report_directive(policy):
        raise ConfigurationError(
            "content_security_policy_report_only: setting it to True also "
            "requires a URI in content_security_policy_report_uri (or a "
            "report-uri / report-to directive in the policy), or the browser "
            "has nowhere to send reports."
        )
    csp = compile_csp(
        policy,
        nonce_in=options["content_security_policy_nonce_in"] or (),
        report_uri=report_uri,
    )
    uses_nonce = False
    if csp is not None:
        name = "Content-Security-Policy" + ("-Report-Only" if report_only else "")
        if len(csp) == 1:
            pairs.append((name, csp[0]))
        else:
            uses_nonce = True
            templated.append((name, csp))

    referrer = options["referrer_policy"]
    add("Referrer-Policy", referrer)

    insecure = _header_set(pairs, templated)
    hsts = compile_hsts(
        options["strict_transport_security"],
        options["strict_transport_security_max_age"],
        options["strict_transport_security_include_subdomains"],
        options["strict_transport_security_preload"],
    )
    secure = insecure
    if hsts is not None:
        secure = _header_set([*pairs, ("Strict-Transport-Security", hsts)], templated)

    permanent = options["force_https_permanent"]
    if options["force_https_preserve_method"]:
        code = 308 if permanent else 307
    else:
        code = 301 if permanent else 302
    return CompiledPolicy(
        force_https=options["force_https"],
        redirect_code=code,
        trust_x_forwarded_proto=options["trust_x_forwarded_proto"],
        uses_nonce=uses_nonce,
        secure=secure,
        insecure=insecure,
    )
