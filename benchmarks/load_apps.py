"""Apps for the load test, built by name: ``load_apps:create('ours')``."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _vendor
from flask import Flask

from flask_talisman import Talisman


def create(name: str) -> Flask:
    app = Flask("load")

    @app.route("/")
    def index() -> str:
        return "hello"

    if name == "ours":
        Talisman(app)
    elif name == "flask-talisman-1.1.0":
        _vendor.flask_talisman_110().Talisman(app)
    elif name != "bare":
        raise ValueError(name)
    return app
