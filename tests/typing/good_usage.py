"""A user's app, typed: ``mypy --strict`` must accept every line."""

from __future__ import annotations

from flask import Blueprint, Flask

from flask_talisman import DENY, NONE, SELF, Talisman, TalismanOptions

app = Flask(__name__)
talisman = Talisman(
    app,
    force_https=False,
    content_security_policy={"default-src": SELF, "img-src": [SELF, "data:"]},
    content_security_policy_nonce_in=["script-src"],
    strict_transport_security_max_age=31536000,
    referrer_policy=["no-referrer", "strict-origin"],
    permissions_policy={"camera": [], "geolocation": ["self"], "usb": False},
    document_policy={"oversized-images": 2.0},
    reporting_endpoints={"main": "/reports"},
    content_security_policy_report_to="main",
    x_xss_protection="0",
)

# An app factory: options kept in a typed dict, then unpacked.
OPTIONS: TalismanOptions = {
    "preset": "strict",
    "session_cookie_samesite": "Strict",
    "report_receiver": "/talisman/reports",
}
factory_talisman = Talisman()


def create_app() -> Flask:
    factory_app = Flask(__name__)
    factory_talisman.init_app(factory_app, **OPTIONS)
    return factory_app


@app.route("/embedded")
@talisman(frame_options=DENY, content_security_policy={"default-src": NONE})
def embedded() -> str:
    return "never framed"


@app.route("/gallery")
@talisman.extend(content_security_policy={"img-src": "https://img.example"})
def gallery() -> str:
    return "gallery"


admin = Blueprint("admin", __name__)
talisman(referrer_policy="no-referrer", cache_control="no-store")(admin)
talisman(preset="api")(Blueprint("api", __name__))
