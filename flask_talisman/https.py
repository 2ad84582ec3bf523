"""Telling secure requests apart, and the redirect to HTTPS."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Request
from werkzeug.exceptions import BadRequest
from werkzeug.sansio.utils import host_is_trusted

__all__ = ["allowed_host", "https_url", "is_secure"]


def is_secure(request: Request, trust_x_forwarded_proto: bool) -> bool:
    """Whether the request came over HTTPS.

    ``request.is_secure`` is the source of truth (configure Werkzeug's
    ``ProxyFix`` behind a proxy). For flask-talisman 1.1.0 compatibility an
    ``X-Forwarded-Proto: https`` header also counts unless
    ``trust_x_forwarded_proto`` is off.
    """
    if request.is_secure:
        return True
    return (
        trust_x_forwarded_proto
        and request.environ.get("HTTP_X_FORWARDED_PROTO") == "https"
    )


def allowed_host(host: str, config: Mapping[str, Any]) -> bool:
    """Whether the redirect may point at ``host``.

    When ``TRUSTED_HOSTS`` is set the host must match it; when
    ``SERVER_NAME`` is set it must be that name or one of its subdomains.
    """
    trusted = config.get("TRUSTED_HOSTS")
    if trusted and not host_is_trusted(host, trusted):
        return False
    server_name = config.get("SERVER_NAME")
    if server_name:
        name = server_name.rsplit(":", 1)[0] if "]" not in server_name else server_name
        return host_is_trusted(host, [name, "." + name])
    return True


def https_url(request: Request, config: Mapping[str, Any]) -> str | None:
    """The HTTPS URL for a plain-HTTP request, or ``None`` if not applicable.

    Raises :class:`~werkzeug.exceptions.BadRequest` rather than redirect a
    client to a host the app does not serve.
    """
    url = request.url
    if not url.startswith("http://"):
        return None
    if not allowed_host(request.host, config):
        raise BadRequest(
            "The Host header does not match TRUSTED_HOSTS or SERVER_NAME; "
            "refusing to redirect to it."
        )
    return "https://" + url[len("http://") :]
