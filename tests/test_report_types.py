"""Each Reporting API type arrives as its own typed :class:`Report`.

``tests/data/spec_reports.json`` holds, for each type, the example report its
spec gives (CSP2's sample violation report, CSP3's csp-hash report, the
Reporting API's, Deprecation, Intervention and Crash Reporting's sample
reports, the Permissions Policy explainer's), and where a spec gives only
the algorithm that builds the body (COOP, COEP, integrity-violation,
document-policy-violation), the body that algorithm builds; each entry
names its spec and section. ``tests/data/engine_reports.json`` holds what
Chromium, Firefox and WebKit really sent, ``extension_reports.json`` what
Chromium and Firefox sent for code a browser extension put in the page.

What holds for every one of them:

* the report's class is chosen by its ``type``, and a type without a class
  is a plain ``Report`` with its body as sent;
* each property reads its spec field (or its snake_case spelling), and a
  missing or wrongly typed field reads ``None``;
* :func:`redact` removes the query, fragment and user info of every URL
  field, and nothing else;
* :attr:`Report.from_extension` is true exactly when the blocked or source
  URL belongs to a browser extension.
"""

from __future__ import annotations

import copy
import json
import pickle
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, get_args, get_type_hints

import pytest

from flask_talisman import (
    COEPViolation,
    COOPViolation,
    CrashReport,
    CSPHashReport,
    CSPViolation,
    DeprecationReport,
    DocumentPolicyViolation,
    IntegrityViolation,
    InterventionReport,
    PermissionsPolicyViolation,
    Report,
    Talisman,
    redact,
)
from flask_talisman.report_types import (
    EXTENSION_SCHEMES,
    Rejected,
    is_url_field,
    parse_batch,
    parse_legacy,
)

from .conftest import collect_reports, make_app

DATA = Path(__file__).parent / "data"
SPEC: list[dict[str, Any]] = json.loads((DATA / "spec_reports.json").read_text())
ENGINES: list[dict[str, str]] = json.loads((DATA / "engine_reports.json").read_text())
# What Chromium and Firefox sent for a test extension's inline <style>,
# inline <script> and image from another site, and for the page's own inline
# script (tests/browser/test_extension_reports.py); "cause" is known from
# the directive and where the code was (the page's script is on line 1), not
# from the body's URLs. An extension's image names no extension.
MARKED = {"extension-style": True, "extension-script": True,
          "extension-image": False, "page-script": False}  # fmt: skip
EXTENSIONS: list[dict[str, str]] = json.loads(
    (DATA / "extension_reports.json").read_text()
)

# Each class's properties and the spec's name for the field each reads.
LOCATION = {
    "source_file": "sourceFile",
    "line_number": "lineNumber",
    "column_number": "columnNumber",
}
FIELDS: dict[type[Report], dict[str, str]] = {
    CSPViolation: {
        "document_url": "documentURL",
        "referrer": "referrer",
        "blocked_url": "blockedURL",
        "effective_directive": "effectiveDirective",
        "original_policy": "originalPolicy",
        "sample": "sample",
        "disposition": "disposition",
        "status_code": "statusCode",
        **LOCATION,
    },
    CSPHashReport: {
        "document_url": "documentURL",
        "subresource_url": "subresourceURL",
        "hash": "hash",
        "destination": "destination",
        "kind": "type",
    },
    COOPViolation: {
        "kind": "type",
        "disposition": "disposition",
        "effective_policy": "effectivePolicy",
        "accessed_property": "property",
        "previous_response_url": "previousResponseURL",
        "next_response_url": "nextResponseURL",
        "referrer": "referrer",
        "opener_url": "openerURL",
        "opened_window_url": "openedWindowURL",
        "opened_window_initial_url": "openedWindowInitialURL",
        "other_url": "otherURL",
        **LOCATION,
    },
    COEPViolation: {
        "kind": "type",
        "blocked_url": "blockedURL",
        "destination": "destination",
        "disposition": "disposition",
    },
    PermissionsPolicyViolation: {
        "feature_id": "featureId",
        "disposition": "disposition",
        "message": "message",
        "allow_attribute": "allowAttribute",
        "src_attribute": "srcAttribute",
        **LOCATION,
    },
    IntegrityViolation: {
        "document_url": "documentURL",
        "blocked_url": "blockedURL",
        "destination": "destination",
        "report_only": "reportOnly",
    },
    DocumentPolicyViolation: {
        "feature_id": "featureId",
        "disposition": "disposition",
        "message": "message",
        **LOCATION,
    },
    DeprecationReport: {
        "id": "id",
        "anticipated_removal": "anticipatedRemoval",
        "message": "message",
        **LOCATION,
    },
    InterventionReport: {"id": "id", "message": "message", **LOCATION},
    CrashReport: {
        "reason": "reason",
        "stack": "stack",
        "is_top_level": "is_top_level",
        "visibility_state": "visibility_state",
    },
}
CLASSES = {
    "csp-violation": CSPViolation,
    "csp-hash": CSPHashReport,
    "coop": COOPViolation,
    "coep": COEPViolation,
    "permissions-policy-violation": PermissionsPolicyViolation,
    "potential-permissions-policy-violation": PermissionsPolicyViolation,
    "integrity-violation": IntegrityViolation,
    "document-policy-violation": DocumentPolicyViolation,
    "deprecation": DeprecationReport,
    "intervention": InterventionReport,
    "crash": CrashReport,
}
# The URL fields each spec defines: redact strips each of them.
URL_FIELDS = {
    "documentURL", "referrer", "blockedURL", "sourceFile", "subresourceURL",
    "previousResponseURL", "nextResponseURL", "openerURL", "openeeURL",
    "openedWindowURL", "openedWindowInitialURL", "initialPopupURL", "otherURL",
    "otherDocumentURL", "srcAttribute", "document_url", "subresource_url",
    "source_file",
}  # fmt: skip


