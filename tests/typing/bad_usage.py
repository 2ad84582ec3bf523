"""Typos and wrong types: ``mypy --strict`` must report each marked line.

The comment at the end of each such line starts with "E:" and then the
start of the error mypy gives for it.
"""

from __future__ import annotations

from flask import Flask

from flask_talisman import Talisman

# Each error must stay on the line its comment names:
# fmt: off

app = Flask(__name__)
Talisman(app, force_http=False)  # E: Unexpected keyword argument "force_http"
Talisman(app, content_security_policy=42)  # E: Argument "content_security_policy" to "Talisman" has incompatible type "Literal[42]"
talisman = Talisman()
talisman.init_app(app, strict_transport_security_max_age="a year")  # E: Argument "strict_transport_security_max_age" to "init_app" of "Talisman" has incompatible type "str"


@app.route("/")
@talisman(session_cookie_secure=False)  # E: Unexpected keyword argument "session_cookie_secure"
def index() -> str:
    return "index"


@app.route("/x")
@talisman.extend(frame_options=1)  # E: Argument "frame_options" to "extend" of "Talisman" has incompatible type "int"
def other() -> str:
    return "other"
