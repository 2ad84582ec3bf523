"""flask_talisman.third_party: the nonce and hashes for other extensions' templates.

What the functions do to a template's source, on small templates; the pages
of the real extensions are in tests/browser/test_works_with.py.
"""

from __future__ import annotations

import pytest
from flask import Flask
from jinja2 import DictLoader, Environment

from flask_talisman import (
    SELF,
    UNSAFE_HASHES,
    ConfigurationWarning,
    Talisman,
    csp_hash,
)
from flask_talisman.third_party import add_nonces, attribute_hashes

from .conftest import HTTPS, NONCE_RE

NONCED = {
    "content_security_policy": {"default-src": SELF, "base-uri": SELF},
    "content_security_policy_nonce_in": ["script-src", "style-src"],
}


def render(env: Environment, name: str, **options: object) -> tuple[str, str]:
    """Render ``name`` in a request of an app with ``options``: (body, nonce)."""
    app = Flask(__name__)
    Talisman(app, **options)  # type: ignore[arg-type]
    bodies: list[str] = []

    @app.route("/")
    def page() -> str:
        bodies.append(env.get_template(name).render())
        return bodies[-1]

    response = app.test_client().get("/", **HTTPS)
    match = NONCE_RE.search(response.headers["Content-Security-Policy"])
    return bodies[0], match.group(1) if match else ""


def env_of(**templates: str) -> Environment:
    return Environment(loader=DictLoader(templates), autoescape=True)


# -- add_nonces -------------------------------------------------------------------


def test_script_style_and_link_tags_get_the_request_nonce() -> None:
    env = env_of(
        page=(
            '<link rel="stylesheet" href="/a.css">\n'
            "<STYLE>p { color: red }</STYLE>\n"
            "<script>go()</script>\n"
            '<script\n  src="/b.js"></script>\n'
            "<link/>"
        )
    )
    add_nonces(env)
    body, nonce = render(env, "page", **NONCED)
    attribute = f'nonce="{nonce}"'
    assert body == (
        f'<link {attribute} rel="stylesheet" href="/a.css">\n'
        f"<STYLE {attribute}>p {{ color: red }}</STYLE>\n"
        f"<script {attribute}>go()</script>\n"
        f'<script {attribute}\n  src="/b.js"></script>\n'
        f"<link {attribute}/>"
    )


def test_other_tags_and_tag_like_text_are_left_alone() -> None:
    source = "<scripts></scripts><stylesheet> <p>script</p> <a href='#script'>"
    env = env_of(page=source)
    add_nonces(env)
    assert render(env, "page", **NONCED)[0] == source


def test_a_tag_with_a_nonce_keeps_its_own() -> None:
    env = env_of(
        page='<script nonce="{{ mine }}">a()</script><script NONCE=x>b()</script>'
    )
    add_nonces(env)
    assert render(env, "page", **NONCED)[0] == (
        '<script nonce="">a()</script><script NONCE=x>b()</script>'
    )


def test_a_tag_left_open_at_the_end_still_gets_the_attribute() -> None:
    env = env_of(page="<p>end <script ")
    add_nonces(env)
    assert env.get_template("page").render() == '<p>end <script nonce="" '


def test_jinja_syntax_and_raw_blocks_are_left_alone() -> None:
    source = (
        "{# <script> in a comment #}"
        "{% if '<script>' %}{{ '<style>' }}{% endif %}"
        "{% raw %}<script>{{ literal }}</script>{% endraw %}"
        "{%- raw -%}<style></style>{%- endraw -%}"
    )
    env = env_of(page=source)
    add_nonces(env)
    assert render(env, "page", **NONCED)[0] == (
        "&lt;style&gt;<script>{{ literal }}</script><style></style>"
    )


def test_custom_delimiters_are_followed() -> None:
    env = Environment(
        loader=DictLoader(
            {"page": "<script></script><% raw %><style></style><% endraw %>"}
        ),
        block_start_string="<%",
        block_end_string="%>",
        variable_start_string="<<",
        variable_end_string=">>",
    )
    add_nonces(env)
    body = env.get_template("page").render()
    assert body == '<script nonce=""></script><style></style>'