def parse(sent: Any) -> list[Report]:
    """What the receiver makes of a body, by its shape."""
    if isinstance(sent, dict) and "csp-report" in sent:
        return parse_legacy(sent, "UA")
    if isinstance(sent, dict):
        return parse_batch([sent], "UA")
    return parse_batch(sent, "UA")


def spec_id(entry: dict[str, Any]) -> str:
    return f"{entry['spec']}: {entry['section']}"


def snake(name: str) -> str:
    out = "".join("_" + c.lower() if c.isupper() else c for c in name)
    return out.replace("u_r_l", "url")


@pytest.mark.parametrize("entry", SPEC, ids=spec_id)
def test_each_spec_report_is_typed_and_reads_its_fields(
    entry: dict[str, Any],
) -> None:
    sent = entry["sent"]
    raw = [sent] if isinstance(sent, dict) else sent
    reports = parse(sent)
    assert len(reports) == len(raw)
    for report, item in zip(reports, raw, strict=True):
        expected = CLASSES.get(item.get("type", "csp-violation"), Report)
        assert type(report) is expected
        if expected is Report:  # not a type we know: its body as it came
            assert report.body == item["body"]
            continue
        body = report.body
        for name, spec_name in FIELDS[expected].items():
            value = getattr(report, name)
            if spec_name in body:
                assert value == body[spec_name], name
            elif snake(spec_name) in body:
                assert value == body[snake(spec_name)], name
            else:
                assert value is None, name


def test_every_type_the_specs_name_has_an_example() -> None:
    sent = [
        item.get("type", "csp-violation")
        for entry in SPEC
        for item in (
            [entry["sent"]] if isinstance(entry["sent"], dict) else entry["sent"]
        )
    ]
    assert set(CLASSES) <= set(sent)


def test_the_legacy_report_reads_as_the_reporting_api_one() -> None:
    """CSP2's sample: ``effective-directive`` wins over CSP2's
    ``violated-directive``, which held the whole directive."""
    (report,) = parse(SPEC[0]["sent"])
    assert isinstance(report, CSPViolation)
    assert report.document_url == "http://example.org/page.html"
    assert report.blocked_url == "http://evil.example.com/image.png"
    assert report.effective_directive == "img-src"
    assert report.referrer == "http://evil.example.com/haxor.html"
    assert report.status_code is None
    assert report.url == "http://example.org/page.html"


