"""The option reference of docs/options.rst, generated from the declarations.

``.. talisman-options:: HTTPS`` renders every option whose
:class:`~flask_talisman.headers.base.Option` has ``section="HTTPS"``, in the
order of ``SPECS``, each as its own entry: a ``talisman-option`` object
(``:topt:`force_https``` links to it, ``:ref:`option-force_https``` too,
and its anchor is ``#option-force_https``) with its type (read from
:class:`~flask_talisman.option_types.TalismanOptions`), default, whether a
view can set it, its header, an example and its details.

The entries are written as reStructuredText and parsed in place, so the
details' inline markup works as anywhere else. Sphinx is imported only when
Sphinx loads the extension: the tests, whose environment has no Sphinx,
import the text this module renders.
"""

from __future__ import annotations

import re
import types
from functools import cache
from pathlib import Path
from typing import (
    TYPE_CHECKING,
    Any,
    Literal,
    Union,
    get_args,
    get_origin,
    get_type_hints,
)

from flask_talisman import option_types, options
from flask_talisman.headers.base import Option
from flask_talisman.option_types import TalismanOptions
from flask_talisman.options import SPECS

if TYPE_CHECKING:
    from sphinx.application import Sphinx

#: The object type: ``.. talisman-option::`` and ``:topt:``.
OBJECT_TYPE = "talisman-option"
ROLE = "topt"
#: The directive that renders a section's options.
DIRECTIVE = "talisman-options"


def type_text(hint: Any) -> str:
    """A type as Python would write it: ``Mapping[str, str] | str | None``."""
    if hint is type(None) or hint is None:
        return "None"
    origin = get_origin(hint)
    if origin is Union or origin is types.UnionType:
        return " | ".join(type_text(arg) for arg in get_args(hint))
    if origin is Literal:
        return f"Literal[{', '.join(repr(arg) for arg in get_args(hint))}]"
    if origin is not None:
        args = ", ".join(type_text(arg) for arg in get_args(hint))
        return f"{origin.__name__}[{args}]"
    if hint is Any:
        return "Any"
    return str(hint.__name__)


@cache
def _hints() -> dict[str, Any]:
    return get_type_hints(TalismanOptions)


def option_type(name: str) -> str:
    """The option's type, as declared in ``TalismanOptions``."""
    return type_text(_hints()[name])


def _split_headers(header: str) -> list[str]:
    # "A, B (note, more)" -> ["A", "B (note, more)"]: commas in parentheses
    # belong to a note.
    parts, depth, start = [], 0, 0
    for i, char in enumerate(header):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(header[start:i].strip())
            start = i + 1
    parts.append(header[start:].strip())
    return parts


def header_rst(header: str | None) -> str:
    """``Set-Cookie (session cookie)`` as ````Set-Cookie```` (session cookie)."""
    if header is None:
        return "none (the option controls behaviour)"
    out = []
    for part in _split_headers(header):
        match = re.fullmatch(r"([A-Za-z0-9-]+)(.*)", part)
        if match is None:
            raise ValueError(f"header {header!r}: {part!r} is not a header name")
        out.append(f"``{match[1]}``{match[2]}")
    return ", ".join(out)


def _literal(text: str) -> str:
    if "``" in text or text != text.strip():
        raise ValueError(f"{text!r} cannot be an inline literal")
    return f"``{text}``"


def entry_rst(spec: Option) -> list[str]:
    """The lines of one option's entry."""
    return [
        f".. {OBJECT_TYPE}:: {spec.name}",
        "",
        f"   :Type: {_literal(option_type(spec.name))}",
        f"   :Default: {_literal(repr(spec.default))}",
        f"   :Per view: {'yes' if spec.per_view else 'no, app-wide only'}",
        f"   :Header: {header_rst(spec.header)}",
        f"   :Example: {_literal(f'{spec.name}={spec.example}')}",
        "",
        *(f"   {line}" if line else "" for line in spec.details.splitlines()),
        "",
    ]


def sections() -> list[str]:
    """Every section, in the order its first option is declared."""
    return list(dict.fromkeys(spec.section for spec in SPECS.values()))


def section_rst(section: str) -> list[str]:
    """The lines of every entry of ``section``."""
    specs = [spec for spec in SPECS.values() if spec.section == section]
    if not specs:
        raise ValueError(
            f"no option has section {section!r}; the sections are "
            + ", ".join(map(repr, sections()))
        )
    return [line for spec in specs for line in entry_rst(spec)]


def _sphinx_classes() -> tuple[type, type]:
    from docutils import nodes
    from docutils.statemachine import StringList
    from sphinx.domains.std import GenericObject
    from sphinx.util.docutils import SphinxDirective

    class OptionEntry(GenericObject):
        """One option, with the anchor ``option-<name>`` (also a ref label)."""

        def add_target_and_index(self, name: str, sig: str, signode: Any) -> None:
            node_id = f"option-{name}"
            signode["ids"].append(node_id)
            self.state.document.note_explicit_target(signode)
            self.indexnode["entries"].append(
                ("pair", f"{name}; Talisman option", node_id, "", None)
            )
            std = self.env.get_domain("std")
            std.note_object(self.objtype, name, node_id, location=signode)
            std.note_hyperlink_target(node_id, self.env.docname, node_id, name)

    class OptionsDirective(SphinxDirective):
        """``.. talisman-options:: <section>``: that section's entries."""

        required_arguments = 1
        final_argument_whitespace = True
        has_content = False

        def run(self) -> list[nodes.Node]:
            # Read again when the declarations or this rendering change.
            for module in (options, option_types):
                self.env.note_dependency(module.__file__)
            self.env.note_dependency(__file__)
            try:
                lines = section_rst(self.arguments[0])
            except ValueError as error:
                raise self.error(f"{DIRECTIVE}: {error}") from None
            source, line = self.get_source_info()
            content = StringList()
            for i, text in enumerate(lines):
                content.append(text, f"{source}:<{DIRECTIVE}>", line + i)
            container = nodes.container()
            self.state.nested_parse(content, self.content_offset, container)
            return list(container.children)

    return OptionEntry, OptionsDirective


#: The entries' layout: a rule above each, the facts and the text aligned.
CSS = """\
dl.talisman-option {
  margin: 0 0 1.25em;
  padding-top: 0.75em;
  border-top: 1px solid #e8e8e8;
}
dl.talisman-option > dd {
  margin-left: 1.5em;
}
dl.talisman-option > dd > dl.field-list {
  margin: 0.5em 0 0.75em;
}
dl.talisman-option > dd > dl.field-list > dt {
  padding-left: 0;
}
"""
CSS_FILE = "talisman_options.css"


def _write_css(app: Sphinx, exception: Exception | None) -> None:
    if exception is None and app.builder.format == "html":
        static = Path(app.outdir) / "_static"
        static.mkdir(parents=True, exist_ok=True)
        (static / CSS_FILE).write_text(CSS, encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    from docutils import nodes
    from sphinx.roles import XRefRole

    entry, directive = _sphinx_classes()
    app.add_object_type(
        OBJECT_TYPE, ROLE, objname="Talisman option", ref_nodeclass=nodes.literal
    )
    app.add_directive_to_domain("std", OBJECT_TYPE, entry, override=True)
    # A :topt: naming no option is a warning (add_object_type's role is silent).
    app.add_role_to_domain(
        "std",
        ROLE,
        XRefRole(innernodeclass=nodes.literal, warn_dangling=True),
        override=True,
    )
    app.add_directive(DIRECTIVE, directive)
    app.add_css_file(CSS_FILE)
    app.connect("build-finished", _write_css)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
