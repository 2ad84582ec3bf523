"""Specification: ``flask talisman suggest FILE``, the smallest policy change.

From a reports file and the app's own policies (each report read against
the policy its page gets now), the command suggests the sources to add per
directive: an origin (``scheme://host[:port]``, never a path), ``'self'``
for the page's own origin, ``data:``/``blob:`` only where no script runs;
app-wide when every page that needs a source needs it (or a page no URL
rule serves), else for ``@talisman.extend(...)`` on the views that do. It
never suggests ``'unsafe-inline'`` or ``'unsafe-eval'`` (inline code and
eval get advice naming the page), skips what the policy already allows and
what browser extensions caused, and reads only the reports of one
disposition (report-only or enforced). Applying its JSON makes it suggest
nothing more for the same reports.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from flask.cli import ScriptInfo

from flask_talisman import SELF, Talisman
from flask_talisman.cli import talisman as talisman_cli
from flask_talisman.report_types import Report
from flask_talisman.suggest import MAX_ADVICE, PagePolicy, allows, suggest

SITE = "https://shop.example"
CDN = "https://cdn.example"
TIGHT = {"default-src": SELF, "object-src": "'none'"}


def make_app(
    report_only: Any = TIGHT,
    enforced: Any = None,
    views: dict[str, dict[str, Any]] | None = None,
    **options: Any,
) -> Flask:
    """Pages /, /cart, /gallery and /video (and /items/<int:n>); a
    report-only policy ``report_only`` and an enforced one ``enforced``;
    ``views`` extends named views' policies."""
    app = Flask("shop")
    talisman = Talisman(
        app,
        content_security_policy=enforced or {},
        content_security_policy_report_only=report_only,
        report_receiver="/reports",
        **options,
    )
    views = views or {}
    for rule, name in (
        ("/", "index"),
        ("/cart", "cart"),
        ("/gallery", "gallery"),
        ("/video", "video"),
        ("/items/<int:n>", "item"),
    ):

        def view(**_: Any) -> str:
            return "page"

        view.__name__ = name
        if name in views:
            view = talisman.extend(**views[name])(view)
        app.add_url_rule(rule, name, view)
    return app


def csp(
    blocked: str,
    directive: str = "img-src",
    page: str = SITE + "/",
    disposition: str = "report",
    **body: Any,
) -> Report:
    return Report(
        "csp-violation",
        page,
        {
            "documentURL": page,
            "blockedURL": blocked,
            "effectiveDirective": directive,
            "disposition": disposition,
            **body,
        },
        "Chrome",
    )


def write(tmp_path: Path, reports: list[Report], extra: list[str] = ()) -> Path:  # type: ignore[assignment]
    path = tmp_path / "reports.jsonl"
    lines = [json.dumps(r.to_json()) for r in reports] + list(extra)
    path.write_text("".join(line + "\n" for line in lines))
    return path


def run(app: Flask | Callable[[], Flask], path: Path, *args: str) -> Result:
    create = app if callable(app) and not isinstance(app, Flask) else (lambda: app)
    return CliRunner().invoke(
        talisman_cli,
        ["suggest", *args, str(path)],
        obj=ScriptInfo(create_app=create),  # type: ignore[arg-type]
        env={"COLUMNS": "100", "NO_COLOR": None},
    )


def suggested(
    tmp_path: Path, reports: list[Report], app: Flask | None = None, *args: str
) -> dict[str, Any]:
    result = run(app or make_app(), write(tmp_path, reports), "--format", "json", *args)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.output)
    return data


