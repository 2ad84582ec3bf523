"""The example pages."""

from __future__ import annotations

from flask import Blueprint, render_template

from flask_talisman import DENY, NONE

from . import talisman

bp = Blueprint("pages", __name__)

# The policy for /locked, replacing the app-wide one for that view only.
# It has no script-src or style-src: because the app puts nonces in those
# two directives, Talisman creates them from default-src's sources, leaving
# out 'none', so they allow nonce'd inline code and nothing else.
LOCKED_CSP = {
    "default-src": NONE,
    "base-uri": NONE,
    "form-action": NONE,
    "frame-ancestors": NONE,
}


@bp.route("/")
def index() -> str:
    return render_template("index.html")


@bp.route("/nonce")
def nonce() -> str:
    return render_template("nonce.html")


@bp.route("/framing")
def framing() -> str:
    return render_template("framing.html")


@bp.route("/frameable")
def frameable() -> str:
    return render_template("frameable.html")


# Per-view options go below the route decorator. Options not given here
# (force_https, the nonce directives, HSTS, ...) keep the app's values.
@bp.route("/locked")
@talisman(frame_options=DENY, content_security_policy=LOCKED_CSP)
def locked() -> str:
    return render_template("locked.html", policy=LOCKED_CSP)
