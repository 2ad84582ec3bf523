"""flask_talisman._html: the elements of a page, as the HTML standard's parser makes them.

``assert_nonce_used`` checks the elements that ``_html.Page`` finds, so
they must be the elements a browser creates. Each document below reaches
one rule of the tokenizer or of tree construction, and is read by both
``_html.Page`` and html5lib (an implementation of the standard, with
scripting on as in browsers that run scripts). They must agree on:

* the elements: namespace, name and attributes (values with their
  character references decoded) of every element that has attributes;
* the stack of open elements and the list of active formatting elements
  after the last token, before the end of the file closes anything, so that
  a rule that only moves the parser's state is checked too.

html5lib follows the standard of 2020: it has no ``<template>`` contents,
still has the "in select" insertion mode, an older adoption agency
algorithm and older ruby rules, and does not know ``<search>``. Those rules
are checked against what the standard says, written out (the trees are the
ones Chromium builds).

tests/properties/test_testing_helpers.py compares the two parsers on
generated documents as well.
"""

from __future__ import annotations

from typing import Any

import pytest

from flask_talisman import _html

html5lib = pytest.importorskip("html5lib", reason="html5lib is the reference parser")
_tokenizer = pytest.importorskip("html5lib._tokenizer")

NAMESPACES = {
    "http://www.w3.org/1999/xhtml": "html",
    "http://www.w3.org/2000/svg": "svg",
    "http://www.w3.org/1998/Math/MathML": "math",
}

#: (namespace, lowercase name, sorted attributes)
Element = tuple[str, str, tuple[tuple[str, str], ...]]
#: The elements with attributes, the open elements (without html, head and
#: body, which html5lib places as the page goes, and _html.Page opens
#: first) and the active formatting elements (None: a marker).
State = tuple[set[Element], list[tuple[str, str]], list[str | None]]

BOTTOM = {("html", "html"), ("html", "head"), ("html", "body")}


def element(namespace: str, name: str, attributes: dict[str, str]) -> Element:
    return (namespace, name.lower(), tuple(sorted(attributes.items())))


def ours(document: str) -> State:
    page = _html.Page(document)
    elements = {element(*each[2:]) for each in page.elements if each[4]}
    stack = [(node.namespace, node.name) for node in page.stack]
    formatting = [None if node is None else node.name for node in page.formatting]
    return elements, [each for each in stack if each not in BOTTOM], formatting


class _Tokenizer(_tokenizer.HTMLTokenizer):  # type: ignore[misc]
    """html5lib's tokenizer, noting the parser's state before the end of file."""

    def __iter__(self) -> Any:
        yield from super().__iter__()
        tree = self.parser.tree
        self.parser.before_eof = (
            [(NAMESPACES[node.namespace], node.name) for node in tree.openElements],
            [getattr(node, "name", None) for node in tree.activeFormattingElements],
        )


class _Parser(html5lib.HTMLParser):  # type: ignore[misc]
    def mainLoop(self) -> None:
        self.tokenizer.__class__ = _Tokenizer
        super().mainLoop()


def html5libs(document: str) -> State:
    parser = _Parser(namespaceHTMLElements=True)
    tree = parser.parse(document, scripting=True)
    elements = set()
    for node in tree.iter():
        if isinstance(node.tag, str) and node.tag.startswith("{") and node.attrib:
            uri, name = node.tag[1:].split("}")
            elements.add(element(NAMESPACES[uri], name, dict(node.attrib)))
    stack, formatting = parser.before_eof
    stack = [(namespace, name.lower()) for namespace, name in stack]
    return elements, [each for each in stack if each not in BOTTOM], formatting


def case(document: str, rule: str) -> Any:
    return pytest.param(document, id=rule)


