"""The example pages that use the app's policy or change it for one view."""

from __future__ import annotations

import re
from collections import OrderedDict
from threading import Lock

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from flask_talisman import DENY, NONE, SELF

from . import KEPT_REPORTS, LOCAL_ORIGINS, other_origin, received_reports, talisman

bp = Blueprint("pages", __name__)


@bp.route("/")
def index() -> str:
    return render_template("index.html")


# -- the app's policy ----------------------------------------------------------


@bp.route("/nonce")
def nonce() -> str:
    return render_template("nonce.html")


# Shows the Referer the browser sent: compare following a link to it from a
# page of the app and from the admin blueprint.
@bp.route("/referrer")
def referrer() -> str:
    return render_template("referrer.html", referrer=request.referrer)


# -- one view, other options ---------------------------------------------------

# The policy for /locked, replacing the app-wide one for that view only. It
# has no script-src: because the app puts its nonces there, Talisman creates
# it from default-src's sources, leaving out 'none', so the page's nonce'd
# inline script runs and nothing else does. connect-src 'self' lets the
# header panel (static/js/headers.js) fetch the page again to read its
# headers; nothing else may be fetched.
LOCKED_CSP = {
    "default-src": NONE,
    "style-src": SELF,
    "connect-src": SELF,
    "base-uri": NONE,
    "form-action": NONE,
    "frame-ancestors": NONE,
}


# Per-view options go below the route decorator. Options not given here (the
# nonce directive, force_https, Referrer-Policy, ...) keep the app's values.
@bp.route("/locked")
@talisman(frame_options=DENY, content_security_policy=LOCKED_CSP)
def locked() -> str:
    return render_template("locked.html", policy=LOCKED_CSP)


# extend adds to the app's policy instead of replacing it. img-src is not in
# CSP, so it starts from default-src ('self') and gains the other origins.
@bp.route("/extend")
@talisman.extend(content_security_policy={"img-src": LOCAL_ORIGINS})
def extend() -> str:
    return render_template("extend.html", other_origin=other_origin())


# -- reporting -----------------------------------------------------------------

# A policy you would like to enforce one day, sent beside the enforced one as
# Content-Security-Policy-Report-Only: the browser applies neither its blocks
# nor its effects, but reports every violation to the app's receiver. Its
# img-src allows the site's icon (named by base.html) on this server under
# either local name, so that the icon is not reported on every visit; a real
# policy would name its own host.
FAVICON = "/static/favicon.svg"
PLANNED_CSP = {
    "default-src": SELF,
    "img-src": ["https://images.example"]
    + [origin + FAVICON for origin in LOCAL_ORIGINS],
}


@bp.route("/report-only")
@talisman(content_security_policy_report_only=PLANNED_CSP)
def report_only() -> str:
    return render_template("report_only.html", policy=PLANNED_CSP, report_to=True)


# The same page without report-to even over HTTPS, so that browsers post to
# report-uri: Chromium ignores report-uri in a policy that has report-to.
# (Over plain HTTP Talisman leaves report-to out of every policy, because
# Chromium delivers report-to reports only from HTTPS pages.)
@bp.route("/report-only/report-uri")
@talisman(
    content_security_policy_report_only=PLANNED_CSP,
    content_security_policy_report_to=False,
)
def report_only_report_uri() -> str:
    return render_template("report_only.html", policy=PLANNED_CSP, report_to=False)


@bp.route("/reports")
def reports() -> str:
    return render_template(
        "reports.html", reports=received_reports(current_app), kept=KEPT_REPORTS
    )


# -- Cross-Origin-Opener-Policy --------------------------------------------------


@bp.route("/popups")
def popups() -> str:
    return render_template("popups.html", other_origin=other_origin())


# How the popups page tells a cut link from a closed popup. To the page that
# opened a popup, both look the same: its handle says the popup is closed.
# So each popup says what it saw, through the server (the one channel left
# when COOP cuts the link, and shared by both local origins): on load it
# posts whether its window.opener is null. The opener asks once its handle
# reads closed.
POPUP_ID = re.compile(r"[0-9a-f]{32}")
POPUPS = "example_app.popups"


class SeenPopups:
    """What the latest popups saw as their window.opener, by popup id.

    Written by the popups' requests and read by the opener's, from the
    server's threads: one lock around it.
    """

    KEPT = 100

    def __init__(self) -> None:
        self._lock = Lock()
        self._seen: OrderedDict[str, str] = OrderedDict()

    def add(self, popup_id: str, opener: str) -> None:
        with self._lock:
            self._seen[popup_id] = opener
            while len(self._seen) > self.KEPT:
                self._seen.popitem(last=False)  # the oldest

    def get(self, popup_id: str) -> str | None:
        with self._lock:
            return self._seen.get(popup_id)


# Popups of both local origins report here, so this POST is cross-origin by
# design; it changes nothing a visitor owns. The app's CSRF check is off for it.
@bp.post("/popups/<popup_id>")
@talisman(cross_origin_protection=False)
def popup_loaded(popup_id: str) -> Response:
    opener = request.form.get("opener")
    if not POPUP_ID.fullmatch(popup_id) or opener not in ("null", "live"):
        abort(400)
    current_app.extensions[POPUPS].add(popup_id, opener)
    response = Response(status=204)
    del response.headers["Content-Type"]  # an empty answer, of no type
    return response


@bp.get("/popups/<popup_id>")
def popup_state(popup_id: str) -> Response:
    # {"opener": "null"} or {"opener": "live"} once the popup has loaded,
    # {"opener": null} before.
    return jsonify(opener=current_app.extensions[POPUPS].get(popup_id))


# A page opened in a popup from another origin gets no handle on its opener
# (window.opener is null), and the opener's handle on it is severed too.
@bp.route("/coop")
@talisman(cross_origin_opener_policy="same-origin")
def coop() -> str:
    return render_template("popup.html", coop=True)


@bp.route("/no-coop")
def no_coop() -> str:
    return render_template("popup.html", coop=False)


# -- signing out -----------------------------------------------------------------

ACCOUNT_COOKIE = "example_user"


@bp.route("/account")
def account() -> str:
    return render_template("account.html", user=request.cookies.get(ACCOUNT_COOKIE))


@bp.post("/login")
def login() -> Response:
    response = redirect(url_for(".account"), code=303)
    response.set_cookie(ACCOUNT_COOKIE, "alice", httponly=True, samesite="Lax")
    return response


# Clear-Site-Data makes the browser drop everything this origin stored: its
# cookies, its localStorage and friends, and its cached responses.
@bp.post("/logout")
@talisman(clear_site_data=["cache", "cookies", "storage"])
def logout() -> Response:
    return redirect(url_for(".account"), code=303)
