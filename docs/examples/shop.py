"""The shop of docs/rollout.rst: five pages and a report-only policy.

Every page loads a script from the shop's CDN; the gallery shows an image
from it, the fonts page a web font, the video page a framed player. The
guestbook page renders a comment unescaped, and someone left a script in
it. The policy under trial, ``default-src 'self'``, is sent report-only
(``content_security_policy=None``: nothing is enforced yet), and the
built-in receiver appends each report to ``reports.jsonl``.

(The templates are inline so that the example is one file.)
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, render_template_string

from flask_talisman import SELF, Talisman

CDN = "https://cdn.example"
LAYOUT = """<!doctype html>
<html><head><title>{{ title }}</title>
<script src="{{ cdn }}/lib.js"></script>
</head><body><h1>{{ title }}</h1>{{ body|safe }}</body></html>
"""
GUESTBOOK = """<!doctype html>
<html><head><title>Guestbook</title></head>
<body><p>{{ comment|safe }}</p></body></html>
"""
#: What a visitor left in the guestbook, rendered unescaped by mistake.
COMMENT = "<script>document.title = 'injected'</script>"

talisman = Talisman()


def create_app(cdn: str = CDN, **options: Any) -> Flask:
    """The shop; ``options`` are passed on to Talisman."""
    app = Flask(__name__)
    talisman.init_app(
        app,
        **{
            "content_security_policy": None,
            "content_security_policy_report_only": {
                "default-src": SELF,
                "object-src": "'none'",
            },
            "report_receiver": "/talisman/reports",
            "report_receiver_file": "reports.jsonl",
            **options,
        },
    )

    def page(title: str, body: str = "") -> str:
        return render_template_string(LAYOUT, title=title, body=body, cdn=cdn)

    @app.route("/")
    def index() -> str:
        return page("Shop")

    @app.route("/gallery")
    def gallery() -> str:
        return page("Gallery", f'<img src="{cdn}/photo.svg" alt="">')

    @app.route("/fonts")
    def fonts() -> str:
        return page(
            "Fonts",
            '<link rel="stylesheet" href="/fonts.css">'
            '<p class="shop-type">Shop in our own type.</p>',
        )

    @app.route("/video")
    def video() -> str:
        return page("Video", f'<iframe src="{cdn}/embed"></iframe>')

    @app.route("/guestbook")
    def guestbook() -> str:
        return render_template_string(GUESTBOOK, comment=COMMENT)

    @app.route("/fonts.css")
    def fonts_css() -> Response:
        return Response(
            "@font-face { font-family: Shop; "
            f'src: url("{cdn}/shop.woff2") format("woff2"); }}\n'
            ".shop-type { font-family: Shop, serif; }\n",
            mimetype="text/css",
        )

    return app
