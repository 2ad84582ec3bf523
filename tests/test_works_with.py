"""What docs/works_with.rst says about Flask-WTF and Flask-Login, checked.

The other extensions' pages are in tests/browser/test_works_with.py.
"""

from __future__ import annotations

import json

import pytest
from flask import Flask, render_template_string

from flask_talisman import Talisman, csp_nonce

from .conftest import HTTPS, NONCE_RE

REPORT = json.dumps(
    {
        "csp-report": {
            "document-uri": "https://localhost/",
            "violated-directive": "script-src-elem",
            "effective-directive": "script-src-elem",
            "original-policy": "script-src 'self'",
            "blocked-uri": "inline",
            "disposition": "enforce",
        }
    }
)


BATCH = json.dumps(
    [
        {
            "type": "csp-violation",
            "url": "https://localhost/",
            "age": 10,
            "body": {
                "documentURL": "https://localhost/",
                "effectiveDirective": "script-src-elem",
                "blockedURL": "inline",
                "disposition": "enforce",
            },
        }
    ]
)


def post_reports(app: Flask) -> list[int]:
    """The receiver's answers to a report of each format."""
    client = app.test_client()
    return [
        client.post(
            "/csp-reports", data=body, content_type=content_type, **HTTPS
        ).status_code
        for body, content_type in [
            (REPORT, "application/csp-report"),
            (BATCH, "application/reports+json"),
        ]
    ]


def wtf_app(order: str) -> Flask:
    """Flask-WTF's CSRFProtect and Talisman, set up in the order named."""
    flask_wtf = pytest.importorskip("flask_wtf")
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "test"

    @app.route("/form", methods=["POST"])
    def form() -> str:
        return "posted"

    if order == "wtf-first":
        flask_wtf.CSRFProtect(app)
        Talisman(app, report_receiver="/csp-reports")
    elif order == "talisman-first":
        Talisman(app, report_receiver="/csp-reports")
        flask_wtf.CSRFProtect(app)
    else:  # a factory: both made first, init_app in Talisman-first order
        talisman, csrf = Talisman(), flask_wtf.CSRFProtect()
        talisman.init_app(app, report_receiver="/csp-reports")
        csrf.init_app(app)
    return app


@pytest.mark.parametrize("order", ["wtf-first", "talisman-first", "factory"])
def test_the_report_receiver_is_exempt_from_csrf_in_any_setup_order(
    order: str,
) -> None:
    app = wtf_app(order)
    assert post_reports(app) == [204, 204]
    # Only the receiver: the app's own forms are still checked.
    assert app.test_client().post("/form", **HTTPS).status_code == 400


def test_the_receiver_is_exempt_when_the_first_request_was_another_page() -> None:
    app = wtf_app("talisman-first")
    assert app.test_client().post("/form", **HTTPS).status_code == 400
    assert post_reports(app) == [204, 204]


def test_recaptcha_field_writes_the_request_nonce() -> None:
    flask_wtf = pytest.importorskip("flask_wtf")

    class SignUp(flask_wtf.FlaskForm):  # type: ignore[misc]
        recaptcha = flask_wtf.RecaptchaField(nonce=csp_nonce)

    app = Flask(__name__)
    app.config.update(SECRET_KEY="test", RECAPTCHA_PUBLIC_KEY="key")
    Talisman(app, preset="strict")

    @app.route("/")
    def page() -> str:
        return render_template_string("{{ form.recaptcha() }}", form=SignUp())

    response = app.test_client().get("/", **HTTPS)
    nonce = NONCE_RE.search(response.headers["Content-Security-Policy"])
    assert nonce is not None
    assert f'async defer nonce="{nonce.group(1)}"></script>' in response.text


# Flask-Login 0.6.3 calls datetime.utcnow(), deprecated from Python 3.12 on.
UTCNOW = pytest.mark.filterwarnings(
    "ignore:datetime.datetime.utcnow:DeprecationWarning"
)


def remember_cookie(app: Flask) -> str:
    """The remember-me cookie a sign-in over HTTPS sets."""
    response = app.test_client().get("/sign-in", **HTTPS)
    (remember,) = [
        cookie
        for cookie in response.headers.getlist("Set-Cookie")
        if cookie.startswith("remember_token=")
    ]
    return remember


@UTCNOW
@pytest.mark.parametrize("login_first", [True, False])
def test_harden_cookies_hardens_the_remember_me_cookie(login_first: bool) -> None:
    flask_login = pytest.importorskip("flask_login")

    class User(flask_login.UserMixin):  # type: ignore[misc]
        id = "1"

    app = Flask(__name__)
    app.config["SECRET_KEY"] = "test"
    if login_first:
        manager = flask_login.LoginManager(app)
        Talisman(app, harden_cookies=True)
    else:
        Talisman(app, harden_cookies=True)
        manager = flask_login.LoginManager(app)
    manager.user_loader(lambda user_id: User())

    @app.route("/sign-in")
    def sign_in() -> str:
        flask_login.login_user(User(), remember=True)
        return "signed in"

    remember = remember_cookie(app)
    flags = {flag.strip() for flag in remember.split(";")}
    assert {"Secure", "HttpOnly", "SameSite=Lax"} <= flags


@UTCNOW
def test_without_harden_cookies_the_remember_me_cookie_is_not_secure() -> None:
    """Why the docs tell Flask-Login users to do one or the other."""
    flask_login = pytest.importorskip("flask_login")

    class User(flask_login.UserMixin):  # type: ignore[misc]
        id = "1"

    app = Flask(__name__)
    app.config["SECRET_KEY"] = "test"
    flask_login.LoginManager(app).user_loader(lambda user_id: User())
    Talisman(app)

    @app.route("/sign-in")
    def sign_in() -> str:
        flask_login.login_user(User(), remember=True)
        return "signed in"

    remember = remember_cookie(app)
    flags = {flag.strip().split("=")[0] for flag in remember.split(";")}
    assert "Secure" not in flags
    assert "SameSite" not in flags
