"""Presets: named sets of options, as plain data.

A preset replaces defaults; every option given explicitly (in ``app.config``
or as a keyword) still wins. Resolution: defaults < preset < config <
keywords < blueprint < view.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from .errors import ConfigurationError, choices, type_error
from .headers.csp import NONCE, NONE, SELF, STRICT_DYNAMIC, UNSAFE_INLINE

__all__ = ["PRESETS", "resolve_preset"]

# Powerful features nothing on a typical site needs; each gets an empty
# allowlist, so neither the page nor anything it embeds can use them.
LOCKED_DOWN_FEATURES = (
    "accelerometer",
    "browsing-topics",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "hid",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
)
LOCKED_DOWN_PERMISSIONS: Mapping[str, str] = MappingProxyType(
    {feature: "()" for feature in LOCKED_DOWN_FEATURES}
)

# Headers every browser-facing preset beyond "talisman" shares.
_HARDENED: Mapping[str, Any] = MappingProxyType(
    {
        "cross_origin_opener_policy": "same-origin",
        "cross_origin_resource_policy": "same-origin",
        "origin_agent_cluster": True,
        "x_dns_prefetch_control": "off",
        "x_permitted_cross_domain_policies": "none",
        "x_xss_protection": "0",
        "force_file_save": True,
        "x_content_type_options": True,
        "strict_transport_security": True,
        "strict_transport_security_max_age": 31536000,
        "strict_transport_security_include_subdomains": True,
        "permissions_policy": LOCKED_DOWN_PERMISSIONS,
    }
)

#: helmet 8's default Content-Security-Policy, directive for directive.
BALANCED_CSP: Mapping[str, Any] = MappingProxyType(
    {
        "default-src": SELF,
        "base-uri": SELF,
        "font-src": [SELF, "https:", "data:"],
        "form-action": SELF,
        "frame-ancestors": SELF,
        "img-src": [SELF, "data:"],
        "object-src": NONE,
        "script-src": SELF,
        "script-src-attr": NONE,
        "style-src": [SELF, "https:", UNSAFE_INLINE],
        "upgrade-insecure-requests": "",
    }
)

#: A nonce-based strict CSP (CSP Level 3): 'strict-dynamic' lets a nonce'd
#: loader add scripts; https: and 'unsafe-inline' are ignored by browsers
#: that understand 'strict-dynamic' and nonces (Chromium, Firefox and WebKit:
#: tests/browser/test_doc_claims.py) and keep older ones working.
STRICT_CSP: Mapping[str, Any] = MappingProxyType(
    {
        "script-src": [NONCE, STRICT_DYNAMIC, "https:", UNSAFE_INLINE],
        "object-src": NONE,
        "base-uri": NONE,
        "frame-ancestors": NONE,
    }
)

PRESETS: Mapping[str, Mapping[str, Any]] = MappingProxyType(
    {
        # flask-talisman 1.1.0's output: the defaults themselves.
        "talisman": MappingProxyType({}),
        "balanced": MappingProxyType(
            {
                **_HARDENED,
                "content_security_policy": BALANCED_CSP,
                "frame_options": "SAMEORIGIN",
                "referrer_policy": "strict-origin-when-cross-origin",
                # CSRF without tokens (cross_origin_protection.py).
                "cross_origin_protection": True,
            }
        ),
        "strict": MappingProxyType(
            {
                **_HARDENED,
                "content_security_policy": STRICT_CSP,
                # Trusted Types, reported but not enforced: turn it on once
                # the reports are clean.
                "content_security_policy_report_only": {
                    "require-trusted-types-for": "'script'"
                },
                "frame_options": "DENY",
                "referrer_policy": "no-referrer",
                # CSRF without tokens, and no cross-site subresource loads.
                "cross_origin_protection": True,
                "resource_isolation": True,
            }
        ),
        "api": MappingProxyType(
            {
                "content_security_policy": {
                    "default-src": NONE,
                    "frame-ancestors": NONE,
                },
                "cache_control": "no-store",
                "frame_options": "DENY",
                "x_content_type_options": True,
                "referrer_policy": None,
                "permissions_policy": None,
                "x_xss_protection": False,
                "session_cookie_samesite": "Strict",
            }
        ),
    }
)


def resolve_preset(value: object, where: str = "preset") -> Mapping[str, Any]:
    """The options of a preset given by name, or a mapping used as one."""
    if value is None:
        return PRESETS["talisman"]
    if isinstance(value, Mapping):
        return value
    if not isinstance(value, str):
        raise type_error(where, value, "a preset name or a dict of options")
    try:
        return PRESETS[value]
    except KeyError:
        raise ConfigurationError(
            f"{where}: unknown preset {value!r}." + choices(value, PRESETS, "Presets:")
        ) from None
