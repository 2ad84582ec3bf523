"""Properties: the testing helpers read a page as browsers do.

``assert_nonce_used`` reads HTML with a parser of its own
(``flask_talisman._html.Page``). For any document mixing scripts, styles,
comments, CDATA, raw text elements, SVG and MathML, tables and formatting
elements, with attributes repeated, in any letter case, quoted or not and
with character references, it finds the same elements as html5lib, which
implements the HTML standard's parser: the same set of (namespace, tag,
nonce, and what decides whether a script runs) for every script and style
and for every element with a ``nonce`` attribute. html5lib runs with
scripting on, as browsers that run scripts parse ``<noscript>``.

html5lib follows the standard as of 2020: its ``<select>`` keeps only
options (browsers now parse it as they parse the body), so the documents
have no ``<select>``; they have no frameset either.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flask_talisman import _html

from .test_options import SETTINGS

html5lib = pytest.importorskip("html5lib", reason="html5lib is the reference parser")

NAMESPACES = {
    "http://www.w3.org/1999/xhtml": "html",
    "http://www.w3.org/2000/svg": "svg",
    "http://www.w3.org/1998/Math/MathML": "math",
}
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"

#: (namespace, tag, nonce, type, language, has a source)
Element = tuple[str, str, str | None, str | None, str | None, bool]


def element(namespace: str, tag: str, attributes: Mapping[str, str]) -> Element | None:
    """What the check of an element depends on, if it is checked at all."""
    tag = tag.lower()
    code = namespace in ("html", "svg") and tag in ("script", "style")
    if not code and "nonce" not in attributes:
        return None
    sources = ("href", "xlink:href", XLINK_HREF) if namespace == "svg" else ("src",)
    return (
        namespace,
        tag,
        attributes.get("nonce"),
        attributes.get("type"),
        attributes.get("language"),
        any(source in attributes for source in sources),
    )


def found(elements: Iterable[Element | None]) -> set[Element]:
    return {each for each in elements if each is not None}


def ours(document: str) -> set[Element]:
    page = _html.Page(document)
    return found(element(*each[2:]) for each in page.elements)


def html5libs(document: str) -> set[Element]:
    tree = html5lib.parse(
        document, treebuilder="etree", namespaceHTMLElements=True, scripting=True
    )
    elements = []
    for node in tree.iter():
        if isinstance(node.tag, str) and node.tag.startswith("{"):
            uri, tag = node.tag[1:].split("}")
            elements.append(element(NAMESPACES[uri], tag, dict(node.attrib)))
    return found(elements)


TAGS = [
    # code, raw text and what hides or shows it
    "script", "style", "textarea", "title", "noscript", "xmp", "iframe",
    "noembed", "noframes", "plaintext", "template", "link", "img", "br",
    # foreign content and its integration points
    "svg", "math", "foreignObject", "desc", "g", "path", "mi", "mtext",
    "annotation-xml", "mglyph",
    # the stack of open elements: blocks, lists, formatting elements, tables
    "div", "p", "span", "pre", "h1", "li", "ul", "dd", "dt", "button", "object",
    "b", "i", "a", "em", "font", "nobr",
    "table", "caption", "colgroup", "col", "tbody", "tr", "td", "th",
]  # fmt: skip
ATTRIBUTES = [
    "nonce", "src", "href", "xlink:href", "type", "language", "encoding",
    "color", "x", "=x",
]  # fmt: skip
VALUES = [
    "", "abc", "ABC", "&#x61;bc", "&#97;bc", "a&amp;b", "a&amp=b", "&ampx",
    "&lt", "&notit;", "&#0;", "&#x110000;", "&#128;", "module", "text/plain",
    "vbscript", "text/html", "a b", "'", '"', ">", "</script>",
]  # fmt: skip
PIECES = [
    "<!--", "-->", "--!>", "<!-->", "<!--->", "<!---->", "<!", "<?x>",
    "</ x>", "</>", "<![CDATA[", "]]>", "-", "--", "<", "&", ">", "x", " ",
    "\n", "\r\n", "\0", "<!DOCTYPE html>", "<!doctype x>", "a<b", "</",
]  # fmt: skip


def letter_cases(word: str) -> st.SearchStrategy[str]:
    return st.sampled_from([word, word.upper(), word.title(), word.swapcase()])


@st.composite
def attributes(draw: st.DrawFn) -> str:
    before = draw(st.sampled_from([" ", "\n", "\t", "  ", "/", " / "]))
    name = draw(st.sampled_from(ATTRIBUTES).flatmap(letter_cases))
    quote = draw(st.sampled_from(["", '"', "'", None]))
    if quote is None:
        return before + name
    value = draw(st.sampled_from(VALUES))
    if quote in value or (not quote and any(c in value for c in " \"'>")):
        value = "v"
    equals = draw(st.sampled_from(["=", " = ", "=\n"]))
    return f"{before}{name}{equals}{quote}{value}{quote}"


@st.composite
def tags(draw: st.DrawFn, names: list[str] = TAGS) -> str:
    end = draw(st.sampled_from(["", "", "/"]))
    name = draw(st.sampled_from(names).flatmap(letter_cases))
    written = "".join(draw(st.lists(attributes(), max_size=4)))
    close = draw(st.sampled_from([">", "/>", " >", ""]))
    return f"<{end}{name}{written}{close}"


def bits() -> st.SearchStrategy[str]:
    return st.one_of(
        tags(),
        st.sampled_from(PIECES),
        st.text(alphabet="<>!-/ a", max_size=5),
    )


@st.composite
def comments(draw: st.DrawFn) -> str:
    opening = draw(st.sampled_from(["<!--", "<!---", "<!----", "<!-- "]))
    inside = "".join(draw(st.lists(bits(), max_size=4)))
    closing = draw(
        st.sampled_from(["-->", "--!>", "->", ">", "--", "---->", "--!->", ""])
    )
    return opening + inside + closing


@st.composite
def raw_text(draw: st.DrawFn) -> str:
    """An element whose content is text to the tokenizer, and what could end it."""
    name = draw(
        st.sampled_from(["script", "style", "textarea", "title", "noscript", "xmp"])
    )
    start = draw(tags([name]).filter(lambda tag: not tag.startswith("</")))
    ends = [f"</{name}>", f"</{name.upper()} x='>'>", f"</{name}/>", f"</{name}"]
    escapes = ["<!--", "-->", "<script>", "</script>", "<script ", "<SCRIPT/", "--"]
    inside = "".join(
        draw(st.lists(st.one_of(bits(), st.sampled_from(escapes + ends)), max_size=8))
    )
    return start + inside + draw(st.sampled_from([*ends, ""]))


documents = st.lists(st.one_of(bits(), comments(), raw_text()), max_size=20).map(
    "".join
)


@settings(SETTINGS, max_examples=max(SETTINGS.max_examples, 500))
@given(document=documents)
def test_it_finds_the_elements_html5lib_finds(document: str) -> None:
    assert ours(document) == html5libs(document)


@pytest.mark.parametrize(
    "document",
    [
        '<script nonce="STALE" nonce="abc">go()</script>',
        "<!-- x --!><script>evil()</script>",
        "<!--><script>evil()</script>",
        "<![CDATA[><script>evil()</script>]]>",
        "<svg><![CDATA[<script>x()</script>]]><title><script>y()</script>",
        "<script><!--<script></script><script nonce=abc>--></script>",
        "<noscript><script>x()</script></noscript><math><script>y()</script>",
        "<div><svg><g></div><style>p {}</style>",
        "<table><tr><td><svg><script nonce=a></td><script nonce=b></script>",
        "<b><p>x</b><svg><desc></b><style></style>",
    ],
)
def test_the_examples_agree(document: str) -> None:
    assert ours(document) == html5libs(document)
