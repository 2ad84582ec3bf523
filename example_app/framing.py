"""Pages that may or may not be shown in a frame, and a page that frames them.

Two headers decide: X-Frame-Options (DENY or SAMEORIGIN, understood by every
browser) and CSP's frame-ancestors (more flexible, and it wins in browsers
that know it). Send both, saying the same thing.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from flask_talisman import DENY, NONE

from . import CSP, LOCAL_ORIGINS, other_origin, talisman

bp = Blueprint("framing", __name__)


# To show the other origin's pages, this page's own frame-src (which falls
# back to default-src 'self') has to allow that origin.
@bp.route("/")
@talisman.extend(content_security_policy={"frame-src": LOCAL_ORIGINS})
def index() -> str:
    return render_template("framing.html", other_origin=other_origin())


# The app's options: X-Frame-Options: SAMEORIGIN and frame-ancestors 'self'.
@bp.route("/same-origin")
def same_origin() -> str:
    return render_template("framed.html", rule="only by pages of its own origin")


# Never framed, not even by this app's own pages.
@bp.route("/deny")
@talisman(frame_options=DENY, content_security_policy={**CSP, "frame-ancestors": NONE})
def deny() -> str:
    return render_template("framed.html", rule="by no page at all")


# A widget meant to be embedded anywhere: no X-Frame-Options at all (it has
# no "any origin" value) and frame-ancestors *.
@bp.route("/anywhere")
@talisman(frame_options=None, content_security_policy={**CSP, "frame-ancestors": "*"})
def anywhere() -> str:
    return render_template("framed.html", rule="by any page of any origin")
