"""flask-talisman 1.1.0's ``flask_talisman.talisman`` module, kept importable."""

from __future__ import annotations

from .cookies import DEFAULT_SESSION_COOKIE_SAMESITE
from .extension import Talisman
from .headers.csp import DEFAULT_CSP_POLICY, GOOGLE_CSP_POLICY
from .headers.frame_options import ALLOW_FROM, DENY, SAMEORIGIN
from .headers.hsts import ONE_YEAR_IN_SECS
from .headers.referrer import DEFAULT_REFERRER_POLICY
from .headers.structured import (
    DEFAULT_DOCUMENT_POLICY,
    DEFAULT_FEATURE_POLICY,
    DEFAULT_PERMISSIONS_POLICY,
)
from .nonce import NONCE_LENGTH, get_random_string

__all__ = [
    "ALLOW_FROM",
    "DEFAULT_CSP_POLICY",
    "DEFAULT_DOCUMENT_POLICY",
    "DEFAULT_FEATURE_POLICY",
    "DEFAULT_PERMISSIONS_POLICY",
    "DEFAULT_REFERRER_POLICY",
    "DEFAULT_SESSION_COOKIE_SAMESITE",
    "DENY",
    "GOOGLE_CSP_POLICY",
    "NONCE_LENGTH",
    "ONE_YEAR_IN_SECS",
    "SAMEORIGIN",
    "Talisman",
    "get_random_string",
]