def test_snake_case_fields_are_read_as_the_spec_names() -> None:
    """CSP3's csp-hash example and the Permissions Policy explainer's spell
    their fields in snake_case."""
    (hashed,) = parse(next(e["sent"] for e in SPEC if "csp hash" in e["section"]))
    assert isinstance(hashed, CSPHashReport)
    assert hashed.document_url == "https://example.com/"
    assert hashed.subresource_url == "https://example.com/main.js"
    (feature,) = parse(next(e["sent"] for e in SPEC if "explainer" in e["section"]))
    assert isinstance(feature, PermissionsPolicyViolation)
    assert (feature.source_file, feature.line_number, feature.column_number) == (
        "https://a.featurepolicy.rocks/geolocation.html",
        20,
        37,
    )


def test_chromium_coop_names_are_read_too() -> None:
    report = Report(
        "coop",
        "https://a.example/",
        {
            "type": "access-from-coop-page-to-openee",
            "openeeURL": "https://a.example/popup",
            "initialPopupURL": "https://a.example/start",
            "otherDocumentURL": "",
        },
        "UA",
    )
    assert isinstance(report, COOPViolation)
    assert report.opened_window_url == "https://a.example/popup"
    assert report.opened_window_initial_url == "https://a.example/start"
    assert report.other_url == ""  # cross-origin: reported empty


def test_chromiums_policy_id_names_the_feature() -> None:
    # The body Chromium 156 sent for Permissions-Policy-Report-Only sync-xhr=()
    # (tests/browser/test_report_only_variants.py): policyId, not featureId.
    report = Report(
        "permissions-policy-violation",
        "https://a.example/pp",
        {
            "disposition": "report",
            "policyId": "sync-xhr",
            "sourceFile": "https://a.example/pp",
            "lineNumber": 3,
            "columnNumber": 9,
            "message": "Permissions policy violation: sync-xhr is not allowed.",
        },
        "UA",
    )
    assert isinstance(report, PermissionsPolicyViolation)
    assert report.feature_id == "sync-xhr"
    assert report.disposition == "report"


def test_integrity_disposition_follows_report_only() -> None:
    def integrity(body: dict[str, Any]) -> IntegrityViolation:
        report = Report("integrity-violation", "https://a/", body, "UA")
        assert isinstance(report, IntegrityViolation)
        return report

    assert integrity({"reportOnly": True}).disposition == "report"
    assert integrity({"reportOnly": False}).disposition == "enforce"
    assert integrity({"reportOnly": "yes"}).disposition is None


def test_a_crash_reads_the_earlier_drafts_page_visibility() -> None:
    report = Report("crash", "https://a/", {"page_visibility": "hidden"}, "UA")
    assert isinstance(report, CrashReport)
    assert report.visibility_state == "hidden"


WRONG = [None, True, 0, 1.5, "text", [], {}, ["x"], {"a": 1}]


def declared(cls: type[Report], name: str) -> tuple[type, ...]:
    """The types a property says it returns, besides ``None``."""
    prop = getattr(cls, name)
    hint = get_type_hints(prop.fget)["return"]
    return tuple(t for t in get_args(hint) if t is not type(None))


@pytest.mark.parametrize("cls", list(FIELDS), ids=lambda c: c.__name__)
@pytest.mark.parametrize("wrong", WRONG, ids=repr)
def test_a_field_of_another_type_reads_none(cls: type[Report], wrong: Any) -> None:
    kind = next(k for k, c in CLASSES.items() if c is cls)
    fields = FIELDS[cls]
    report = Report(kind, "https://a/", dict.fromkeys(fields.values(), wrong), "UA")
    for name in fields:
        types = declared(cls, name)
        fits = isinstance(wrong, types) and not (
            isinstance(wrong, bool) and bool not in types
        )
        assert getattr(report, name) == (wrong if fits else None), name
    empty = Report(kind, "https://a/", {}, "UA")
    for name in fields:
        assert getattr(empty, name) is None, name


def test_numbers_and_text_are_not_confused() -> None:
    report = Report(
        "csp-violation", "u", {"statusCode": "200", "lineNumber": 3, "sample": 5}, "UA"
    )
    assert isinstance(report, CSPViolation)
    assert report.status_code is None
    assert report.line_number == 3
    assert report.sample is None


@pytest.mark.parametrize(
    "kind", ["network-error", "security-violation", "CSP-Violation", "x" * 100]
)
def test_an_unknown_type_is_a_plain_report_with_its_raw_body(kind: str) -> None:
    body = {"anything": [1, {"nested": None}], "documentURL": 3}
    (report,) = parse_batch([{"type": kind, "url": "https://a/", "body": body}], "UA")
    assert type(report) is Report
    assert report.type == kind
    assert report.body == body


