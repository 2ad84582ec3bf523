"""A blueprint with its own options: every view in it gets them."""

from __future__ import annotations

from flask import Blueprint, render_template

from flask_talisman import DENY, NONE

from . import CSP, talisman

bp = Blueprint("admin", __name__)

# Stricter than the rest of the app: never framed, no Referer sent to the
# pages it links to (not even this app's), and never stored in a cache.
# Options not named keep the app's values; a view in the blueprint could
# still override these with its own @talisman(...).
ADMIN_OPTIONS = {
    "frame_options": DENY,
    "content_security_policy": {**CSP, "frame-ancestors": NONE},
    "referrer_policy": "no-referrer",
    "cache_control": "no-store",
}
talisman(**ADMIN_OPTIONS)(bp)


@bp.route("/")
def index() -> str:
    return render_template("admin.html", options=ADMIN_OPTIONS)
