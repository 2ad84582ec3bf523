"""A Flask app that shows, page by page, what flask_talisman does.

Run it on plain HTTP for local development::

    flask --app example_app run

and open http://127.0.0.1:5000/. The index page links to every example and
says what each one shows.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, request
from markupsafe import Markup, escape

from flask_talisman import NONE, SELF, Report, Talisman, report_received

# Created without an app so the views can use ``@talisman(...)`` when they are
# defined; ``create_app`` registers it on each app it builds.
talisman = Talisman()

# The app-wide Content-Security-Policy. ``content_security_policy_nonce_in``
# (in create_app) adds this request's nonce to script-src, so an inline
# <script> runs only if it carries ``nonce="{{ csp_nonce() }}"``. Styles come
# from static/style.css, so style-src needs no nonce.
CSP = {
    "default-src": SELF,
    "script-src": SELF,
    "style-src": SELF,
    "object-src": NONE,
    "base-uri": SELF,
    "form-action": SELF,
    # Pages may be shown in frames on this origin only: the CSP counterpart of
    # X-Frame-Options: SAMEORIGIN, which Talisman sends by default.
    "frame-ancestors": SELF,
}

# The same server answers as 127.0.0.1 and as localhost, which are two
# origins (sites) to a browser. The pages that need "another site" (an image
# host, a site that frames or opens this one) use the other name, so the
# example works offline. In a real app these would be your CDN's or your
# partner's origins, such as "https://images.example.com".
LOCAL_ORIGINS = ["127.0.0.1:*", "localhost:*"]
_OTHER_NAME = {"127.0.0.1": "localhost", "localhost": "127.0.0.1"}

# Where the built-in receiver accepts the browsers' violation reports. With it
# set, Talisman adds report-uri and report-to to every policy it sends.
REPORT_RECEIVER = "/talisman/reports"
# How many received reports the /reports page keeps (newest first).
KEPT_REPORTS = 100
_REPORTS = "example_app.reports"


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
        content_security_policy_nonce_in=["script-src"],
        report_receiver=REPORT_RECEIVER,
        # Refuse POSTs that another site's page makes the browser send
        # (CSRF), from the Fetch Metadata headers: no tokens needed.
        cross_origin_protection=True,
    )

    # Keep the latest reports in memory for the /reports page. A real app
    # would log them or send them to its monitoring instead.
    app.extensions[_REPORTS] = deque(maxlen=KEPT_REPORTS)
    report_received.connect(_remember_report, sender=app)

    from . import admin, framing, presets, views

    app.add_template_filter(breakable, "breakable")
    # What each popup of the /popups page saw as its opener.
    app.extensions[views.POPUPS] = views.SeenPopups()

    app.register_blueprint(views.bp)
    app.register_blueprint(framing.bp, url_prefix="/framing")
    app.register_blueprint(admin.bp, url_prefix="/admin")
    app.register_blueprint(presets.bp, url_prefix="/presets")
    app.register_blueprint(presets.api, url_prefix="/api")
    # The pages name static/favicon.svg; a browser asks for /favicon.ico
    # where nothing names an icon (a JSON response, a framed page opened on
    # its own). The static view answers it with static/favicon.ico.
    app.add_url_rule(
        "/favicon.ico", endpoint="static", defaults={"filename": "favicon.ico"}
    )
    return app


def other_origin() -> str | None:
    """This server under its other local name, or None if it has none.

    ``http://127.0.0.1:5000`` for a request to ``http://localhost:5000`` and
    the other way round.
    """
    url = urlsplit(request.host_url)
    other = _OTHER_NAME.get(url.hostname or "")
    if other is None:
        return None
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{other}{port}"


_BREAK_AFTER = re.compile(r"(/(?!/)|[?&=,;])")


def breakable(text: str) -> Markup:
    """``text`` escaped, with a line break allowed after each "/" of a path,
    and after ``? & = , ;``: a long address wraps between its parts rather
    than inside a word."""
    pieces = _BREAK_AFTER.split(text)  # text, separator, text, ...
    return Markup("").join(
        escape(piece) + (Markup("<wbr>") if index % 2 else "")
        for index, piece in enumerate(pieces)
    )


def _remember_report(app: Flask, report: Report) -> None:
    app.extensions[_REPORTS].appendleft(report)


def received_reports(app: Flask) -> list[Report]:
    """The reports ``app``'s receiver has accepted, newest first."""
    return list(app.extensions[_REPORTS])