@pytest.mark.usefixtures("disconnect_report_receivers")
def test_the_receiver_keeps_an_unknown_type_and_types_a_known_one() -> None:
    app = make_app()
    Talisman(app, report_receiver="/r")
    received = collect_reports(app)
    batch = [
        {"type": "network-error", "url": "https://a/", "body": {"phase": "dns"}},
        *SPEC[-2]["sent"],  # crash
    ]
    response = app.test_client().post(
        "/r",
        data=json.dumps(batch),
        content_type="application/reports+json",
        base_url="https://localhost",
    )
    assert response.status_code == 204
    assert [type(r) for r in received] == [Report, CrashReport]
    assert received[0].body == {"phase": "dns"}


@pytest.mark.usefixtures("disconnect_report_receivers")
def test_the_receiver_hands_out_typed_csp_reports() -> None:
    app = make_app()
    Talisman(app, report_receiver="/r")
    received = collect_reports(app)
    response = app.test_client().post(
        "/r",
        data=json.dumps(SPEC[0]["sent"]),
        content_type="application/csp-report",
        base_url="https://localhost",
    )
    assert response.status_code == 204
    (report,) = received
    assert isinstance(report, CSPViolation)
    assert report.effective_directive == "img-src"
    assert report.disposition == "enforce"  # given by the receiver


class TestConstruction:
    """``Report(...)`` stays the public constructor, and picks the class."""

    def test_report_picks_the_class_of_its_type(self) -> None:
        for kind, cls in CLASSES.items():
            report = Report(kind, "https://a/", {}, "UA")
            assert type(report) is cls
            by_keyword = Report(type=kind, url="u", body={}, user_agent="UA")
            assert type(by_keyword) is cls

    def test_a_subclass_keeps_its_own_class(self) -> None:
        report = CSPViolation("coop", "https://a/", {}, "UA")
        assert type(report) is CSPViolation

    def test_replace_and_equality_keep_the_class(self) -> None:
        when = datetime(2026, 1, 2, tzinfo=timezone.utc)
        report = Report("coep", "https://a/", {"type": "corp"}, "UA", when, 3)
        changed = replace(report, url="https://b/")
        assert type(changed) is COEPViolation
        assert changed.url == "https://b/"
        assert report == Report("coep", "https://a/", {"type": "corp"}, "UA", when, 3)
        assert report != changed

    @pytest.mark.parametrize("kind", ["coop", "network-error"])
    def test_copies_and_pickles_keep_the_class(self, kind: str) -> None:
        report = Report(kind, "https://a/", {"type": "corp"}, "UA")
        for twin in (copy.copy(report), pickle.loads(pickle.dumps(report))):
            assert type(twin) is type(report)
            assert twin == report

    def test_the_fields_are_frozen(self) -> None:
        report = Report("crash", "https://a/", {}, "UA")
        with pytest.raises(AttributeError):
            report.url = "x"  # type: ignore[misc]


@pytest.mark.parametrize("entry", SPEC, ids=spec_id)
def test_each_spec_report_survives_its_json_line(entry: dict[str, Any]) -> None:
    for report in parse(entry["sent"]):
        line = json.dumps(report.to_json())
        back = Report.from_json(json.loads(line))
        assert back == report
        assert type(back) is type(report)
        assert CSPViolation.from_json(json.loads(line)) == report  # any class


def test_a_stored_time_without_a_zone_is_utc() -> None:
    report = Report.from_json(
        {"type": "crash", "url": "u", "body": {}, "received": "2026-01-02T03:04:05"}
    )
    assert isinstance(report, CrashReport)
    assert report.received == datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert report.user_agent == ""


def test_a_stored_line_carries_from_extension_and_readers_recompute_it() -> None:
    report = Report(
        "csp-violation", "https://a/", {"sourceFile": "moz-extension"}, "UA"
    )
    data = report.to_json()
    assert data["from_extension"] is True
    assert Report.from_json({**data, "from_extension": False}).from_extension
    assert Report.from_json({**data, "unknown": 1}) == report


