"""Sphinx configuration for the flask_talisman documentation.

Build with ``sphinx-build -W -b html docs docs/_build/html``, with the
pallets theme the pallets-eco extensions use (``pip install -e ".[dev]"``).
Links into the Python, Flask and Werkzeug documentation use the inventories
of Debian's ``python3-doc``, ``python-flask-doc`` and ``python-werkzeug-doc``
packages when they are installed (CI installs them: there is no other
network here), and the projects' own sites with ``TALISMAN_DOCS_INTERSPHINX=1``.
Without either, those references render as plain text.
"""

from __future__ import annotations

import inspect
import os
import sys
from importlib import metadata

from pallets_sphinx_themes import ProjectLink

# Document the checkout this file belongs to, installed or not.
sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))
sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "_ext")))

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
    "pallets_sphinx_themes",
    "talisman_options",
]

exclude_patterns = ["_build"]
root_doc = "index"

autodoc_member_order = "bysource"

#: (name, documentation URL, Debian package's local inventory)
_INVENTORIES = [
    ("python", "https://docs.python.org/3/", "/usr/share/doc/python3/html/objects.inv"),
    (
        "flask",
        "https://flask.palletsprojects.com/en/stable/",
        "/usr/share/doc/python-flask-doc/html/objects.inv",
    ),
    (
        "werkzeug",
        "https://werkzeug.palletsprojects.com/en/stable/",
        "/usr/share/doc/python-werkzeug-doc/html/objects.inv",
    ),
]
_ONLINE = os.environ.get("TALISMAN_DOCS_INTERSPHINX") == "1"
intersphinx_mapping: dict[str, tuple[str, str | None]] = {
    name: (url, None if _ONLINE else local)
    for name, url, local in _INVENTORIES
    if _ONLINE or os.path.exists(local)
}

# The pallets theme, as Flask and the pallets-eco extensions use it.
html_theme = "flask"
html_theme_options = {"index_sidebar_logo": False}
html_context = {
    "project_links": [
        ProjectLink("PyPI Releases", "https://pypi.org/project/flask_talisman/"),
        ProjectLink("Source Code", "https://github.com/flask-talisman/flask_talisman/"),
        ProjectLink(
            "Issue Tracker", "https://github.com/flask-talisman/flask_talisman/issues/"
        ),
        ProjectLink("Changes", "changes.html"),
    ]
}
html_sidebars = {
    "index": ["project.html", "localtoc.html", "searchbox.html"],
    "**": ["localtoc.html", "relations.html", "searchbox.html"],
}
singlehtml_sidebars = {"index": ["project.html", "localtoc.html"]}
html_title = f"flask_talisman Documentation ({version})"
html_show_sourcelink = False
# Shown only on Read the Docs: no banner for development builds elsewhere.
version_banner = "READTHEDOCS" in os.environ


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
