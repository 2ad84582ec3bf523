"""Presets: named sets of options, run on one view or on a blueprint.

``@talisman(preset="strict")`` first resets every per-view header option to
the preset's value (or the default), so the view gets that preset rather
than the app's policy. The app's HTTPS-redirect and reporting options are
kept, so these pages follow the app's force_https=False.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, url_for
from flask.typing import ResponseReturnValue

from . import talisman

bp = Blueprint("presets", __name__)


# helmet's defaults: scripts from this origin only and no inline scripts at
# all (no nonce), inline styles and data: images allowed, and the hardening
# headers (Cross-Origin-Opener-Policy, Cross-Origin-Resource-Policy, ...).
@bp.route("/balanced")
@talisman(preset="balanced")
def balanced() -> str:
    return render_template("balanced.html")


# A nonce-based strict CSP: only scripts carrying the nonce run, and the
# scripts they add with createElement ('strict-dynamic'). Trusted Types are
# required in a report-only policy, so DOM injection sinks are reported.
@bp.route("/strict")
@talisman(preset="strict")
def strict() -> str:
    return render_template("strict.html")


# A JSON API: nothing in a response may load anything or be framed, and
# nothing is cached. On a blueprint, it covers every endpoint of the API.
api = Blueprint("api", __name__)
talisman(preset="api")(api)


@api.route("/status")
def status() -> ResponseReturnValue:
    # JSON whatever the client accepts: a browser that opens this address
    # shows it as the API sends it, under the preset's headers. The way back
    # to the page that explains it is in the body ("about") and, for clients
    # that follow links, in a Link header; the example's pages open this
    # address in a new tab, so the page that linked to it stays open.
    about = url_for("presets.api_preset")
    response = jsonify(status="ok", preset="api", about=about)
    response.headers["Link"] = f'<{about}>; rel="describedby"; type="text/html"'
    return response


# What the api preset makes /api/status send, and why: (header, value, why).
# /presets/api shows these beside the headers of a live /api/status response.
API_SENT = [
    (
        "Content-Security-Policy",
        "default-src 'none'; frame-ancestors 'none'",
        "A JSON response is data, not a page. Should a browser ever show it as "
        "a document (opened in a tab, or read as HTML), it may load nothing "
        "and run nothing, and no page may show it in a frame.",
    ),
    (
        "X-Frame-Options",
        "DENY",
        "The same refusal of every frame, for browsers that do not know "
        "frame-ancestors.",
    ),
    (
        "X-Content-Type-Options",
        "nosniff",
        "The browser keeps to Content-Type: application/json: it never reads "
        "the response as HTML, nor runs it as a script another site includes "
        "with <script src>.",
    ),
    (
        "Cache-Control",
        "no-store",
        "API responses often carry one user's data: neither the browser nor a "
        "shared cache keeps a copy.",
    ),
    (
        "Strict-Transport-Security",
        "max-age=31556926; includeSubDomains",
        "Over HTTPS only, as everywhere: the preset keeps the default, so "
        "browsers use nothing but HTTPS for this host for a year.",
    ),
]
# What the app's pages send and the api preset leaves out: (header, why).
API_LEFT_OUT = [
    (
        "Referrer-Policy",
        "A JSON response has no links to follow and loads nothing, so it "
        "never sends a Referer.",
    ),
    (
        "Permissions-Policy",
        "It runs no script and embeds nothing, so no feature needs turning off.",
    ),
]


# A page (under the app's policy) that says what the api preset sends and
# shows the headers of a real /api/status response.
@bp.route("/api")
def api_preset() -> str:
    return render_template("api.html", sent=API_SENT, left_out=API_LEFT_OUT)
