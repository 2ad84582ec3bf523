"""The compiled policy: every header value, computed once.

:func:`compile_policy` turns fully resolved options (normal forms) into a
:class:`CompiledPolicy`: each header module in :data:`~.headers.MODULES`
order contributes its headers. Per request the extension only picks the
header set for the request's scheme, sets the static pairs, and joins each
templated value with the nonce or the origin. Nothing here runs per request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from .caching import SHARED_CACHING
from .cookies import CookieHardening, cookie_hardening
from .cross_origin_protection import CrossOriginCheck, compile_check, vary
from .errors import ConfigurationError
from .headers import MODULES
from .headers.base import NONCE_SLOT, ORIGIN_SLOT, ROOT_SLOT, Resolved
from .https import redirect_code

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
    #: This set with no nonce, for a page that does not use its nonce but is
    #: allowed by hashes, or replayed by a server-side cache (caching.py).
    without_nonce: HeaderSet | None = None
    #: :attr:`names` and the headers that decide shared caching: a response
    #: with none of these gets ``Cache-Control: private`` in the same pass.
    #: ``None`` when this set sends one of them itself (``cache_control``).
    private_names: frozenset[str] | None = None
    #: Values naming a path of the app (the receiver's ``report-uri``), with
    #: :data:`ROOT_SLOT` where the mount path goes: for a request to an app
    #: mounted under a path, these replace the pairs of the same name, which
    #: assume none (:func:`mounted`).
    rooted: Pairs = ()
    #: Names added to the response's ``Vary`` (kept with the app's own):
    #: the request headers that enforced resource isolation answers by.
    #: ``static`` ends with ``("Vary", vary)`` then, and ``names`` holds
    #: ``"vary"``: appended with the rest when the response has none of
    #: them, merged into the response's own ``Vary`` when it has one.
    vary: str = ""
    #: The fraction of responses that get this set (reporting_sample_rate);
    #: the others get :attr:`unsampled`, which asks for no reports.
    sample_rate: float = 1.0
    #: This set without any reporting, or ``None`` when every response
    #: reports (a sample rate of 1).
    unsampled: HeaderSet | None = None


@dataclass(frozen=True, slots=True)
class CompiledPolicy:
    """Everything the per-request hooks need, precomputed."""

    force_https: bool
    redirect_code: int
    trust_x_forwarded_proto: bool
    uses_nonce: bool
    secure: HeaderSet
    insecure: HeaderSet
    #: Warnings about the combination of options, for the extension to show.
    warnings: tuple[str, ...] = ()
    #: The cross-origin request checks, or ``None`` when both are off
    #: (cross_origin_protection.py).
    cross_origin: CrossOriginCheck | None = None


_WIRE_SAFE = re.compile(r"[\x20-\x7e]*\Z")


def _header_set(
    pairs: list[tuple[str, str]],
    secure: bool,
    cookies: CookieHardening | None,
    no_origin: HeaderSet | None,
    without_nonce: HeaderSet | None,
    varied: str = "",
) -> HeaderSet:
    # The one place every value passes before it can reach a response: the
    # per-request path sets these without checking them again.
    static, templated, origin_templated, rooted = [], [], [], []
    for name, value in pairs:
        if not _WIRE_SAFE.match(
            value.replace(NONCE_SLOT, "")
            .replace(ORIGIN_SLOT, "")
            .replace(ROOT_SLOT, "")
        ):
            raise ConfigurationError(  # pragma: no cover - the checks refuse first
                f"{name}: refusing to send {value!r}."
            )
        if ROOT_SLOT in value:
            rooted.append((name, value))
            value = value.replace(ROOT_SLOT, "")
        if NONCE_SLOT in value:
            templated.append((name, tuple(value.split(NONCE_SLOT))))
        elif ORIGIN_SLOT in value:
            origin_templated.append((name, tuple(value.split(ORIGIN_SLOT))))
        else:
            static.append((name, value))
    if varied:
        # Compiled with the other pairs: a response with none of their names
        # (the usual case) gets Vary in the same append; one that has a Vary
        # of its own gets these names merged into it (the after hook).
        static.append(("Vary", varied))
    names = frozenset(name.lower() for name, _ in (*pairs, *static))
    return HeaderSet(
        tuple(static),
        tuple(templated),
        names,
        secure,
        cookies,
        tuple(origin_templated),
        no_origin,
        without_nonce,
        None if names & SHARED_CACHING else names | SHARED_CACHING,
        tuple(rooted),
        varied,
    )


def _sent(headers: HeaderSet) -> tuple[Pairs, Templates, Templates, Pairs]:
    return headers.static, headers.templated, headers.origin_templated, headers.rooted


def compile_policy(
    options: Mapping[str, Any],
    *,
    with_reporting: bool = True,
    inline: tuple[tuple[str, ...], tuple[str, ...]] = ((), ()),
    without_nonce: bool = False,
    sampled_out: bool = False,
) -> CompiledPolicy:
    """Compile resolved options; raise on combinations that cannot work.

    ``with_reporting=False`` leaves out every report-to group and the
    Reporting-Endpoints header (``report-uri`` stays). ``inline`` holds the
    hashes of the app's ``csp_script`` and ``csp_style`` tags (hashes.py).
    ``without_nonce=True`` compiles the headers for a response that does
    not use its nonce; a policy with a nonce also carries that variant.
    ``sampled_out=True`` compiles the headers for a response left out of
    ``reporting_sample_rate``: no reporting at all, ``report-uri`` too.
    """
    o = Resolved(
        options,
        with_reporting and not sampled_out,
        inline=inline,
        without_nonce=without_nonce,
        sampled_out=sampled_out,
    )
    found = [h for module in MODULES for h in module.headers(o)]
    secure = [(h.name, h.secure) for h in found if h.secure is not None]
    plain = [(h.name, h.plain) for h in found if h.plain is not None]
    without = None
    if any(ORIGIN_SLOT in value for _, value in secure + plain):
        without = compile_policy(
            options, with_reporting=False, inline=inline, without_nonce=without_nonce
        )
    uses_nonce = any(NONCE_SLOT in value for _, value in secure + plain)
    nonce_free = None
    if uses_nonce:
        nonce_free = compile_policy(
            options,
            with_reporting=with_reporting,
            inline=inline,
            without_nonce=True,
            sampled_out=sampled_out,
        )
    rate = o["reporting_sample_rate"]
    unsampled = None
    if rate < 1.0 and with_reporting and not sampled_out:
        # Reports from a fraction of responses: the rest get this variant.
        unsampled = compile_policy(
            options, inline=inline, without_nonce=without_nonce, sampled_out=True
        )
    cookies = cookie_hardening(o)
    cross_origin = compile_check(o)
    varied = vary(cross_origin)

    def variant(policy: CompiledPolicy | None, is_secure: bool) -> HeaderSet | None:
        if policy is None:
            return None
        return policy.secure if is_secure else policy.insecure

    secure_set, plain_set = (
        _header_set(
            pairs,
            is_secure,
            cookies,
            variant(without, is_secure),
            variant(nonce_free, is_secure),
            varied,
        )
        for pairs, is_secure in ((secure, True), (plain, False))
    )
    if unsampled is not None and (
        _sent(unsampled.secure) != _sent(secure_set)
        or _sent(unsampled.insecure) != _sent(plain_set)
    ):
        # (Identical sets, as for a policy that asks for no reports, are
        # not drawn between.)
        secure_set = replace(secure_set, sample_rate=rate, unsampled=unsampled.secure)
        plain_set = replace(plain_set, sample_rate=rate, unsampled=unsampled.insecure)
    return CompiledPolicy(
        force_https=o["force_https"],
        redirect_code=redirect_code(o),
        trust_x_forwarded_proto=o["trust_x_forwarded_proto"],
        uses_nonce=bool(secure_set.templated or plain_set.templated),
        secure=secure_set,
        insecure=plain_set,
        warnings=tuple(o.warnings),
        cross_origin=cross_origin,
    )


def mounted(pairs: Pairs, rooted: Pairs, root: str, nonce: str) -> Pairs:
    """``pairs`` for a request to an app mounted at the path ``root``.

    Each pair named in ``rooted`` gets that value, with ``root`` (quoted by
    :func:`~flask_talisman.https.mount_path`) and the request's nonce put
    in; a header the response does not get (a 304's nonce'd CSP) stays out.
    """
    filled = dict(rooted)
    return tuple(
        (name, filled[name].replace(ROOT_SLOT, root).replace(NONCE_SLOT, nonce))
        if name in filled
        else (name, value)
        for name, value in pairs
    )