# -- CSP Level 3 matching ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sources", "url", "page", "allowed"),
    [
        (["'self'"], "https://shop.example/a.png", SITE + "/", True),
        (["'self'"], "https://shop.example:8443/a.png", SITE + "/", False),
        (["'self'"], "https://www.shop.example/a.png", SITE + "/", False),
        # 'self' takes a page's host over a secure scheme, and ws from http.
        (["'self'"], "https://shop.example/a", "http://shop.example/", True),
        (["'self'"], "wss://shop.example/live", SITE + "/", True),
        (["'self'"], "ws://shop.example/live", "http://shop.example/", True),
        (["'self'"], "http://shop.example/a", SITE + "/", False),
        (["'none'"], "https://shop.example/a", SITE + "/", False),
        (["*"], "https://any.example/a", SITE + "/", True),
        (["*"], "wss://any.example/a", SITE + "/", True),
        (["*"], "data:image/png;base64,AA==", SITE + "/", False),
        (["https:"], "https://any.example/a", SITE + "/", True),
        (["http:"], "https://any.example/a", SITE + "/", True),
        (["https:"], "http://any.example/a", SITE + "/", False),
        (["ws:"], "wss://any.example/a", SITE + "/", True),
        (["data:"], "data:image/png;base64,AA==", SITE + "/", True),
        (["cdn.example"], "https://cdn.example/a", SITE + "/", True),
        # A host without a scheme takes the page's (and its upgrade).
        (["cdn.example"], "http://cdn.example/a", SITE + "/", False),
        (["cdn.example"], "https://cdn.example/a", "http://shop.example/", True),
        (["https://cdn.example"], "https://CDN.example/a", SITE + "/", True),
        (["https://cdn.example"], "https://cdn.example:444/a", SITE + "/", False),
        (["https://cdn.example:*"], "https://cdn.example:444/a", SITE + "/", True),
        (["https://cdn.example:444"], "https://cdn.example:444/a", SITE + "/", True),
        (["http://cdn.example:80"], "https://cdn.example/a", SITE + "/", True),
        (["https://cdn.example:x"], "https://cdn.example/a", SITE + "/", False),
        (["https://*.example"], "https://cdn.example/a", SITE + "/", True),
        (["https://*.example"], "https://example/a", SITE + "/", False),
        (["https://cdn.example/js/"], "https://cdn.example/js/a.js", SITE + "/", True),
        (["https://cdn.example/js/"], "https://cdn.example/a.js", SITE + "/", False),
        (["https://cdn.example/a.js"], "https://cdn.example/a.js", SITE + "/", True),
        (["https://cdn.example/a.js"], "https://cdn.example/b.js", SITE + "/", False),
        (["'nonce-abcdefgh12345678'", "'sha256-AAAA'"], CDN + "/a", SITE + "/", False),
        (["'unsafe-inline'"], CDN + "/a", SITE + "/", False),
        (["https://cdn.example"], "https://[::1/a", SITE + "/", False),
        (["https://cdn.example"], "https://cdn.example:99999/a", SITE + "/", False),
        (["https://*"], "https://any.example/a", SITE + "/", True),
        (["wss://live.example"], "https://live.example/a", SITE + "/", True),
        (["wss://live.example"], "http://live.example/a", SITE + "/", False),
        # A Unicode host is matched as IDNA, the form a source names it in.
        (["https://xn--bcher-kva.example"], "https://bücher.example/a", SITE + "/", True),
        (["https://xn--bcher-kva.example"], "https://u:p@bücher.example:443/", SITE + "/", True),
        (["'self'"], "https://xn--bcher-kva.example/a", "https://bücher.example/", True),
        (["https://bücher.example"], "https://xn--bcher-kva.example/", SITE + "/", False),
    ],
)  # fmt: skip
def test_sources_match_as_in_csp_level_3(
    sources: list[str], url: str, page: str, allowed: bool
) -> None:
    assert allows(sources, url, page) is allowed


# -- what is suggested ------------------------------------------------------------------------


def test_an_origin_is_suggested_never_a_path_or_the_query(tmp_path: Path) -> None:
    data = suggested(tmp_path, [csp(CDN + "/img/a.png?user=me", page=SITE + "/x")])
    assert data["add"] == {"img-src": [CDN]}
    assert data["directives"] == {"img-src": "'self' https://cdn.example"}


def test_a_source_is_given_once_for_many_reports(tmp_path: Path) -> None:
    reports = [csp(f"{CDN}/{n}.png", page=SITE + "/gallery") for n in range(3)]
    data = suggested(tmp_path, reports)
    assert data["views"] == {"gallery": {"img-src": [CDN]}}


def test_a_port_is_kept_unless_it_is_the_default(tmp_path: Path) -> None:
    data = suggested(
        tmp_path,
        [
            csp("https://cdn.example:8443/a.png", page=SITE + "/x"),
            csp("http://img.example:80/a.png", page=SITE + "/x"),
            csp("https://a.example:443/a.png", page=SITE + "/x"),
        ],
    )
    assert data["add"] == {
        "img-src": [
            "https://cdn.example:8443",
            "http://img.example",
            "https://a.example",
        ]
    }


def test_a_host_is_written_in_lower_case_and_punycode(tmp_path: Path) -> None:
    data = suggested(
        tmp_path,
        [
            csp("https://CDN.Example/a.png", page=SITE + "/x"),
            csp("https://bücher.example/a.png", page=SITE + "/x"),
        ],
    )
    assert data["add"] == {"img-src": [CDN, "https://xn--bcher-kva.example"]}


@pytest.mark.parametrize(
    "host",
    [
        "cdn.example;script-src *.evil.example",
        "cdn example",
        "'unsafe-inline'",
        "*",
        "*.evil.example",
        "a.example,b.example",
        "cdn.example%3Bx",
        "a" * 64 + ".example",  # a label IDNA cannot encode
    ],
)
def test_a_host_a_source_cannot_name_is_never_suggested(
    tmp_path: Path, host: str
) -> None:
    # A forged report's host would otherwise inject a directive, a
    # wildcard or a keyword into the suggested policy.
    data = suggested(tmp_path, [csp(f"https://{host}/a.png", page=SITE + "/x")])
    assert (data["add"], data["views"], data["directives"]) == ({}, {}, {})
    assert data["counts"]["unreadable"] == 1


@pytest.mark.parametrize(
    "blocked", ["https://[2001:DB8::1]:8443/a.png", "https://192.0.2.7/a.png"]
)
def test_an_ip_address_gets_advice_as_no_source_can_allow_it(
    tmp_path: Path, blocked: str
) -> None:
    data = suggested(tmp_path, [csp(blocked, page=SITE + "/x")])
    assert (data["add"], data["views"]) == ({}, {})
    assert "its host is an IP address" in data["advice"][0]


