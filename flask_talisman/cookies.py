"""Session-cookie flags, applied to ``app.config`` once.

Flask saves the session after every ``after_request`` hook has run, so the
flags can only be set through ``SESSION_COOKIE_*`` configuration. They are
written when Talisman is configured, never while handling a request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

__all__ = ["apply_session_cookie_options"]


def apply_session_cookie_options(app: Flask, options: Mapping[str, Any]) -> None:
    """Write the ``session_cookie_*`` options into ``app.config``.

    ``session_cookie_secure=True`` is skipped in debug mode (as in
    flask-talisman 1.1.0) so local development over plain HTTP keeps its
    session; ``False`` is written as given.
    """
    if options["session_cookie_secure"]:
        if not app.debug:
            app.config["SESSION_COOKIE_SECURE"] = True
    else:
        app.config["SESSION_COOKIE_SECURE"] = False
    app.config["SESSION_COOKIE_HTTPONLY"] = options["session_cookie_http_only"]
    app.config["SESSION_COOKIE_SAMESITE"] = options["session_cookie_samesite"]
