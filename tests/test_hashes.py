"""Hashes from templates: {% csp_script %} and {% csp_style %}.

An element's text, written in the template, is hashed when the template is
compiled, and its hash is in every policy that restricts inline content. A
page that uses hashes and not its nonce carries no nonce, so any cache may
keep it. What browsers do with it is in tests/browser/test_hashes.py.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

import jinja2
import pytest
from flask import Flask, render_template, render_template_string

from flask_talisman import NONCE, NONE, SELF, STRICT_DYNAMIC, UNSAFE_INLINE, Talisman

from .conftest import HTTPS, NONCE_RE


def sha256(text: str) -> str:
    return (
        "'sha256-"
        + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        + "'"
    )


STRICT = {
    "default-src": SELF,
    "script-src": [NONCE, STRICT_DYNAMIC],
    "object-src": NONE,
    "base-uri": NONE,
}


def hashed_app(
    policy: Any = STRICT, templates: Path | None = None, **options: Any
) -> Flask:
    app = Flask("hashed_app", template_folder=str(templates) if templates else None)
    Talisman(app, content_security_policy=policy, **options)
    return app


def page(app: Flask, template: str, path: str = "/") -> Any:
    app.add_url_rule(path, path, lambda: render_template_string(template))
    return app.test_client().get(path, **HTTPS)


# -- the tags -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "html"),
    [
        ("{% csp_script %}run(1){% endcsp_script %}", "<script>run(1)</script>"),
        (
            '{% csp_script type="module" %}import "/a.js"{% endcsp_script %}',
            '<script type="module">import "/a.js"</script>',
        ),
        (
            '{% csp_script type="module", id="boot" %}x{% endcsp_script %}',
            '<script type="module" id="boot">x</script>',
        ),
        (
            "{% csp_style %}p { color: red }{% endcsp_style %}",
            "<style>p { color: red }</style>",
        ),
        (
            '{% csp_style media="print" %}p{}{% endcsp_style %}',
            '<style media="print">p{}</style>',
        ),
        # A comment is not rendered, so the text around it is what is hashed.
        (
            "{% csp_script %}a(){# note #}b(){% endcsp_script %}",
            "<script>a()b()</script>",
        ),
        (
            '{% csp_script id="a&b\\"c" %}1{% endcsp_script %}',
            '<script id="a&amp;b&#34;c">1</script>',
        ),
    ],
)
def test_a_tag_renders_its_element_as_written(template: str, html: str) -> None:
    assert page(hashed_app(), template).get_data(as_text=True) == html


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (
            "{% csp_script %}var a = {{ value }};{% endcsp_script %}",
            "only text written",
        ),
        (
            "{% csp_script %}{% if x %}a(){% endif %}{% endcsp_script %}",
            "only text written",
        ),
        ("{% csp_style %}p{color:{{ c }}}{% endcsp_style %}", "only text written"),
        ("{% csp_script type=kind %}a(){% endcsp_script %}", "quoted string"),
        ('{% csp_script type="a" ~ "b" %}a(){% endcsp_script %}', "quoted string"),
        (
            '{% csp_script nonce="abc" %}a(){% endcsp_script %}',
            "cannot be an attribute",
        ),
        ("{% csp_script %}a('</script>'){% endcsp_script %}", "end the element early"),
        ("{% csp_script %}a('<!--'){% endcsp_script %}", "end the element early"),
        (
            "{% csp_style %}p{content:'</STYLE'}{% endcsp_style %}",
            "end the element early",
        ),
        ("{% csp_script %}a(){% endcsp_style %}", "endcsp_script"),
    ],
)
def test_a_tag_that_could_hash_something_rendered_fails_to_compile(
    template: str, message: str
) -> None:
    app = hashed_app()
    with pytest.raises(jinja2.TemplateSyntaxError, match=message):
        app.jinja_env.from_string(template)


def test_the_header_carries_the_hash_of_the_text_and_no_nonce() -> None:
    response = page(hashed_app(), "{% csp_script %}boot(){% endcsp_script %}")
    assert response.headers["Content-Security-Policy"] == (
        f"default-src 'self'; script-src 'strict-dynamic' {sha256('boot()')}; "
        "object-src 'none'; base-uri 'none'"
    )
    # Nothing per request in it: any cache may keep the page.
    assert "Cache-Control" not in response.headers


def test_a_page_with_hashes_and_its_nonce_carries_both() -> None:
    response = page(
        hashed_app(),
        "{% csp_script %}boot(){% endcsp_script %}<script nonce='{{ csp_nonce() }}'>",
    )
    nonce = NONCE_RE.search(response.headers["Content-Security-Policy"])
    assert nonce is not None
    assert response.headers["Content-Security-Policy"] == (
        f"default-src 'self'; script-src 'nonce-{nonce.group(1)}' 'strict-dynamic' "
        f"{sha256('boot()')}; object-src 'none'; base-uri 'none'"
    )
    assert response.headers["Cache-Control"] == "private"


def test_every_page_carries_every_hash_the_app_has() -> None:
    app = hashed_app()
    app.add_url_rule(
        "/one",
        "one",
        lambda: render_template_string("{% csp_script %}one(){% endcsp_script %}"),
    )
    app.add_url_rule(
        "/two",
        "two",
        lambda: render_template_string("{% csp_style %}p{}{% endcsp_style %}"),
    )
    client = app.test_client()
    client.get("/one", **HTTPS)
    response = client.get("/two", **HTTPS)
    csp = response.headers["Content-Security-Policy"]
    assert f"script-src 'strict-dynamic' {sha256('one()')};" in csp
    assert f"default-src 'self' {sha256('p{}')};" in csp


POLICIES = [
    # (policy, what the header is with one script and one style hashed)
    (
        {"default-src": SELF},
        f"default-src 'self' {sha256('s()')} {sha256('p{}')}",
    ),
    (
        {"default-src": SELF, "script-src": SELF, "style-src": SELF},
        f"default-src 'self'; script-src 'self' {sha256('s()')}; style-src 'self' {sha256('p{}')}",
    ),
    (
        {"script-src-elem": SELF, "script-src": "https://cdn.example"},
        f"script-src-elem 'self' {sha256('s()')}; script-src https://cdn.example",
    ),
    # 'unsafe-inline' alone allows them already; a hash would turn it off.
    (
        {
            "default-src": SELF,
            "script-src": [SELF, UNSAFE_INLINE],
            "style-src": [SELF, UNSAFE_INLINE],
        },
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'",
    ),
    # Nothing restricts inline content: nothing to add.
    ({"img-src": SELF}, "img-src 'self'"),
    # 'none' alone forbids inline content outright: a hash would allow some.
    ({"default-src": NONE}, "default-src 'none'"),
    (
        {"default-src": SELF, "script-src": NONE},
        f"default-src 'self' {sha256('p{}')}; script-src 'none'",
    ),
]


@pytest.mark.parametrize(("policy", "header"), POLICIES)
def test_hashes_go_where_inline_content_is_decided(policy: Any, header: str) -> None:
    response = page(
        hashed_app(policy),
        "{% csp_script %}s(){% endcsp_script %}{% csp_style %}p{}{% endcsp_style %}",
    )
    assert response.headers["Content-Security-Policy"] == header


def test_without_its_nonce_a_page_never_gets_unsafe_inline_back() -> None:
    # The backward-compatible strict policy: CSP3 browsers ignore
    # 'unsafe-inline' next to a nonce or a hash.
    policy = {
        "script-src": [NONCE, STRICT_DYNAMIC, UNSAFE_INLINE, "https:"],
        "style-src": [NONCE, UNSAFE_INLINE],
        "object-src": NONE,
        "base-uri": NONE,
    }
    response = page(hashed_app(policy), "{% csp_script %}s(){% endcsp_script %}")
    assert response.headers["Content-Security-Policy"] == (
        f"script-src 'strict-dynamic' 'unsafe-inline' https: {sha256('s()')}; "
        "style-src 'none'; object-src 'none'; base-uri 'none'"
    )


def test_a_page_without_tags_or_nonce_keeps_its_nonce_as_in_1_1_0() -> None:
    response = page(hashed_app(), "<p>plain</p>")
    assert NONCE_RE.search(response.headers["Content-Security-Policy"])


def test_a_report_only_policy_gets_the_hashes_too() -> None:
    app = hashed_app(
        {"default-src": SELF},
        content_security_policy_report_only={"script-src": [NONCE, STRICT_DYNAMIC]},
    )
    response = page(app, "{% csp_script %}s(){% endcsp_script %}")
    assert response.headers["Content-Security-Policy-Report-Only"] == (
        f"script-src 'strict-dynamic' {sha256('s()')}"
    )


# -- where the hashes come from -------------------------------------------------------


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text)


def test_templates_are_read_on_the_first_request(tmp_path: Path) -> None:
    """A page replayed from a cache is never rendered; its hash is known anyway."""
    write(tmp_path, "page.html", "{% csp_script %}from_file(){% endcsp_script %}")
    write(tmp_path, "broken.html", "{% csp_script %}{{ x }}{% endcsp_script %}")
    write(tmp_path, "other.html", "{% if %}")  # broken, but not ours to read
    app = hashed_app(templates=tmp_path)
    app.add_url_rule("/plain", "plain", lambda: "plain")
    response = app.test_client().get("/plain", **HTTPS)
    assert sha256("from_file()") in response.headers["Content-Security-Policy"]


def test_a_template_compiled_during_a_request_is_in_that_responses_header(
    tmp_path: Path,
) -> None:
    app = hashed_app(templates=tmp_path)
    app.add_url_rule("/late", "late", lambda: render_template("late.html"))
    client = app.test_client()
    client.get("/", **HTTPS)  # the templates were read: none yet
    write(tmp_path, "late.html", "{% csp_script %}late(){% endcsp_script %}")
    response = client.get("/late", **HTTPS)
    assert sha256("late()") in response.headers["Content-Security-Policy"]
    assert not NONCE_RE.search(response.headers["Content-Security-Policy"])


def test_a_template_loaded_from_a_bytecode_cache_still_gives_its_hash(
    tmp_path: Path,
) -> None:
    """Compiled code from the cache skips the tag's compile step."""
    cache = jinja2.FileSystemBytecodeCache(str(tmp_path))
    sources = {"page.html": "{% csp_script %}cached(){% endcsp_script %}"}
    # A loader that cannot list its templates, so nothing reads them first.
    loader = jinja2.FunctionLoader(lambda name: sources.get(name))

    def build() -> Flask:
        app = hashed_app()
        app.jinja_env.loader = loader
        app.jinja_env.bytecode_cache = cache
        app.add_url_rule("/", "page", lambda: render_template("page.html"))
        return app

    build().test_client().get("/", **HTTPS)  # compiles, fills the cache
    assert list(tmp_path.iterdir())
    response = build().test_client().get("/", **HTTPS)
    assert response.get_data(as_text=True) == "<script>cached()</script>"
    assert sha256("cached()") in response.headers["Content-Security-Policy"]


