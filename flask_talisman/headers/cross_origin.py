"""Cross-origin isolation: COOP, COEP, CORP and Origin-Agent-Cluster.

COOP and COEP each have a report-only variant
(``Cross-Origin-Opener-Policy-Report-Only``,
``Cross-Origin-Embedder-Policy-Report-Only``): the same values, reported
instead of enforced. The HTML standard queues COOP and COEP reports only for
the endpoint named in the header's ``report-to`` parameter; without one,
nothing reaches a server (COOP reports nowhere at all, COEP only to the
page's own ``ReportingObserver``). So a report-only header names the
endpoint of its enforcing sibling's ``*_report_to`` option, or the built-in
receiver's ``default`` endpoint when that option is unset.
"""

from __future__ import annotations

from ..errors import ConfigurationError
from .base import Header, Option, Resolved, header
from .reporting import check_endpoint_name
from .tokens import one_of

__all__ = [
    "OPTIONS",
    "check_coep",
    "check_coop",
    "check_corp",
    "check_origin_agent_cluster",
    "headers",
]

COOP_VALUES = (
    "same-origin",
    "same-origin-allow-popups",
    "noopener-allow-popups",
    "unsafe-none",
)
COEP_VALUES = ("require-corp", "credentialless", "unsafe-none")
CORP_VALUES = ("same-origin", "same-site", "cross-origin")


def check_coop(option: str, value: object) -> str | None:
    """Cross-Origin-Opener-Policy."""
    return one_of(option, value, COOP_VALUES)


def check_coep(option: str, value: object) -> str | None:
    """Cross-Origin-Embedder-Policy."""
    return one_of(option, value, COEP_VALUES)


def check_corp(option: str, value: object) -> str | None:
    """Cross-Origin-Resource-Policy."""
    return one_of(option, value, CORP_VALUES)


def check_origin_agent_cluster(option: str, value: object) -> str | None:
    """Origin-Agent-Cluster: ``True`` sends ``?1``; ``"?0"`` opts out."""
    if value is None or value is False:
        return None
    if value is True or value == "?1":
        return "?1"
    if value == "?0":
        return "?0"
    raise ConfigurationError(
        f"{option}: {value!r} is not valid. Use True (sends ?1), '?0', or None "
        "for no header."
    )


def _with_report_to(
    o: Resolved, value: str | None, report_to: str | bool | None
) -> str | None:
    if value is None or not report_to or not o.reporting:
        return value
    return f'{value}; report-to="{report_to}"'


def _report_only(o: Resolved, option: str, report_to_option: str) -> str | None:
    """A report-only COOP or COEP value, with the endpoint it reports to.

    The endpoint is the one ``report_to_option`` names, else the built-in
    receiver's ``default``; ``False`` names none. Without an endpoint the
    header can report to no server, which is worth a warning.
    """
    value: str | None = o[option]
    report_to = o[report_to_option]
    if report_to is None and o["report_receiver"] is not None:
        report_to = "default"
    if value is not None and not report_to and o.reporting:
        name, observed = _REPORT_ONLY[option]
        o.warn(
            f"{option}: {name} {value!r} names no report-to endpoint, and the "
            "HTML standard sends its reports only to the endpoint the header "
            f"names, so no server receives any ({observed}); a report-only "
            f"policy enforces nothing. Set {report_to_option} to an endpoint "
            "of reporting_endpoints, or turn on report_receiver."
        )
    return _with_report_to(o, value, report_to)


#: Each report-only option: its header, and where its reports go without
#: a report-to endpoint.
_REPORT_ONLY = {
    "cross_origin_opener_policy_report_only": (
        "Cross-Origin-Opener-Policy-Report-Only",
        "COOP reports are not even shown to the page's ReportingObserver",
    ),
    "cross_origin_embedder_policy_report_only": (
        "Cross-Origin-Embedder-Policy-Report-Only",
        "only the page's own ReportingObserver sees COEP reports",
    ),
}