def test_the_page_s_own_origin_is_self(tmp_path: Path) -> None:
    app = make_app({"default-src": "'none'"})
    data = suggested(tmp_path, [csp(SITE + "/a.png", page=SITE + "/x")], app)
    assert data["add"] == {"img-src": ["'self'"]}


def test_a_websocket_origin_is_suggested_for_connect_src(tmp_path: Path) -> None:
    data = suggested(
        tmp_path, [csp("wss://live.example/socket?t=1", "connect-src", SITE + "/x")]
    )
    assert data["add"] == {"connect-src": ["wss://live.example"]}


def test_what_the_policy_allows_now_is_not_suggested(tmp_path: Path) -> None:
    app = make_app({**TIGHT, "img-src": [SELF, "https://*.example"]})
    data = suggested(tmp_path, [csp(CDN + "/a.png", page=SITE + "/x")], app)
    assert (data["add"], data["views"]) == ({}, {})
    assert data["counts"]["allowed_now"] == 1


def test_a_directive_the_policy_lacks_starts_from_default_src(tmp_path: Path) -> None:
    app = make_app({"default-src": [SELF, "https://fonts.example"]})
    data = suggested(tmp_path, [csp(CDN + "/f.woff2", "font-src", SITE + "/x")], app)
    assert data["directives"] == {
        "font-src": "'self' https://fonts.example https://cdn.example"
    }
    assert data["started"] == {"font-src": "default-src"}
    result = run(app, write(tmp_path, [csp(CDN + "/f.woff2", "font-src", SITE + "/x")]))
    assert "font-src is not in the policy: it starts from default-src's sources." in (
        result.output
    )


@pytest.mark.parametrize(
    ("policy", "directive"),
    [
        (TIGHT, "script-src"),
        ({**TIGHT, "script-src": SELF}, "script-src"),
        ({**TIGHT, "script-src-elem": SELF}, "script-src-elem"),
    ],
)
def test_an_element_directive_is_added_where_the_policy_has_it(
    tmp_path: Path, policy: dict[str, Any], directive: str
) -> None:
    data = suggested(
        tmp_path,
        [csp(CDN + "/lib.js", "script-src-elem", SITE + "/x")],
        make_app(policy),
    )
    assert data["add"] == {directive: [CDN]}
    assert data["directives"] == {directive: "'self' https://cdn.example"}


def test_the_nonce_is_not_written_into_a_directive(tmp_path: Path) -> None:
    app = make_app(
        {**TIGHT, "script-src": SELF},
        content_security_policy_report_only_nonce_in=["script-src"],
    )
    data = suggested(
        tmp_path, [csp(CDN + "/lib.js", "script-src-elem", SITE + "/x")], app
    )
    assert data["directives"] == {"script-src": "'self' https://cdn.example"}


@pytest.mark.parametrize(
    ("blocked", "directive", "source"),
    [
        ("data", "img-src", "data:"),
        ("data:image/png;base64,AA==", "img-src", "data:"),
        ("blob", "media-src", "blob:"),
        ("blob:https://shop.example/1b2c", "worker-src", "blob:"),
        ("data", "font-src", "data:"),
    ],
)
def test_a_scheme_is_suggested_where_no_script_runs(
    tmp_path: Path, blocked: str, directive: str, source: str
) -> None:
    data = suggested(tmp_path, [csp(blocked, directive, SITE + "/x")])
    assert data["add"] == {directive: [source]}


@pytest.mark.parametrize(
    "blocked",
    [
        "data",
        "blob:https://shop.example/1",
        "data:,x",
        "filesystem:https://shop.example/temporary/x.js",
        "mediastream:1b2c",
    ],
)
@pytest.mark.parametrize("directive", ["script-src-elem", "script-src"])
def test_local_schemes_are_never_script_sources(
    tmp_path: Path, blocked: str, directive: str
) -> None:
    data = suggested(tmp_path, [csp(blocked, directive, SITE + "/x")])
    assert (data["add"], data["views"]) == ({}, {})
    (advice,) = data["advice"]
    assert "script on https://shop.example/x" in advice
    assert "serve it as a file" in advice