TOKENIZER = [
    # Character references in attribute values
    case('<p id="&#x81;">', "numeric-reference-to-a-c1-control-cp1252-lacks"),
    case('<p id="&#x80;&#150;">', "numeric-reference-to-a-c1-control-in-cp1252"),
    case('<p id="&#;&#x;">', "numeric-reference-without-digits-is-text"),
    case('<p id="&#65x&#x42">', "numeric-reference-without-semicolon"),
    case('<p id="&#0;&#xD800;&#x110000;&#99999999999;">', "numeric-reference-replaced"),
    case('<p id="a&-b&">', "ampersand-without-a-name-is-text"),
    case('<p id="&zzzz;&x">', "unknown-name-is-text"),
    case('<p id="&notin;&notit;&not">', "longest-named-reference"),
    case('<p id="&amp=&ampx&amp;x" title=&lt;>', "legacy-reference-before-=-or-alnum"),
    case("<p id=a&amp;b&c>", "references-in-unquoted-values"),
    # Attributes
    case('<p id="1" ID="2" nonce=a NONCE=b>', "first-of-two-equal-names"),
    case("<p =x id=1>", "a-leading-=-is-part-of-the-name"),
    case("<p id=>", "missing-value-ends-the-tag"),
    case('<p id="1"nonce=a>', "no-space-after-a-quoted-value"),
    case("<p / id=1 / >", "slashes-between-attributes"),
    case("<p id=\0 a\0=1>", "nul-in-names-and-values"),
    case("<p id=1", "tag-the-file-ends-in-name"),
    case("<p id= ", "tag-the-file-ends-after-="),
    case('<p id="abc', "tag-the-file-ends-in-a-quoted-value"),
    case("<p id=abc", "tag-the-file-ends-in-an-unquoted-value"),
    case("<p id=a ", "tag-the-file-ends-before-an-attribute"),
    # Tag open, end tag open, markup declarations
    case("x</", "end-tag-open-at-the-end-of-the-file"),
    case("</>x<p id=1>", "empty-end-tag-is-nothing"),
    case("</ p><p id=1>", "end-tag-not-a-letter-is-a-bogus-comment"),
    case("<?php <p id=0> ?><p id=1>", "processing-instruction-is-a-bogus-comment"),
    case("<! p id=0><p id=1>", "markup-declaration-is-a-bogus-comment"),
    case("a < b <p id=1>", "less-than-before-a-space-is-text"),
    case("<!doctype html><p><table id=1>", "doctype-html-is-no-quirks"),
    case("<!DOCTYPE html5><p><table id=1>", "other-doctype-is-quirks"),
    case("<p><table id=1>", "no-doctype-is-quirks"),
    case(" \n<!DOCTYPE html><p><table id=1>", "whitespace-before-the-doctype"),
    case("x<!DOCTYPE html><p><table id=1>", "text-before-the-doctype-is-quirks"),
    case("<p id=0><!DOCTYPE html><p><table id=1>", "a-tag-before-the-doctype"),
    case("<!DOCTYPE html", "doctype-the-file-ends-in"),
    # Comments
    case("<!--><p id=1>", "<!-->-is-a-whole-comment"),
    case("<!---><p id=1>", "<!--->-is-a-whole-comment"),
    case("<!-- --!><p id=1>", "a-comment-ends-at---!>"),
    case("<!-- --!-><p id=0>--><p id=1>", "--!-is-not-an-end"),
    case("<!-- <p id=0>", "comment-the-file-ends-in"),
    # CDATA
    case("<![CDATA[ > <p id=1> ]]>", "cdata-in-html-is-a-bogus-comment"),
    case("<svg><![CDATA[ > <p id=0> ]]><g id=1>", "cdata-in-svg-is-text"),
    case("<svg><![CDATA[]]><g id=1>", "empty-cdata"),
    case("<svg><![CDATA[<p id=0>", "cdata-the-file-ends-in"),
    case("<svg><desc><![CDATA[ > <p id=1>", "cdata-in-an-integration-point"),
    case("<math><mi>x<![CDATA[ > <p id=1>", "cdata-in-a-mathml-text-point"),
    # Raw text, RCDATA, PLAINTEXT
    case("<textarea><p id=0></textarea><p id=1>", "rcdata"),
    case("<title></title x><p id=1>", "end-tag-with-attributes-ends-raw-text"),
    case("<style></stylex></style/><p id=1>", "end-tag-name-must-end"),
    case("<style></style", "raw-text-end-tag-the-file-ends-in"),
    case("<xmp></title><p id=0>", "another-end-tag-is-text"),
    case("<iframe><p id=0></iframe><p id=1>", "iframe-is-raw-text"),
    case("<noembed><p id=0></noembed><p id=1>", "noembed-is-raw-text"),
    case("<noframes><p id=0></noframes><p id=1>", "noframes-is-raw-text"),
    case("<noscript><p id=0></noscript><p id=1>", "noscript-with-scripting"),
    case("<plaintext></plaintext><p id=0>", "plaintext-to-the-end"),
    case("<p><plaintext id=1>", "plaintext-closes-p"),
    case("<p><xmp id=1>", "xmp-closes-p"),
    # Script data and its escapes
    case("<script></script ><p id=1>", "script-ends"),
    case("<script>a<b</scrip></script><p id=1>", "less-than-in-script"),
    case("<script><!--></script><p id=1>", "<!-->-in-script"),
    case("<script><!---></script><p id=1>", "<!--->-in-script"),
    case("<script><!--</script><p id=1>", "escaped-script-ends"),
    case(
        "<script><!--<script></script><p id=0>--></script><p id=1>",
        "double-escaped",
    ),
    case(
        "<script><!--<script></script></script><p id=0>--></script><p id=1>",
        "double-escaped-</script-returns-to-escaped",
    ),
    case("<script><!--<scriptx></script><p id=1>", "not-a-script-tag-name"),
    case("<script><!--<p></script><p id=1>", "other-tag-in-escaped"),
    case("<script><!--</p></script><p id=1>", "other-end-tag-in-escaped"),
    case("<script><!--<script", "escaped-the-file-ends-in"),
    case("<script><!--<script>", "double-escaped-the-file-ends-in"),
    case("<script><!-- - -- -> --><p id=0></script><p id=1>", "dashes-in-escaped"),
]

