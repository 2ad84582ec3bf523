"""The option reference: what docs/options.rst is generated from.

Each option's :class:`~flask_talisman.headers.base.Option` declares its header,
an example, its section and its details; docs/_ext/talisman_options.py renders
them with the type declared in ``TalismanOptions``. The docs build itself is
CI's (``sphinx-build -W``); these tests need no Sphinx.
"""

from __future__ import annotations

import importlib.util
import typing
from collections.abc import Mapping, Sequence, Set
from os import PathLike
from pathlib import Path
from types import ModuleType
from typing import Any, Literal, get_type_hints

import pytest

import flask_talisman
from flask_talisman import TalismanOptions
from flask_talisman.options import SPECS, check_options, check_value

EXTENSION = Path(__file__).parents[1] / "docs" / "_ext" / "talisman_options.py"


def _load_extension() -> ModuleType:
    spec = importlib.util.spec_from_file_location("talisman_options", EXTENSION)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ext = _load_extension()
NAMES = sorted(SPECS)
#: The names an example may use: flask_talisman's public ones.
SCOPE = {name: getattr(flask_talisman, name) for name in flask_talisman.__all__}


def example_value(name: str) -> Any:
    return eval(SPECS[name].example, dict(SCOPE))


@pytest.mark.parametrize("name", NAMES)
def test_every_option_declares_its_reference(name: str) -> None:
    spec = SPECS[name]
    assert spec.header is None or (isinstance(spec.header, str) and spec.header)
    for text in (spec.example, spec.section, spec.details, spec.doc):
        assert isinstance(text, str)
        assert text.strip() == text
        assert text


@pytest.mark.parametrize("name", NAMES)
def test_each_example_is_a_value_the_option_accepts(name: str) -> None:
    value = example_value(name)
    check_value(name, value)  # warnings are errors too (pyproject)
    if SPECS[name].per_view:
        check_options({name: value}, where="@talisman(...)", per_view=True)
    # An example shows something other than what the option does anyway.
    assert value != SPECS[name].default


def test_an_example_can_use_the_package_constants() -> None:
    assert example_value("frame_options") == flask_talisman.DENY
    assert example_value("content_security_policy")["default-src"] == "'self'"


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("force_https", "bool"),
        ("frame_options", "str | None"),
        ("strict_transport_security_max_age", "int"),
        ("feature_policy", "Mapping[str, str | Sequence[str]] | str | None"),
        ("content_security_policy_report_to", "str | Literal[False] | None"),
        (
            "content_security_policy",
            "Mapping[str, str | Sequence[str] | Set[str] | None] | str "
            "| Literal[False] | None",
        ),
    ],
)
def test_types_are_shown_as_python_writes_them(name: str, shown: str) -> None:
    assert ext.option_type(name) == shown


@pytest.mark.parametrize("name", NAMES)
def test_the_type_shown_is_the_one_declared_in_talisman_options(name: str) -> None:
    shown = ext.option_type(name)
    names = {"Mapping": Mapping, "Sequence": Sequence, "Set": Set}
    names.update({"Literal": Literal, "Any": Any, "PathLike": PathLike})
    read_back = eval(shown, names)
    declared = get_type_hints(TalismanOptions)[name]
    assert read_back == declared
    # Union equality ignores order; the text keeps the declaration's order.
    assert ext.type_text(read_back) == shown
    assert f"   :Type: ``{shown}``" in ext.entry_rst(SPECS[name])


def test_type_text_of_the_remaining_forms() -> None:
    assert ext.type_text(None) == "None"
    assert ext.type_text(Any) == "Any"
    assert ext.type_text(typing.Optional[int]) == "int | None"  # noqa: UP045


@pytest.mark.parametrize("name", NAMES)
def test_an_entry_shows_every_declared_fact(name: str) -> None:
    spec = SPECS[name]
    lines = ext.entry_rst(spec)
    assert lines[0] == f".. talisman-option:: {name}"
    text = "\n".join(lines)
    assert f":Default: ``{spec.default!r}``" in text
    assert f":Per view: {'yes' if spec.per_view else 'no'}" in text
    assert f":Header: {ext.header_rst(spec.header)}" in text
    assert f":Example: ``{name}={spec.example}``" in text
    assert f"   {spec.details}" in lines


def test_every_option_is_in_exactly_one_section() -> None:
    shown = [
        line.split("::")[1].strip()
        for section in ext.sections()
        for line in ext.section_rst(section)
        if line.startswith(".. talisman-option::")
    ]
    assert sorted(shown) == NAMES


def test_an_unknown_section_is_refused_with_the_sections() -> None:
    with pytest.raises(ValueError, match=r"'Framin'.*'Framing'"):
        ext.section_rst("Framin")


@pytest.mark.parametrize(
    ("header", "shown"),
    [
        (None, "none (the option controls behaviour)"),
        ("X-Frame-Options", "``X-Frame-Options``"),
        ("Set-Cookie (session cookie)", "``Set-Cookie`` (session cookie)"),
        (
            "Content-Security-Policy, Content-Security-Policy-Report-Only",
            "``Content-Security-Policy``, ``Content-Security-Policy-Report-Only``",
        ),
        ("Set-Cookie (a, b), Vary", "``Set-Cookie`` (a, b), ``Vary``"),
    ],
)
def test_headers_are_shown_as_literals(header: str | None, shown: str) -> None:
    assert ext.header_rst(header) == shown


def test_a_header_that_is_not_a_name_is_refused() -> None:
    with pytest.raises(ValueError, match="not a header name"):
        ext.header_rst("(session cookie)")