def test_inline_code_gets_advice_naming_the_page_never_unsafe_inline(
    tmp_path: Path,
) -> None:
    reports = [
        csp("inline", "script-src-elem", SITE + "/cart?id=7", sample="alert(1)"),
        csp("inline", "style-src-elem", SITE + "/gallery"),
        csp("inline", "script-src-attr", SITE + "/video"),
        csp("inline", "style-src-attr", SITE + "/video"),
        csp("eval", "script-src", SITE + "/cart"),
        csp("wasm-eval", "script-src", SITE + "/cart"),
        csp("trusted-types-sink", "require-trusted-types-for", SITE + "/cart"),
        csp("", "sandbox", SITE + "/cart"),
    ]
    result = run(make_app(), write(tmp_path, reports), "--format", "json")
    data = json.loads(result.output)
    assert (data["add"], data["views"]) == ({}, {})
    assert data["advice"] == [
        "An inline script on https://shop.example/cart (endpoint cart) was blocked by "
        "script-src-elem: if it is the page's own, give the <script> element a "
        "nonce attribute from csp_nonce() or allow its hash (csp_hash); otherwise it "
        "was injected. Never add 'unsafe-inline'.",
        "An inline style on https://shop.example/gallery (endpoint gallery) was "
        "blocked by style-src-elem: if it is the page's own, give the <style> element "
        "a nonce attribute from csp_nonce() or allow its hash (csp_hash); otherwise "
        "it was injected. Never add 'unsafe-inline'.",
        "An inline event handler attribute on https://shop.example/video (endpoint "
        "video) was blocked by script-src-attr: move it into a script or stylesheet "
        "(an element with the nonce, csp_nonce()); nonces do not apply to attributes.",
        "An inline style attribute on https://shop.example/video (endpoint video) was "
        "blocked by style-src-attr: move it into a script or stylesheet (an element "
        "with the nonce, csp_nonce()); nonces do not apply to attributes.",
        "eval, new Function or a string timer ran on https://shop.example/cart "
        "(endpoint cart) and was blocked by script-src: replace it with code that "
        "does not compile strings. Never add 'unsafe-eval'.",
        "WebAssembly was compiled on https://shop.example/cart (endpoint cart) and "
        "blocked by script-src: if the page needs it, add 'wasm-unsafe-eval' to "
        "script-src.",
        "A Trusted Types violation (require-trusted-types-for) on "
        "https://shop.example/cart (endpoint cart): create the value through a "
        "Trusted Types policy, or list the policy's name in trusted-types.",
        "sandbox was violated on https://shop.example/cart (endpoint cart): no "
        "source can allow that; see the report (flask talisman reports) for what "
        "the page did.",
    ]
    text = run(make_app(), write(tmp_path, reports)).output
    assert "Nothing to add." in text
    assert "'unsafe-inline'\n" not in text.replace("Never add 'unsafe-inline'.", "")


@pytest.mark.parametrize(
    ("directive", "advice"),
    [
        ("object-src", "plugins (<object>, <embed>) are obsolete"),
        ("base-uri", "a <base> element of another origin redirects every"),
        ("form-action", "a form that posts to another origin is how injected"),
        ("frame-ancestors", "a site that frames yours can trick users"),
    ],
)
def test_directives_an_attack_widens_get_advice_not_an_origin(
    tmp_path: Path, directive: str, advice: str
) -> None:
    # A clickjacking site's frame and an injected form are reported by real
    # browsers as any other violation: their origin is never suggested.
    app = make_app(
        {**TIGHT, "base-uri": SELF, "form-action": SELF, "frame-ancestors": SELF}
    )
    data = suggested(tmp_path, [csp(CDN + "/x", directive, SITE + "/cart")], app)
    assert (data["add"], data["views"]) == ({}, {})
    (given,) = data["advice"]
    assert given.startswith(
        f"https://cdn.example/x was blocked by {directive} on "
        "https://shop.example/cart (endpoint cart): "
    )
    assert advice in given


def test_strict_dynamic_gets_advice_not_an_origin(tmp_path: Path) -> None:
    app = make_app(
        {**TIGHT, "script-src": ["'strict-dynamic'"]},
        content_security_policy_report_only_nonce_in=["script-src"],
    )
    data = suggested(
        tmp_path, [csp(CDN + "/a.js", "script-src-elem", SITE + "/x")], app
    )
    assert data["add"] == {}
    assert "'strict-dynamic' makes browsers ignore origins" in data["advice"][0]


@pytest.mark.parametrize(
    "body",
    [
        {"blockedURL": "chrome-extension://abcdef/inject.js"},
        {"blockedURL": "moz-extension://1234/x.js"},
        {"blockedURL": "safari-web-extension://1234/x.js"},
        {"blockedURL": "inline", "sourceFile": "chrome-extension://abcdef/c.js"},
        {"blockedURL": CDN + "/a.js", "sourceFile": "moz-extension://1/c.js"},
    ],
)
def test_reports_browser_extensions_cause_are_left_out(
    tmp_path: Path, body: dict[str, str]
) -> None:
    report = csp("", "script-src-elem", SITE + "/x")
    report = Report(
        report.type, report.url, {**report.body, **body}, "", report.received
    )
    assert report.from_extension
    data = suggested(tmp_path, [report])
    assert (data["add"], data["views"], data["advice"]) == ({}, {}, [])
    assert data["counts"]["from_extension"] == 1


def test_other_report_types_and_unreadable_urls_are_counted_not_suggested(
    tmp_path: Path,
) -> None:
    reports = [
        Report("coep", SITE + "/", {"blockedURL": CDN + "/a", "type": "corp"}, ""),
        csp("", page=SITE + "/x"),
        csp("about", page=SITE + "/x"),
        csp("ftp://files.example/a", page=SITE + "/x"),
        csp("https://[::1/x", page=SITE + "/x"),
        csp("https://cdn.example:99999/x", page=SITE + "/x"),
    ]
    data = suggested(tmp_path, reports)
    assert (data["add"], data["views"]) == ({}, {})
    assert data["counts"]["not_csp"] == 1
    assert data["counts"]["unreadable"] == 5


