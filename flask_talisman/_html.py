"""The elements of an HTML page, found as a browser's parser finds them.

Private to :func:`flask_talisman.testing.assert_nonce_used`, which must not
pass a page that a browser would block: it needs the elements a browser
creates, with the attributes the browser gives them, and nothing that a
browser reads as text. Python's :mod:`html.parser` is no such reader: it
keeps the last of two equal attributes where browsers keep the first, and
where its comments end changed in CPython patch releases.

So this is a subset of the WHATWG HTML standard's parser, written from
https://html.spec.whatwg.org/#parsing, and checked against html5lib (an
implementation of the standard) by tests/properties/test_testing_helpers.py
and tests/test_html.py. It keeps what decides which start tags become
elements, in which namespace, and where the tokenizer reads text instead of
markup:

* the tokenizer: tags and their attributes (the first of two equal names
  wins; character references in values), comments (ending at ``-->`` or
  ``--!>``, and ``<!-->``), bogus comments, doctypes, CDATA sections in
  foreign content, the RCDATA, RAWTEXT, PLAINTEXT and script data states
  with the script's escaped and double escaped states;
* tree construction: the stack of open elements and its scopes, implied end
  tags, the list of active formatting elements with its markers,
  reconstruction and the adoption agency algorithm, the form element
  pointer, the table insertion modes, ``<template>``, and foreign content
  (SVG and MathML) with its integration points and breakout tags; scripting
  is on, so ``<noscript>`` holds text.

It leaves out what cannot change which scripts and styles there are, or
their attributes:

* the DOM and the text: an element's place in the tree (where foster
  parenting puts it) does not matter, only that it exists; character
  references in text; parse errors; encoding sniffing (the body comes as
  text);
* the insertion modes before ``<body>``: the page starts "in body" with
  ``<html>`` and ``<body>`` open, where head elements are created as in the
  head. An ``<html>``, ``<head>`` or ``<body>`` tag's ``nonce`` counts once,
  also where browsers ignore the tag (a ``<head>`` after the page began, a
  ``<body>`` in a ``<template>``);
* the template insertion modes: a ``<template>``'s content is read as the
  body, so a table part directly in it (``<template><tr>``), which browsers
  create, is dropped; it is not code;
* ``<frameset>``, "after body" and "in select" (browsers now read
  ``<select>``'s content as the body), and the tag and attribute name
  adjustments of foreign content (names stay in lowercase);
* the quirks mode beyond its one effect on elements, ``<table>`` opening
  inside ``<p>``, and of the doctype only its name: quirks without a
  doctype or with one not named ``html``.
"""

from __future__ import annotations

import html.entities
import re
import string
from collections.abc import Mapping
from typing import cast

__all__ = ["HTML", "MATHML", "SVG", "Page", "script_runs"]

_WHITESPACE = "\t\n\f "
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_ALPHA = frozenset(string.ascii_letters)
_ALNUM = frozenset(string.ascii_letters + string.digits)
_HEX = frozenset(string.hexdigits)
_TAG_NAME_END = re.compile(r"[\t\n\f />]")
_ATTRIBUTE_NAME_END = re.compile(r"[\t\n\f />=]")
_UNQUOTED_END = re.compile(r"[\t\n\f &>]")
_QUOTED_END = {'"': re.compile(r'["&]'), "'": re.compile(r"['&]")}
# What ends a tag's name where raw text looks for its end tag (or a script's
# escaped text for "script").
_NAME_END = frozenset("\t\n\f />")
_DASHES_CLOSE = re.compile(r"-*>")
_SCRIPT_ESCAPED_EVENT = re.compile(r"<|-->")
_LONGEST_REFERENCE = max(map(len, html.entities.html5))

HTML, SVG, MATHML = "html", "svg", "math"


