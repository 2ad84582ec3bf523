"""Presets: named sets of options, run on one view or on a blueprint.

``@talisman(preset="strict")`` first resets every per-view header option to
the preset's value (or the default), so the view gets that preset rather
than the app's policy. The app's HTTPS-redirect and reporting options are
kept, so these pages follow the app's force_https=False.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
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
    return jsonify(status="ok", preset="api")
