"""A small Flask app showing what flask_talisman does to each response.

Run it on plain HTTP for local development::

    flask --app example_app run

and open http://127.0.0.1:5000/. The index page links to every example.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from flask_talisman import NONE, SELF, Talisman

# Created without an app so views can use ``@talisman(...)`` at import time;
# ``create_app`` registers it on each app it builds.
talisman = Talisman()

# The app-wide Content-Security-Policy. ``content_security_policy_nonce_in``
# below adds this request's nonce to script-src and style-src, so inline
# <script> and <style> elements run only if they carry ``nonce="{{ csp_nonce()
# }}"``.
CSP = {
    "default-src": SELF,
    "script-src": SELF,
    "style-src": SELF,
    "object-src": NONE,
    "base-uri": SELF,
    "form-action": SELF,
    # Pages may be shown in frames on this origin only (the CSP counterpart of
    # X-Frame-Options: SAMEORIGIN, which Talisman sends by default).
    "frame-ancestors": SELF,
}


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the example app; ``test_config`` overrides its configuration."""
    app = Flask(__name__)
    if test_config is not None:
        app.config.from_mapping(test_config)

    talisman.init_app(
        app,
        # force_https=False and session_cookie_secure=False let the app work
        # over plain HTTP on localhost. They are for local development ONLY:
        # in production leave both at their default (True) so browsers are
        # sent to HTTPS and the session cookie never travels unencrypted.
        force_https=False,
        session_cookie_secure=False,
        content_security_policy=CSP,
        content_security_policy_nonce_in=["script-src", "style-src"],
    )

    from . import views

    app.register_blueprint(views.bp)
    return app