class TestRedact:
    """Query strings and fragments carry tokens and e-mail addresses."""

    @pytest.mark.parametrize(
        ("value", "kept"),
        [
            ("https://a.example/p?token=1#frag", "https://a.example/p"),
            ("https://a.example/p#top?x", "https://a.example/p"),
            ("https://user:pw@a.example:8443/p?q", "https://a.example:8443/p"),
            ("//user@a.example/p", "//a.example/p"),
            ("https://a.example/p/", "https://a.example/p/"),
            ("https://a.example/p@home", "https://a.example/p@home"),
            ("/relative?x=1", "/relative"),
            ("http://127.0.0.1:36783/enforce?ru", "http://127.0.0.1:36783/enforce"),
            ("inline", "inline"),
            ("eval", "eval"),
            ("'self'", "'self'"),
            ("trusted-types-sink", "trusted-types-sink"),
            ("chrome-extension", "chrome-extension"),
            ("", ""),
        ],
    )
    def test_a_url_field_loses_query_fragment_and_userinfo(
        self, value: str, kept: str
    ) -> None:
        body = {"documentURL": value, "blockedURL": value, "referrer": value}
        report = redact(Report("csp-violation", value, body, "UA"))
        assert report.url == kept
        assert dict(report.body) == {name: kept for name in body}

    @pytest.mark.parametrize("entry", SPEC, ids=spec_id)
    def test_every_url_field_of_every_spec_report(self, entry: dict[str, Any]) -> None:
        for report in parse(entry["sent"]):
            redacted = redact(report)
            assert type(redacted) is type(report)
            assert "?" not in redacted.url
            assert "#" not in redacted.url
            for name, value in report.body.items():
                kept = redacted.body[name]
                if name in URL_FIELDS and isinstance(value, str):
                    assert kept == value.split("?")[0].split("#")[0], name
                elif not is_url_field(name):
                    assert kept == value, name

    def test_the_spec_url_fields_are_all_url_fields(self) -> None:
        assert all(is_url_field(name) for name in URL_FIELDS)
        assert not any(
            is_url_field(name)
            for name in ("sample", "originalPolicy", "message", "stack", "type", "id")
        )

    def test_other_fields_stay_even_with_urls_in_them(self) -> None:
        body = {
            "originalPolicy": "default-src 'self'; report-uri /r?disposition=report",
            "sample": "location = '/?a#b'",
            "message": "see https://a.example/?why",
            "blockedURL": "https://a.example/x?y",
        }
        redacted = redact(Report("csp-violation", "https://a/", body, "UA"))
        assert dict(redacted.body) == {**body, "blockedURL": "https://a.example/x"}

    def test_it_is_pure(self) -> None:
        body = {"documentURL": "https://a/?t=1"}
        report = Report("csp-violation", "https://a/?t=1", body, "UA")
        redacted = redact(report)
        assert report.body == {"documentURL": "https://a/?t=1"}
        assert report.url == "https://a/?t=1"
        assert (redacted.received, redacted.age, redacted.user_agent) == (
            report.received,
            report.age,
            report.user_agent,
        )

    def test_a_url_field_of_the_wrong_shape_and_nested_urls(self) -> None:
        body = {
            "documentURL": ["https://a/?t=1", {"x": "https://b/#f"}, 3],
            "nested": {"referrer": "https://c/?q", "other": "https://d/?q"},
            "list": [{"sourceFile": "https://e/?q"}],
        }
        redacted = redact(Report("x", "https://a/", body, "UA"))
        assert redacted.body == {
            "documentURL": ["https://a/", {"x": "https://b/"}, 3],
            "nested": {"referrer": "https://c/", "other": "https://d/?q"},
            "list": [{"sourceFile": "https://e/"}],
        }

    def test_a_key_that_is_not_text_is_no_url_field(self) -> None:
        body: dict[Any, Any] = {1: "https://a/?q"}
        assert redact(Report("x", "https://a/", body, "UA")).body == body

    def test_a_legacy_report_too(self) -> None:
        legacy = {
            "csp-report": {
                "document-uri": "https://a/p?s=1",
                "referrer": "https://b/?e=x",
            }
        }
        (report,) = parse_legacy(legacy, "UA")
        redacted = redact(report)
        assert redacted.url == "https://a/p"
        assert redacted.body == {"documentURL": "https://a/p", "referrer": "https://b/"}