# -- which policy ----------------------------------------------------------------------------


def test_report_only_reports_are_read_first_and_enforced_ones_counted(
    tmp_path: Path,
) -> None:
    app = make_app(enforced={"default-src": SELF, "img-src": "*"})
    reports = [
        csp(CDN + "/a.png", page=SITE + "/x"),
        csp("https://other.example/b.js", "script-src-elem", SITE + "/x", "enforce"),
    ]
    data = suggested(tmp_path, reports, app)
    assert data["option"] == "content_security_policy_report_only"
    assert data["disposition"] == "report"
    assert data["add"] == {"img-src": [CDN]}
    assert data["counts"]["other_disposition"] == 1
    enforced = suggested(tmp_path, reports, app, "--disposition", "enforce")
    assert enforced["option"] == "content_security_policy"
    assert enforced["add"] == {"script-src": ["https://other.example"]}
    assert enforced["directives"] == {"script-src": "'self' https://other.example"}


def test_without_report_only_reports_the_enforced_policy_is_read(
    tmp_path: Path,
) -> None:
    app = make_app(report_only=False, enforced=TIGHT)
    data = suggested(
        tmp_path, [csp(CDN + "/a.png", page=SITE + "/x", disposition="enforce")], app
    )
    assert (data["disposition"], data["option"]) == (
        "enforce",
        "content_security_policy",
    )
    assert data["add"] == {"img-src": [CDN]}


def test_a_legacy_report_without_a_disposition_is_an_enforced_one(
    tmp_path: Path,
) -> None:
    report = csp(CDN + "/a.png", page=SITE + "/x")
    del report.body["disposition"]  # type: ignore[attr-defined]
    data = suggested(tmp_path, [report], make_app(report_only=False, enforced=TIGHT))
    assert data["disposition"] == "enforce"
    assert data["add"] == {"img-src": [CDN]}


def test_the_one_policy_sent_report_only_is_content_security_policy(
    tmp_path: Path,
) -> None:
    app = make_app(report_only=True, enforced=TIGHT)
    data = suggested(tmp_path, [csp(CDN + "/a.png", page=SITE + "/x")], app)
    assert data["option"] == "content_security_policy"
    assert data["add"] == {"img-src": [CDN]}


def test_in_the_one_policy_mode_the_json_applies_as_it_says(tmp_path: Path) -> None:
    # 1.1.0's content_security_policy_report_only=True: the one policy is
    # content_security_policy, sent report-only; its views extend it.
    reports = [
        csp(CDN + "/a.png", page=SITE + "/gallery"),
        csp(CDN + "/lib.js", "script-src-elem", SITE + "/gallery"),
        csp(CDN + "/lib.js", "script-src-elem", SITE + "/cart"),
    ]
    app = make_app(report_only=True, enforced=TIGHT)
    data = suggested(tmp_path, reports, app)
    assert data["option"] == "content_security_policy"
    assert data["add"] == {"script-src": [CDN]}
    assert data["views"] == {"gallery": {"img-src": [CDN]}}
    applied = make_app(
        report_only=True,
        enforced={**TIGHT, **data["directives"]},
        views={e: {data["option"]: v} for e, v in data["views"].items()},
    )
    again = suggested(tmp_path, reports, applied)
    assert (again["add"], again["views"]) == ({}, {})
    assert again["counts"]["allowed_now"] == 3


def test_a_page_without_that_policy_now_is_counted(tmp_path: Path) -> None:
    app = make_app(report_only=False, enforced=TIGHT)
    data = suggested(
        tmp_path,
        [csp(CDN + "/a.png", page=SITE + "/x")],
        app,
        "--disposition",
        "report",
    )
    assert data["add"] == {}
    assert data["counts"]["no_policy_now"] == 1


def test_every_policy_of_a_header_is_read() -> None:
    # A header may hold several policies (joined by commas), each enforced:
    # the source goes where it is blocked.
    def policy_of(page: str) -> PagePolicy:
        return (None, "img-src *, default-src 'self'; img-src 'self'")

    found = suggest([csp(CDN + "/a.png", page=SITE + "/x")], policy_of)
    assert found.add == {"img-src": [CDN]}
    # Within a policy, the first of a directive given twice applies.
    twice = suggest(
        [csp(CDN + "/a.png", page=SITE + "/x")],
        lambda page: (None, "img-src 'self'; img-src *"),
    )
    assert twice.add == {"img-src": [CDN]}
    allowed = suggest(
        [csp(CDN + "/a.png", page=SITE + "/x")],
        lambda page: (None, "img-src *, img-src *"),
    )
    assert (allowed.add, allowed.counts["allowed_now"]) == ({}, 1)


# -- app-wide or per view ----------------------------------------------------------------------


