"""Properties: any text given as ``--host`` is previewed or refused, never traced.

``flask talisman headers --host TEXT``, for any text (any characters, near
misses of a host, ports out of range, brackets, non-ASCII names), against
apps with ``TRUSTED_HOSTS``, ``SERVER_NAME`` or neither: the command exits 0
with the preview, whose host is the text as a browser sends it and whose
only errors are the 400s real requests get, or 2 with a usage error that
names ``--host`` and the value. Host names compare without regard to letter
case (RFC 9110, 4.2.3): a host in any letter case is previewed exactly as in
lower case, from ``--host`` and from the app's own configuration.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from hypothesis import event, given
from hypothesis import strategies as st

from flask_talisman import Talisman
from flask_talisman.cli import talisman
from flask_talisman.inspection import default_host, preview_host

from .test_options import SETTINGS

CONFIGS: list[dict[str, Any]] = [
    {"TRUSTED_HOSTS": ["good.example", ".good.example"]},
    {"SERVER_NAME": "good.example"},
    {},
]
OPTIONS: list[dict[str, Any]] = [
    {},
    {"report_receiver": "/reports"},
    {
        "reporting_endpoints": {"main": "/r"},
        "content_security_policy_report_to": "main",
    },
]


def build(config: dict[str, Any], options: dict[str, Any]) -> Flask:
    app = Flask("hosts")
    app.config.update(config)
    app.add_url_rule("/", "index", lambda: "x")
    app.add_url_rule("/users/<int:user_id>", "user", lambda user_id: str(user_id))
    Talisman(app, **options)
    return app


APPS = [build(config, options) for config in CONFIGS for options in OPTIONS]

host_chars = st.sampled_from(
    list("abcGOOD.-_:@/\\[]%?#0129 \t\x00\x7f\u00e9\u00df\u0130\u2126\uff0e\u3002")
)
labels = st.from_regex(r"[A-Za-z0-9_-]{1,12}", fullmatch=True)
names = st.lists(labels, min_size=1, max_size=4).map(".".join)
ports = st.integers(-1, 99999).map(lambda p: f":{p}")
hosts = st.one_of(
    st.text(max_size=40),
    st.text(host_chars, max_size=30),
    st.builds(lambda n, p: n + p, names, st.one_of(st.just(""), ports)),
    st.builds(
        lambda n, p: f"[{n}]{p}",
        st.text(st.sampled_from(list("0123456789abcdefABCDEF:.%g")), max_size=20),
        st.one_of(st.just(""), ports),
    ),
    st.sampled_from(
        [
            "localhost:99999",
            "...",
            "[::1]:8080",
            "xn--bcher-kva.example",
            "b\u00fccher.example",
            "a" * 64 + ".good.example",
            "[fe80::1%eth0]",
            "good.example.",
            "GOOD.example:443",
            "\u212a.example",  # KELVIN SIGN: IDNA maps it to "k"
        ]
    ),
)


def any_case(text: str) -> st.SearchStrategy[str]:
    """``text`` with each ASCII letter in either case."""
    return st.lists(st.booleans(), min_size=len(text), max_size=len(text)).map(
        lambda upper: "".join(
            c.upper() if u and c.isascii() else c
            for c, u in zip(text, upper, strict=True)
        )
    )


def headers(app: Flask, host: str) -> Result:
    return app.test_cli_runner().invoke(
        talisman, ["headers", "--format", "json", f"--host={host}"]
    )


# Werkzeug < 3 warns about a host that is not SERVER_NAME, as for a real
# request (whose 400 the preview shows).
FOREIGN_HOST_WARNING = "ignore:Current server name:UserWarning"


@pytest.mark.filterwarnings(FOREIGN_HOST_WARNING)
@SETTINGS
@given(index=st.integers(0, len(APPS) - 1), host=hosts)
def test_any_host_is_previewed_or_refused_as_a_usage_error(
    index: int, host: str
) -> None:
    result = headers(APPS[index], host)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        host,
        result.exception,
    )
    assert result.exit_code in (0, 2), (host, result.output)
    event(f"exit {result.exit_code}")
    if result.exit_code == 2:
        assert "Error: Invalid value for '--host': " in result.output
        assert repr(host) in result.output
        return
    shown = preview_host(host)
    assert shown == shown.lower()
    assert shown.isascii()
    for entry in json.loads(result.output):
        assert entry["host"] == shown
        for served in (entry["https"], entry["http"]):
            error = served.get("error")
            assert error is None or error.startswith("400 Bad Request: "), error


@pytest.mark.filterwarnings(FOREIGN_HOST_WARNING)
@SETTINGS
@given(
    index=st.integers(0, len(APPS) - 1),
    host=st.one_of(
        hosts.filter(str.isascii),
        st.sampled_from(["good.example", "www.good.example", "localhost:5000"]),
    ).flatmap(lambda h: st.tuples(st.just(h), any_case(h))),
)
def test_a_host_in_any_letter_case_is_previewed_as_in_lower_case(
    index: int, host: tuple[str, str]
) -> None:
    lower, cased = host[0].lower(), host[1]
    expected, got = headers(APPS[index], lower), headers(APPS[index], cased)
    assert got.exit_code == expected.exit_code
    if expected.exit_code == 0:
        assert got.output == expected.output


@SETTINGS
@given(
    config=st.sampled_from(
        [
            {"SERVER_NAME": "good.example"},
            {"SERVER_NAME": "good.example:8080"},
            {"TRUSTED_HOSTS": [".good.example"]},
            {"TRUSTED_HOSTS": ["www.good.example", ".good.example"]},
            {"SERVER_NAME": "good.example", "TRUSTED_HOSTS": ["www.good.example"]},
        ]
    ).flatmap(
        lambda config: st.fixed_dictionaries(
            {
                key: (
                    any_case(value)
                    if isinstance(value, str)
                    else st.tuples(*map(any_case, value)).map(list)
                )
                for key, value in config.items()
            }
        ).map(lambda cased: (config, cased))
    )
)
def test_the_default_host_is_the_same_in_any_letter_case(
    config: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    lower, cased = Flask("lower"), Flask("cased")
    lower.config.update(config[0])
    cased.config.update(config[1])
    assert default_host(cased) == default_host(lower)