# -- behind Flask-Caching ---------------------------------------------------------------

flask_caching = pytest.importorskip("flask_caching")


def test_a_cached_hashed_page_is_replayed_with_its_hash_and_no_nonce(
    tmp_path: Path,
) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    write(
        templates,
        "page.html",
        "{% csp_script %}cached(){% endcsp_script %}<p>{{ n }}</p>",
    )
    calls: list[int] = []

    def build() -> Flask:
        app = hashed_app(templates=templates)
        cache = flask_caching.Cache(
            app,
            config={"CACHE_TYPE": "FileSystemCache", "CACHE_DIR": str(tmp_path / "c")},
        )

        @app.route("/")
        @cache.cached(timeout=60)
        def index() -> str:
            calls.append(1)
            return render_template("page.html", n=len(calls))

        return app

    first = build().test_client().get("/", **HTTPS)
    # Another process: the page comes from the cache, never rendered here.
    replay = build().test_client().get("/", **HTTPS)
    assert calls == [1]
    assert replay.get_data() == first.get_data()
    for response in (first, replay):
        csp = response.headers["Content-Security-Policy"]
        assert sha256("cached()") in csp
        assert not NONCE_RE.search(csp)
        assert "Cache-Control" not in response.headers


def test_a_tag_compiled_during_a_request_keeps_that_requests_nonce(
    tmp_path: Path,
) -> None:
    app = hashed_app(
        templates=tmp_path,
        report_receiver="/talisman/reports",  # a header joined with the origin too
    )
    app.add_url_rule("/both", "both", lambda: render_template("both.html"))
    client = app.test_client()
    client.get("/", **HTTPS)  # the templates were read: none yet
    write(
        tmp_path,
        "both.html",
        "<script nonce='{{ csp_nonce() }}'>a()</script>"
        "{% csp_script %}both(){% endcsp_script %}"
        "<script nonce='{{ csp_nonce() }}'>b()</script>",
    )
    response = client.get("/both", **HTTPS)
    csp = response.headers["Content-Security-Policy"]
    nonce = NONCE_RE.search(csp)
    assert nonce is not None
    body = response.get_data(as_text=True)
    assert body.count(f"nonce='{nonce.group(1)}'") == 2
    assert sha256("both()") in csp
    assert response.headers["Reporting-Endpoints"] == (
        'default="https://localhost/talisman/reports"'
    )


def test_the_api_presets_none_stays_none() -> None:
    app = Flask("api")
    Talisman(app, preset="api")
    app.add_url_rule(
        "/page",
        "page",
        lambda: render_template_string("{% csp_script %}s(){% endcsp_script %}"),
    )
    csp = app.test_client().get("/page", **HTTPS).headers["Content-Security-Policy"]
    assert "sha256" not in csp
    assert csp.startswith("default-src 'none'")


def test_a_sandboxed_environment_refuses_the_tags() -> None:
    """Its templates come from people the app does not trust."""
    from jinja2.sandbox import SandboxedEnvironment

    from flask_talisman.hashes import InlineExtension

    environment = SandboxedEnvironment(extensions=[InlineExtension])
    with pytest.raises(jinja2.TemplateSyntaxError, match="sandboxed"):
        environment.from_string("{% csp_script %}fetch('//evil'){% endcsp_script %}")
