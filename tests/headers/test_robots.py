"""Specification: X-Robots-Tag (``x_robots_tag``).

Directives as Google's "Robots meta tag, data-nosnippet, and X-Robots-Tag
specifications" and Bing's robots meta tag documentation name them, each
optionally after a crawler's user agent token (``googlebot: noindex``). Off
by default; settable app-wide, per view and per blueprint; sent on HTTPS and
plain-HTTP responses alike. ``pyproject.toml`` turns warnings into errors, so
each configuration here is also asserted to give no warning.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Blueprint, Flask
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.test import TestResponse

from flask_talisman import ConfigurationError, Talisman
from flask_talisman.headers.robots import check_x_robots_tag

from ..conftest import HTTPS, check, make_app

HTTP = {"base_url": "http://localhost"}
PRINTABLE = re.compile(r"[\x20-\x7e]*\Z")


def get(app: Flask, path: str = "/", **kwargs: Any) -> TestResponse:
    response = app.test_client().get(path, **{**HTTPS, **kwargs})
    assert response.status_code == 200
    return response


def test_no_header_by_default() -> None:
    app = make_app()
    Talisman(app)
    check(get(app), {"X-Robots-Tag": None})


# -- contract: options in, exact header out (HTTPS) -----------------------------

# (id, value, header)
CONTRACT: list[tuple[str, Any, str | None]] = [
    ("noindex", "noindex", "noindex"),
    ("two", "noindex, nofollow", "noindex, nofollow"),
    ("list", ["noindex", "nofollow"], "noindex, nofollow"),
    ("tuple", ("noarchive", "nosnippet"), "noarchive, nosnippet"),
    ("spacing-normalised", " noindex ,nofollow ", "noindex, nofollow"),
    ("case-insensitive", "NoIndex, NOFOLLOW", "noindex, nofollow"),
    ("duplicates-dropped", "noindex, noindex, nofollow", "noindex, nofollow"),
    *[
        (name, name, name)
        for name in (
            "all",
            "none",
            "notranslate",
            "noimageindex",
            "indexifembedded",
            "nocache",
        )
    ],
    ("max-snippet", "max-snippet:50", "max-snippet: 50"),
    ("max-snippet-off", "max-snippet: 0", "max-snippet: 0"),
    ("max-snippet-no-limit", "max-snippet: -1", "max-snippet: -1"),
    ("max-snippet-leading-zero", "max-snippet: 050", "max-snippet: 50"),
    ("max-video-preview", "max-video-preview:-1", "max-video-preview: -1"),
    ("max-image-preview", "max-image-preview: LARGE", "max-image-preview: large"),
    (
        "previews-together",
        "max-snippet:-1, max-image-preview:large, max-video-preview:-1",
        "max-snippet: -1, max-image-preview: large, max-video-preview: -1",
    ),
    (
        "unavailable-iso-date",
        "unavailable_after: 2027-11-03",
        "unavailable_after: 2027-11-03",
    ),
    (
        "unavailable-iso-time",
        "unavailable_after: 2027-11-03T15:00:00Z",
        "unavailable_after: 2027-11-03T15:00:00Z",
    ),
    (
        "unavailable-rfc822",
        "unavailable_after: 25 Jun 2010 15:00:00 PST",
        "unavailable_after: 25 Jun 2010 15:00:00 PST",
    ),
    (
        "unavailable-rfc850",
        "unavailable_after: 25-Aug-2007 15:00:00 EST",
        "unavailable_after: 25-Aug-2007 15:00:00 EST",
    ),
    ("crawler", "googlebot: noindex", "googlebot: noindex"),
    ("crawler-case", "Googlebot-News: NoSnippet", "googlebot-news: nosnippet"),
    # By Google's reading a token applies up to the next one; each directive
    # gets its token, so a crawler reading one directive per token agrees.
    (
        "crawler-scope",
        "googlebot: noindex, nofollow",
        "googlebot: noindex, googlebot: nofollow",
    ),
    (
        "crawlers-after-everyone",
        "noindex, googlebot: nofollow, bingbot: noarchive, nosnippet",
        "noindex, googlebot: nofollow, bingbot: noarchive, bingbot: nosnippet",
    ),
    # In a list each item stands alone: an item without a token is for all.
    (
        "list-items-stand-alone",
        ["googlebot: noindex", "nofollow"],
        "nofollow, googlebot: noindex",
    ),
    (
        "crawler-valued",
        "googlebot: unavailable_after: 2027-11-03",
        "googlebot: unavailable_after: 2027-11-03",
    ),
    ("None", None, None),
    ("False", False, None),
    ("empty-str", "", None),
    ("empty-list", [], None),
]


@pytest.mark.parametrize(
    ("value", "header"), [pytest.param(v, h, id=i) for i, v, h in CONTRACT]
)
def test_contract(value: Any, header: str | None) -> None:
    app = make_app()
    Talisman(app, x_robots_tag=value)
    check(get(app), {"X-Robots-Tag": header})


def test_config_key() -> None:
    app = make_app()
    app.config["TALISMAN_X_ROBOTS_TAG"] = "noindex"
    Talisman(app)
    check(get(app), {"X-Robots-Tag": "noindex"})


def test_sent_over_plain_http_too() -> None:
    # Crawlers fetch http:// URLs too; the header is not a transport matter.
    app = make_app()
    Talisman(app, force_https=False, x_robots_tag="noindex, nofollow")
    check(
        get(app, **HTTP),
        {"X-Robots-Tag": "noindex, nofollow", "Strict-Transport-Security": None},
    )


def test_replaces_the_views_own_value() -> None:
    # Like every Talisman header, the configured value wins over the view's.
    app = Flask(__name__)
    app.route("/")(lambda: ("ok", {"X-Robots-Tag": "all"}))
    Talisman(app, x_robots_tag="noindex")
    check(get(app), {"X-Robots-Tag": "noindex"})


# -- refused values ----------------------------------------------------------------

# (id, bad value, fragment the message shows after the option name)
REFUSED: list[tuple[str, Any, str]] = [
    # unknown directives, with a "did you mean"
    ("typo", "noindx", "'noindx' is not a robots directive. Did you mean 'noindex'?"),
    (
        "typo-among-others",
        "noindex, nofolow",
        "'nofolow' in 'noindex, nofolow' is not a robots directive. "
        "Did you mean 'nofollow'?",
    ),
    ("typo-in-list", ["noindex", "noarchiv"], "Did you mean 'noarchive'?"),
    ("typo-after-crawler", "googlebot: noindx", "Did you mean 'noindex'?"),
    (
        "typo-valued",
        "max-snipet: 50",
        "'50' in 'max-snipet: 50' is not a robots directive. "
        "Did you mean 'max-snippet: 50'?",
    ),
    # a default that no crawler reads, whose "closest" match means the opposite
    ("index", "index, follow", "'index' in 'index, follow' is not a robots"),
    ("index-not-noindex", "index", "leave it out (noindex does the opposite)"),
    ("follow", "follow", "leave it out (nofollow does the opposite)"),
    ("snippet", "snippet", "leave it out (nosnippet does the opposite)"),
    # values
    ("flag-with-value", "noindex: nofollow", "noindex takes no value"),
    ("flag-with-value-after-crawler", "googlebot: noindex: 1", "takes no value"),
    ("valued-without-value", "max-snippet", "'max-snippet' has no value"),
    ("valued-empty-value", "max-snippet:", "has no value"),
    ("snippet-not-a-number", "max-snippet: many", "'many' in 'max-snippet: many'"),
    ("snippet-below-minus-one", "max-snippet: -2", "is not a value of max-snippet"),
    ("snippet-float", "max-snippet: 1.5", "is not a value of max-snippet"),
    ("video-not-a-number", "max-video-preview: long", "max-video-preview"),
    (
        "image-preview-typo",
        "max-image-preview: larg",
        "is not a value of max-image-preview. Did you mean 'large'?",
    ),
    ("date-not-a-date", "unavailable_after: tomorrow", "'tomorrow' in"),
    ("date-bad-day", "unavailable_after: 2027-02-30", "is not a date"),
    (
        "date-with-weekday",
        "unavailable_after: Wednesday, 03-Nov-2027 15:00:00 PST",
        "has a comma, which crawlers read as the end of the directive",
    ),
    (
        "date-with-weekday-in-list",
        ["unavailable_after: Wed, 03 Nov 2027 15:00:00 GMT"],
        "leave out the weekday",
    ),
    # crawler tokens
    ("crawler-without-directive", "googlebot:", "names a crawler but no directive"),
    ("crawler-with-space", "google bot: noindex", "'google bot' in"),
    ("crawler-quoted", '"googlebot": noindex', "not a crawler's user agent token"),
    # separators that would inject or break the list
    ("semicolon", "noindex; nofollow", "holds a ';'"),
    ("semicolon-in-list", ["noindex;nofollow"], "holds a ';'"),
    ("comma-in-list-item", ["noindex, nofollow"], "holds a comma"),
    ("empty-member", "noindex,", "has an empty directive"),
    ("double-comma", "noindex,,nofollow", "has an empty directive"),
    ("only-comma", ",", "has an empty directive"),
    # control characters and non-ASCII
    ("crlf", "noindex\r\nSet-Cookie: a=1", "control character '\\r'"),
    ("lf-in-list", ["noindex", "nofollow\n"], "control character '\\n'"),
    ("nul", "noindex\x00", "control character '\\x00'"),
    ("tab", "noindex,\tnofollow", "control character '\\t'"),
    ("non-ascii", "noïndex", "non-ASCII character 'ï'"),
    # types
    ("int", 1, "got 1 (int)"),
    ("True", True, "got True (bool)"),
    ("set", {"noindex"}, "(set)"),
    ("dict", {"googlebot": "noindex"}, "(dict)"),
    ("bytes", b"noindex", "(bytes)"),
    ("non-str-item", ["noindex", 1], "got 1 (int)"),
    ("None-item", ["noindex", None], "got None (NoneType)"),
]


@pytest.mark.parametrize(
    ("value", "fragment"), [pytest.param(v, f, id=i) for i, v, f in REFUSED]
)
def test_refused(value: Any, fragment: str) -> None:
    match = "x_robots_tag: .*" + re.escape(fragment)
    with pytest.raises(ConfigurationError, match=match):
        Talisman(make_app(), x_robots_tag=value)
    talisman = Talisman(make_app())
    with pytest.raises(ConfigurationError, match=match):
        talisman(x_robots_tag=value)


def test_a_refused_assignment_keeps_the_header() -> None:
    app = make_app()
    talisman = Talisman(app, x_robots_tag="noindex")
    with pytest.raises(ConfigurationError, match="x_robots_tag"):
        talisman.x_robots_tag = "noindx"
    assert talisman.x_robots_tag == "noindex"
    check(get(app), {"X-Robots-Tag": "noindex"})


# -- per view and per blueprint ------------------------------------------------------


def test_per_view() -> None:
    app = make_app()
    talisman = Talisman(app)

    @app.route("/admin")
    @talisman(x_robots_tag="noindex, nofollow")
    def admin() -> str:
        return "admin"

    check(get(app, "/admin"), {"X-Robots-Tag": "noindex, nofollow"})
    check(get(app, "/"), {"X-Robots-Tag": None})


def test_app_wide_with_a_view_replacing_or_turning_it_off() -> None:
    # A staging site: nothing indexed, except what a view says otherwise.
    app = make_app()
    talisman = Talisman(app, x_robots_tag="noindex")

    @app.route("/snippets")
    @talisman(x_robots_tag=["noindex", "max-snippet: 0"])
    def snippets() -> str:
        return "snippets"

    @talisman(x_robots_tag=None)
    @app.route("/public")
    def public() -> str:
        return "public"

    check(get(app, "/"), {"X-Robots-Tag": "noindex"})
    check(get(app, "/snippets"), {"X-Robots-Tag": "noindex, max-snippet: 0"})
    check(get(app, "/public"), {"X-Robots-Tag": None})


def test_per_blueprint() -> None:
    app = make_app()
    talisman = Talisman(app)
    admin = Blueprint("admin", __name__, url_prefix="/admin")

    @admin.route("/")
    def index() -> str:
        return "admin"

    @admin.route("/images")
    @talisman(x_robots_tag="noindex, noimageindex")
    def images() -> str:
        return "images"

    talisman(x_robots_tag="noindex, nofollow")(admin)
    app.register_blueprint(admin)
    check(get(app, "/admin/"), {"X-Robots-Tag": "noindex, nofollow"})
    check(get(app, "/admin/images"), {"X-Robots-Tag": "noindex, noimageindex"})
    check(get(app, "/"), {"X-Robots-Tag": None})


def test_extend_replaces_it() -> None:
    # Not a policy of merged sources: extend, like the decorator, replaces it.
    app = make_app()
    talisman = Talisman(app, x_robots_tag="noarchive")

    @app.route("/more")
    @talisman.extend(x_robots_tag="noindex")
    def more() -> str:
        return "more"

    check(get(app, "/more"), {"X-Robots-Tag": "noindex"})


# -- properties ----------------------------------------------------------------------

PROPERTIES = settings(max_examples=300, deadline=None, derandomize=True, database=None)
FLAGS = [
    "all", "noindex", "nofollow", "none", "noarchive", "nosnippet", "notranslate",
    "noimageindex", "indexifembedded", "nocache",
]  # fmt: skip
VALUES = {
    "max-snippet": st.integers(-1, 10**6).map(str),
    "max-video-preview": st.integers(-1, 10**6).map(str),
    "max-image-preview": st.sampled_from(["none", "standard", "large"]),
    "unavailable_after": st.sampled_from(
        ["2027-11-03", "2027-11-03T15:00:00Z", "25 Jun 2010 15:00:00 PST"]
    ),
}
BOTS = st.sampled_from(["googlebot", "googlebot-news", "bingbot", "otherbot"])

# One directive: (crawler or None, name, value or None).
directive = st.tuples(
    st.none() | BOTS,
    st.sampled_from([*FLAGS, *VALUES]),
).flatmap(
    lambda pair: st.tuples(
        st.just(pair[0]),
        st.just(pair[1]),
        VALUES[pair[1]] if pair[1] in VALUES else st.none(),
    )
)


def cased(text: str) -> st.SearchStrategy[str]:
    return st.lists(st.booleans(), min_size=len(text), max_size=len(text)).map(
        lambda upper: "".join(
            c.upper() if u else c for c, u in zip(text, upper, strict=True)
        )
    )


def written(d: tuple[str | None, str, str | None]) -> st.SearchStrategy[str]:
    """One directive as a user may write it: any case and spacing."""
    bot, name, value = d
    space = st.sampled_from(["", " ", "  "])
    parts: list[st.SearchStrategy[str]] = []
    if bot is not None:
        parts += [cased(bot), space, st.just(":"), space]
    parts.append(cased(name))
    if value is not None:
        parts += [space, st.just(":"), space, st.just(value)]
    return st.tuples(*parts).map("".join)


def read(header: str) -> list[tuple[str | None, str]]:
    """The header as a crawler reads it: (crawler or None, directive) pairs.

    Independent of the module: a token is anything before a ':' that is not
    a directive taking a value, and applies up to the next token.
    """
    pairs: list[tuple[str | None, str]] = []
    scope = None
    for item in header.split(", "):
        first, _, rest = item.partition(": ")
        if first not in VALUES and rest:
            scope, item = first, rest
        pairs.append((scope, item))
    return pairs


def normal(d: tuple[str | None, str, str | None]) -> str:
    _, name, value = d
    if value is None:
        return name
    if name in ("max-snippet", "max-video-preview"):
        value = str(int(value))
    return f"{name}: {value}"


written_directives = st.lists(directive, min_size=1, max_size=6).flatmap(
    lambda ds: st.tuples(st.just(ds), st.tuples(*map(written, ds)))
)


@PROPERTIES
@given(written_directives)
def test_the_header_reads_as_the_directives_given(
    case: tuple[list[tuple[str | None, str, str | None]], tuple[str, ...]],
) -> None:
    directives, texts = case
    # A list: each item for its own crawler, or for all.
    in_list = {(d[0], normal(d)) for d in directives}
    # A str: a token applies up to the next one.
    in_str, scope = set(), None
    for d in directives:
        scope = d[0] or scope
        in_str.add((scope, normal(d)))
    for value, wanted in ((list(texts), in_list), (", ".join(texts), in_str)):
        header = check_x_robots_tag("x_robots_tag", value)
        assert header is not None
        assert PRINTABLE.match(header)
        assert set(read(header)) == wanted
        assert len(read(header)) == len(wanted)  # each once
        # Sent again, it is read the same: the header is its own normal form.
        assert check_x_robots_tag("x_robots_tag", header) == header


CONTROL = st.characters(min_codepoint=0, max_codepoint=0x1F) | st.just("\x7f")


@PROPERTIES
@given(written_directives, CONTROL, st.integers(0, 200), st.booleans())
def test_a_control_character_anywhere_is_refused(
    case: tuple[list[Any], tuple[str, ...]], char: str, at: int, as_list: bool
) -> None:
    texts = list(case[1])
    i = at % len(texts)
    j = at % (len(texts[i]) + 1)
    texts[i] = texts[i][:j] + char + texts[i][j:]
    value: Any = texts if as_list else ", ".join(texts)
    with pytest.raises(ConfigurationError, match=r"x_robots_tag: .*control character"):
        check_x_robots_tag("x_robots_tag", value)


noise = st.sampled_from(
    [*FLAGS, *VALUES, "googlebot", ":", ",", " ", "5", "-1", "\r\n", "\x00", "é", ";"]
)


@PROPERTIES
@given(st.text(max_size=40) | st.lists(noise).map("".join))
def test_any_text_is_refused_or_sent_clean(value: str) -> None:
    try:
        header = check_x_robots_tag("x_robots_tag", value)
    except ConfigurationError as error:
        message = str(error)
    else:
        message = ""
        assert not re.search(r"[\x00-\x1f\x7f]", value), "a control character"
        if header is not None:
            assert PRINTABLE.match(header)
            assert check_x_robots_tag("x_robots_tag", header) == header
    assert message == "" or message.startswith("x_robots_tag: ")