def _names(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Tokenizer states in which the tree builder may leave it.
_DATA, _RCDATA, _RAWTEXT, _SCRIPT_DATA, _PLAINTEXT = range(5)

_VOID = _names(
    "area base basefont bgsound br col embed frame hr img input keygen link "
    "meta param source track wbr"
)
_SPECIAL = _names(
    "address applet area article aside base basefont bgsound blockquote body "
    "br button caption center col colgroup dd details dir div dl dt embed "
    "fieldset figcaption figure footer form frame frameset h1 h2 h3 h4 h5 h6 "
    "head header hgroup hr html iframe img input keygen li link listing main "
    "marquee menu meta nav noembed noframes noscript object ol p param "
    "plaintext pre script search section select source style summary table "
    "tbody td template textarea tfoot th thead title tr track ul wbr xmp"
)
_SPECIAL_FOREIGN = frozenset(
    {(MATHML, n) for n in ("mi", "mo", "mn", "ms", "mtext", "annotation-xml")}
    | {(SVG, n) for n in ("foreignobject", "desc", "title")}
)
# The standard's list also has html, the bottom of the stack, where the
# search ends anyway.
_SCOPE = _names("applet caption table td th marquee object template")
_HEADINGS = _names("h1 h2 h3 h4 h5 h6")
_IMPLIED_END = _names("dd dt li optgroup option p rb rp rt rtc")
_FORMATTING = _names("a b big code em font i nobr s small strike strong tt u")
# Start tags that close an open p element, then open their element.
_BLOCKS = _names(
    "address article aside blockquote center details dialog dir div dl "
    "fieldset figcaption figure footer header hgroup main menu nav ol p "
    "search section summary ul"
)
# End tags that close their element when it is in scope.
_BLOCK_ENDS = _BLOCKS - {"p"} | {"button", "listing", "pre", "select"}
_TABLE_PARTS = _names("caption col colgroup tbody td tfoot th thead tr")
_THOROUGH_IMPLIED_END = _IMPLIED_END | _TABLE_PARTS - {"col"}
# End tags each of a table's insertion modes ignores.
_IGNORED_IN_CELL = _names("body caption col colgroup html")
_IGNORED_IN_ROW = _IGNORED_IN_CELL | {"td", "th"}
_IGNORED_IN_TABLE_BODY = _IGNORED_IN_ROW | {"tr"}
_IGNORED_IN_TABLE = _IGNORED_IN_TABLE_BODY | {"tbody", "tfoot", "thead"}
_IGNORED_IN_CAPTION = _IGNORED_IN_TABLE - {"caption"}
# The insertion mode the nearest of these open elements sets (<body> is always
# open; <template> contents are read as the body is).
_MODES = {
    "td": "cell",
    "th": "cell",
    "tr": "row",
    "tbody": "table body",
    "thead": "table body",
    "tfoot": "table body",
    "caption": "caption",
    "colgroup": "column group",
    "table": "table",
    "template": "body",
    "body": "body",
}
_HEAD_ELEMENTS = _names(
    "base basefont bgsound link meta noframes script style template title"
)
_RAW_TEXT = {
    "title": _RCDATA,
    "textarea": _RCDATA,
    "style": _RAWTEXT,
    "xmp": _RAWTEXT,
    "iframe": _RAWTEXT,
    "noembed": _RAWTEXT,
    "noframes": _RAWTEXT,
    # Browsers run scripts, so noscript's content is text to them.
    "noscript": _RAWTEXT,
    "script": _SCRIPT_DATA,
    "plaintext": _PLAINTEXT,
}
# Start tags that leave foreign content (SVG, MathML) for HTML.
_BREAKOUT = _names(
    "b big blockquote body br center code dd div dl dt em embed h1 h2 h3 h4 "
    "h5 h6 head hr i img li listing menu meta nobr ol p pre ruby s small span "
    "strong strike sub sup table tt u ul var"
)


class _Node:
    """An open element: its namespace, lowercase name and attributes."""

    __slots__ = ("attributes", "name", "namespace")

    def __init__(self, namespace: str, name: str, attributes: dict[str, str]) -> None:
        self.namespace = namespace
        self.name = name
        self.attributes = attributes

    def html(self, *names: str) -> bool:
        return self.namespace == HTML and (not names or self.name in names)

    @property
    def special(self) -> bool:
        if self.namespace == HTML:
            return self.name in _SPECIAL
        return (self.namespace, self.name) in _SPECIAL_FOREIGN

    @property
    def html_integration_point(self) -> bool:
        if self.namespace == SVG:
            return self.name in ("foreignobject", "desc", "title")
        return (
            self.namespace == MATHML
            and self.name == "annotation-xml"
            and self.attributes.get("encoding", "").translate(_ASCII_LOWER)
            in ("text/html", "application/xhtml+xml")
        )

    @property
    def mathml_text_integration_point(self) -> bool:
        return self.namespace == MATHML and self.name in (
            "mi",
            "mo",
            "mn",
            "ms",
            "mtext",
        )


class _Tag:
    """A start or end tag token."""

    __slots__ = ("attributes", "end", "name", "self_closing", "start", "stop")

    def __init__(self, name: str, start: int, end: bool) -> None:
        self.name = name
        self.start = start
        self.stop = start
        self.end = end
        self.attributes: dict[str, str] = {}
        self.self_closing = False


def _numeric_reference(code: int) -> str:
    """The character of ``&#code;`` in HTML."""
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    if 0x80 <= code <= 0x9F:
        try:
            return bytes([code]).decode("cp1252")
        except UnicodeDecodeError:
            pass
    return chr(code)


def _reference(text: str, at: int) -> tuple[str, int]:
    """The character reference at ``text[at]`` (an ``&``) in an attribute value.

    Returns what it stands for and the index after it: the ``&`` alone when
    nothing follows that makes a reference.
    """
    after = at + 1
    if text.startswith("#", after):
        start = after + 1
        hexadecimal = text[start : start + 1] in ("x", "X")
        if hexadecimal:
            start += 1
        digits = _HEX if hexadecimal else frozenset(string.digits)
        end = start
        while end < len(text) and text[end] in digits:
            end += 1
        if end == start:
            return "&", after  # "&#" or "&#x" without digits: text
        code = int(text[start:end], 16 if hexadecimal else 10)
        if text.startswith(";", end):
            end += 1
        return _numeric_reference(min(code, 0x110000)), end
    if text[after : after + 1] not in _ALNUM:
        return "&", after
    for length in range(min(_LONGEST_REFERENCE, len(text) - after), 0, -1):
        name = text[after : after + length]
        if name in html.entities.html5:
            end = after + length
            if not name.endswith(";") and (
                text[end : end + 1] == "=" or text[end : end + 1] in _ALNUM
            ):
                # In an attribute, "&amp=" and "&ampx" stay as written.
                return text[at:end], end
            return html.entities.html5[name], end
    return "&", after


class Page:
    """The elements of an HTML document, found as a browser's parser finds them.

    ``elements`` lists, in the order of their start tags, each element the
    parser inserts: (start of its tag, end of its tag, namespace, name,
    attributes).
    """

    def __init__(self, text: str) -> None:
        self.text = text.replace("\r\n", "\n").replace("\r", "\n")
        self.elements: list[tuple[int, int, str, str, dict[str, str]]] = []
        self.state = _DATA
        self.last_start = ""  # for the end tag that ends raw text
        html_element = _Node(HTML, "html", {})
        self.stack = [html_element, _Node(HTML, "body", {})]
        self.formatting: list[_Node | None] = []  # None: a marker
        self.form: _Node | None = None
        self.quirks: bool | None = None  # decided by the first token
        self.merged: set[str] = set()
        self._tokenize()

    # The tokenizer -------------------------------------------------------------

    def _tokenize(self) -> None:
        text = self.text
        size = len(text)
        at = 0
        while at < size:
            state = self.state
            if state == _PLAINTEXT:
                self._characters(text[at:])
                return
            less = text.find("<", at)
            if less < 0:
                self._characters(text[at:])
                return
            if less > at:
                self._characters(text[at:less])
            if state == _DATA:
                at = self._tag_open(less)
            elif state == _SCRIPT_DATA:
                at = self._script_less_than(less)
            else:
                at = self._raw_less_than(less)

    def _tag_open(self, at: int) -> int:
        """After ``<`` in the data state: a tag, comment, doctype or text."""
        text = self.text
        following = text[at + 1 : at + 2]
        if following and following in _ALPHA:
            return self._tag(at, at + 1, end=False)
        if following == "/":
            name = text[at + 2 : at + 3]
            if name and name in _ALPHA:
                return self._tag(at, at + 2, end=True)
            if name == ">":
                return at + 3
            if not name:
                self._characters("</")
                return at + 2
            return self._bogus_comment(at + 2)
        if following == "!":
            return self._markup_declaration(at + 2)
        if following == "?":
            return self._bogus_comment(at + 1)
        self._characters("<")
        return at + 1

    def _markup_declaration(self, at: int) -> int:
        text = self.text
        if text.startswith("--", at):
            return self._comment(at + 2)
        if text[at : at + 7].translate(_ASCII_LOWER) == "doctype":
            end = text.find(">", at)
            end = len(text) if end < 0 else end + 1
            self._doctype(text[at + 7 : end])
            return end
        if text.startswith("[CDATA[", at) and not self.stack[-1].html():
            end = text.find("]]>", at + 7)
            if end < 0:
                self._characters(text[at + 7 :])
                return len(text)
            self._characters(text[at + 7 : end])
            return end + 3
        return self._bogus_comment(at)

    def _comment(self, at: int) -> int:
        """After ``<!--``: the index after the comment."""
        text = self.text
        if text.startswith(">", at):
            return at + 1  # <!-->
        if text.startswith("->", at):
            return at + 2  # <!--->
        ends = [
            end + len(mark)
            for mark in ("-->", "--!>")
            if (end := text.find(mark, at)) >= 0
        ]
        return min(ends, default=len(text))

    def _bogus_comment(self, at: int) -> int:
        end = self.text.find(">", at)
        return len(self.text) if end < 0 else end + 1

    def _tag(self, at: int, name_at: int, *, end: bool) -> int:
        """A tag whose name starts at ``name_at``: the index after it."""
        text = self.text
        match = _TAG_NAME_END.search(text, name_at)
        name_end = match.start() if match else len(text)
        name = text[name_at:name_end].translate(_ASCII_LOWER).replace("\0", "\ufffd")
        tag = _Tag(name, at, end)
        return self._attributes(tag, name_end)

    def _attributes(self, tag: _Tag, at: int) -> int:
        """The rest of ``tag`` from ``at``: attributes, ``/`` and ``>``.

        The tag is emitted at its ``>``; one that the document ends inside
        is dropped, as browsers drop it.
        """
        text = self.text
        size = len(text)
        while True:
            # before attribute name
            while at < size and text[at] in _WHITESPACE:
                at += 1
            if at >= size:
                return size
            char = text[at]
            if char == ">":
                tag.stop = at + 1
                self._emit(tag)
                return at + 1
            if char == "/":
                # self-closing start tag state
                if text.startswith(">", at + 1):
                    tag.self_closing = True
                    tag.stop = at + 2
                    self._emit(tag)
                    return at + 2
                at += 1
                continue
            # attribute name (a leading "=" is part of it)
            match = _ATTRIBUTE_NAME_END.search(text, at + 1)
            name_end = match.start() if match else size
            name = text[at:name_end].translate(_ASCII_LOWER).replace("\0", "\ufffd")
            at = name_end
            # after attribute name
            while at < size and text[at] in _WHITESPACE:
                at += 1
            value = ""
            if text.startswith("=", at):
                at += 1
                while at < size and text[at] in _WHITESPACE:
                    at += 1
                if at >= size:
                    return size
                value, at = self._attribute_value(at)
                if at < 0:
                    return size
            # The first of two equal names is kept.
            tag.attributes.setdefault(name, value)

    def _attribute_value(self, at: int) -> tuple[str, int]:
        """The value starting at ``text[at]``: (value, index after it), or -1 at EOF."""
        text = self.text
        quote = text[at]
        parts: list[str] = []
        if quote in _QUOTED_END:
            pattern = _QUOTED_END[quote]
            at += 1
            while True:
                match = pattern.search(text, at)
                if match is None:
                    return "", -1
                parts.append(text[at : match.start()])
                if match.group() == quote:
                    at = match.end()
                    # after attribute value (quoted): anything but whitespace,
                    # "/" or ">" starts the next attribute.
                    break
                decoded, at = _reference(text, match.start())
                parts.append(decoded)
        else:
            if quote == ">":
                return "", at  # missing value: the tag ends here
            while True:
                match = _UNQUOTED_END.search(text, at)
                if match is None:
                    return "", -1
                parts.append(text[at : match.start()])
                if match.group() != "&":
                    at = match.start()
                    break
                decoded, at = _reference(text, match.start())
                parts.append(decoded)
        return "".join(parts).replace("\0", "\ufffd"), at

    def _letters(self, at: int) -> tuple[str, int]:
        """The ASCII letters from ``at``, lowercase, and the index after them."""
        text = self.text
        end = at
        while end < len(text) and text[end] in _ALPHA:
            end += 1
        return text[at:end].translate(_ASCII_LOWER), end

    def _appropriate_end_tag(self, at: int) -> int:
        """At ``</`` in raw text: the index after the end tag that ends it, or -1.

        Only the end tag of the element whose text it is ends it, its name
        followed by whitespace, ``/`` or ``>``; its attributes are read and
        ignored.
        """
        name, end = self._letters(at + 2)
        following = self.text[end : end + 1]
        if name != self.last_start or not following or following not in _NAME_END:
            return -1
        self.state = _DATA
        return self._attributes(_Tag(name, at, end=True), end)

    def _raw_less_than(self, at: int) -> int:
        if self.text.startswith("</", at):
            end = self._appropriate_end_tag(at)
            if end >= 0:
                return end
        self._characters("<")
        return at + 1

    def _script_less_than(self, at: int) -> int:
        """At ``<`` in a script's text, including its escaped states."""
        text = self.text
        if text.startswith("</", at):
            end = self._appropriate_end_tag(at)
            if end >= 0:
                return end
        elif text.startswith("<!--", at):
            return self._script_escaped(at + 4)
        self._characters("<")
        return at + 1

    def _script_escaped(self, at: int) -> int:
        """After ``<!--`` in a script: where its script data state resumes.

        In this escaped state ``</script>`` still ends the script; after a
        ``<script`` (the double escaped state) it does not, until a
        ``</script`` returns to the escaped state. ``-->`` ends both.
        """
        text = self.text
        if (start := _DASHES_CLOSE.match(text, at)) is not None:
            return start.end()  # <!--> and <!--->: the "--" of "<!--" counts
        double = False
        while (event := _SCRIPT_ESCAPED_EVENT.search(text, at)) is not None:
            at = event.end()
            if event.group() != "<":
                return at  # -->
            if not double and text.startswith("/", at):
                end = self._appropriate_end_tag(at - 1)
                if end >= 0:
                    return end
            slash = text.startswith("/", at)
            name, end = self._letters(at + slash)
            following = text[end : end + 1]
            if slash == double and name == "script" and following in _NAME_END:
                double = not double
                at = end + 1
            else:
                at = end
        return len(text)

    # Tree construction -----------------------------------------------------------

    def _doctype(self, body: str) -> None:
        if self.quirks is None:
            words = body.translate(_ASCII_LOWER).replace(">", " ").split()
            self.quirks = words[:1] != ["html"]

    def _characters(self, chars: str) -> None:
        if self.quirks is None and chars.strip(_WHITESPACE):
            self.quirks = True
        if self.state != _DATA and self.state != _PLAINTEXT:
            return  # the text of a raw text element
        if self._in_foreign_content(None) or not chars.strip("\0"):
            return
        mode = self._mode()
        if mode == "column group":
            if chars.strip(_WHITESPACE):
                self.stack.pop()  # the colgroup
                self._characters(chars)
            return
        if (
            mode in ("table", "table body", "row")
            and self.stack[-1].html("table", "tbody", "tfoot", "thead", "tr")
            and not chars.strip(_WHITESPACE)
        ):
            return
        self._reconstruct()

    def _emit(self, tag: _Tag) -> None:
        if self.quirks is None:
            self.quirks = True
        if tag.end:
            self._end(tag)
        else:
            self._start(tag)

    def _in_foreign_content(self, tag: _Tag | None) -> bool:
        """Whether ``tag`` (None: characters) goes to the rules for foreign content."""
        node = self.stack[-1]
        if node.namespace == HTML:
            return False
        start = tag is not None and not tag.end
        if node.mathml_text_integration_point and (
            tag is None or (start and tag.name not in ("mglyph", "malignmark"))
        ):
            return False
        if (
            start
            and tag is not None
            and tag.name == "svg"
            and node.namespace == MATHML
            and node.name == "annotation-xml"
        ):
            return False
        return not (node.html_integration_point and (tag is None or start))

    def _mode(self) -> str:
        """The insertion mode, as "reset the insertion mode appropriately" finds it."""
        return next(
            _MODES[node.name]
            for node in reversed(self.stack)
            if node.namespace == HTML and node.name in _MODES
        )

    def _record(self, tag: _Tag, namespace: str) -> _Node:
        node = _Node(namespace, tag.name, tag.attributes)
        self.elements.append((tag.start, tag.stop, namespace, tag.name, tag.attributes))
        return node

    def _insert(self, tag: _Tag, namespace: str = HTML) -> _Node:
        node = self._record(tag, namespace)
        self.stack.append(node)
        return node

    def _start(self, tag: _Tag) -> None:
        if self._in_foreign_content(tag):
            self._foreign_start(tag)
        else:
            self._html_start(tag, self._mode())

    def _end(self, tag: _Tag) -> None:
        if self._in_foreign_content(tag):
            self._foreign_end(tag)
        else:
            self._html_end(tag.name, self._mode())

    # Foreign content

    def _foreign_start(self, tag: _Tag) -> None:
        name = tag.name
        if name in _BREAKOUT or (
            name == "font" and {"color", "face", "size"} & tag.attributes.keys()
        ):
            while not (
                self.stack[-1].namespace == HTML
                or self.stack[-1].mathml_text_integration_point
                or self.stack[-1].html_integration_point
            ):
                self.stack.pop()
            self._html_start(tag, self._mode())
            return
        node = self._insert(tag, self.stack[-1].namespace)
        if tag.self_closing:
            self.stack.remove(node)

    def _foreign_end(self, tag: _Tag) -> None:
        # From the current node down: the foreign element of the tag's name is
        # closed, or the first HTML element below them hands the tag to HTML.
        index = len(self.stack) - 1
        while self.stack[index].name != tag.name:
            index -= 1
            if self.stack[index].namespace == HTML:
                self._html_end(tag.name, self._mode())
                return
        del self.stack[index:]

    # Scopes and the stack

    def _in_scope(self, target: str | _Node, extra: tuple[str, ...] = ()) -> bool:
        for node in reversed(self.stack):
            if node is target or (isinstance(target, str) and node.html(target)):
                return True
            if node.namespace == HTML:
                if node.name in _SCOPE or node.name in extra:
                    return False
            elif (node.namespace, node.name) in _SPECIAL_FOREIGN:
                return False
        return False

    def _in_table_scope(self, name: str) -> bool:
        # <html>, at the bottom of the stack, ends the search at the latest.
        boundary = next(
            node
            for node in reversed(self.stack)
            if node.html(name, "html", "table", "template")
        )
        return boundary.name == name

    def _pop_until(self, *names: str) -> None:
        """Pop up to an element of one of ``names``, which the caller knows is open."""
        while not self.stack.pop().html(*names):
            pass

    def _implied_end_tags(self, *, but: str = "") -> None:
        while self.stack[-1].html() and self.stack[-1].name in _IMPLIED_END - {but}:
            self.stack.pop()

    def _close_p(self) -> None:
        if self._in_scope("p", ("button",)):
            self._implied_end_tags(but="p")
            self._pop_until("p")

    def _clear_to(self, *names: str) -> None:
        while not self.stack[-1].html("html", "template", *names):
            self.stack.pop()

    def _clear_formatting_to_marker(self) -> None:
        while self.formatting and self.formatting.pop() is not None:
            pass

    def _reconstruct(self) -> None:
        formatting = self.formatting
        if not formatting or formatting[-1] is None or formatting[-1] in self.stack:
            return
        first = len(formatting) - 1
        while first > 0:
            entry = formatting[first - 1]
            if entry is None or entry in self.stack:
                break
            first -= 1
        for index in range(first, len(formatting)):
            entry = cast("_Node", formatting[index])  # a marker stops the rewinding
            copy = _Node(HTML, entry.name, entry.attributes)
            self.stack.append(copy)
            formatting[index] = copy

    def _push_formatting(self, node: _Node) -> None:
        same = []
        for entry in reversed(self.formatting):
            if entry is None:
                break
            if entry.name == node.name and entry.attributes == node.attributes:
                same.append(entry)
        if len(same) >= 3:
            self.formatting.remove(same[-1])  # the earliest of them
        self.formatting.append(node)

    def _adoption_agency(self, subject: str) -> None:
        current = self.stack[-1]
        if current.html(subject) and current not in self.formatting:
            self.stack.pop()
            return
        for _ in range(8):
            element = None
            for entry in reversed(self.formatting):
                if entry is None:
                    break
                if entry.name == subject:
                    element = entry
                    break
            if element is None:
                self._any_other_end(subject)
                return
            if element not in self.stack:
                self.formatting.remove(element)
                return
            if not self._in_scope(element):
                return
            position = self.stack.index(element)
            furthest = next(
                (node for node in self.stack[position + 1 :] if node.special), None
            )
            if furthest is None:
                del self.stack[position:]
                self.formatting.remove(element)
                return
            bookmark = _Node(HTML, "", {})  # stands in the list for a position
            self.formatting.insert(self.formatting.index(element) + 1, bookmark)
            node_index = self.stack.index(furthest)
            last = furthest
            inner = 0
            while True:
                inner += 1
                node_index -= 1
                node = self.stack[node_index]
                if node is element:
                    break
                if inner > 3 and node in self.formatting:
                    self.formatting.remove(node)
                if node not in self.formatting:
                    del self.stack[node_index]
                    continue
                copy = _Node(HTML, node.name, node.attributes)
                self.formatting[self.formatting.index(node)] = copy
                self.stack[node_index] = copy
                if last is furthest:
                    self.formatting.remove(bookmark)
                    self.formatting.insert(self.formatting.index(copy) + 1, bookmark)
                last = copy
            copy = _Node(HTML, element.name, element.attributes)
            self.formatting.remove(element)
            self.formatting[self.formatting.index(bookmark)] = copy
            self.stack.remove(element)
            self.stack.insert(self.stack.index(furthest) + 1, copy)

    # HTML content

    def _html_start(self, tag: _Tag, mode: str) -> None:
        name = tag.name
        if mode != "body" and self._table_start(tag, mode):
            return
        if name in ("html", "body", "head"):
            if "nonce" in tag.attributes and name not in self.merged:
                self.merged.add(name)
                self._record(tag, HTML)
            return
        if name in _HEAD_ELEMENTS or name == "noscript":
            if name == "template":
                self._insert(tag)
                self.formatting.append(None)
            elif name in _VOID:
                self._record(tag, HTML)
            else:
                self._raw_text(tag)
            return
        if name in _TABLE_PARTS or name == "frame":
            return
        if name in _BLOCKS or name in ("pre", "listing"):
            self._close_p()
            self._insert(tag)
        elif name in _HEADINGS:
            self._close_p()
            if self.stack[-1].html(*_HEADINGS):
                self.stack.pop()
            self._insert(tag)
        elif name == "form":
            template = any(node.html("template") for node in self.stack)
            if self.form is not None and not template:
                return
            self._close_p()
            node = self._insert(tag)
            if not template:
                self.form = node
        elif name in ("li", "dd", "dt"):
            closes = ("li",) if name == "li" else ("dd", "dt")
            # The nearest list item to close, or a special element (at the
            # latest <body>) that keeps it open.
            node = next(
                node
                for node in reversed(self.stack)
                if node.html(*closes)
                or (node.special and not node.html("address", "div", "p"))
            )
            if node.html(*closes):
                self._implied_end_tags(but=node.name)
                self._pop_until(node.name)
            self._close_p()
            self._insert(tag)
        elif name == "plaintext":
            self._close_p()
            self._raw_text(tag)
        elif name == "button":
            if self._in_scope("button"):
                self._implied_end_tags()
                self._pop_until("button")
            self._reconstruct()
            self._insert(tag)
        elif name == "a":
            for entry in reversed(self.formatting):
                if entry is None:
                    break
                if entry.name == "a":
                    self._adoption_agency("a")
                    if entry in self.formatting:
                        self.formatting.remove(entry)
                    if entry in self.stack:
                        self.stack.remove(entry)
                    break
            self._reconstruct()
            self._push_formatting(self._insert(tag))
        elif name in _FORMATTING:
            self._reconstruct()
            if name == "nobr" and self._in_scope("nobr"):
                self._adoption_agency("nobr")
                self._reconstruct()
            self._push_formatting(self._insert(tag))
        elif name in ("applet", "marquee", "object"):
            self._reconstruct()
            self._insert(tag)
            self.formatting.append(None)
        elif name == "table":
            if not self.quirks:
                self._close_p()
            self._insert(tag)
        elif name in _VOID or name == "image":
            if name == "hr":
                self._close_p()
            elif name not in ("param", "source", "track"):
                self._reconstruct()
            if name == "image":
                tag.name = "img"
            self._record(tag, HTML)
        elif name in ("textarea", "iframe", "noembed", "xmp"):
            if name == "xmp":
                self._close_p()
                self._reconstruct()
            self._raw_text(tag)
        elif name == "select":
            if self._in_scope("select"):
                self._pop_until("select")
                return
            self._reconstruct()
            self._insert(tag)
        elif name in ("optgroup", "option"):
            if self.stack[-1].html("option"):
                self.stack.pop()
            self._reconstruct()
            self._insert(tag)
        elif name in ("rb", "rtc", "rp", "rt"):
            if self._in_scope("ruby"):
                self._implied_end_tags(but="rtc" if name in ("rp", "rt") else "")
            self._insert(tag)
        elif name in ("math", "svg"):
            self._reconstruct()
            node = self._insert(tag, MATHML if name == "math" else SVG)
            if tag.self_closing:
                self.stack.remove(node)
        else:
            self._reconstruct()
            self._insert(tag)

    def _raw_text(self, tag: _Tag) -> None:
        self._insert(tag)
        self.state = _RAW_TEXT[tag.name]
        self.last_start = tag.name

    def _table_start(self, tag: _Tag, mode: str) -> bool:
        """The start tag in a table's insertion modes; False: as in the body.

        The element that sets the mode is open (the standard checks that it
        is for fragments only), so the rules that close it close it.
        """
        name = tag.name
        if mode == "cell" or mode == "caption":
            if name not in _TABLE_PARTS:
                return False
            if mode == "cell":
                self._close_cell()
            else:
                self._close_caption()
            self._html_start(tag, self._mode())
            return True
        if mode == "column group":
            if name == "col":
                self._record(tag, HTML)
                return True
            if name == "template":
                return False
            self.stack.pop()  # the colgroup
            self._html_start(tag, self._mode())
            return True
        if mode == "row":
            if name in ("th", "td"):
                self._clear_to("tr")
                self._insert(tag)
                self.formatting.append(None)
                return True
            if name in _TABLE_PARTS:
                self._clear_to("tr")
                self.stack.pop()
                self._html_start(tag, self._mode())
                return True
        if mode == "table body":
            if name == "tr":
                self._clear_to("tbody", "tfoot", "thead")
                self._insert(tag)
                return True
            if name in ("th", "td"):
                self._clear_to("tbody", "tfoot", "thead")
                self.stack.append(_Node(HTML, "tr", {}))
                self._html_start(tag, "row")
                return True
            if name in _TABLE_PARTS:
                self._clear_to("tbody", "tfoot", "thead")
                self.stack.pop()
                self._html_start(tag, self._mode())
                return True
        # in table
        if name == "caption":
            self._clear_to("table")
            self.formatting.append(None)
            self._insert(tag)
        elif name == "colgroup":
            self._clear_to("table")
            self._insert(tag)
        elif name == "col":
            self._clear_to("table")
            self.stack.append(_Node(HTML, "colgroup", {}))
            self._html_start(tag, "column group")
        elif name in ("tbody", "tfoot", "thead"):
            self._clear_to("table")
            self._insert(tag)
        elif name in ("td", "th", "tr"):
            self._clear_to("table")
            self.stack.append(_Node(HTML, "tbody", {}))
            self._html_start(tag, "table body")
        elif name == "table":
            self._pop_until("table")
            self._html_start(tag, self._mode())
        elif name in ("style", "script", "template"):
            return False
        elif (
            name == "input"
            and tag.attributes.get("type", "").translate(_ASCII_LOWER) == "hidden"
        ):
            self._record(tag, HTML)
        elif name == "form":
            if self.form is None and not any(n.html("template") for n in self.stack):
                self.form = self._record(tag, HTML)
        else:
            return False
        return True

    def _close_cell(self) -> None:
        self._implied_end_tags()
        self._pop_until("td", "th")
        self._clear_formatting_to_marker()

    def _close_caption(self) -> None:
        self._implied_end_tags()
        self._pop_until("caption")
        self._clear_formatting_to_marker()

    def _html_end(self, name: str, mode: str) -> None:
        if mode != "body" and self._table_end(name, mode):
            return
        if name == "template":
            if any(node.html("template") for node in self.stack):
                while self.stack[-1].html(*_THOROUGH_IMPLIED_END):
                    self.stack.pop()
                self._pop_until("template")
                self._clear_formatting_to_marker()
        elif name in ("body", "html", "head"):
            pass
        elif name in _BLOCK_ENDS:
            if self._in_scope(name):
                self._implied_end_tags()
                self._pop_until(name)
        elif name == "form":
            if any(node.html("template") for node in self.stack):
                if self._in_scope("form"):
                    self._implied_end_tags()
                    self._pop_until("form")
                return
            node, self.form = self.form, None
            if node is not None and self._in_scope(node):
                self._implied_end_tags()
                self.stack.remove(node)
        elif name == "p":
            if self._in_scope("p", ("button",)):
                self._implied_end_tags(but="p")
                self._pop_until("p")
        elif name == "li":
            if self._in_scope("li", ("ol", "ul")):
                self._implied_end_tags(but="li")
                self._pop_until("li")
        elif name in ("dd", "dt"):
            if self._in_scope(name):
                self._implied_end_tags(but=name)
                self._pop_until(name)
        elif name in _HEADINGS:
            if any(self._in_scope(h) for h in _HEADINGS):
                self._implied_end_tags()
                self._pop_until(*_HEADINGS)
        elif name in _FORMATTING:
            self._adoption_agency(name)
        elif name in ("applet", "marquee", "object"):
            if self._in_scope(name):
                self._implied_end_tags()
                self._pop_until(name)
                self._clear_formatting_to_marker()
        elif name == "br":
            self._reconstruct()
        else:
            self._any_other_end(name)

    def _any_other_end(self, name: str) -> None:
        # Down to the element of that name, unless a special element (at the
        # latest <body>) comes first.
        index = len(self.stack) - 1
        while not self.stack[index].html(name):
            if self.stack[index].special:
                return
            index -= 1
        self._implied_end_tags(but=name)
        del self.stack[index:]

    def _table_end(self, name: str, mode: str) -> bool:
        """The end tag in a table's insertion modes; False: as in the body."""
        if mode == "cell":
            if name in ("td", "th", "table", "tbody", "tfoot", "thead", "tr"):
                if self._in_table_scope(name):
                    self._close_cell()
                    if name not in ("td", "th"):
                        self._html_end(name, self._mode())
                return True
            return name in _IGNORED_IN_CELL
        if mode == "caption":
            if name in ("caption", "table"):
                self._close_caption()
                if name == "table":
                    self._html_end(name, self._mode())
                return True
            return name in _IGNORED_IN_CAPTION
        if mode == "column group":
            if name == "template":
                return False
            if name != "col":
                self.stack.pop()  # the colgroup
                if name != "colgroup":
                    self._html_end(name, self._mode())
            return True
        if mode == "row":
            if name in ("tr", "table", "tbody", "tfoot", "thead"):
                if name in ("tr", "table") or self._in_table_scope(name):
                    self._clear_to("tr")
                    self.stack.pop()
                    if name != "tr":
                        self._html_end(name, self._mode())
                return True
            return name in _IGNORED_IN_ROW
        if mode == "table body":
            if name in ("tbody", "tfoot", "thead", "table"):
                if name == "table" or self._in_table_scope(name):
                    self._clear_to("tbody", "tfoot", "thead")
                    self.stack.pop()
                    if name == "table":
                        self._html_end(name, self._mode())
                return True
            return name in _IGNORED_IN_TABLE_BODY
        # in table
        if name == "table":
            self._pop_until("table")
            return True
        return name in _IGNORED_IN_TABLE


# Script types a browser runs, so that an inline one needs the nonce: the
# HTML standard's JavaScript MIME types and the non-MIME types. Other types
# are data blocks (JSON, templates), which CSP does not block.
_SCRIPT_TYPE = re.compile(
    r"|module|importmap|speculationrules|text/(jscript|livescript)"
    r"|(text|application)/(x-)?(java|ecma)script(1\.[0-5])?"
)


def script_runs(attributes: Mapping[str, str]) -> bool:
    """Whether a ``<script>`` with these attributes is one a browser runs.

    Without a ``type``, a non-empty ``language`` names the type
    ``text/<language>`` (HTML's "prepare the script element").
    """
    kind = attributes.get("type")
    if kind is None and attributes.get("language"):
        kind = "text/" + attributes["language"]
    kind = (kind or "").split(";")[0].strip(_WHITESPACE).translate(_ASCII_LOWER)
    return _SCRIPT_TYPE.fullmatch(kind) is not None
