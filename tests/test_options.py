"""Option storage: tracked in-place edits are validated, rolled back and seen."""

from __future__ import annotations

import copy
import pickle

import pytest
from flask import Flask

from flask_talisman import ConfigurationError, Talisman
from flask_talisman.options import PER_VIEW, SPECS, from_config

from .conftest import HTTPS


def csp_of(app: Flask) -> str:
    return app.test_client().get("/", **HTTPS).headers["Content-Security-Policy"]


def test_every_option_has_a_doc_and_app_wide_options_are_known() -> None:
    assert all(spec.doc for spec in SPECS.values())
    assert set(SPECS) - PER_VIEW == {
        "session_cookie_secure",
        "session_cookie_http_only",
        "session_cookie_samesite",
        "report_receiver",
        "report_receiver_max_bytes",
        "report_receiver_rate_limit",
        "report_receiver_sample_rate",
    }


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda d: d.update({"img-src": "*"}), "img-src *"),
        (lambda d: d.__ior__({"img-src": "*"}), "img-src *"),
        (lambda d: d.setdefault("img-src", "*"), "img-src *"),
        (lambda d: d.setdefault("default-src", "*"), None),
        (lambda d: d.pop("object-src"), "!object-src"),
        (lambda d: d.pop("missing", None), None),
        (lambda d: d.popitem(), "!object-src"),
        (lambda d: d.__delitem__("object-src"), "!object-src"),
    ],
)
def test_dict_edits_are_seen(app: Flask, edit, expected: str | None) -> None:  # type: ignore[no-untyped-def]
    t = Talisman(app)
    before = csp_of(app)
    edit(t.content_security_policy)
    after = csp_of(app)
    if expected is None:
        assert after == before
    elif expected.startswith("!"):
        assert expected[1:] not in after
    else:
        assert after.endswith(expected)


def test_clearing_the_policy_removes_the_header(app: Flask) -> None:
    t = Talisman(app)
    t.content_security_policy.clear()
    assert "Content-Security-Policy" not in app.test_client().get("/", **HTTPS).headers


@pytest.mark.parametrize(
    "edit",
    [
        lambda v: v.append("https://cdn.example"),
        lambda v: v.extend(["https://cdn.example"]),
        lambda v: v.insert(0, "https://cdn.example"),
        lambda v: v.__iadd__(["https://cdn.example"]),
        lambda v: v.__setitem__(slice(0, 0), ["https://cdn.example"]),
    ],
)
def test_list_edits_inside_a_policy_are_seen(app: Flask, edit) -> None:  # type: ignore[no-untyped-def]
    t = Talisman(app, content_security_policy={"default-src": ["'self'"]})
    edit(t.content_security_policy["default-src"])
    assert "https://cdn.example" in csp_of(app)


@pytest.mark.parametrize(
    "edit",
    [
        lambda v: v.remove("'self'"),
        lambda v: v.pop(),
        lambda v: v.clear(),
        lambda v: v.__delitem__(0),
        lambda v: v.__imul__(0),
    ],
)
def test_list_removals_are_seen(app: Flask, edit) -> None:  # type: ignore[no-untyped-def]
    t = Talisman(
        app, content_security_policy={"default-src": ["'self'"], "img-src": "*"}
    )
    edit(t.content_security_policy["default-src"])
    assert csp_of(app) == "default-src; img-src *"


def test_list_reorders_are_seen(app: Flask) -> None:
    t = Talisman(
        app, content_security_policy={"default-src": ["b.example", "a.example"]}
    )
    t.content_security_policy["default-src"].sort()
    assert csp_of(app) == "default-src a.example b.example"
    t.content_security_policy["default-src"].reverse()
    assert csp_of(app) == "default-src b.example a.example"


def test_bad_list_edit_is_rolled_back(app: Flask) -> None:
    t = Talisman(app, content_security_policy={"default-src": ["'self'"]})
    with pytest.raises(ConfigurationError, match="should be quoted"):
        t.content_security_policy["default-src"].append("none")
    assert t.content_security_policy["default-src"] == ["'self'"]
    assert csp_of(app) == "default-src 'self'"


def test_bad_dict_edit_is_rolled_back(app: Flask) -> None:
    t = Talisman(app)
    with pytest.raises(ConfigurationError):
        t.content_security_policy.update({"img-src": "a;b"})
    assert t.content_security_policy == {
        "default-src": "'self'",
        "object-src": "'none'",
    }


def test_tracked_values_copy_and_pickle_as_plain_containers(app: Flask) -> None:
    t = Talisman(app, content_security_policy={"default-src": ["'self'"]})
    plain = pickle.loads(pickle.dumps(t.content_security_policy))
    assert type(plain) is dict
    assert type(plain["default-src"]) is list
    assert copy.deepcopy(t.content_security_policy) == {"default-src": ["'self'"]}


def test_the_users_dict_is_copied(app: Flask) -> None:
    mine = {"default-src": "'self'"}
    Talisman(app, content_security_policy=mine)
    mine["img-src"] = "none"  # not validated: no longer ours
    assert csp_of(app) == "default-src 'self'"


def test_from_config_reads_only_prefixed_keys() -> None:
    assert from_config({"TALISMAN_FORCE_HTTPS": False, "OTHER": 1}) == {
        "force_https": False
    }