TREE = [
    # Foreign content
    case("<svg><p id=1>", "breakout-tag-leaves-svg"),
    case("<svg><g><g><div id=1>", "breakout-pops-to-html"),
    case("<svg><font id=0><font color=red id=1>", "font-with-color-breaks-out"),
    case("<math><mi><svg><b id=1>", "breakout-stops-at-a-mathml-text-point"),
    case("<svg><desc><svg><b id=1>", "breakout-stops-at-an-html-point"),
    case("<svg><g/><path id=1/><p id=2>", "self-closing-foreign-element"),
    case("<svg/><p id=1>", "self-closing-svg"),
    case("<math/><mi id=1>", "self-closing-math"),
    case("<svg><g><path></g><rect id=1>", "foreign-end-tag-closes"),
    case("<svg><g></x><rect id=1>", "foreign-end-tag-unmatched"),
    case("<p><svg><g></p><b id=1>", "html-end-tag-from-foreign-content"),
    case("<p><svg><desc></p><b id=1>", "integration-point-ends-a-scope"),
    case("<math><mi><mglyph id=1><mi>", "mglyph-in-mi-is-mathml"),
    case("<math><annotation-xml><svg id=1>", "svg-in-annotation-xml"),
    case("<math><annotation-xml><p id=1>", "annotation-xml-is-no-html-point"),
    case(
        '<math><annotation-xml encoding="TEXT/html"><p id=1>',
        "annotation-xml-text/html-is-an-html-point",
    ),
    case("<math><mi>x</mi><mo id=1>", "text-in-a-mathml-text-point"),
    case("<svg>\0<g id=1>", "nul-in-foreign-content"),
    case("<svg><desc>x<g id=1>", "text-in-an-html-point"),
    # Ignored start tags, merged ones
    case(
        "<html nonce=a><body nonce=b><html nonce=c><body nonce=d>",
        "html-and-body-merge",
    ),
    case("<head nonce=a><p id=1>", "head-first"),
    case("<link id=1><meta id=2><base id=3><bgsound id=4>", "void-head-elements"),
    case("</template><b id=1>", "template-end-without-a-template"),
    case("<frame id=1><caption id=2><tr id=3>", "ignored-in-body"),
    case("<form id=1><form id=2></form><form id=3>", "one-form"),
    # Blocks, headings, lists
    case("<p><div id=1></div><p id=2><p id=3>", "blocks-close-p"),
    case("<h1><h2 id=1></h2>x</h1><h3 id=2>", "heading-in-heading"),
    case("<h1><p id=1></h1><b id=2>", "heading-end-closes-any-heading"),
    case("<li id=1><li id=2><div><li id=3>", "li-closes-li"),
    case("<li><address><li id=1>", "li-through-address"),
    case("<li><span><li id=1>", "li-through-ordinary"),
    case("<li><table><li id=1>", "li-stops-at-special"),
    case("<dd><dt id=1><div><dd id=2></dd><dt id=3>", "dd-and-dt"),
    case("<ul><li><p>x</li><p id=1></ul><p id=2>", "li-end"),
    case("<dl><dd><p></dd><dt></dt><b id=1>", "dd-end"),
    case("<li></li></dd><b id=1>", "li-and-dd-end-without-one"),
    case("<ol><li><ol></li><b id=1>", "li-end-not-in-list-item-scope"),
    case("</li><b id=1>", "li-end-without-li"),
    case("<p></p></p><b id=1>", "p-end-without-p"),
    case("<button><p><button id=1>", "button-in-button"),
    case("<hr id=1><p><hr id=2>", "hr-closes-p"),
    case("<image id=1><p><img id=2>", "image-is-img"),
    case("<p><b></p><param id=1><source id=2><track id=3>", "param-no-reconstruct"),
    case("<pre id=1></pre><listing id=2></listing>", "pre-and-listing"),
    case("<div><span></div><b id=1>", "block-end"),
    case("</div><b id=1>", "block-end-not-in-scope"),
    case("<select><select id=1>", "select-in-select-closes-it"),
    case("<select><option id=1><option id=2>", "option-closes-option"),
    case("<ruby><rt id=1><rp id=2>", "ruby-parts-close-each-other"),
    case("<rb id=1><rt id=2>", "ruby-parts-outside-ruby"),
    case("<object><b></object><i id=1>", "object-end"),
    case("<applet></marquee><b id=1>", "applet-end-other"),
    case("</br><br id=1>", "br-end-tag"),
    case("<p><b></p></br><i id=1>", "br-end-tag-reconstructs"),
    case("<div><span><x-y></span><b id=1>", "any-other-end-tag"),
    case("<div></span><b id=1>", "any-other-end-stops-at-special"),
    case("</body></html></head><b id=1>", "ignored-end-tags"),
    # Active formatting elements
    case("<p><b></p><i id=1>", "reconstruct"),
    case("<p><b><i></p>x", "reconstruct-all"),
    case("<p><b></p><object><i id=1>", "reconstruct-stops-at-marker"),
    case("<b><p><i></p>x", "reconstruct-stops-at-an-open-one"),
    case("<b id=1><b id=1><b id=1><b id=1>", "noahs-ark"),
    case("<b id=1><b id=1><b id=1><b id=1></b></b></b></b>", "noahs-ark-end"),
    case("<b><applet><b><b><b><b>", "noahs-ark-stops-at-a-marker"),
    case("<a id=1><a id=2>", "a-in-a"),
    case("<a id=1><div><a id=2>", "a-in-a-through-a-block"),
    case("<a id=1><object><a id=2>", "a-behind-a-marker"),
    case("<a id=1><b><a id=2>", "a-in-a-behind-formatting"),
    case("<a id=1><table><a id=2>", "a-in-a-not-in-scope"),
    case("<nobr><nobr id=1>", "nobr-in-nobr"),
    case("<b><i></b><p id=1>", "adoption-agency-no-furthest-block"),
    case("<b><div></b><p id=1>", "adoption-agency-furthest-block"),
    case("<b><i><div></b><p id=1>", "adoption-agency-formatting-between"),
    case("<b><span><div></b><p id=1>", "adoption-agency-removes-others"),
    case("<b>" + "<div>" * 10 + "</b><p id=1>", "adoption-agency-outer-limit"),
    case("<p><b></p></b><i id=1>", "adoption-agency-not-open"),
    case("<b><table></b><i id=1>", "adoption-agency-not-in-scope"),
    case("<b><applet></b><i id=1>", "adoption-agency-behind-a-marker"),
    case("</b><i id=1>", "adoption-agency-none"),
    case("<b id=1><b id=1><b id=1><b id=1></b></b></b></b></b>", "current-not-in-list"),
]