def test_without_a_nonce_in_the_policy_the_attribute_is_empty() -> None:
    env = env_of(page="<script>a()</script>")
    add_nonces(env)
    assert render(env, "page")[0] == '<script nonce="">a()</script>'


def test_outside_a_request_the_attribute_is_empty() -> None:
    env = env_of(page="<style></style>")
    add_nonces(env)
    assert env.get_template("page").render() == '<style nonce=""></style>'


def test_only_templates_named_with_a_prefix_change_and_calls_add_prefixes() -> None:
    env = env_of(
        **{
            "ext/a": "<script></script>",
            "b": "<script></script>",
            "c/d": "<script></script>",
        }
    )
    add_nonces(env, "ext/")
    assert 'nonce=""' in env.get_template("ext/a").render()
    assert env.get_template("b").render() == "<script></script>"
    add_nonces(env, "c/")
    assert 'nonce=""' in env.get_template("c/d").render()
    assert len([e for e in env.extensions if "NonceTags" in e]) == 1


def test_the_template_global_has_a_name_of_its_own() -> None:
    env = env_of(page="{% set csp_nonce = 'x' %}<script></script>{{ csp_nonce }}")
    env.globals["csp_nonce"] = lambda: "theirs"
    add_nonces(env)
    assert env.get_template("page").render() == '<script nonce=""></script>x'


@pytest.mark.parametrize("function", [add_nonces, attribute_hashes])
def test_a_prefix_must_be_a_string(function: object) -> None:
    with pytest.raises(
        TypeError,
        match=r'a prefix must be a str, got \[\'ext/\'\]; pass the start of template names, as \w+\(env, "flasgger/"\)',
    ):
        function(env_of(), ["ext/"])  # type: ignore[operator]


# -- attribute_hashes -------------------------------------------------------------


def test_fixed_handlers_and_style_attributes_are_hashed_once_each() -> None:
    env = env_of(
        **{
            "ext/a": (
                '<div style="display:none;" onclick="go()">'
                "<span STYLE='float: right;' onMouseOver=\"say(&quot;hi&quot;)\">"
                '<b style="display:none;">'
            ),
            "ext/b": '<p onclick="go()" title="style=&quot;x&quot;">',
            "other": '<p style="color: red">',
        }
    )
    assert attribute_hashes(env, "ext/") == {
        "script-src-attr": (UNSAFE_HASHES, csp_hash("go()"), csp_hash('say("hi")')),
        "style-src-attr": (
            UNSAFE_HASHES,
            csp_hash("display:none;"),
            csp_hash("float: right;"),
        ),
    }
    assert attribute_hashes(env)["style-src-attr"][-1] == csp_hash("color: red")


def test_a_directive_without_attributes_is_left_out() -> None:
    env = env_of(
        page='<p onclick="go()">', empty="<p>style</p> <script>x.onclick = 'y'</script>"
    )
    assert attribute_hashes(env, "empty") == {}
    assert list(attribute_hashes(env)) == ["script-src-attr"]


def test_an_attribute_computed_when_rendered_warns_and_is_left_out() -> None:
    env = env_of(
        page=(
            "<button onclick=\"return confirm('{{ message }}')\">"
            '<p style="{% if x %}color: red{% endif %}">'
            '<p style="width: 1px">'
        )
    )
    with pytest.warns(ConfigurationWarning) as caught:
        hashes = attribute_hashes(env)
    assert hashes == {"style-src-attr": (UNSAFE_HASHES, csp_hash("width: 1px"))}
    assert [str(w.message) for w in caught] == [
        "attribute_hashes: the onclick attribute in the template 'page' is "
        "computed when it is rendered (\"return confirm('{{ message }}')\"), so "
        "no fixed hash can allow it. Allow it another way, or expect the "
        "browser to block it.",
        "attribute_hashes: the style attribute in the template 'page' is "
        "computed when it is rendered ('{% if x %}color: red{% endif %}'), so "
        "no fixed hash can allow it. Allow it another way, or expect the "
        "browser to block it.",
    ]
