"""A blueprint with its own options: every view in it gets them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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


def option_lines(value: Any) -> list[str]:
    """An option's value as the lines the admin page shows.

    Written as in the header, not as Python: a policy one directive a line,
    a list of sources joined by spaces.
    """
    if isinstance(value, Mapping):
        return [f"{name} {' '.join(option_lines(v))}" for name, v in value.items()]
    if isinstance(value, (list, tuple)):
        return [" ".join(str(item) for item in value)]
    if value is None:
        return ["(not sent)"]
    if isinstance(value, bool):
        return ["on" if value else "off"]
    return [str(value)]


@bp.route("/")
def index() -> str:
    options = {name: option_lines(value) for name, value in ADMIN_OPTIONS.items()}
    return render_template("admin.html", options=options)