TABLES = [
    case("<table id=1><tr id=2><td id=3>x<td id=4>", "cells"),
    case("<table><caption id=1>x</caption><tr id=2>", "caption"),
    case("<table><caption><tr id=1>", "table-part-closes-caption"),
    case("<table><caption></caption><caption><td id=1>", "caption-closed"),
    case("<table><caption><p></table><b id=1>", "table-end-closes-caption"),
    case("<table><caption></tbody></td><b id=1>", "ignored-in-caption"),
    case("<table><caption></p><b id=1>", "other-end-in-caption"),
    case("<table></caption><b id=1>", "caption-end-not-open"),
    case("<table><colgroup id=1><col id=2><col id=3></colgroup><tr>", "colgroup"),
    case("<table><col id=1><tr>", "col-opens-colgroup"),
    case("<table><colgroup><td id=1>", "other-start-closes-colgroup"),
    case("<table><colgroup>x<td id=1>", "text-closes-colgroup"),
    case("<table><colgroup> <col id=1>", "whitespace-in-colgroup"),
    case("<p><b></p><table><colgroup>x<td id=1>", "text-closes-colgroup-reconstructs"),
    case("<table><colgroup></col></colgroup></colgroup><td id=1>", "colgroup-ends"),
    case("<table><colgroup></template><col id=1>", "template-end-in-colgroup"),
    case("<table><colgroup></table><b id=1>", "other-end-closes-colgroup"),
    case("<table><tbody id=1><tr id=2><td id=3>", "table-body"),
    case("<table><tbody><td id=1>", "cell-opens-row"),
    case("<table><thead><tbody id=1>", "table-part-closes-table-body"),
    case("<table><tbody></tbody><caption id=1>", "table-part-after-table-body"),
    case("<table><tr><tbody id=1>", "table-part-closes-row"),
    case("<table><tr></tr><tr id=1>", "row-end"),
    case("<table><tr></tbody></tr><td id=1>", "table-body-end-closes-row"),
    case("<table><tr></thead><td id=1>", "table-body-end-not-open"),
    case("<table><tr></table><b id=1>", "table-end-closes-row"),
    case("<table><tr></td></body><td id=1>", "ignored-in-row"),
    case("<table><tbody></tbody></tfoot><tr id=1>", "table-body-end"),
    case("<table><tbody></table><b id=1>", "table-end-closes-table-body"),
    case("<table><tbody></tr></td><tr id=1>", "ignored-in-table-body"),
    case("<table><tbody></thead><tr id=1>", "table-body-end-not-open"),
    case("<table><tbody></p><tr id=1>", "other-end-in-table-body"),
    case("<table><tbody><div id=1><tr id=2>", "other-start-in-table-body"),
    case("<table><tr></p><td id=1>", "other-end-in-row"),
    case("<table><tr><td><td id=1><th id=2>", "cell-closes-cell"),
    case("<table><tr><td><b></td><i id=1>", "cell-end"),
    case("<table><tr><td></th><b id=1>", "other-cell-end"),
    case("<table><tr><td></caption></col><b id=1>", "ignored-in-cell"),
    case("<table><tr><td></tr><td id=1>", "row-end-closes-cell"),
    case("<table><tr><td></tbody><td id=1>", "table-body-end-closes-cell"),
    case("<table><tr><td></thead><b id=1>", "table-part-end-not-open"),
    case("<table><tr><td></p><b id=1>", "other-end-in-cell"),
    case("<table><td><table><tr><td id=1>", "table-in-a-cell"),
    case("<table><table id=1>", "table-in-table"),
    case("<table><td><table></table></td><table id=1>", "table-closed"),
    case("<table><style id=1></style><script id=2></script>", "raw-text-in-table"),
    case('<table><input type=HIDDEN id=1><input id=2 type="x">', "input-in-table"),
    case("<table><form id=1><form id=2>", "form-in-table"),
    case("<form><table><form id=1>", "form-in-table-with-a-form"),
    case("<table><div id=1></div><tr id=2>", "foster-parented-start"),
    case("<table> \n<tr id=1> <td id=2>", "whitespace-in-table"),
    case("<table>x<tr id=1>", "text-in-table"),
    case("<p><b></p><table>x<tr id=1>", "text-in-table-reconstructs"),
    case("<table></div></table><b id=1>", "other-end-in-table"),
    case("<table></tbody></html><tr id=1>", "ignored-in-table"),
    case("<form><table></form><form id=1>", "form-end-not-in-scope"),
    case("<form id=1><div></form><form id=2>", "form-end"),
    case("</form><form id=1>", "form-end-without-a-form"),
]


