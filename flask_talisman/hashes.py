"""Inline scripts and styles allowed by hash, marked in the template.

``{% csp_script %}…{% endcsp_script %}`` and ``{% csp_style %}…{% endcsp_style %}``
render a ``<script>`` or ``<style>`` element whose text is written in the
template source. When the template is compiled, the text's SHA-256 hash is
computed and kept in the environment's :class:`InlineHashes`, and the
extension adds every kept hash to the CSP of the app (see
``docs/csp.rst``, "Hashes from templates"). A hash depends only on the
text, so a page that uses hashes and no nonce can be cached anywhere.

Only text written in the template is ever hashed: a tag whose body holds
anything rendered (``{{ … }}``, ``{% if %}``, a comment is fine) fails to
compile. A value rendered into an allowed script would let whoever controls
the value run code; an injected script can never match a hash of the
template's own text.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Callable
from typing import Any, ClassVar

from jinja2 import Environment, nodes
from jinja2.exceptions import TemplateError, TemplateSyntaxError
from jinja2.ext import Extension
from jinja2.parser import Parser
from markupsafe import escape

from .headers.csp import csp_hash

__all__ = ["InlineExtension", "InlineHashes", "inline_hashes"]

_KINDS = {"csp_script": "script", "csp_style": "style"}
_ATTRIBUTE = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
# Text that would end the element early or change where it ends (a script's
# "<!--" with "<script" inside switches the HTML parser's escaping state).
_BREAKS = {
    "script": re.compile(r"</script|<!--", re.IGNORECASE),
    "style": re.compile(r"</style", re.IGNORECASE),
}


class InlineHashes:
    """The hashes of an environment's tags, by kind (``script``, ``style``).

    Filled when templates are compiled (or read from a bytecode cache and
    rendered); each new hash tells the listeners, which compile their
    policies again.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._hashes: dict[str, dict[str, None]] = {"script": {}, "style": {}}
        self._listeners: weakref.WeakSet[Any] = weakref.WeakSet()
        #: Whether the templates the loader lists were compiled once.
        self.scanned = False

    def add(self, kind: str, digest: str) -> bool:
        """Keep ``digest``; True if it is new (the listeners were told)."""
        if digest in self._hashes[kind]:
            return False
        with self._lock:
            if digest in self._hashes[kind]:
                return False
            self._hashes[kind] = {**self._hashes[kind], digest: None}
        for listener in list(self._listeners):
            listener.invalidate()
        return True

    @property
    def count(self) -> int:
        """How many hashes are kept: a policy compiled with fewer lacks some."""
        return len(self._hashes["script"]) + len(self._hashes["style"])

    def listen(self, listener: Any) -> None:
        """Call ``listener.invalidate()`` on each new hash (kept weakly)."""
        self._listeners.add(listener)

    def snapshot(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The script hashes and the style hashes, in the order found."""
        with self._lock:
            return tuple(self._hashes["script"]), tuple(self._hashes["style"])

    def scan(self, environment: Environment) -> None:
        """Compile each listed template that uses a tag, to find its hashes.

        Parsing (not loading) runs the tags even when a bytecode cache
        would skip compiling. A loader that cannot list its templates is
        skipped: their hashes are found when they are first rendered.
        A template that fails to compile is skipped here; rendering it
        raises its error.
        """
        self.scanned = True
        loader = environment.loader
        if loader is None:
            return
        try:
            names = loader.list_templates()
        except TypeError:  # this loader cannot list its templates
            return
        for name in names:
            try:
                source = loader.get_source(environment, name)[0]
            except (TemplateError, OSError, UnicodeDecodeError):
                continue
            if "csp_script" in source or "csp_style" in source:
                try:
                    environment.parse(source, name)
                except TemplateSyntaxError:
                    continue


def inline_hashes(environment: Environment) -> InlineHashes:
    """The :class:`InlineHashes` of ``environment`` (made on first use)."""
    registry: InlineHashes | None = getattr(environment, "talisman_inline", None)
    if registry is None:
        registry = InlineHashes()
        environment.extend(talisman_inline=registry)
    return registry


class InlineExtension(Extension):
    """The ``csp_script`` and ``csp_style`` tags (added by ``init_app``)."""

    tags: ClassVar[set[str]] = set(_KINDS)  # type: ignore[misc]

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        inline_hashes(environment)

    def parse(self, parser: Parser) -> nodes.Node:
        token = next(parser.stream)
        tag = token.value
        kind = _KINDS[tag]
        if self.environment.sandboxed:
            parser.fail(
                f"{tag}: not available in a sandboxed environment: its "
                "templates are written by people the app does not trust, and "
                "every hash is allowed on every page.",
                token.lineno,
            )
        attributes: list[str] = []
        while parser.stream.current.type != "block_end":
            if attributes:
                parser.stream.skip_if("comma")
            name = parser.stream.expect("name")
            parser.stream.expect("assign")
            value = parser.parse_expression()
            if not _ATTRIBUTE.match(name.value) or name.value.lower() == "nonce":
                parser.fail(
                    f"{tag}: {name.value!r} cannot be an attribute here (a "
                    "nonce is not needed: the element is allowed by hash).",
                    name.lineno,
                )
            if not isinstance(value, nodes.Const) or not isinstance(value.value, str):
                parser.fail(
                    f'{tag}: attribute {name.value} must be a quoted string ("..."),'
                    " written in the template.",
                    name.lineno,
                )
            attributes.append(f' {name.value}="{escape(value.value)}"')
        body = parser.parse_statements((f"name:end{tag}",), drop_needle=True)
        text = _literal_text(tag, body, parser, token.lineno)
        if _BREAKS[kind].search(text):
            parser.fail(
                f"{tag}: the text holds {_BREAKS[kind].search(text).group(0)!r}, "  # type: ignore[union-attr]
                "which would end the element early or change where it ends.",
                token.lineno,
            )
        digest = csp_hash(text)
        inline_hashes(self.environment).add(kind, digest)
        html = f"<{kind}{''.join(attributes)}>{text}</{kind}>"
        # Called through the environment's extensions, not a Jinja global:
        # each global costs every render a lookup (a template's globals are
        # a ChainMap copied into each context).
        record = self.call_method("_record", [nodes.Const(kind), nodes.Const(digest)])
        return nodes.Output([record, nodes.TemplateData(html)], lineno=token.lineno)

    def _record(self, kind: str, digest: str) -> str:
        """Note, as the page renders, that it uses a hashed element.

        Keeps a hash the registry did not know (a template loaded from a
        bytecode cache skips the tag's compile step), then calls
        :attr:`on_render` (set by the extension).
        """
        inline_hashes(self.environment).add(kind, digest)
        if self.on_render is not None:
            self.on_render()
        return ""

    #: Called each time a tag renders (``init_app`` sets it).
    on_render: Callable[[], None] | None = None


def _literal_text(tag: str, body: list[nodes.Node], parser: Parser, line: int) -> str:
    parts: list[str] = []
    for node in body:
        if isinstance(node, nodes.Output) and all(
            isinstance(child, nodes.TemplateData) for child in node.nodes
        ):
            parts.extend(child.data for child in node.nodes)  # type: ignore[attr-defined]
            continue
        parser.fail(
            f"{tag}: only text written in the template can be allowed by hash; "
            "this one holds something rendered ({{ ... }} or a {% ... %} "
            "block). Put values in a data- attribute or a "
            '<script type="application/json"> element and read them from '
            "the script, or use a nonce.",
            getattr(node, "lineno", line),
        )
    return "".join(parts)
