"""Small fixed-value headers: X-XSS-Protection, X-Content-Type-Options,
X-Download-Options, X-DNS-Prefetch-Control, X-Permitted-Cross-Domain-Policies."""

from __future__ import annotations

from ..errors import ConfigurationError
from .base import Header, Option, Resolved, flag, header
from .tokens import one_of

__all__ = [
    "OPTIONS",
    "check_dns_prefetch",
    "check_permitted_cross_domain",
    "check_xss",
    "headers",
]

CROSS_DOMAIN_VALUES = (
    "none",
    "master-only",
    "by-content-type",
    "by-ftp-filename",
    "all",
    "none-this-response",
)


def check_xss(option: str, value: object) -> str | bool:
    """X-XSS-Protection.

    ``True`` sends ``1; mode=block`` as flask-talisman 1.1.0 did; ``"0"``
    turns the obsolete filter off explicitly, which is what current advice
    (and helmet) recommends.
    """
    # flask-talisman 1.1.0 reads the option by truth value: 0 sends nothing
    # and 1 sends '1; mode=block'. Only the str '0' sends 'X-XSS-Protection: 0'.
    if value is None or value is False or (type(value) is int and value == 0):
        return False  # as flask-talisman 1.1.0 stored it
    if value is True or (type(value) is int and value == 1):
        return "1; mode=block"
    if value == "1; mode=block":
        return "1; mode=block"
    if value == "0":
        return "0"
    raise ConfigurationError(
        f"{option}: {value!r} is not valid. Use '0' (recommended: disables the "
        "obsolete filter), True for '1; mode=block', or False for no header."
    )


def check_dns_prefetch(option: str, value: object) -> str | None:
    """X-DNS-Prefetch-Control: ``"off"`` or ``"on"``."""
    return one_of(option, value, ("off", "on"))


def check_permitted_cross_domain(option: str, value: object) -> str | None:
    """X-Permitted-Cross-Domain-Policies (Adobe cross-domain policy files)."""
    return one_of(option, value, CROSS_DOMAIN_VALUES)


def headers(o: Resolved) -> list[Header]:
    """The five small headers, each from its own option."""
    return [
        *header("X-XSS-Protection", o["x_xss_protection"] or None),
        *header(
            "X-Content-Type-Options", "nosniff" if o["x_content_type_options"] else None
        ),
        *header("X-Download-Options", "noopen" if o["force_file_save"] else None),
        *header("X-DNS-Prefetch-Control", o["x_dns_prefetch_control"]),
        *header(
            "X-Permitted-Cross-Domain-Policies",
            o["x_permitted_cross_domain_policies"],
        ),
    ]


OPTIONS = (
    Option(
        "force_file_save",
        False,
        flag,
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
    Option(
        "x_content_type_options",
        True,
        flag,
        "Send X-Content-Type-Options: nosniff.",
        header="X-Content-Type-Options",
        example="False",
        section="Other headers",
        details=(
            "Send ``X-Content-Type-Options: nosniff``, which stops browsers from "
            "guessing a response's type from its content (the Fetch standard): "
            "Chromium, Firefox and WebKit refuse a script served as "
            "``text/plain`` with it and run the same script without it "
            "(``tests/browser/test_doc_claims.py``)."
        ),
    ),
    Option(
        "x_xss_protection",
        False,
        check_xss,
        "X-XSS-Protection: True sends '1; mode=block', '0' disables the filter.",
        header="X-XSS-Protection",
        example='"0"',
        section="Other headers",
        details=(
            '``X-XSS-Protection``. The string ``"0"`` sends ``0``, which turns off '
            "the filter that older browsers ran; Chromium, Firefox and WebKit have "
            "none (each runs a reflected script under ``1; mode=block``: "
            "``tests/browser/test_doc_claims.py``), and the old filter could be "
            'abused, so ``"0"`` is the value to send if '
            'any. ``True``, ``1`` or ``"1; mode=block"`` sends ``1; mode=block``, '
            "as flask-talisman 1.1.0 did. ``False``, ``0`` or ``None`` sends "
            "nothing (1.1.0 read the option by truth value). Other values are "
            "refused."
        ),
    ),
    Option(
        "x_dns_prefetch_control",
        None,
        check_dns_prefetch,
        "X-DNS-Prefetch-Control: 'off' or 'on'.",
        header="X-DNS-Prefetch-Control",
        example='"off"',
        section="More headers",
        details=(
            '``X-DNS-Prefetch-Control``, a non-standard hint (MDN): ``"off"`` '
            "asks browsers not to resolve the host names of links ahead of time; "
            '``"on"`` allows it. Not measured by the browser suite: a page '
            "cannot see DNS lookups."
        ),
    ),
    Option(
        "x_permitted_cross_domain_policies",
        None,
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
)
