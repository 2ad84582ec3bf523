"""flask_talisman.testing: helpers for testing an app that uses Talisman.

The specification, section by section:

* the module itself: public names, runtime dependencies;
* HTTPS test clients: ``https_client``, ``HTTPSClient``, ``HTTPS``;
* ``assert_headers``: what passes, what fails and the exact message, the
  ``{nonce}`` placeholder, the hint on a redirect to HTTPS, misuse;
* ``nonce_of`` and ``assert_nonce_used``;
* docs/testing.rst: its example project runs and passes, and the failure
  message it shows is the one the helpers raise.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, Response, render_template_string
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import Headers
from werkzeug.test import EnvironBuilder, TestResponse

import flask_talisman
from flask_talisman import SAMEORIGIN, Talisman, testing
from flask_talisman.testing import (
    HTTPS,
    NONCE_PLACEHOLDER,
    HTTPSClient,
    assert_headers,
    assert_nonce_used,
    https_client,
    nonce_of,
)
from tests.properties.test_options import SETTINGS

from .conftest import DEFAULT_HEADERS, NONCE_RE

pytest_plugins = ["pytester"]

DOCS = Path(__file__).resolve().parent.parent / "docs" / "testing.rst"
REDIRECT_HINT = (
    "The response is a 302 redirect to https://localhost/: Talisman's "
    "force_https sends plain-HTTP requests to HTTPS, and the test client "
    "speaks plain HTTP. Use flask_talisman.testing.https_client(app), or "
    "client.get(..., **flask_talisman.testing.HTTPS)."
)


def page_app(body: str = "", **options: Any) -> Flask:
    """An app in testing mode whose ``/`` renders ``body`` with Talisman."""
    app = Flask("page_app")
    app.config["TESTING"] = True

    @app.route("/", methods=["GET", "POST"])
    def index() -> str:
        return render_template_string(body)

    Talisman(app, **options)
    return app


@dataclass
class Fake:
    """A response from elsewhere: only ``headers``, and what a test adds."""

    headers: Any
    text: str = ""
    status_code: int = 200


def failure(call: Any, *args: Any, **kwargs: Any) -> str:
    """The message of the AssertionError that ``call`` raises."""
    with pytest.raises(AssertionError) as caught:
        call(*args, **kwargs)
    return str(caught.value)


# The module ----------------------------------------------------------------


def test_public_names() -> None:
    assert sorted(testing.__all__) == sorted(
        [
            "HTTPS",
            "NONCE_PLACEHOLDER",
            "Expected",
            "HTTPSClient",
            "HasHeaders",
            "assert_headers",
            "assert_nonce_used",
            "https_client",
            "nonce_of",
        ]
    )
    documented = ["HTTPSClient", "HasHeaders", "assert_headers", "assert_nonce_used"]
    documented += ["https_client", "nonce_of", "HTTPSClient.open"]
    for name in documented:
        obj: Any = testing
        for part in name.split("."):
            obj = getattr(obj, part)
        assert obj.__doc__, name


def test_the_package_exports_none_of_them() -> None:
    assert set(flask_talisman.__all__).isdisjoint(testing.__all__)


def test_importing_it_imports_no_test_framework() -> None:
    code = (
        "import sys, flask_talisman.testing; "
        "print(sorted(m for m in sys.modules "
        "if m.split('.')[0] in {'pytest', '_pytest', 'hypothesis', 'unittest'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout == "[]\n"


# HTTPS test clients ----------------------------------------------------------


def test_the_plain_test_client_is_redirected_to_https() -> None:
    response = page_app().test_client().post("/")
    assert response.status_code == 302
    assert response.location == "https://localhost/"


def test_https_client_requests_go_over_https() -> None:
    app = page_app("ok")
    client = https_client(app)
    response = client.post("/")
    assert response.status_code == 200
    assert response.request.url == "https://localhost/"
    assert (
        response.headers["Strict-Transport-Security"]
        == (DEFAULT_HEADERS["Strict-Transport-Security"])
    )
    assert isinstance(client, HTTPSClient)
    assert isinstance(client, FlaskClient)
    assert client.application is app


@pytest.mark.parametrize("method", ["get", "post", "put", "delete", "patch", "head"])
def test_every_method_goes_over_https(method: str) -> None:
    app = page_app()
    app.add_url_rule("/any", "any", lambda: "", methods=[method.upper()])
    response = getattr(https_client(app), method)("/any")
    assert response.request.scheme == "https"


def test_https_client_uses_server_name_and_application_root() -> None:
    app = page_app("ok")
    app.config.update(SERVER_NAME="example.com:8443", APPLICATION_ROOT="/shop")
    response = https_client(app).get("/")
    assert response.status_code == 200
    assert response.request.url == "https://example.com:8443/shop/"


def test_https_client_keeps_a_subdomain() -> None:
    app = page_app()
    app.config["SERVER_NAME"] = "example.com"
    response = https_client(app).get("/", subdomain="api")
    assert response.request.url == "https://api.example.com/"


@pytest.mark.parametrize(
    ("args", "kwargs", "url"),
    [
        (("http://localhost/",), {}, "http://localhost/"),
        (("/",), {"base_url": "http://localhost"}, "http://localhost/"),
        (("/", "http://localhost"), {}, "http://localhost/"),
        (("/",), {"url_scheme": "http"}, "http://localhost/"),
        (("/", None, None, "http"), {}, "http://localhost/"),
        (("/", None), {}, "https://localhost/"),
        (("/",), {"base_url": None, "url_scheme": None}, "https://localhost/"),
    ],
    ids=[
        "scheme-in-url",
        "base_url",
        "base_url-by-position",
        "url_scheme",
        "url_scheme-by-position",
        "base_url-None-by-position",
        "None-is-the-default",
    ],
)
def test_a_request_that_names_its_scheme_keeps_it(
    args: tuple[Any, ...], kwargs: dict[str, Any], url: str
) -> None:
    response = https_client(page_app()).get(*args, **kwargs)
    assert response.request.url == url


def test_prepared_requests_keep_their_url() -> None:
    app = page_app("ok")
    client = https_client(app)
    builder = EnvironBuilder(path="/", base_url="http://localhost")
    assert client.open(builder).status_code == 302
    assert client.open(builder.get_environ()).status_code == 302
    assert client.open(builder.get_request()).status_code == 302


def test_following_the_redirect_of_a_plain_http_url_ends_on_https() -> None:
    client = https_client(page_app("ok"))
    response = client.get("http://localhost/", follow_redirects=True)
    assert response.status_code == 200
    assert response.request.url == "https://localhost/"
    assert [r.status_code for r in response.history] == [302]


def test_https_client_passes_its_arguments_to_the_client() -> None:
    app = page_app()
    https_client(app).set_cookie("a", "b")
    for client in (https_client(app, use_cookies=False), https_client(app, False)):
        with pytest.raises(TypeError, match=r"[Cc]ookies are disabled"):
            client.set_cookie("a", "b")


def test_https_client_is_of_the_apps_test_client_class() -> None:
    class MyClient(FlaskClient):
        pass

    app = page_app("ok")
    app.test_client_class = MyClient
    first, second = https_client(app), https_client(app)
    assert isinstance(first, MyClient)
    assert isinstance(first, HTTPSClient)
    assert type(first) is type(second)
    assert type(first).__name__ == "HTTPSMyClient"
    assert first.get("/").request.scheme == "https"


def test_a_test_client_class_that_is_already_an_https_client_is_used_as_is() -> None:
    class MyClient(HTTPSClient):
        pass

    app = page_app()
    app.test_client_class = MyClient
    assert type(https_client(app)) is MyClient


def test_httpsclient_as_the_test_client_class() -> None:
    app = page_app("ok")
    app.test_client_class = HTTPSClient
    response = app.test_client().get("/")
    assert response.status_code == 200
    assert response.request.url == "https://localhost/"


def test_https_keyword_arguments() -> None:
    app = page_app("ok")
    app.config["SERVER_NAME"] = "example.com"
    response = app.test_client().get("/", **HTTPS)
    assert response.status_code == 200
    assert response.request.url == "https://example.com/"
    assert dict(HTTPS) == {"url_scheme": "https"}
    with pytest.raises(TypeError):
        HTTPS["url_scheme"] = "http"  # type: ignore[index]


def test_https_client_refuses_what_is_not_an_app() -> None:
    with pytest.raises(TypeError) as caught:
        https_client("app")  # type: ignore[arg-type]
    assert str(caught.value) == (
        "https_client(app): app should be a Flask app, got 'app'; pass the app "
        "object (in pytest-flask, the app fixture)."
    )


@pytest.mark.parametrize("bad", [object, dict, "FlaskClient"])
def test_https_client_refuses_a_test_client_class_it_cannot_extend(bad: Any) -> None:
    app = page_app()
    app.test_client_class = bad
    with pytest.raises(TypeError) as caught:
        https_client(app)
    assert str(caught.value) == (
        f"https_client(app): app.test_client_class is {bad!r}, which is not a "
        "subclass of flask.testing.FlaskClient; subclass FlaskClient, or set "
        "app.test_client_class = flask_talisman.testing.HTTPSClient."
    )


# assert_headers: what passes -------------------------------------------------


def test_exact_absent_and_pattern_expectations_pass() -> None:
    response = https_client(page_app()).get("/")
    assert_headers(
        response,
        {
            "X-Frame-Options": "SAMEORIGIN",
            "X-XSS-Protection": None,
            "Strict-Transport-Security": re.compile(r"max-age=\d+; includeSubDomains"),
        },
    )


def test_headers_it_is_not_given_are_not_looked_at() -> None:
    assert_headers(Fake({"X-Frame-Options": "DENY", "Server": "x"}), {"Server": "x"})


def test_a_pattern_must_match_the_whole_value() -> None:
    response = Fake({"Referrer-Policy": "no-referrer-when-downgrade"})
    assert_headers(response, {"Referrer-Policy": re.compile("no-referrer.*")})
    message = failure(
        assert_headers, response, {"Referrer-Policy": re.compile("no-referrer")}
    )
    assert message == (
        "1 of 1 expected header differs (- expected, + actual):\n"
        "- Referrer-Policy (matching 'no-referrer')\n"
        "+ Referrer-Policy: no-referrer-when-downgrade"
    )


def test_it_reads_werkzeug_headers_flask_responses_and_mappings() -> None:
    expected = {"x-frame-options": "DENY", "Server": None}
    assert_headers(Fake(Headers([("X-Frame-Options", "DENY")])), expected)
    assert_headers(Response(headers={"X-Frame-Options": "DENY"}), expected)
    assert_headers(Fake({"X-FRAME-OPTIONS": "DENY"}), expected)


def test_headers_given_as_a_mapping_subclass() -> None:
    class Ordered(Mapping[str, str]):
        def __init__(self, items: dict[str, str]) -> None:
            self.items_ = items

        def __getitem__(self, key: str) -> str:
            return self.items_[key]

        def __iter__(self) -> Iterator[str]:
            return iter(self.items_)

        def __len__(self) -> int:
            return len(self.items_)

    assert_headers(
        Fake(Ordered({"X-Frame-Options": "DENY"})), {"x-frame-options": "DENY"}
    )


HEADER_NAMES = sorted(DEFAULT_HEADERS)


@SETTINGS
@given(
    name=st.sampled_from(HEADER_NAMES),
    cases=st.lists(st.booleans(), min_size=40, max_size=40),
    other=st.lists(st.booleans(), min_size=40, max_size=40),
)
def test_header_names_match_in_any_case(
    name: str, cases: list[bool], other: list[bool]
) -> None:
    def cased(flags: list[bool]) -> str:
        return "".join(
            c.upper() if up else c.lower() for c, up in zip(name, flags, strict=False)
        )

    sent = https_client(page_app()).get("/")
    assert_headers(sent, {cased(cases): DEFAULT_HEADERS[name]})
    assert_headers(Fake({cased(other): "v"}), {cased(cases): "v"})


header_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E))


@SETTINGS
@given(sent=header_text, wanted=header_text)
def test_a_value_passes_exactly_when_it_is_equal(sent: str, wanted: str) -> None:
    response = Fake({"X-Test": sent})
    if NONCE_PLACEHOLDER not in sent:
        assert_headers(response, {"X-Test": sent})
    if NONCE_PLACEHOLDER in wanted or wanted == sent:
        return
    message = failure(assert_headers, response, {"X-Test": wanted})
    assert message == (
        "1 of 1 expected header differs (- expected, + actual):\n"
        f"- X-Test: {testing._show(wanted)}\n"
        f"+ X-Test: {testing._show(sent)}"
    )


# assert_headers: what fails, and the message ---------------------------------


def test_the_message_lists_each_differing_header_in_order_and_only_those() -> None:
    response = https_client(page_app(x_xss_protection=True)).get("/")
    message = failure(
        assert_headers,
        response,
        {
            "X-Frame-Options": "DENY",
            "X-Content-Type-Options": "nosniff",
            "X-XSS-Protection": None,
            "Cross-Origin-Opener-Policy": "same-origin",
            "Referrer-Policy": re.compile("no-referrer"),
        },
    )
    assert message == (
        "4 of 5 expected headers differ (- expected, + actual):\n"
        "- X-Frame-Options: DENY\n"
        "+ X-Frame-Options: SAMEORIGIN\n"
        "- X-XSS-Protection (absent)\n"
        "+ X-XSS-Protection: 1; mode=block\n"
        "- Cross-Origin-Opener-Policy: same-origin\n"
        "+ Cross-Origin-Opener-Policy (absent)\n"
        "- Referrer-Policy (matching 'no-referrer')\n"
        "+ Referrer-Policy: strict-origin-when-cross-origin"
    )


def test_the_message_names_headers_as_expected_spells_them() -> None:
    message = failure(
        assert_headers, Fake({"X-Frame-Options": "DENY"}), {"x-frame-options": "deny"}
    )
    assert message == (
        "1 of 1 expected header differs (- expected, + actual):\n"
        "- x-frame-options: deny\n"
        "+ x-frame-options: DENY"
    )


def test_a_header_sent_twice_fails_with_every_value() -> None:
    response = Fake(Headers([("X-Frame-Options", "DENY"), ("X-Frame-Options", "DENY")]))
    for wanted in ("DENY", re.compile("DENY")):
        message = failure(assert_headers, response, {"X-Frame-Options": wanted})
        expected_line = (
            "- X-Frame-Options: DENY"
            if isinstance(wanted, str)
            else "- X-Frame-Options (matching 'DENY')"
        )
        assert message == (
            "1 of 1 expected header differs (- expected, + actual):\n"
            f"{expected_line}\n"
            "+ X-Frame-Options: DENY\n"
            "+ X-Frame-Options: DENY\n"
            "  X-Frame-Options is sent 2 times; expected once."
        )
    message = failure(assert_headers, response, {"X-Frame-Options": None})
    assert message == (
        "1 of 1 expected header differs (- expected, + actual):\n"
        "- X-Frame-Options (absent)\n"
        "+ X-Frame-Options: DENY\n"
        "+ X-Frame-Options: DENY"
    )


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("DENY", "DENY"),
        ("DENY ", "'DENY '"),
        (" DENY", "' DENY'"),
        ("", "''"),
        ("a\tb", "'a\\tb'"),
        ("it's", "it's"),
    ],
)
def test_values_a_line_would_hide_are_shown_quoted(value: str, shown: str) -> None:
    message = failure(assert_headers, Fake({"X-Test": value}), {"X-Test": "other"})
    assert message.splitlines()[-1] == f"+ X-Test: {shown}"


# assert_headers: the {nonce} placeholder -------------------------------------

CSP_WITH_NONCE = (
    "default-src 'self'; object-src 'none'; script-src 'self' 'nonce-{nonce}'"
)


def test_a_nonce_placeholder_matches_the_requests_nonce() -> None:
    app = page_app(content_security_policy_nonce_in=["script-src"])
    response = https_client(app).get("/")
    assert_headers(response, {"Content-Security-Policy": CSP_WITH_NONCE})


def test_every_placeholder_of_one_call_is_the_same_nonce() -> None:
    app = page_app(
        content_security_policy_nonce_in=["script-src", "style-src"],
        content_security_policy_report_only={"default-src": "'none'"},
        content_security_policy_report_only_nonce_in=["script-src"],
        content_security_policy_report_uri="/csp-report",
    )
    response = https_client(app).get("/")
    assert_headers(
        response,
        {
            "Content-Security-Policy": (
                "default-src 'self'; object-src 'none'; "
                "script-src 'self' 'nonce-{nonce}'; style-src 'self' 'nonce-{nonce}'; "
                "report-uri /csp-report"
            ),
            "Content-Security-Policy-Report-Only": (
                "default-src 'none'; script-src 'nonce-{nonce}'; report-uri /csp-report"
            ),
        },
    )


def test_two_nonces_in_one_value_fail() -> None:
    response = Fake({"CSP": "script-src 'nonce-aaa'; style-src 'nonce-bbb'"})
    message = failure(
        assert_headers,
        response,
        {"CSP": "script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'"},
    )
    assert message == (
        "1 of 1 expected header differs (- expected, + actual):\n"
        "- CSP: script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'\n"
        "+ CSP: script-src 'nonce-aaa'; style-src 'nonce-bbb'"
    )


def test_a_nonce_differing_between_headers_fails_and_says_which_it_had() -> None:
    response = Fake({"A": "'nonce-aaa'", "B": "'nonce-bbb'"})
    message = failure(
        assert_headers, response, {"A": "'nonce-{nonce}'", "B": "'nonce-{nonce}'"}
    )
    assert message == (
        "1 of 2 expected headers differs (- expected, + actual):\n"
        "- B: 'nonce-{nonce}'\n"
        "+ B: 'nonce-bbb'\n"
        "  {nonce} is 'aaa' here, the nonce of A."
    )


def test_the_first_header_that_matches_sets_the_nonce() -> None:
    response = Fake({"A": "x 'nonce-aaa'", "B": "'nonce-bbb'", "C": "'nonce-bbb'"})
    message = failure(
        assert_headers,
        response,
        {"A": "y 'nonce-{nonce}'", "B": "'nonce-{nonce}'", "C": "'nonce-{nonce}'"},
    )
    assert message == (
        "1 of 3 expected headers differs (- expected, + actual):\n"
        "- A: y 'nonce-{nonce}'\n"
        "+ A: x 'nonce-aaa'"
    )


@pytest.mark.parametrize(
    ("sent", "passes"),
    [
        ("'nonce-abcXYZ019_-'", True),
        ("'nonce-ab+/cd=='", True),
        ("'nonce-a'", True),
        ("'nonce-'", False),
        ("'nonce-ab cd'", False),
        ("'nonce-ab'cd'", False),
        ("'nonce-ab==='", False),
    ],
)
def test_the_placeholder_matches_a_csp_nonce_value(sent: str, passes: bool) -> None:
    expected = {"X": "'nonce-{nonce}'"}
    if passes:
        assert_headers(Fake({"X": sent}), expected)
    else:
        failure(assert_headers, Fake({"X": sent}), expected)


def test_only_the_placeholder_is_special() -> None:
    # Other braces and regular-expression characters are literal text.
    assert_headers(Fake({"X": "{a} {0} {} .* ("}), {"X": "{a} {0} {} .* ("})
    failure(assert_headers, Fake({"X": "{a} .* ("}), {"X": "{a} .+ ("})
    # There is no escape: a placeholder inside other braces is a placeholder.
    assert_headers(Fake({"X": "{abc}"}), {"X": "{{nonce}}"})


nonces = st.from_regex(r"[A-Za-z0-9+/_-]{1,40}={0,2}", fullmatch=True)
around = header_text.filter(lambda text: NONCE_PLACEHOLDER not in text)


@SETTINGS
@given(nonce=nonces, other=nonces, before=around, after=around)
def test_a_placeholder_matches_any_nonce_and_repeats_only_it(
    nonce: str, other: str, before: str, after: str
) -> None:
    wanted = f"{before}'nonce-{{nonce}}'{after}"
    sent = f"{before}'nonce-{nonce}'{after}"
    assert_headers(Fake({"A": sent}), {"A": wanted})
    assert_headers(
        Fake({"A": sent, "B": f"'nonce-{nonce}'"}),
        {"A": wanted, "B": "'nonce-{nonce}'"},
    )
    if other != nonce:
        message = failure(
            assert_headers,
            Fake({"A": sent, "B": f"'nonce-{other}'"}),
            {"A": wanted, "B": "'nonce-{nonce}'"},
        )
        assert message.endswith(f"  {{nonce}} is {nonce!r} here, the nonce of A.")


# assert_headers: a redirect to HTTPS -----------------------------------------


def test_a_failure_on_talismans_redirect_says_why() -> None:
    response = page_app().test_client().get("/")
    message = failure(assert_headers, response, {"X-Frame-Options": "DENY"})
    assert message == (
        "1 of 1 expected header differs (- expected, + actual):\n"
        "- X-Frame-Options: DENY\n"
        "+ X-Frame-Options: SAMEORIGIN\n" + REDIRECT_HINT
    )


def test_a_passing_check_of_a_redirect_passes() -> None:
    response = page_app().test_client().get("/")
    assert_headers(response, {"Location": "https://localhost/"})


@pytest.mark.parametrize(
    "response",
    [
        Fake({"Location": "https://localhost/"}, status_code=200),
        Fake({"Location": "http://localhost/"}, status_code=302),
        Fake({}, status_code=302),
    ],
    ids=["not-a-redirect", "to-plain-http", "no-location"],
)
def test_no_hint_where_it_is_not_that_redirect(response: Fake) -> None:
    message = failure(assert_headers, response, {"X": "y"})
    assert "redirect" not in message


def test_no_hint_for_a_redirect_of_an_https_request() -> None:
    app = page_app()
    app.add_url_rule("/away", "away", lambda: app.redirect("https://elsewhere/", 302))
    response = https_client(app).get("/away")
    assert "redirect" not in failure(assert_headers, response, {"X": "y"})


def test_the_hint_for_a_redirect_known_only_from_its_headers() -> None:
    response = Fake({"Location": "https://localhost/"}, status_code=302)
    message = failure(assert_headers, response, {"X": "y"})
    assert message.endswith("\n" + REDIRECT_HINT)


# assert_headers: misuse ------------------------------------------------------


@pytest.mark.parametrize("expected", [["X-Frame-Options"], "DENY", None, 1])
def test_expected_must_be_a_mapping(expected: Any) -> None:
    with pytest.raises(TypeError) as caught:
        assert_headers(Fake({}), expected)
    assert str(caught.value) == (
        "assert_headers(response, expected): expected should be a mapping of "
        f"header names to values, got {expected!r}; write "
        '{"X-Frame-Options": "DENY", "X-XSS-Protection": None}.'
    )


def test_expected_must_name_a_header() -> None:
    with pytest.raises(
        ValueError, match=r"^assert_headers\(response, expected\)"
    ) as caught:
        assert_headers(Fake({}), {})
    assert str(caught.value) == (
        "assert_headers(response, expected): expected is empty, so nothing "
        "would be checked; name at least one header."
    )


def test_names_must_be_str() -> None:
    with pytest.raises(TypeError) as caught:
        assert_headers(Fake({}), {b"X-Frame-Options": "DENY"})  # type: ignore[dict-item]
    assert str(caught.value) == (
        "assert_headers: expected has the key b'X-Frame-Options', which is not a "
        "str; the keys are header names, such as 'X-Frame-Options'."
    )


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("X-Frame-Options:", " Did you mean 'X-Frame-Options'?"),
        (" X-Frame-Options ", " Did you mean 'X-Frame-Options'?"),
        ("X-Frame-Options: DENY", ""),
        ("X Frame Options", ""),
        ("", ""),
        ("É", ""),
    ],
)
def test_names_must_be_header_names(name: str, hint: str) -> None:
    with pytest.raises(ValueError, match=r"^assert_headers: ") as caught:
        assert_headers(Fake({}), {name: "DENY"})
    assert str(caught.value) == (
        f"assert_headers: expected has the key {name!r}, which is not a header "
        "name (letters, digits and !#$%&'*+-.^_`|~, without the colon or "
        f"spaces).{hint}"
    )


def test_one_header_cannot_be_named_twice() -> None:
    with pytest.raises(ValueError, match=r"^assert_headers: ") as caught:
        assert_headers(Fake({}), {"X-Frame-Options": "DENY", "x-frame-options": None})
    assert str(caught.value) == (
        "assert_headers: expected names one header twice, as 'X-Frame-Options' "
        "and 'x-frame-options'; header names are case-insensitive, so keep one "
        "of them."
    )


@pytest.mark.parametrize("value", [1, True, b"DENY", ["DENY"], ("DENY",), {"DENY"}])
def test_values_must_be_str_none_or_a_pattern(value: Any) -> None:
    with pytest.raises(TypeError) as caught:
        assert_headers(Fake({}), {"X-Frame-Options": value})
    assert str(caught.value) == (
        f"assert_headers: expected['X-Frame-Options'] is {value!r}; write the "
        "exact value as a str, None for a header that must be absent, or "
        "re.compile(...) for a pattern the whole value must match."
    )


def test_a_pattern_must_be_a_str_pattern() -> None:
    with pytest.raises(TypeError) as caught:
        assert_headers(Fake({}), {"X": re.compile(b"DENY")})  # type: ignore[dict-item]
    assert str(caught.value) == (
        "assert_headers: expected['X'] is re.compile(b'DENY'), a bytes pattern; "
        "header values are str, so compile a str pattern."
    )


def test_a_pattern_cannot_hold_the_placeholder() -> None:
    with pytest.raises(ValueError, match=r"^assert_headers: ") as caught:
        assert_headers(Fake({}), {"X": re.compile("'nonce-{nonce}'")})
    assert str(caught.value) == (
        "assert_headers: expected['X'] is re.compile(\"'nonce-{nonce}'\"); "
        "{nonce} is a placeholder in str values only. Write the value as a str, "
        "or match the nonce with [A-Za-z0-9+/_-]+={0,2} in the pattern."
    )


def test_expected_is_checked_before_the_response() -> None:
    with pytest.raises(ValueError, match="empty"):
        assert_headers(None, {})  # type: ignore[arg-type]


@pytest.mark.parametrize("call", [assert_headers, nonce_of, assert_nonce_used])
def test_the_response_must_have_headers(call: Any) -> None:
    name = call.__name__
    args = ({"X": None},) if call is assert_headers else ()
    with pytest.raises(TypeError) as caught:
        call(Headers(), *args)
    assert str(caught.value) == (
        f"{name}(response): Headers([]) has no headers; pass the response "
        "itself, as the test client returns it (response = client.get(...))."
    )
    with pytest.raises(TypeError) as caught:
        call(Fake([("X", "y")]), *args)
    assert str(caught.value) == (
        f"{name}(response): response.headers is [('X', 'y')]; it should be "
        "werkzeug Headers or a mapping of header names to str values."
    )


def test_a_mapping_of_headers_must_hold_str_values() -> None:
    with pytest.raises(TypeError) as caught:
        assert_headers(Fake({"X": ["a", "b"]}), {"x": "a"})
    assert str(caught.value) == (
        "response.headers['X'] is ['a', 'b']; a mapping of headers should hold "
        "one str value per header name."
    )


# nonce_of --------------------------------------------------------------------


def test_nonce_of_a_response_with_a_nonce() -> None:
    app = page_app(content_security_policy_nonce_in=["script-src"])
    response = https_client(app).get("/")
    nonce = nonce_of(response)
    assert nonce is not None
    assert NONCE_RE.search(response.headers["Content-Security-Policy"])[1] == nonce  # type: ignore[index]


def test_nonce_of_a_response_without_one() -> None:
    assert nonce_of(https_client(page_app()).get("/")) is None
    assert nonce_of(Fake({})) is None


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Security-Policy": "script-src 'nonce-abc'"},
        {"content-security-policy-report-only": "script-src 'nonce-abc'"},
        {"Content-Security-Policy": "script-src 'NONCE-abc'"},
        {
            "Content-Security-Policy": "script-src 'nonce-abc'; style-src 'nonce-abc'",
            "Content-Security-Policy-Report-Only": "script-src 'nonce-abc'",
        },
        {"Content-Security-Policy": "script-src 'nonce-abc' https://nonce-xyz.example"},
        {"X-Other": "'nonce-xyz'", "Content-Security-Policy": "script-src 'nonce-abc'"},
    ],
    ids=["enforced", "report-only", "keyword-case", "both", "a-host", "other-headers"],
)
def test_nonce_of_reads_both_csp_headers(headers: dict[str, str]) -> None:
    assert nonce_of(Fake(headers)) == "abc"


def test_the_report_only_policy_shares_the_nonce() -> None:
    app = page_app(
        content_security_policy_report_only={"default-src": "'self'"},
        content_security_policy_report_only_nonce_in=["script-src"],
        content_security_policy_report_uri="/csp-report",
        content_security_policy_nonce_in=["script-src"],
    )
    assert nonce_of(https_client(app).get("/")) is not None


def test_nonce_of_two_different_nonces_fails() -> None:
    response = Fake(
        {
            "Content-Security-Policy": "script-src 'nonce-abc'; style-src 'nonce-def'",
            "Content-Security-Policy-Report-Only": "script-src 'nonce-ghi' 'nonce-abc'",
        }
    )
    assert failure(nonce_of, response) == (
        "The response's CSP has 3 different nonces, where an element can carry one:\n"
        "  'abc' in Content-Security-Policy\n"
        "  'def' in Content-Security-Policy\n"
        "  'ghi' in Content-Security-Policy-Report-Only"
    )


# assert_nonce_used -----------------------------------------------------------

NONCED = {"content_security_policy_nonce_in": ["script-src", "style-src"]}


def nonced_page(body: str) -> TestResponse:
    """An HTTPS response to a page whose CSP has a nonce."""
    return https_client(page_app(body, **NONCED)).get("/")


def test_a_page_that_uses_its_nonce_passes_and_gives_it() -> None:
    response = nonced_page(
        '<script nonce="{{ csp_nonce() }}">go()</script>\n'
        '<style nonce="{{ csp_nonce() }}">p {}</style>\n'
        '<link rel="stylesheet" href="/s.css" nonce="{{ csp_nonce() }}">\n'
        '<script src="/app.js"></script>'
    )
    assert assert_nonce_used(response) == nonce_of(response)
    assert assert_nonce_used(response, all_inline=True) == nonce_of(response)


def test_a_response_without_a_nonce_fails() -> None:
    response = https_client(page_app('<script nonce="">go()</script>')).get("/")
    assert failure(assert_nonce_used, response) == (
        "The response's CSP has no nonce, so no element can use one:\n"
        "  Content-Security-Policy: default-src 'self'; object-src 'none'\n"
        "Put NONCE in the view's policy, or name its directives in "
        "content_security_policy_nonce_in."
    )


def test_a_response_without_a_csp_fails() -> None:
    assert failure(assert_nonce_used, Fake({})) == (
        "The response's CSP has no nonce, so no element can use one:\n"
        "  (no Content-Security-Policy header)\n"
        "Put NONCE in the view's policy, or name its directives in "
        "content_security_policy_nonce_in."
    )


def test_elements_with_another_nonce_fail_by_line() -> None:
    response = Fake(
        {"Content-Security-Policy": "script-src 'nonce-abc'"},
        text=(
            "<!doctype html>\n"
            '<script nonce="abc">ok()</script>\n'
            '<script nonce="old">stale()</script>\n'
            '<style nonce="">p {}</style>\n'
            "<script nonce>bare()</script>\n"
            "<script>inline()</script>\n"
        ),
    )
    assert failure(assert_nonce_used, response) == (
        "3 elements do not carry the response's nonce 'abc':\n"
        """  line 3: <script nonce="old">  (nonce 'old')\n"""
        """  line 4: <style nonce="">  (empty nonce: does the template call csp_nonce()?)\n"""
        "  line 5: <script nonce>  (empty nonce: does the template call csp_nonce()?)"
    )


def test_one_element_with_another_nonce_fails() -> None:
    response = Fake(
        {"Content-Security-Policy": "script-src 'nonce-abc'"},
        text='<script nonce="abc"></script><script nonce="ABC"></script>',
    )
    assert failure(assert_nonce_used, response) == (
        "1 element does not carry the response's nonce 'abc':\n"
        """  line 1: <script nonce="ABC">  (nonce 'ABC')"""
    )


def test_a_page_where_no_element_uses_the_nonce_fails() -> None:
    response = nonced_page("<p>No scripts</p><script>inline()</script>")
    nonce = nonce_of(response)
    assert failure(assert_nonce_used, response) == (
        f"No element of the body carries the response's nonce {nonce!r}: give "
        "the page's inline <script> and <style> elements "
        'nonce="{{ csp_nonce() }}", or leave the nonce out of the policy.'
    )


def test_all_inline_requires_the_nonce_on_inline_scripts_and_styles() -> None:
    response = Fake(
        {"Content-Security-Policy": "script-src 'nonce-abc'"},
        text=(
            '<script nonce="abc">ok()</script>\n'
            "<script>inline()</script>\n"
            '<script type="module">inline()</script>\n'
            "<style>p {}</style>\n"
            '<script src="/app.js"></script>\n'
            '<script type="application/json">{"a": 1}</script>\n'
            '<script type="text/template"><p></script>\n'
            '<link rel="stylesheet" href="/s.css">\n'
            '<p style="color: red">attribute styles are not elements</p>\n'
        ),
    )
    assert assert_nonce_used(response) == "abc"
    assert failure(assert_nonce_used, response, all_inline=True) == (
        "3 elements do not carry the response's nonce 'abc':\n"
        "  line 2: <script>  (no nonce)\n"
        """  line 3: <script type="module">  (no nonce)\n"""
        "  line 4: <style>  (no nonce)"
    )


@pytest.mark.parametrize(
    ("kind", "runs"),
    [
        (None, True),
        ("", True),
        ("module", True),
        ("importmap", True),
        ("speculationrules", True),
        ("text/javascript", True),
        ("TEXT/JAVASCRIPT; charset=utf-8", True),
        ("application/javascript", True),
        ("application/x-javascript", True),
        ("text/ecmascript", True),
        ("text/x-ecmascript", True),
        ("text/javascript1.5", True),
        ("text/jscript", True),
        ("text/livescript", True),
        ("application/json", False),
        ("application/ld+json", False),
        ("text/template", False),
        ("text/plain", False),
        ("text/javascript2", False),
    ],
)
def test_which_inline_scripts_a_browser_runs(kind: str | None, runs: bool) -> None:
    attribute = "" if kind is None else f' type="{kind}"'
    response = Fake(
        {"Content-Security-Policy": "script-src 'nonce-abc'"},
        text=f'<style nonce="abc"></style><script{attribute}>x</script>',
    )
    if runs:
        failure(assert_nonce_used, response, all_inline=True)
    else:
        assert assert_nonce_used(response, all_inline=True) == "abc"


@pytest.mark.parametrize(
    ("text", "all_inline"),
    [
        pytest.param(
            '<script nonce="abc">document.write(\'<script nonce="x">\')</script>',
            True,
            id="markup-inside-a-script-is-not-an-element",
        ),
        pytest.param(
            '<!-- <script nonce="old"></script> --><script nonce="abc"></script>',
            False,
            id="commented-out-elements-are-not-elements",
        ),
        pytest.param(
            '<script nonce="abc"></script>',
            False,
            id="the-body-of-a-response-from-elsewhere-is-its-text",
        ),
    ],
)
def test_the_elements_of_the_body_are_what_is_checked(
    text: str, all_inline: bool
) -> None:
    response = Fake({"Content-Security-Policy": "script-src 'nonce-abc'"}, text=text)
    assert assert_nonce_used(response, all_inline=all_inline) == "abc"


# assert_nonce_used reads the page as browsers do ------------------------------


def nonce_abc(text: str) -> Fake:
    """A response from elsewhere whose CSP's nonce is ``abc``."""
    return Fake({"Content-Security-Policy": "script-src 'nonce-abc'"}, text=text)