def test_a_source_only_some_views_need_goes_to_those_views(tmp_path: Path) -> None:
    reports = [
        csp(CDN + "/lib.js", "script-src-elem", SITE + "/"),
        csp(CDN + "/lib.js", "script-src-elem", SITE + "/cart"),
        csp(CDN + "/lib.js", "script-src-elem", SITE + "/gallery"),
        csp("https://img.example/p.png", "img-src", SITE + "/gallery"),
        csp("https://player.example/embed/1", "frame-src", SITE + "/video"),
        csp(CDN + "/lib.js", "script-src-elem", SITE + "/video"),
        csp("https://img.example/q.png", "img-src", SITE + "/items/3"),
    ]
    data = suggested(tmp_path, reports)
    assert data["add"] == {}  # /items/3 did not load lib.js
    assert data["views"] == {
        "cart": {"script-src": [CDN]},
        "gallery": {"img-src": ["https://img.example"], "script-src": [CDN]},
        "index": {"script-src": [CDN]},
        "item": {"img-src": ["https://img.example"]},
        "video": {"frame-src": ["https://player.example"], "script-src": [CDN]},
    }
    everywhere = suggested(tmp_path, reports[:-1])
    assert everywhere["add"] == {"script-src": [CDN]}
    assert everywhere["views"] == {
        "gallery": {"img-src": ["https://img.example"]},
        "video": {"frame-src": ["https://player.example"]},
    }


def test_a_page_no_rule_serves_gets_the_app_s_own_policy(tmp_path: Path) -> None:
    data = suggested(tmp_path, [csp(CDN + "/a.png", page=SITE + "/no/such/page")])
    assert data["add"] == {"img-src": [CDN]}
    assert data["views"] == {}


def test_a_view_s_own_sources_are_read(tmp_path: Path) -> None:
    app = make_app(
        views={"gallery": {"content_security_policy_report_only": {"img-src": CDN}}}
    )
    reports = [
        csp(CDN + "/a.png", page=SITE + "/gallery"),
        csp(CDN + "/a.png", page=SITE + "/cart"),
    ]
    data = suggested(tmp_path, reports, app)
    assert data["views"] == {"cart": {"img-src": [CDN]}}


def test_applying_the_suggestion_leaves_nothing_to_suggest(tmp_path: Path) -> None:
    reports = [
        csp(CDN + "/lib.js", "script-src-elem", SITE + "/"),
        csp(CDN + "/lib.js", "script-src-elem", SITE + "/gallery"),
        csp("https://img.example/p.png", "img-src", SITE + "/gallery"),
        csp("https://fonts.example/f.woff2", "font-src", SITE + "/"),
        csp("data", "img-src", SITE + "/nowhere"),
        csp("inline", "script-src-elem", SITE + "/"),
    ]
    first = suggested(tmp_path, reports)
    assert first["add"]
    assert first["views"]
    policy = {**TIGHT, **first["directives"]}
    views = {
        endpoint: {"content_security_policy_report_only": sources}
        for endpoint, sources in first["views"].items()
    }
    second = suggested(tmp_path, reports, make_app(policy, views=views))
    assert (second["add"], second["views"]) == ({}, {})
    assert second["advice"] == first["advice"]


# -- the command -----------------------------------------------------------------------------


def test_the_text_names_the_option_and_the_code_to_paste(tmp_path: Path) -> None:
    reports = [
        csp(CDN + "/lib.js", "script-src-elem", SITE + "/"),
        csp(CDN + "/lib.js", "script-src-elem", SITE + "/gallery"),
        csp("https://img.example/p.png?x=1", "img-src", SITE + "/gallery"),
        csp("chrome-extension://abc/x.js", "script-src-elem", SITE + "/"),
        csp("inline", "script-src-elem", SITE + "/"),
    ]
    path = write(tmp_path, reports, ["not a report"])
    result = run(make_app(), path)
    assert result.exit_code == 0, result.output
    summary, rest = result.output.split("\n\n", 1)
    assert summary.replace("\n", " ") == (
        f"5 reports in {path}, read against the report-only policy. Left out: 1 "
        "caused by browser extensions, 1 line not a report."
    )
    assert rest == (
        "App-wide, in content_security_policy_report_only:\n"
        "\n"
        "    content_security_policy_report_only = {\n"
        "        # ...the other directives as they are...\n"
        '        "script-src": "\'self\' https://cdn.example",\n'
        "    }\n"
        "\n"
        "img-src is not in the policy: it starts from default-src's sources.\n"
        "script-src is not in the policy: it starts from default-src's sources.\n"
        "\n"
        "Only on some views, with @talisman.extend(...) there:\n"
        "\n"
        "    # gallery\n"
        '    @talisman.extend(content_security_policy_report_only={"img-src": '
        '["https://img.example"]})\n'
        "\n"
        "Review:\n"
        "  - Check https://cdn.example before adding it to script-src: a script source runs with the page's\n"
        "    rights. Add it only if your pages load scripts from there: anyone can post a report, and an\n"
        "    enforced policy's reports include the attacks it stopped.\n"
        "\n"
        "Advice:\n"
        "  - An inline script on https://shop.example/ (endpoint index) was blocked by script-src-elem: if it\n"
        "    is the page's own, give the <script> element a nonce attribute from csp_nonce() or allow its\n"
        "    hash (csp_hash); otherwise it was injected. Never add 'unsafe-inline'.\n"
    )


