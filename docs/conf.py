"""Sphinx configuration for the flask_talisman documentation.

Build with ``sphinx-build -W -b html docs docs/_build/html``. Links into the
Python, Flask and Werkzeug documentation need their inventories from the
network, so they are only set up when ``TALISMAN_DOCS_INTERSPHINX=1``;
without it the build works offline and such references render as plain text.
"""

from __future__ import annotations

import inspect
import os
import sys
from importlib import metadata

# Document the checkout this file belongs to, installed or not.
sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))

project = "flask_talisman"
author = "flask_talisman contributors"
copyright = "flask_talisman contributors"
try:
    release = metadata.version("flask_talisman")
except metadata.PackageNotFoundError:
    release = "unknown"
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.intersphinx",
    "sphinx.ext.viewcode",
]

exclude_patterns = ["_build"]
root_doc = "index"

autodoc_member_order = "bysource"

intersphinx_mapping: dict[str, tuple[str, str | None]] = {}
if os.environ.get("TALISMAN_DOCS_INTERSPHINX") == "1":
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", None),
        "flask": ("https://flask.palletsprojects.com/en/stable/", None),
        "werkzeug": ("https://werkzeug.palletsprojects.com/en/stable/", None),
    }

html_theme = "alabaster"
html_theme_options = {
    "description": "HTTP security headers for Flask",
    "fixed_sidebar": True,
}


def _drop_type_docstrings(app, what, name, obj, options, lines):
    """Keep autodata from showing the docstring of a constant's type.

    A module constant such as ``SELF`` has no docstring of its own, so autodoc
    falls back to ``str.__doc__``. The constants are described in api.rst.
    """
    if what != "data" or isinstance(obj, type):
        return
    type_doc = inspect.cleandoc(type(obj).__doc__ or "")
    if type_doc and "\n".join(lines).strip() == type_doc.strip():
        lines.clear()


def setup(app):
    app.connect("autodoc-process-docstring", _drop_type_docstrings)
