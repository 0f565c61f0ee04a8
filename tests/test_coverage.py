"""What ``lash-spec verify`` reports as covered (lash_spec/conformance/coverage.py).

The committed corpus must leave no op and no declared error code without a
case, and no op checked only on inputs it refuses; a handful of bodies must be
counted where they belong, including the codes of run-admission scenarios
(their builds and steps).
"""

from __future__ import annotations

import json

from lash_spec.conformance.check import check_case
from lash_spec.conformance.coverage import Coverage
from lash_spec.model.runs import registry_codes
from tests.conftest import ROOT

DUPLICATE = "invalid_state_transition:not_retryable"
UNKNOWN_RUN = "invalid_state_transition:repair_needed"


def corpus_coverage() -> Coverage:
    coverage = Coverage()
    for path in sorted((ROOT / "conformance").glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for case in doc.get("cases", []) if isinstance(doc, dict) else []:
            coverage.add(case["body"], "passed")
    return coverage


def test_the_corpus_leaves_no_gap() -> None:
    coverage = corpus_coverage()
    assert coverage.missing_ops() == []
    assert coverage.unaccepted_ops() == []  # every op's accepting path is checked too
    assert coverage.missing_codes() == []
    # every wire type is decoded from a parsed value and from raw text
    assert coverage.wire_types() == {"decode": [], "decode_text": []}
    # the registry's own codes are among the ones counted (from scenario steps)
    assert {DUPLICATE, UNKNOWN_RUN} <= set(coverage.codes)


def test_registry_codes_are_the_ladder_codes_and_the_unknown_run() -> None:
    assert registry_codes() == {
        "host_configuration_needed:host_configuration_needed",
        "invalid_package:host_configuration_needed",
        "provider_failure:host_configuration_needed",
        "policy_denial:user_action_needed",
        DUPLICATE,
        UNKNOWN_RUN,
    }


def test_bodies_are_counted_where_they_belong() -> None:
    coverage = Coverage()
    coverage.add({"call": "stable_json", "args": [1], "ok": "1"}, "passed")
    coverage.add({"call": "decode:RuntimeScope", "args": [1], "err": {"code": "decode"}}, "failed")
    text = {"call": "decode_text:RuntimeScope", "args": ["{}"], "err": {"code": "decode"}}
    coverage.add(text, "passed")
    assert "RuntimeScope" not in coverage.wire_types()["decode_text"]
    assert "RuntimeSubject" in coverage.wire_types()["decode_text"]
    scenario = {
        "scenario": "run_admission",
        "runtime": {},
        "steps": [
            {"cancel_run": "run.1", "err": {"code": UNKNOWN_RUN}},
            {"registered_run_count": None, "ok": 0},
        ],
    }
    assert check_case(scenario).passed  # a real case (the default runtime builds)
    coverage.add(scenario, "passed")
    coverage.add({"scenario": "run_admission", "runtime": {}, "build": {"err": {"code": "x:y"}},
                  "steps": []}, "failed")  # fmt: skip
    coverage.add("not a body", "errored")
    assert coverage.ops == {
        "stable_json": 1,
        "decode:RuntimeScope": 1,
        "decode_text:RuntimeScope": 1,
    }
    assert coverage.codes == {"decode": 2, UNKNOWN_RUN: 1, "x:y": 1}
    assert coverage.concepts["000 stable_identity"] == {"passed": 1}
    assert coverage.concepts["004 run_admission"] == {"passed": 1, "failed": 1}
    assert coverage.concepts["unknown"] == {"errored": 1}
    assert "stable_hash" in coverage.missing_ops()
    assert DUPLICATE in coverage.missing_codes() and UNKNOWN_RUN not in coverage.missing_codes()
