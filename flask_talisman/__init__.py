"""HTTP security headers for Flask.

A validated, precompiled successor to flask-talisman 1.1.0 with the same API.
"""

from __future__ import annotations

from .cross_origin_protection import (
    CrossOriginRefused,
    CrossOriginViolation,
    cross_origin_violation,
)
from .errors import ConfigurationError, ConfigurationWarning
from .extension import Talisman, csp_nonce
from .headers.csp import (
    NONCE,
    NONE,
    REPORT_SAMPLE,
    SELF,
    STRICT_DYNAMIC,
    UNSAFE_EVAL,
    UNSAFE_HASHES,
    UNSAFE_INLINE,
    WASM_UNSAFE_EVAL,
    csp_hash,
)
from .option_types import TalismanOptions, ViewOptions
from .report_types import (
    COEPViolation,
    COOPViolation,
    CrashReport,
    CSPHashReport,
    CSPViolation,
    DeprecationReport,
    DocumentPolicyViolation,
    IntegrityViolation,
    InterventionReport,
    PermissionsPolicyViolation,
    redact,
)
from .reports import Report, report_received
from .talisman import (
    ALLOW_FROM,
    DEFAULT_CSP_POLICY,
    DEFAULT_DOCUMENT_POLICY,
    DEFAULT_FEATURE_POLICY,
    DEFAULT_PERMISSIONS_POLICY,
    DENY,
    GOOGLE_CSP_POLICY,
    NONCE_LENGTH,
    SAMEORIGIN,
)

__all__ = [
    "ALLOW_FROM",
    "DEFAULT_CSP_POLICY",
    "DEFAULT_DOCUMENT_POLICY",
    "DEFAULT_FEATURE_POLICY",
    "DEFAULT_PERMISSIONS_POLICY",
    "DENY",
    "GOOGLE_CSP_POLICY",
    "NONCE",
    "NONCE_LENGTH",
    "NONE",
    "REPORT_SAMPLE",
    "SAMEORIGIN",
    "SELF",
    "STRICT_DYNAMIC",
    "UNSAFE_EVAL",
    "UNSAFE_HASHES",
    "UNSAFE_INLINE",
    "WASM_UNSAFE_EVAL",
    "COEPViolation",
    "COOPViolation",
    "CSPHashReport",
    "CSPViolation",
    "ConfigurationError",
    "ConfigurationWarning",
    "CrashReport",
    "CrossOriginRefused",
    "CrossOriginViolation",
    "DeprecationReport",
    "DocumentPolicyViolation",
    "IntegrityViolation",
    "InterventionReport",
    "PermissionsPolicyViolation",
    "Report",
    "Talisman",
    "TalismanOptions",
    "ViewOptions",
    "cross_origin_violation",
    "csp_hash",
    "csp_nonce",
    "redact",
    "report_received",
]