def test_of_two_nonce_attributes_the_first_is_the_elements() -> None:
    response = nonced_page(
        '<script nonce="STALE" nonce="{{ csp_nonce() }}">go()</script>'
    )
    assert failure(assert_nonce_used, response) == (
        f"1 element does not carry the response's nonce {nonce_of(response)!r}:\n"
        f"""  line 1: <script nonce="STALE" nonce="{nonce_of(response)}">"""
        "  (nonce 'STALE')"
    )


@pytest.mark.parametrize(
    ("text", "element"),
    [
        pytest.param("<!-- x --!>\n<script>", "<script>", id="a-comment-ends-at---!>"),
        pytest.param("<!-->\n<script>", "<script>", id="<!---->-is-a-whole-comment"),
        pytest.param("<!--->\n<script>", "<script>", id="<!----->-is-a-whole-comment"),
        pytest.param(
            "<![CDATA[>\n<script>]]>",
            "<script>",
            id="cdata-in-html-is-a-comment-to-the-first->",
        ),
        pytest.param(
            "<?php echo 1 ?>\n<script>", "<script>", id="a-bogus-comment-ends-at->"
        ),
        pytest.param("<svg>\n<script>", "<script>", id="an-svg-script"),
        pytest.param("<svg>\n<style>", "<style>", id="an-svg-style"),
        pytest.param(
            "<svg><title>\n<script>", "<script>", id="a-script-in-an-svg-title"
        ),
        pytest.param("<math><mi>\n<script>", "<script>", id="a-script-in-a-mathml-mi"),
        pytest.param(
            "<template>\n<script>", "<script>", id="a-script-a-template-will-insert"
        ),
        pytest.param(
            '<script nonce="abc"><!--</script>\n<script>',
            "<script>",
            id="</script>-ends-a-script-after-<!--",
        ),
        pytest.param(
            "<textarea>\n</TEXTAREA\t><script>",
            "<script>",
            id="a-raw-text-element-ends-at-its-end-tag-in-any-case",
        ),
        pytest.param(
            '<p title="</p>">\n<script>', "<script>", id="a-quoted-attribute-value"
        ),
        pytest.param(
            '\n<script nonce="a" src="/a.js" nonce="abc" SRC="/b.js">',
            '<script nonce="a" src="/a.js" nonce="abc" SRC="/b.js">  (nonce \'a\')',
            id="a-nonce-attribute-repeated-in-another-case",
        ),
    ],
)
def test_an_element_the_browser_blocks_fails(text: str, element: str) -> None:
    # A comment after them: one that opened earlier than a browser's would
    # end there, hiding them.
    response = nonce_abc(
        f'<script nonce="abc">ok()</script>{text}x()</script><!-- end -->'
    )
    message = failure(assert_nonce_used, response, all_inline=True)
    assert message.startswith("1 element does not carry the response's nonce 'abc'")
    assert message.splitlines()[1].startswith(f"  line 2: {element}")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("<textarea>{}</textarea>", id="in-a-textarea"),
        pytest.param("<TITLE>{}</TITLE>", id="in-a-title"),
        pytest.param("<xmp>{}</xmp>", id="in-an-xmp"),
        pytest.param("<iframe>{}</iframe>", id="in-an-iframe"),
        pytest.param("<noembed>{}</noembed>", id="in-a-noembed"),
        pytest.param("<noframes>{}</noframes>", id="in-a-noframes"),
        pytest.param("<noscript>{}</noscript>", id="in-a-noscript-with-scripting-on"),
        pytest.param("<plaintext>{}", id="after-a-plaintext"),
        pytest.param("<style>/* {} */</style>", id="in-a-style"),
        pytest.param("<script>'{}'</script>", id="in-a-script"),
        pytest.param(
            "<script><!--<script></script>{}--></script>",
            id="in-a-script-after-<!--<script>",
        ),
        pytest.param("<svg><![CDATA[{}]]></svg>", id="in-an-svg-cdata-section"),
        pytest.param("<!-- {} -->", id="in-a-comment"),
        pytest.param('<p title="{}">', id="in-an-attribute"),
        pytest.param("<script nonce='abc'", id="in-a-tag-the-document-ends-in"),
    ],
)
def test_a_nonce_in_text_is_not_an_element_that_uses_it(text: str) -> None:
    response = nonce_abc(text.format('<script nonce="abc">ok()</script>'))
    message = failure(assert_nonce_used, response)
    assert message.startswith("No element of the body carries the response's nonce")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('<script nonce="&#x61;b&#99;">', id="character-references"),
        pytest.param("<script nonce=abc>", id="an-unquoted-value"),
        pytest.param("<SCRIPT NONCE='abc'>", id="names-in-any-case"),
        pytest.param(
            '<script nonce="abc">x()</script nonce="old">',
            id="attributes-of-an-end-tag-are-ignored",
        ),
        pytest.param(
            '<script nonce="abc"></script><noscript><script nonce="old">',
            id="noscript-content-is-text",
        ),
        pytest.param(
            '<script nonce="abc"></script><title><script>x()</script></title>',
            id="title-content-is-text",
        ),
        pytest.param(
            '<script nonce="abc"></script><svg><script href="/a.js"></script>',
            id="an-svg-script-with-a-source",
        ),
        pytest.param(
            '<script nonce="abc"></script><script language="vbscript">x</script>',
            id="a-script-in-another-language",
        ),
        pytest.param(
            '<script nonce="abc"></script><math><script>x</script><style>',
            id="mathml-has-no-scripts-or-styles",
        ),
    ],
)
def test_a_page_the_browser_runs_passes(text: str) -> None:
    assert assert_nonce_used(nonce_abc(text + "</script>"), all_inline=True) == "abc"