class TestFromExtension:
    """What each engine sends for code an extension put in the page."""

    @pytest.mark.parametrize("scheme", sorted(EXTENSION_SCHEMES))
    @pytest.mark.parametrize("field", ["blockedURL", "sourceFile"])
    def test_an_extension_url_or_its_bare_scheme(self, scheme: str, field: str) -> None:
        for value in (
            scheme,  # CSP3's "strip URL for use in reports"
            f"{scheme}://abcdefghijklmnop/content.js",  # older engines, Safari
            f"{scheme.upper()}://X/",
        ):
            report = Report("csp-violation", "https://a/", {field: value}, "UA")
            assert report.from_extension, value

    def test_the_legacy_names_count(self) -> None:
        (report,) = parse_legacy(
            {
                "csp-report": {
                    "blocked-uri": "ms-browser-extension",
                    "document-uri": "https://a/",
                }
            },
            "UA",
        )
        assert report.from_extension

    @pytest.mark.parametrize(
        "body",
        [
            {},
            {"blockedURL": "inline", "sourceFile": "https://a.example/app.js"},
            {"blockedURL": "https://chrome-extension.example/x"},
            {"blockedURL": "data"},
            {"blockedURL": None, "sourceFile": 3},
            {"documentURL": "chrome-extension://x/"},  # not what was blocked
            {"sample": "moz-extension://x"},
        ],
    )
    def test_anything_else_is_not(self, body: dict[str, Any]) -> None:
        assert not Report("csp-violation", "https://a/", body, "UA").from_extension

    @pytest.mark.parametrize(
        "seen",
        EXTENSIONS,
        ids=[f"{s['engine']}-{s['cause']}-{i}" for i, s in enumerate(EXTENSIONS)],
    )
    def test_what_the_engines_sent(self, seen: dict[str, str]) -> None:
        (report,) = parse(json.loads(seen["body"]))
        assert isinstance(report, CSPViolation)
        assert report.from_extension == MARKED[seen["cause"]]
        assert redact(report).from_extension == report.from_extension

    def test_the_engines_name_their_own_scheme(self) -> None:
        schemes = {
            seen["engine"]: json.loads(seen["body"])["csp-report"]["source-file"]
            for seen in EXTENSIONS
            if MARKED[seen["cause"]]
        }
        assert schemes == {"chromium": "chrome-extension", "firefox": "moz-extension"}

    def test_any_type_with_a_source_file(self) -> None:
        report = Report(
            "deprecation",
            "https://a/",
            {"sourceFile": "safari-web-extension://x/y.js"},
            "UA",
        )
        assert report.from_extension


@pytest.mark.parametrize(
    "seen",
    ENGINES,
    ids=[
        f"{s['engine']}-{s['scheme']}-{s['via']}-{s['header']}-{s['violation']}"
        for s in ENGINES
    ],
)
def test_each_engines_report_is_a_typed_csp_violation(seen: dict[str, str]) -> None:
    sent = json.loads(seen["body"])
    (report,) = parse(sent)
    assert isinstance(report, CSPViolation)
    item = sent[0] if isinstance(sent, list) else sent
    if "csp-report" in item:
        raw = item["csp-report"]
        assert report.document_url == raw["document-uri"]
        assert report.blocked_url == raw["blocked-uri"]
        assert report.effective_directive == raw["effective-directive"]
        assert report.status_code == raw["status-code"]
        assert report.line_number == raw.get("line-number")
        assert report.source_file == raw.get("source-file")
        assert report.sample == raw.get("script-sample")
    else:
        raw = item["body"]
        for name, spec_name in FIELDS[CSPViolation].items():
            assert getattr(report, name) == raw[spec_name], name
    assert report.blocked_url in ("inline", "trusted-types-sink")
    assert not report.from_extension
    redacted = redact(report)
    assert isinstance(redacted, CSPViolation)
    assert redacted.document_url is not None
    assert "?" not in redacted.document_url
    assert "?" not in redacted.url
    assert redacted.effective_directive == report.effective_directive


def test_rejected_is_still_what_a_bad_body_raises() -> None:
    with pytest.raises(Rejected) as raised:
        parse_batch([{"type": "coop", "url": "u", "body": []}], "UA")
    assert raised.value.status == 400