def test_the_json_has_add_and_advice_and_the_rest(tmp_path: Path) -> None:
    data = suggested(tmp_path, [csp(CDN + "/a.png", page=SITE + "/x")])
    assert set(data) == {
        "option", "disposition", "add", "directives", "views", "advice", "review",
        "started", "counts",
    }  # fmt: skip
    assert data["counts"] == {
        "read": 1, "not_csp": 0, "from_extension": 0, "other_disposition": 0,
        "allowed_now": 0, "no_policy_now": 0, "advice": 0, "unreadable": 0,
        "not_reports": 0,
    }  # fmt: skip


def test_an_app_without_talisman_is_an_error(tmp_path: Path) -> None:
    result = run(lambda: Flask("bare"), write(tmp_path, [csp(CDN + "/a.png")]))
    assert result.exit_code == 1
    assert result.output.startswith("Error: Talisman is not registered on this app")


def test_a_file_of_anything_suggests_nothing(tmp_path: Path) -> None:
    path = tmp_path / "reports.jsonl"
    path.write_bytes(b"\xff\n{}\n[]\nnull\n")
    result = run(make_app(), path, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["add"], data["views"], data["advice"]) == ({}, {}, [])
    assert data["counts"]["not_reports"] == 4


def test_a_plain_http_page_of_an_app_that_redirects_reads_the_https_policy(
    tmp_path: Path,
) -> None:
    # force_https is on: the page was served over HTTPS whatever the report
    # says (a proxy in front), so the policy is the HTTPS responses'.
    data = suggested(tmp_path, [csp(CDN + "/a.png", page="http://shop.example/x")])
    assert data["add"] == {"img-src": [CDN]}


def test_headings_are_bold_on_a_terminal_never_with_no_color(tmp_path: Path) -> None:
    path = write(tmp_path, [csp(CDN + "/a.png", page=SITE + "/no/page")])

    def output(**env: str | None) -> str:
        return (
            CliRunner()
            .invoke(
                talisman_cli,
                ["suggest", str(path)],
                obj=ScriptInfo(create_app=make_app),
                env={"COLUMNS": "100", "NO_COLOR": None, **env},
                color=True,
            )
            .output
        )

    coloured = output()
    assert "\x1b[1mApp-wide, in content_security_policy_report_only:\x1b[0m" in coloured
    plain = output(NO_COLOR="1")
    assert "\x1b[" not in plain
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


@pytest.mark.parametrize("disposition", ["report", "enforce"])
def test_a_script_source_is_suggested_for_review(
    tmp_path: Path, disposition: str
) -> None:
    # A forged report, or an injected <script src> an enforced policy
    # blocked, looks like any other: a script origin is listed for review.
    app = make_app(TIGHT, TIGHT)
    reports = [
        csp("https://evil.example/x.js", "script-src-elem", SITE + "/x", disposition),
        csp(CDN + "/a.png", "img-src", SITE + "/x", disposition),
    ]
    data = suggested(tmp_path, reports, app)
    assert data["add"] == {"script-src": ["https://evil.example"], "img-src": [CDN]}
    assert data["review"] == [
        "Check https://evil.example before adding it to script-src: a script "
        "source runs with the page's rights. Add it only if your pages load "
        "scripts from there: anyone can post a report, and an enforced policy's "
        "reports include the attacks it stopped."
    ]
    text = run(app, write(tmp_path, reports)).output
    assert "\n\nReview:\n  - Check https://evil.example before adding it" in text


def test_self_for_a_script_is_not_listed_for_review(tmp_path: Path) -> None:
    app = make_app({"default-src": "'none'"})
    data = suggested(
        tmp_path, [csp(SITE + "/a.js", "script-src-elem", SITE + "/x")], app
    )
    assert data["add"] == {"script-src": ["'self'"]}
    assert data["review"] == []


def replacing_app() -> Flask:
    """/ and /cart with the app's policy; /gallery's view replaces it."""
    app = Flask("shop")
    talisman = Talisman(
        app,
        content_security_policy={},
        content_security_policy_report_only=TIGHT,
        report_receiver="/reports",
    )
    app.add_url_rule("/", "index", lambda: "page")
    app.add_url_rule("/cart", "cart", lambda: "page")
    gallery = talisman(
        content_security_policy_report_only={"default-src": SELF, "img-src": SELF}
    )(lambda: "page")
    app.add_url_rule("/gallery", "gallery", gallery)
    return app


def test_a_view_that_replaces_the_policy_gets_its_source_itself(
    tmp_path: Path,
) -> None:
    # The app's policy does not reach a view that replaces it: a source it
    # needs too is given for its @talisman.extend(...), besides app-wide.
    reports = [csp(CDN + "/a.png", page=SITE + p) for p in ("/", "/cart", "/gallery")]
    data = suggested(tmp_path, reports, replacing_app())
    assert data["add"] == {"img-src": [CDN]}
    assert data["views"] == {"gallery": {"img-src": [CDN]}}


