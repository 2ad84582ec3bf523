"""The CSP nonce and hashes for templates you cannot edit: other extensions'.

Flasgger renders its Swagger UI page, and Flask-DebugToolbar its toolbar,
from templates whose ``<script>`` and ``<style>`` tags have no ``nonce``
attribute, and neither offers a hook to add one. :func:`add_nonces` adds it
as those templates are loaded: a Jinja extension rewrites their source,
before Jinja compiles it, so that each ``<script``, ``<style`` and ``<link``
start tag in the template's text (not in Jinja's own syntax) reads
``<script nonce="{{ ... }}"``, which renders the current request's nonce.

Event handler and ``style`` attributes cannot carry a nonce. Where their
values are fixed text, :func:`attribute_hashes` reads them from the same
templates and returns the ``'unsafe-hashes'`` sources that allow exactly
those values.

Nothing here imports another extension, and nothing else in the package
imports this module: it is for apps that call it. See :doc:`/works_with`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from jinja2 import Environment
from jinja2.ext import Extension

from .errors import warn
from .extension import csp_nonce
from .headers.csp import UNSAFE_HASHES, csp_hash

__all__ = ["add_nonces", "attribute_hashes"]

#: The Jinja global the added attributes call; a name of its own, so that a
#: template's variable (or the environment's own ``csp_nonce``) cannot hide it.
GLOBAL = "_talisman_csp_nonce"
_TAG = re.compile(r"<(?:script|style|link)(?=[\s/>])", re.IGNORECASE)
_HAS_NONCE = re.compile(r"\snonce\s*=", re.IGNORECASE)
# A start tag, and the event handler and style attributes in it.
_START_TAG = re.compile(r"<[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?>")
_INLINE_ATTRIBUTE = re.compile(
    r"""\s(style|on[a-z]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE
)


def add_nonces(env: Environment, *prefixes: str) -> None:
    """Give the templates of ``env`` named with one of ``prefixes`` the nonce.

    Every ``<script>``, ``<style>`` and ``<link>`` tag of those templates
    (of every template of ``env`` when no prefix is given) gets the current
    request's CSP nonce in a ``nonce`` attribute, unless it already has one;
    the attribute is empty when the request's policy uses no nonce. Tags in
    ``{% raw %}`` blocks are left alone. Call it before the templates are
    first rendered: a template Jinja has already compiled keeps its source.
    Calling it again adds prefixes.

    For Flasgger's Swagger UI, ``add_nonces(app.jinja_env, "flasgger/")``;
    for Flask-DebugToolbar, ``add_nonces(toolbar.jinja_env)``.
    """
    _check_prefixes("add_nonces", prefixes)
    env.globals[GLOBAL] = csp_nonce
    if _NonceTags.identifier not in env.extensions:
        env.add_extension(_NonceTags)
    known: tuple[str, ...] = env.talisman_nonce_prefixes  # type: ignore[attr-defined]
    env.talisman_nonce_prefixes = (*known, *(prefixes or ("",)))  # type: ignore[attr-defined]