def test_a_long_tag_is_shortened() -> None:
    tag = f'<script nonce="x" src="/{"a" * 100}.js">'
    response = Fake({"Content-Security-Policy": "script-src 'nonce-abc'"}, text=tag)
    line = failure(assert_nonce_used, response).splitlines()[1]
    assert line == f"  line 1: {tag[:77]}...  (nonce 'x')"


def test_a_body_it_cannot_read_is_refused() -> None:
    @dataclass
    class NoBody:
        headers: dict[str, str] = field(
            default_factory=lambda: {
                "Content-Security-Policy": "script-src 'nonce-abc'"
            }
        )

    with pytest.raises(TypeError) as caught:
        assert_nonce_used(NoBody())
    assert str(caught.value) == (
        f"assert_nonce_used(response): cannot read the body of {NoBody()!r}; pass "
        "a response with get_data() (werkzeug, Flask) or a str .text."
    )


elements = st.lists(
    st.tuples(
        st.sampled_from(["script", "style", "link", "img"]),
        st.sampled_from(["right", "wrong", "empty", "missing"]),
        st.booleans(),  # with a src (or href) attribute
    ),
    max_size=6,
)


@SETTINGS
@given(page=elements)
def test_a_page_passes_when_every_nonce_is_right_and_one_is_there(
    page: list[tuple[str, str, bool]],
) -> None:
    nonce = "Q2b8yZ0V0xJq3pX1R7mWcT4nK6sHfLdA"
    values = {"right": nonce, "wrong": "x" + nonce, "empty": ""}
    lines = []
    for tag, carried, external in page:
        source = ' src="/x"' if external else ""
        attribute = f' nonce="{values[carried]}"' if carried in values else ""
        lines.append(f"<{tag}{source}{attribute}></{tag}>")
    response = Fake(
        {"Content-Security-Policy": f"script-src 'nonce-{nonce}'"},
        text="\n".join(lines),
    )
    wrong = sum(carried in ("wrong", "empty") for _, carried, _ in page)
    inline = sum(
        carried == "missing" and (tag == "style" or (tag == "script" and not external))
        for tag, carried, external in page
    )
    used = sum(carried == "right" for _, carried, _ in page)
    for all_inline, bad in ((False, wrong), (True, wrong + inline)):
        if bad:
            message = failure(assert_nonce_used, response, all_inline=all_inline)
            assert message.startswith(f"{bad} element")
            assert len(message.splitlines()) == bad + 1
        elif not used:
            message = failure(assert_nonce_used, response, all_inline=all_inline)
            assert message.startswith("No element of the body carries")
        else:
            assert assert_nonce_used(response, all_inline=all_inline) == nonce