@pytest.mark.parametrize("document", TOKENIZER + TREE + TABLES)
def test_it_agrees_with_html5lib(document: str) -> None:
    assert ours(document) == html5libs(document)


def short(document: str) -> tuple[str, str, str]:
    """The ``id`` of each element, the open elements and the formatting ones.

    The open elements below ``<body>`` are left out; foreign ones read
    ``svg:g``; a marker in the list of active formatting elements is ``|``.
    """
    page = _html.Page(document)
    ids = " ".join(each[4]["id"] for each in page.elements if "id" in each[4])
    stack = " ".join(
        node.name if node.namespace == "html" else f"{node.namespace}:{node.name}"
        for node in page.stack[2:]
    )
    formatting = " ".join(
        "|" if node is None else node.name for node in page.formatting
    )
    return ids, stack, formatting


# Rules html5lib does not have, or has as the standard was before: each
# document with the ids of its elements, the open elements and the active
# formatting elements, as the standard makes them.
STANDARD = [
    pytest.param(
        "<p><search id=1>x</search><b id=2>", ("1 2", "b", "b"), id="search-closes-p"
    ),
    pytest.param("<ruby><rb id=1><rt id=2>", ("1 2", "ruby rt", ""), id="rt-closes-rb"),
    pytest.param(
        "<ruby><rtc id=1><rt id=2><rb id=3>",
        ("1 2 3", "ruby rb", ""),
        id="rt-keeps-rtc-rb-closes-both",
    ),
    pytest.param(
        "<b><i><u><s><em><div></b><p id=1>",
        ("1", "u s em div p", "u s em"),
        id="adoption-agency-drops-formatting-past-three",
    ),
    pytest.param(
        "<template><b></template><i id=1>",
        ("1", "i", "i"),
        id="template-end-clears-formatting-to-its-marker",
    ),
    pytest.param(
        # The cell's marker is cleared, the template's stays.
        "<template><table><tr><td><p></template><b id=1>",
        ("1", "b", "| b"),
        id="template-end-closes-table-parts",
    ),
    pytest.param(
        "<template><form id=1><form id=2></form></template><form id=3>",
        ("1 2 3", "form", ""),
        id="forms-in-a-template-set-no-form-pointer",
    ),
    pytest.param(
        "<template><p></form><b id=1>",
        ("1", "template p b", "| b"),
        id="form-end-in-a-template-without-a-form",
    ),
    pytest.param(
        "<table><colgroup><template id=1>",
        ("1", "table colgroup template", "|"),
        id="template-in-a-column-group",
    ),
    pytest.param(
        "<select><p id=1><select id=2>",
        ("1", "", ""),
        id="select-content-is-read-as-the-body",
    ),
    pytest.param(
        "<select><option id=1><option id=2><optgroup id=3><b><option id=4>",
        ("1 2 3 4", "select optgroup b option", "b"),
        id="option-closes-only-a-current-option",
    ),
    pytest.param(
        "<select><b></select><option id=1>",
        ("1", "b option", "b"),
        id="option-reconstructs-formatting",
    ),
]


@pytest.mark.parametrize(("document", "expected"), STANDARD)
def test_it_follows_the_standard_where_html5lib_is_older(
    document: str, expected: tuple[str, str, str]
) -> None:
    assert short(document) == expected