def attribute_hashes(env: Environment, *prefixes: str) -> dict[str, tuple[str, ...]]:
    """The hash sources that allow the fixed inline attributes of templates.

    Reads the source of every template of ``env`` whose name starts with one
    of ``prefixes`` (every template when none is given) and returns, for
    ``script-src-attr`` (event handlers such as ``onclick``) and
    ``style-src-attr`` (``style`` attributes), ``'unsafe-hashes'`` followed by
    the SHA-256 hash of each distinct value, in the order found. A directive
    with no such attribute is left out. An attribute whose value holds Jinja
    code has no fixed hash: it is left out with a
    :class:`~flask_talisman.ConfigurationWarning` naming the template. The
    environment's loader must list its templates, as Flask's and Jinja's
    file, package and dict loaders do.
    """
    _check_prefixes("attribute_hashes", prefixes)
    found: dict[str, dict[str, None]] = {"script-src-attr": {}, "style-src-attr": {}}
    starts = tuple(prefixes) or ("",)
    for name in env.list_templates():
        if not name.startswith(starts):
            continue
        source = env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
        for tag in _START_TAG.finditer(source):
            for match in _INLINE_ATTRIBUTE.finditer(tag.group()):
                attribute = match.group(1).lower()
                value = match.group(2) if match.group(2) is not None else match.group(3)
                if _holds_jinja(value, env):
                    warn(
                        f"attribute_hashes: the {attribute} attribute in the "
                        f"template {name!r} is computed when it is rendered "
                        f"({value!r}), so no fixed hash can allow it. Allow it "
                        "another way, or expect the browser to block it."
                    )
                    continue
                directive = (
                    "style-src-attr" if attribute == "style" else "script-src-attr"
                )
                found[directive][csp_hash(html.unescape(value))] = None
    return {
        directive: (UNSAFE_HASHES, *hashes)
        for directive, hashes in found.items()
        if hashes
    }


def _check_prefixes(function: str, prefixes: tuple[object, ...]) -> None:
    for prefix in prefixes:
        if not isinstance(prefix, str):
            raise TypeError(
                f"{function}: a prefix must be a str, got {prefix!r}; pass the "
                f'start of template names, as {function}(env, "flasgger/")'
            )


def _holds_jinja(value: str, env: Environment) -> bool:
    return any(
        start in value
        for start in (
            env.block_start_string,
            env.variable_start_string,
            env.comment_start_string,
        )
    )


class _NonceTags(Extension):
    """Adds the nonce attribute to the tags of the chosen templates' source."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.extend(talisman_nonce_prefixes=())

    def preprocess(
        self, source: str, name: str | None, filename: str | None = None
    ) -> str:
        prefixes: tuple[str, ...] = self.environment.talisman_nonce_prefixes  # type: ignore[attr-defined]
        if name is None or not name.startswith(prefixes):
            return source
        return "".join(_with_nonces(source, self.environment))


def _with_nonces(source: str, env: Environment) -> Iterator[str]:
    """``source`` in pieces, with the attribute added in its template text."""
    attribute = (
        f' nonce="{env.variable_start_string} {GLOBAL}() {env.variable_end_string}"'
    )
    position = 0
    for match in _jinja_syntax(env).finditer(source):
        yield _tag_nonces(source, position, match.start(), attribute)
        yield match.group()
        position = match.end()
    yield _tag_nonces(source, position, len(source), attribute)


def _tag_nonces(source: str, start: int, end: int, attribute: str) -> str:
    """``source[start:end]`` with each tag in it given ``attribute``."""
    pieces = []
    position = start
    for match in _TAG.finditer(source, start, end):
        pieces.append(source[position : match.end()])
        tag_end = source.find(">", match.end())
        if tag_end < 0:
            tag_end = len(source)
        if not _HAS_NONCE.search(source, match.end(), tag_end):
            pieces.append(attribute)
        position = match.end()
    pieces.append(source[position:end])
    return "".join(pieces)


def _jinja_syntax(env: Environment) -> re.Pattern[str]:
    """Jinja's comments, raw blocks, statements and expressions in ``env``."""
    block, end_block = map(re.escape, (env.block_start_string, env.block_end_string))
    variable, end_variable = map(
        re.escape, (env.variable_start_string, env.variable_end_string)
    )
    comment, end_comment = map(
        re.escape, (env.comment_start_string, env.comment_end_string)
    )
    raw = (
        rf"{block}[-+]?\s*raw\s*[-+]?{end_block}.*?"
        rf"{block}[-+]?\s*endraw\s*[-+]?{end_block}"
    )
    return re.compile(
        rf"{comment}.*?{end_comment}|{raw}|{block}.*?{end_block}"
        rf"|{variable}.*?{end_variable}",
        re.DOTALL,
    )