def headers(o: Resolved) -> list[Header]:
    """COOP and COEP (each with its report-to), their report-only variants,
    CORP and Origin-Agent-Cluster."""
    return [
        *header(
            "Cross-Origin-Opener-Policy",
            _with_report_to(
                o,
                o["cross_origin_opener_policy"],
                o["cross_origin_opener_policy_report_to"],
            ),
        ),
        *header(
            "Cross-Origin-Embedder-Policy",
            _with_report_to(
                o,
                o["cross_origin_embedder_policy"],
                o["cross_origin_embedder_policy_report_to"],
            ),
        ),
        *header(
            "Cross-Origin-Opener-Policy-Report-Only",
            _report_only(
                o,
                "cross_origin_opener_policy_report_only",
                "cross_origin_opener_policy_report_to",
            ),
        ),
        *header(
            "Cross-Origin-Embedder-Policy-Report-Only",
            _report_only(
                o,
                "cross_origin_embedder_policy_report_only",
                "cross_origin_embedder_policy_report_to",
            ),
        ),
        *header("Cross-Origin-Resource-Policy", o["cross_origin_resource_policy"]),
        *header("Origin-Agent-Cluster", o["origin_agent_cluster"]),
    ]


OPTIONS = (
    Option(
        "cross_origin_opener_policy",
        None,
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
    Option(
        "cross_origin_embedder_policy",
        None,
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
    Option(
        "cross_origin_opener_policy_report_only",
        None,
        check_coop,
        "Cross-Origin-Opener-Policy-Report-Only: a COOP reported, not enforced.",
        header="Cross-Origin-Opener-Policy-Report-Only",
        example='"same-origin"',
        section="Cross-origin isolation",
        details=(
            "``Cross-Origin-Opener-Policy-Report-Only``: the values of "
            ":topt:`cross_origin_opener_policy`, checked the same way. Browsers "
            "that support it (Chromium) report the windows the policy would have "
            "separated, and separate none. It reports to the endpoint "
            ":topt:`cross_origin_opener_policy_report_to` names, or to the "
            "``default`` endpoint of :topt:`report_receiver` when that option is "
            'unset (sent as ``; report-to="default"``). The HTML standard sends '
            "COOP reports only to an endpoint the header names, so without one "
            "the header reports nowhere and does nothing; Talisman warns."
        ),
    ),
    Option(
        "cross_origin_embedder_policy_report_only",
        None,
        check_coep,
        "Cross-Origin-Embedder-Policy-Report-Only: a COEP reported, not enforced.",
        header="Cross-Origin-Embedder-Policy-Report-Only",
        example='"require-corp"',
        section="Cross-origin isolation",
        details=(
            "``Cross-Origin-Embedder-Policy-Report-Only``: the values of "
            ":topt:`cross_origin_embedder_policy`, checked the same way. Browsers "
            "that support it report each cross-origin resource that the policy "
            "would have blocked, and load it. It reports to the endpoint "
            ":topt:`cross_origin_embedder_policy_report_to` names, or to the "
            "``default`` endpoint of :topt:`report_receiver` when that option is "
            "unset. Without an endpoint only the page's own ``ReportingObserver`` "
            "sees the reports; Talisman warns. Browsers ignore ``unsafe-none`` "
            "here."
        ),
    ),
    Option(
        "cross_origin_resource_policy",
        None,
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
    Option(
        "origin_agent_cluster",
        None,
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
    Option(
        "cross_origin_opener_policy_report_to",
        None,
        check_endpoint_name,
        "Reporting-Endpoints name for COOP reports.",
        kept_by_presets=True,
        header="Cross-Origin-Opener-Policy, Cross-Origin-Opener-Policy-Report-Only",
        example='"coop"',
        section="Reporting",
        details=(
            "An endpoint name added to ``Cross-Origin-Opener-Policy`` as ``; "
            'report-to="<name>"``. ``None`` or ``False`` adds none. Has no effect '
            "while :topt:`cross_origin_opener_policy` is ``None``."
        ),
    ),
    Option(
        "cross_origin_embedder_policy_report_to",
        None,
        check_endpoint_name,
        "Reporting-Endpoints name for COEP reports.",
        kept_by_presets=True,
        header=(
            "Cross-Origin-Embedder-Policy, Cross-Origin-Embedder-Policy-Report-Only"
        ),
        example='"coep"',
        section="Reporting",
        details=(
            "An endpoint name added to ``Cross-Origin-Embedder-Policy`` as ``; "
            'report-to="<name>"``, the same as '
            ":topt:`cross_origin_opener_policy_report_to` does for "
            "``Cross-Origin-Opener-Policy``, and to "
            "``Cross-Origin-Embedder-Policy-Report-Only``. ``None`` or ``False`` "
            "adds none (``None`` still lets the report-only header report to "
            ":topt:`report_receiver`). Has no effect while "
            ":topt:`cross_origin_embedder_policy` and "
            ":topt:`cross_origin_embedder_policy_report_only` are ``None``."
        ),
    ),
)