def test_a_replacing_view_does_not_make_a_source_app_wide(tmp_path: Path) -> None:
    reports = [csp(CDN + "/a.png", page=SITE + p) for p in ("/cart", "/gallery")]
    data = suggested(tmp_path, reports, replacing_app())
    # /cart is the one page the app's policy reaches that needs it.
    assert data["add"] == {}
    assert data["views"] == {"cart": {"img-src": [CDN]}, "gallery": {"img-src": [CDN]}}


def test_applied_to_a_replacing_view_nothing_is_left_to_suggest(
    tmp_path: Path,
) -> None:
    reports = [csp(CDN + "/a.png", page=SITE + p) for p in ("/", "/cart", "/gallery")]
    data = suggested(tmp_path, reports, replacing_app())
    app = replacing_app()
    talisman = app.extensions["talisman"]
    assert talisman.replaces("gallery", data["option"])
    assert not talisman.replaces("cart", data["option"])
    changed = Flask("shop")
    own = Talisman(
        changed,
        content_security_policy={},
        content_security_policy_report_only={**TIGHT, **data["directives"]},
        report_receiver="/reports",
    )
    changed.add_url_rule("/", "index", lambda: "page")
    changed.add_url_rule("/cart", "cart", lambda: "page")
    gallery = own(
        content_security_policy_report_only={"default-src": SELF, "img-src": SELF}
    )(lambda: "page")
    gallery = own.extend(**{data["option"]: data["views"]["gallery"]})(gallery)
    changed.add_url_rule("/gallery", "gallery", gallery)
    again = suggested(tmp_path, reports, changed)
    assert (again["add"], again["views"]) == ({}, {})
    assert again["counts"]["allowed_now"] == 3


def test_a_flood_of_advice_is_cut_to_its_first_kinds(tmp_path: Path) -> None:
    # Forged reports, each on a page of its own, would bring a line each.
    reports = [
        csp("inline", "script-src-elem", f"{SITE}/items/{n}")
        for n in range(MAX_ADVICE + 30)
    ]
    data = suggested(tmp_path, reports)
    assert len(data["advice"]) == MAX_ADVICE + 1
    assert data["advice"][MAX_ADVICE - 1].startswith(
        f"An inline script on {SITE}/items/{MAX_ADVICE - 1} (endpoint item)"
    )
    assert data["advice"][-1] == (
        f"30 more reports got advice beyond the first {MAX_ADVICE} kinds, left "
        "out here: see flask talisman reports for them (a flood of them may be "
        "forged)."
    )
    assert data["counts"]["advice"] == MAX_ADVICE + 30


@pytest.mark.parametrize("root", ["/shop", "/shop/"])
def test_a_page_under_application_root_is_matched_to_its_view(
    tmp_path: Path, root: str
) -> None:
    # Mounted under a prefix, the page's path is the rule's with the prefix.
    app = make_app()
    app.config["APPLICATION_ROOT"] = root
    reports = [
        csp(CDN + "/a.png", page=SITE + "/shop/gallery"),
        csp(CDN + "/b.png", "font-src", page=SITE + "/shop"),
    ]
    data = suggested(tmp_path, reports, app)
    assert data["views"] == {
        "gallery": {"img-src": [CDN]},
        "index": {"font-src": [CDN]},
    }
    assert data["add"] == {}


def test_strict_dynamic_in_default_src_leaves_images_their_origins() -> None:
    # 'strict-dynamic' is for scripts: an image falling back to default-src
    # is matched by its origins, and gets one.
    def policy_of(page: str) -> PagePolicy:
        return (None, "default-src 'self' 'nonce-abc' 'strict-dynamic'")

    found = suggest([csp(CDN + "/a.png", "img-src", SITE + "/x")], policy_of)
    assert (found.add, found.advice) == ({"img-src": [CDN]}, [])
    found = suggest([csp(CDN + "/a.js", "script-src-elem", SITE + "/x")], policy_of)
    assert found.add == {}
    assert "'strict-dynamic' makes browsers ignore origins" in found.advice[0]


def test_strict_dynamic_ignores_an_origin_the_policy_lists() -> None:
    # Browsers blocked a script from a listed origin: 'strict-dynamic' made
    # them ignore it. That is advice, not "allowed by the policy now".
    def policy_of(page: str) -> PagePolicy:
        return (None, f"script-src 'nonce-abc' 'strict-dynamic' {CDN}")

    found = suggest([csp(CDN + "/a.js", "script-src-elem", SITE + "/x")], policy_of)
    assert found.counts["allowed_now"] == 0
    assert "'strict-dynamic' makes browsers ignore origins" in found.advice[0]


def test_a_directive_a_policy_does_not_restrict_needs_nothing() -> None:
    # No img-src and no default-src: images are not restricted by it.
    def policy_of(page: str) -> PagePolicy:
        return (None, "script-src 'self'")

    found = suggest([csp(CDN + "/a.png", "img-src", SITE + "/x")], policy_of)
    assert (found.add, found.views, found.advice) == ({}, {}, [])
    assert found.counts["allowed_now"] == 1
