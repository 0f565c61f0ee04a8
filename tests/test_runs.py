"""Seed 004 rules: run admission (``AgentRuntime::start_run`` and the registry).

Expectations are derived by hand from the seed (004_1d23b6f8b36b99ec.txt)
and the upstream ``error.rs`` / ``policy.rs`` / ``ports.rs`` / ``hooks.rs``
facts it relies on: every code below is written out, never computed by the
model. :data:`RULE_CASES` holds one hand-written run-admission scenario per
rule; each is run through ``check_case`` and validated against the JSON Schema.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lash_spec.conformance import check_case
from lash_spec.conformance.check import body_kind
from lash_spec.conformance.scenario import ScenarioRecorder, read_config, read_request
from lash_spec.conformance.scenarios.runs import (
    ALLOW_POLICY,
    BAD_PACKAGE,
    DENIED,
    DUPLICATE,
    HOST,
    NO_PROVIDER,
    RULE_CASES,
    UNKNOWN_RUN,
    allow,
    deny,
    err,
    outcome,
    package,
    reason,
    request,
    resolver_runtime,
    runtime,
    scenario,
    snapshot,
    start_err,
    start_ok,
)
from lash_spec.model.runs import (
    LADDER,
    AgentError,
    AgentErrorKind,
    PolicyDecision,
    PolicyDecisionKind,
    RetryClassification,
    Rung,
    RunRegistry,
    RunRequest,
    code_name,
    parse_code,
    policy_denial_message,
)
from lash_spec.wire.types import Err, Ok

SCHEMA = (
    Path(__file__).resolve().parent.parent
    / "conformance"
    / "schema"
    / "run-admission-scenario.schema.json"
)


@pytest.mark.parametrize("name", sorted(RULE_CASES))
def test_rule_case_passes(name: str) -> None:
    result = check_case(RULE_CASES[name])
    assert result.kind == "run_admission"
    assert result.passed, f"{result.detail} at {result.path}"


@pytest.mark.parametrize("name", sorted(RULE_CASES))
def test_rule_case_matches_the_schema(name: str) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(RULE_CASES[name])


# ---------------------------------------------------------------------------
# The ladder, rule by rule, on the model (messages and context included)
# ---------------------------------------------------------------------------


def build(rt: dict[str, Any]) -> RunRegistry:
    built = read_config(rt).build()
    assert isinstance(built, Ok), built
    return built.value


def refuse(rt: dict[str, Any], req: dict[str, Any] | None = None) -> AgentError:
    registry = build(rt)
    after, result = registry.start_run(read_request(req or request()))
    assert isinstance(result, Err), result
    assert after is registry  # a refusal leaves the registry untouched
    return result.error


PORTS = ("journal", "event_bus", "content", "policy")
PORT_NAMES = ("run journal", "agent event bus", "content resolver", "runtime policy port")


@given(st.lists(st.booleans(), min_size=4, max_size=4))
def test_the_first_missing_port_in_seed_order_is_named(present: list[bool]) -> None:
    rt = runtime(**{p: (ALLOW_POLICY if p == "policy" else True) for p in PORTS})
    for port, keep in zip(PORTS, present, strict=True):
        if not keep:
            rt[port] = None if port == "policy" else False
    registry = build(rt)
    _, result = registry.start_run(read_request(request()))
    if all(present):
        assert isinstance(result, Ok)
        return
    assert isinstance(result, Err)
    first = PORT_NAMES[present.index(False)]
    assert result.error.code == HOST
    assert result.error.message == f"missing required runtime port: {first}"
    assert result.error.run_id == "run.1"


def test_default_package_is_named_before_the_resolver() -> None:
    error = refuse(runtime(packages=[], default_package_id=None))
    assert error.message == "missing required runtime port: default runtime package"
    error = refuse(runtime(packages=[]))
    assert error.message == "missing required runtime port: runtime package resolver"
    assert error.rung is Rung.PACKAGE_RESOLVER


def test_unregistered_package_message() -> None:
    error = refuse(runtime(default_package_id="pkg.other"))
    assert error.code == BAD_PACKAGE
    assert error.message == "runtime package pkg.other is not registered with the package resolver"
    assert error.run_id == "run.1"


def test_passed_through_errors_keep_their_message_and_gain_the_run_id() -> None:
    error = refuse(resolver_runtime({"err": err("journal_failure:retryable", "store down")}))
    assert (error.kind, error.retry) == (
        AgentErrorKind.JOURNAL_FAILURE,
        RetryClassification.RETRYABLE,
    )
    assert error.message == "store down"
    assert error.run_id == "run.1"


def test_agent_mismatch_message() -> None:
    error = refuse(runtime(), request(agent_id="agent.b"))
    assert error.message == "runtime package agent snapshot must match the run request agent_id"
    assert error.rung is Rung.AGENT_ID_MATCH


def test_provider_message_names_the_route() -> None:
    error = refuse(runtime(providers=["route.b"]))
    assert error.message == "missing provider adapter for package route route.a"
    assert error.run_id == "run.1"


def test_first_unresolved_hook_executor_is_named() -> None:
    hooks = [{"executor_ref": "exec.a"}, {"executor_ref": "exec.b"}, {"executor_ref": "exec.c"}]
    error = refuse(runtime(packages=[package(hooks=hooks)], hook_executors=["exec.a"]))
    assert error.message == "hook executor exec.b is not resolved before start_run"
    assert error.run_id == "run.1"


def test_policy_port_error_carries_no_run_id() -> None:
    error = refuse(runtime(policy={"answer": {"err": err("timeout:retryable", "slow")}}))
    assert error.code == "timeout:retryable"
    assert error.run_id is None
    assert error.rung is Rung.POLICY_EVALUATION


def test_policy_denial_carries_source_refs_and_run_id() -> None:
    refs = [{"kind": "RuntimePackage", "id": "policy.p"}]
    error = refuse(runtime(policy={"answer": outcome(deny("policy.no"), refs)}))
    assert error.code == DENIED
    assert error.message == "policy.no"
    assert error.run_id == "run.1"
    assert error.source == {"kind": "cli"}
    assert error.policy_refs == tuple(refs)


@pytest.mark.parametrize(
    ("decision", "message"),
    [
        (deny("d.code"), "d.code"),
        ({"Interrupt": {"reason": reason("i.code")}}, "i.code"),
        (
            {"Defer": {"resume_policy": {"resume_after_ms": None, "reason": reason("f.code")}}},
            "f.code",
        ),
        ({"Ask": {"approval": {}}}, "policy requested host approval before run start"),
        (
            {"Modify": {"modification": {"redacted_summary": "", "policy_refs": []}}},
            "policy modification is not valid for runtime start",
        ),
        (allow("a.code"), "policy allowed run start"),
    ],
)
def test_policy_denial_message_call_case(decision: dict[str, Any], message: str) -> None:
    result = check_case({"call": "policy_denial_message", "args": [decision], "ok": message})
    assert result.passed, result.detail


@pytest.mark.parametrize(
    "decision",
    [{"Deny": {}}, {"Nope": {"reason": reason("x")}}, "Deny", {"Deny": {"reason": {"code": 1}}}],
)
def test_policy_denial_message_rejects_malformed_decisions(decision: Any) -> None:
    body = {"call": "policy_denial_message", "args": [decision], "err": {"code": "decode"}}
    assert check_case(body).passed


@given(st.text(max_size=20))
def test_reason_code_is_the_denial_message_verbatim(code: str) -> None:
    for kind in (PolicyDecisionKind.DENY, PolicyDecisionKind.INTERRUPT, PolicyDecisionKind.DEFER):
        assert policy_denial_message(PolicyDecision(kind=kind, reason_code=code)) == code


def test_enum_wire_forms_and_codes() -> None:
    assert check_case(
        {
            "call": "decode:AgentErrorKind",
            "args": ["InvalidStateTransition"],
            "ok": "InvalidStateTransition",
        }
    ).passed
    assert check_case(
        {"call": "decode:RetryClassification", "args": ["repair_needed"], "err": {"code": "decode"}}
    ).passed
    assert len(AgentErrorKind) == 20 and len(RetryClassification) == 5
    assert code_name(AgentErrorKind.RECOVERY_REPAIR_NEEDED) == "recovery_repair_needed"
    assert code_name(RetryClassification.USER_ACTION_NEEDED) == "user_action_needed"


@given(st.sampled_from(list(AgentErrorKind)), st.sampled_from(list(RetryClassification)))
def test_codes_round_trip(kind: AgentErrorKind, retry: RetryClassification) -> None:
    error = AgentError.new(kind, retry, "m")
    assert parse_code(error.code) == (kind, retry)
    assert error.code.count(":") == 1 and error.code == error.code.lower()


@pytest.mark.parametrize(
    "code", ["", "invalid_package", "InvalidPackage:HostConfigurationNeeded", "a:b", "timeout:"]
)
def test_parse_code_rejects(code: str) -> None:
    with pytest.raises(ValueError):
        parse_code(code)


def test_ladder_table_codes() -> None:
    by_rung = {spec.rung: spec.code for spec in LADDER}
    assert [spec.rung for spec in LADDER] == list(Rung)
    assert by_rung[Rung.RUN_JOURNAL] == HOST
    assert by_rung[Rung.AGENT_ID_MATCH] == BAD_PACKAGE
    assert by_rung[Rung.PROVIDER_ROUTE] == NO_PROVIDER
    assert by_rung[Rung.HOOK_EXECUTORS] == BAD_PACKAGE
    assert by_rung[Rung.POLICY_DECISION] == DENIED
    assert by_rung[Rung.DUPLICATE_RUN_ID] == DUPLICATE
    assert by_rung[Rung.RESOLVE_PACKAGE] is None  # passes the resolver's error through


def test_cancel_and_snapshot_on_the_model() -> None:
    registry = build(runtime())
    registry, started = registry.start_run(RunRequest(run_id="run.1", agent_id="agent.a"))
    assert isinstance(started, Ok) and started.value.run_id == "run.1"
    after, cancelled = registry.cancel_run("run.1")
    assert cancelled == Ok(None)
    again, cancelled_again = after.cancel_run("run.1")
    assert cancelled_again == Ok(None) and again.runs == after.runs
    missing = after.run_snapshot("run.2")
    assert isinstance(missing, Err)
    assert missing.error.message == "run is not registered with this runtime"
    assert missing.error.run_id == "run.2"
    assert registry.registered_run_count() == after.registered_run_count() == 1


def test_events_error_has_no_run_id() -> None:
    result = build(runtime(event_bus=False)).events()
    assert isinstance(result, Err)
    assert result.error.message == "missing required runtime port: agent event bus"
    assert result.error.run_id is None


def test_build_error_messages() -> None:
    built = read_config(runtime(providers=[""])).build()
    assert isinstance(built, Err)
    assert built.error.message == "missing required field: provider_registry.route_id"


# ---------------------------------------------------------------------------
# The scenario runner: routing, failures it reports, malformed bodies
# ---------------------------------------------------------------------------


def test_body_kind_routing() -> None:
    assert body_kind(RULE_CASES["duplicate-run-id"]) == "run_admission"
    assert body_kind({"config": {}, "start": {}, "steps": []}) == "turn_trace"
    assert body_kind({"scenario": "something_else", "steps": []}) == "unknown"


def test_a_wrong_code_fails_at_its_step() -> None:
    body = scenario(runtime(), start_ok(), start_err(UNKNOWN_RUN))
    result = check_case(body)
    assert result.status == "failed"
    assert result.path == "$.steps[1].err.code"
    assert "step 1 (start_run)" in result.detail and DUPLICATE in result.detail


def test_an_unexpected_error_fails_at_ok() -> None:
    result = check_case(scenario(runtime(providers=[]), start_ok()))
    assert result.status == "failed" and result.path == "$.steps[0].ok"


def test_an_unexpected_ok_fails() -> None:
    result = check_case(scenario(runtime(), start_err(DENIED)))
    assert result.status == "failed" and result.path == "$.steps[0].err"


def test_a_wrong_snapshot_names_the_field() -> None:
    body = scenario(
        runtime(), start_ok(), {"run_snapshot": "run.1", "ok": snapshot(provider_model_id="m")}
    )
    result = check_case(body)
    assert result.status == "failed"
    assert result.path == "$.steps[1].ok.provider_model_id"


def test_count_is_compared_strictly() -> None:
    body = scenario(runtime(), {"registered_run_count": None, "ok": 0.0})
    assert check_case(body).status == "failed"


def test_expected_build_error_that_does_not_happen() -> None:
    result = check_case(scenario(runtime(), build={"err": {"code": BAD_PACKAGE}}))
    assert result.status == "failed" and result.path == "$.build.err"


def test_unexpected_build_error() -> None:
    result = check_case(scenario(runtime(providers=[""]), start_ok()))
    assert result.status == "failed" and result.path == "$.runtime"


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda b: b["steps"][0].update(stop_run="x"), "$.steps[0]"),
        (lambda b: b["steps"][0].pop("ok"), "$.steps[0]"),
        (lambda b: b["steps"][0].update(err={"code": "x"}), "$.steps[0]"),
        (lambda b: b["runtime"].update(jornal=True), "$.runtime"),
        (lambda b: b["runtime"].update(journal="yes"), "$.runtime.journal"),
        (lambda b: b["runtime"]["packages"][0].pop("agent_id"), "$.runtime.packages[0]"),
        (
            lambda b: b["runtime"]["packages"][0].update(fails={"validate": {"code": "bad"}}),
            "$.runtime.packages[0].fails.validate.code",
        ),
        (
            lambda b: b["runtime"].update(policy={"answer": {"ok": {"decision": {"Deny": {}}}}}),
            "$.runtime.policy.answer.ok.decision.Deny",
        ),
        (lambda b: b.pop("steps"), "$"),
        (lambda b: b.update(extra=1), "$"),
    ],
)
def test_malformed_scenarios_name_the_path(mutate: Any, path: str) -> None:
    body = copy.deepcopy(RULE_CASES["admits-a-fully-configured-run"])
    mutate(body)
    result = check_case(body)
    assert result.status == "failed"
    assert result.path == path, result.detail
    assert "malformed" in result.detail


def test_malformed_step_argument() -> None:
    body = scenario(runtime(), {"start_run": {"run_id": 7, "agent_id": "a"}, "ok": "x"})
    result = check_case(body)
    assert result.status == "failed" and result.path == "$.steps[0].start_run.run_id"


def test_recorder_body_replays() -> None:
    config = read_config(RULE_CASES["policy-per-run-answers"]["runtime"])
    recorder = ScenarioRecorder(config)
    recorder.start_run(RunRequest(run_id="run.1", agent_id="agent.a"))
    recorder.start_run(RunRequest(run_id="run.2", agent_id="agent.a"))
    recorder.cancel_run("run.1")
    recorder.run_snapshot("run.1")
    recorder.registered_run_count()
    recorder.events()
    body = recorder.body()
    assert [next(iter(s)) for s in body["steps"]] == [
        "start_run",
        "start_run",
        "cancel_run",
        "run_snapshot",
        "registered_run_count",
        "events",
    ]
    assert body["steps"][1]["err"] == {"code": DENIED}
    assert check_case(body).passed
    assert check_case(json.loads(json.dumps(body))).passed


DOCS = Path(__file__).resolve().parent.parent / "docs"


# docs/case-bodies.md's examples are checked, with every other contract example,
# by tests/test_docs_examples.py.
@pytest.mark.parametrize(
    ("doc", "heading", "end"),
    [("run-admission.md", "## Worked example", "Step by step")],
)
def test_documented_examples_pass(doc: str, heading: str, end: str | None) -> None:
    text = (DOCS / doc).read_text(encoding="utf-8")
    section = text[text.index(heading) :]
    section = section[section.index("{") : section.index(end) if end else None]
    body = json.loads(section)
    result = check_case(body)
    assert result.passed, f"{result.detail} at {result.path}"