# docs/testing.rst ------------------------------------------------------------

BLOCK = re.compile(
    r"^\.\. code-block:: (?P<language>\S+)\n"
    r"(?P<options>(?:    :[\w-]+:.*\n)*)"
    r"\n"
    r"(?P<body>(?:(?:    .*)?\n)+)",
    re.MULTILINE,
)


def doc_blocks() -> list[tuple[str, str | None, str]]:
    """The page's code blocks: (language, caption or None, code)."""
    blocks = []
    for match in BLOCK.finditer(DOCS.read_text()):
        caption = re.search(r":caption: (.+)", match["options"])
        code = textwrap.dedent(match["body"]).strip("\n") + "\n"
        blocks.append((match["language"], caption[1] if caption else None, code))
    return blocks


def write_doc_project(root: Path) -> dict[str, str]:
    """Write the page's captioned blocks as files under ``root``."""
    files: dict[str, str] = {}
    for _, caption, code in doc_blocks():
        if caption is not None:
            files[caption] = (
                files[caption] + "\n\n" + code if caption in files else code
            )
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return files


@pytest.fixture
def doc_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The page's project written out, with ``yourapp`` importable."""
    write_doc_project(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in [m for m in sys.modules if m == "yourapp" or m.startswith("yourapp.")]:
        del sys.modules[name]


def test_every_python_example_of_the_page_is_a_file_of_its_project() -> None:
    blocks = doc_blocks()
    assert {caption for _, caption, _ in blocks if caption} == {
        "yourapp/__init__.py",
        "yourapp/templates/index.html",
        "tests/conftest.py",
        "tests/test_https.py",
        "tests/test_headers.py",
    }
    assert all(caption for language, caption, _ in blocks if language == "python")


def test_the_pages_project_passes_its_tests(pytester: pytest.Pytester) -> None:
    files = write_doc_project(pytester.path)
    pytester.syspathinsert()  # yourapp importable, as if installed
    tests = sum(text.count("\ndef test_") for text in files.values())
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-W", "error")
    result.assert_outcomes(passed=tests)
    assert tests == 11


def load(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(f"doc_{path.stem}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_failure_message_on_the_page_is_the_one_raised(doc_project: Path) -> None:
    shown = [code for language, _, code in doc_blocks() if language == "text"]
    assert len(shown) == 1
    yourapp = importlib.import_module("yourapp")
    app = yourapp.create_app({"TESTING": True})
    # "Had the app kept the default frame_options and turned on x_xss_protection"
    with app.app_context():
        yourapp.talisman.frame_options = SAMEORIGIN
        yourapp.talisman.x_xss_protection = True
    tests = load(doc_project / "tests" / "test_headers.py")
    message = failure(tests.test_home_page_headers, https_client(app))
    assert message + "\n" == shown[0]


def test_the_page_shows_the_ci_command() -> None:
    commands = [code for language, _, code in doc_blocks() if language == "sh"]
    assert commands == ["flask --app yourapp talisman check --strict\n"]


def test_the_page_is_in_the_contents_and_the_module_in_the_api_reference() -> None:
    docs = DOCS.parent
    assert "\n   testing\n" in (docs / "index.rst").read_text()
    assert ".. automodule:: flask_talisman.testing\n" in (docs / "api.rst").read_text()
