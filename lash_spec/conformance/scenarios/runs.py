"""Seed 004 run admission: one hand-written scenario per rule of the ladder.

Expectations are derived by hand from the seed (004_1d23b6f8b36b99ec.txt) and
the upstream ``error.rs`` / ``policy.rs`` / ``ports.rs`` / ``hooks.rs`` facts it
relies on: every code below is written out, never computed by the model.
tests/test_runs.py runs each through ``check_case`` (the assertion) and
``lash-spec fill`` writes them to the corpus (the fixture).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lash_spec.conformance.corpus import CaseSpec, FileSpec

HOST = "host_configuration_needed:host_configuration_needed"
BAD_PACKAGE = "invalid_package:host_configuration_needed"
NO_PROVIDER = "provider_failure:host_configuration_needed"
DENIED = "policy_denial:user_action_needed"
DUPLICATE = "invalid_state_transition:not_retryable"
UNKNOWN_RUN = "invalid_state_transition:repair_needed"


def reason(code: str) -> dict[str, Any]:
    return {"code": code, "redacted_summary": None, "policy_refs": []}


def allow(code: str = "policy.allow") -> dict[str, Any]:
    return {"Allow": {"reason": reason(code)}}


def deny(code: str = "policy.deny") -> dict[str, Any]:
    return {"Deny": {"reason": reason(code)}}


def outcome(decision: dict[str, Any], refs: list[Any] | None = None) -> dict[str, Any]:
    return {"ok": {"decision": decision, "policy_refs": refs or []}}


ALLOW_POLICY = {"answer": outcome(allow())}


def package(
    package_id: str = "pkg.main",
    agent_id: str = "agent.a",
    route_id: str = "route.a",
    fingerprint: str = "fp.main",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "package_id": package_id,
        "agent_id": agent_id,
        "provider_route": {"route_id": route_id, "model_id": "model.a"},
        "fingerprint": fingerprint,
        **extra,
    }


def runtime(**over: Any) -> dict[str, Any]:
    """A runtime that admits ``request()``; keyword arguments replace keys."""
    base: dict[str, Any] = {
        "journal": True,
        "event_bus": True,
        "content": True,
        "policy": ALLOW_POLICY,
        "providers": ["route.a"],
        "packages": [package()],
        "default_package_id": "pkg.main",
    }
    base.update(over)
    return base


def resolver_runtime(answer: dict[str, Any], **over: Any) -> dict[str, Any]:
    """Packages come from a host resolver answering ``answer`` for pkg.main."""
    over.setdefault("packages", [])
    return runtime(package_resolver={"answers": {"pkg.main": answer}}, **over)


def request(run_id: str = "run.1", agent_id: str = "agent.a", **extra: Any) -> dict[str, Any]:
    return {"run_id": run_id, "agent_id": agent_id, "source": {"kind": "cli"}, **extra}


def start_ok(run_id: str = "run.1", **extra: Any) -> dict[str, Any]:
    return {"start_run": request(run_id, **extra), "ok": run_id}


def start_err(code: str, run_id: str = "run.1", **extra: Any) -> dict[str, Any]:
    return {"start_run": request(run_id, **extra), "err": {"code": code}}


def err(code: str, message: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"code": code}
    if message is not None:
        out["message"] = message
    return out


def snapshot(run_id: str = "run.1", **over: Any) -> dict[str, Any]:
    snap: dict[str, Any] = {
        "run_id": run_id,
        "session_id": None,
        "turn_id": None,
        "agent_id": "agent.a",
        "source": {"kind": "cli"},
        "status": "Registered",
        "runtime_package_id": "pkg.main",
        "runtime_package_fingerprint": "fp.main",
        "provider_route_id": "route.a",
        "provider_model_id": "model.a",
        "cancellation_requested": False,
    }
    snap.update(over)
    return snap


def scenario(rt: dict[str, Any], *steps: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"scenario": "run_admission", "runtime": rt, **top, "steps": list(steps)}


# ---------------------------------------------------------------------------
# One hand-written scenario per rule (also the conformance cases of seed 004)
# ---------------------------------------------------------------------------

RULE_CASES: dict[str, dict[str, Any]] = {
    "admits-a-fully-configured-run": scenario(
        runtime(),
        start_ok("run.1", session_id="s.1", turn_id="t.1"),
        {"run_snapshot": "run.1", "ok": snapshot(session_id="s.1", turn_id="t.1")},
        {"registered_run_count": None, "ok": 1},
    ),
    "default-runtime-refuses-at-the-journal": scenario({}, start_err(HOST)),
    "missing-event-bus": scenario(runtime(event_bus=False), start_err(HOST)),
    "missing-content-resolver": scenario(runtime(content=False), start_err(HOST)),
    "missing-policy-port": scenario(runtime(policy=None), start_err(HOST)),
    "missing-default-package-id": scenario(runtime(default_package_id=None), start_err(HOST)),
    "missing-package-resolver": scenario(runtime(packages=[]), start_err(HOST)),
    "default-id-not-registered-with-local-packages": scenario(
        runtime(default_package_id="pkg.other"), start_err(BAD_PACKAGE)
    ),
    "resolver-error-passes-through": scenario(
        resolver_runtime({"err": err("journal_failure:retryable", "store down")}),
        start_err("journal_failure:retryable"),
    ),
    "resolver-without-answer-is-not-registered": scenario(
        runtime(packages=[], package_resolver={"answers": {}}), start_err(BAD_PACKAGE)
    ),
    "output-contract-failure": scenario(
        runtime(
            packages=[
                package(
                    fails={"with_output_contract": err("structured_output_failure:repair_needed")}
                )
            ]
        ),
        start_err("structured_output_failure:repair_needed", output_contract={"schema": "x"}),
        start_ok("run.2"),  # no contract on the request: with_output_contract is not called
    ),
    "validation-failure-from-a-host-resolver": scenario(
        resolver_runtime({"ok": package(fails={"validate": err(BAD_PACKAGE)})}),
        start_err(BAD_PACKAGE),
    ),
    "validation-runs-before-the-agent-id-check": scenario(
        resolver_runtime(
            {"ok": package(agent_id="agent.z", fails={"validate": err("timeout:retryable")})}
        ),
        start_err("timeout:retryable"),
    ),
    "agent-id-mismatch": scenario(runtime(), start_err(BAD_PACKAGE, agent_id="agent.b")),
    "agent-id-check-runs-before-the-fingerprint": scenario(
        runtime(packages=[package(fails={"fingerprint": err("extension_failure:not_retryable")})]),
        start_err(BAD_PACKAGE, agent_id="agent.b"),
        start_err("extension_failure:not_retryable"),
    ),
    "missing-provider-route": scenario(runtime(providers=["route.b"]), start_err(NO_PROVIDER)),
    "provider-route-is-checked-before-hooks": scenario(
        runtime(providers=[], packages=[package(hooks=[{"executor_ref": "exec.a"}])]),
        start_err(NO_PROVIDER),
    ),
    "hook-spec-validation-failure": scenario(
        runtime(
            packages=[
                package(
                    hooks=[{"executor_ref": "exec.a"}],
                    fails={"hook_specs": err("hook_failure:repair_needed")},
                )
            ]
        ),
        start_err("hook_failure:repair_needed"),
    ),
    "unresolved-hook-executor": scenario(
        runtime(packages=[package(hooks=[{"executor_ref": "exec.a"}])]), start_err(BAD_PACKAGE)
    ),
    "resolved-hook-executor": scenario(
        runtime(packages=[package(hooks=[{"executor_ref": "exec.a"}])], hook_executors=["exec.a"]),
        start_ok(),
    ),
    "policy-port-error-passes-through": scenario(
        runtime(policy={"answer": {"err": err("approval_failure:user_action_needed")}}),
        start_err("approval_failure:user_action_needed"),
    ),
    "policy-deny": scenario(runtime(policy={"answer": outcome(deny())}), start_err(DENIED)),
    "policy-interrupt": scenario(
        runtime(policy={"answer": outcome({"Interrupt": {"reason": reason("stop")}})}),
        start_err(DENIED),
    ),
    "policy-defer": scenario(
        runtime(
            policy={
                "answer": outcome(
                    {"Defer": {"resume_policy": {"resume_after_ms": 5, "reason": reason("later")}}}
                )
            }
        ),
        start_err(DENIED),
    ),
    "policy-ask": scenario(
        runtime(policy={"answer": outcome({"Ask": {"approval": {"timeout_ms": 1}}})}),
        start_err(DENIED),
    ),
    "policy-modify": scenario(
        runtime(
            policy={
                "answer": outcome(
                    {"Modify": {"modification": {"redacted_summary": "x", "policy_refs": []}}}
                )
            }
        ),
        start_err(DENIED),
    ),
    "policy-per-run-answers": scenario(
        runtime(policy={"answer": outcome(allow()), "by_run_id": {"run.2": outcome(deny())}}),
        start_ok("run.1"),
        start_err(DENIED, "run.2"),
        {"registered_run_count": None, "ok": 1},
    ),
    "duplicate-run-id": scenario(
        runtime(),
        start_ok(),
        start_err(DUPLICATE),
        {"registered_run_count": None, "ok": 1},
    ),
    "duplicate-is-the-last-rung": scenario(
        runtime(),
        start_ok(),
        start_err(BAD_PACKAGE, agent_id="agent.b"),
        start_err(DUPLICATE),
    ),
    "policy-denial-beats-the-duplicate": scenario(
        runtime(policy={"answer": outcome(allow()), "by_run_id": {"run.1": outcome(deny())}}),
        start_err(DENIED),
        start_err(DENIED),
        {"registered_run_count": None, "ok": 0},
    ),
    "cancel-and-snapshot-unknown-runs": scenario(
        runtime(),
        {"cancel_run": "run.9", "err": {"code": UNKNOWN_RUN}},
        {"run_snapshot": "run.9", "err": {"code": UNKNOWN_RUN}},
    ),
    "cancel-is-idempotent-and-keeps-the-run": scenario(
        runtime(),
        start_ok(),
        {"cancel_run": "run.1", "ok": None},
        {"cancel_run": "run.1", "ok": None},
        {
            "run_snapshot": "run.1",
            "ok": snapshot(status="CancellationRequested", cancellation_requested=True),
        },
        {"registered_run_count": None, "ok": 1},
        start_err(DUPLICATE),
    ),
    "refused-starts-do-not-register": scenario(
        runtime(),
        start_err(BAD_PACKAGE, agent_id="agent.b"),
        {"run_snapshot": "run.1", "err": {"code": UNKNOWN_RUN}},
        {"cancel_run": "run.1", "err": {"code": UNKNOWN_RUN}},
        {"registered_run_count": None, "ok": 0},
    ),
    "count-is-zero-on-a-fresh-runtime": scenario({}, {"registered_run_count": None, "ok": 0}),
    "events-need-the-event-bus": scenario(
        runtime(event_bus=False), {"events": None, "err": {"code": HOST}}
    ),
    "events-with-the-event-bus": scenario(runtime(), {"events": None, "ok": None}),
    "resolve-effective-package-skips-the-ports": scenario(
        runtime(journal=False, event_bus=False, content=False, policy=None),
        {
            "resolve_effective_package": request(),
            "ok": {"package_id": "pkg.main", "fingerprint": "fp.main"},
        },
        start_err(HOST),
    ),
    "resolve-effective-package-default-id-first": scenario(
        runtime(packages=[], default_package_id=None),
        {"resolve_effective_package": request(), "err": {"code": HOST}},
    ),
    "host-resolver-may-answer-another-package-id": scenario(
        resolver_runtime({"ok": package(package_id="pkg.elsewhere", fingerprint="fp.9")}),
        start_ok(),
        {
            "run_snapshot": "run.1",
            "ok": snapshot(runtime_package_id="pkg.elsewhere", runtime_package_fingerprint="fp.9"),
        },
    ),
    "later-local-package-with-the-same-id-wins": scenario(
        runtime(packages=[package(fingerprint="fp.old"), package(fingerprint="fp.new")]),
        start_ok(),
        {"run_snapshot": "run.1", "ok": snapshot(runtime_package_fingerprint="fp.new")},
    ),
    "build-fails-on-an-invalid-local-package": scenario(
        runtime(packages=[package(fails={"validate": err(BAD_PACKAGE)})]),
        build={"err": {"code": BAD_PACKAGE}},
    ),
    "build-fails-on-an-empty-provider-route": scenario(
        runtime(providers=["route.a", ""]), build={"err": {"code": BAD_PACKAGE}}
    ),
    "host-resolver-drops-local-packages-unvalidated": scenario(
        resolver_runtime(
            {"ok": package()},
            packages=[package(package_id="pkg.bad", fails={"validate": err(BAD_PACKAGE)})],
        ),
        start_ok(),
    ),
}


DENIAL_MESSAGES: list[tuple[str, dict[str, Any], str]] = [
    ("deny", deny("d.code"), "d.code"),
    ("interrupt", {"Interrupt": {"reason": reason("i.code")}}, "i.code"),
    (
        "defer",
        {"Defer": {"resume_policy": {"resume_after_ms": None, "reason": reason("f.code")}}},
        "f.code",
    ),
    ("ask", {"Ask": {"approval": {}}}, "policy requested host approval before run start"),
    (
        "modify",
        {"Modify": {"modification": {"redacted_summary": "", "policy_refs": []}}},
        "policy modification is not valid for runtime start",
    ),
    ("allow", allow("a.code"), "policy allowed run start"),
]


def _denial_cases() -> Iterable[CaseSpec]:
    from lash_spec.conformance.corpus import call

    for name, decision, message in DENIAL_MESSAGES:
        yield CaseSpec(
            f"policy_denial_message/{name}",
            "the denial message start_run reports for a policy decision",
            call("policy_denial_message", [decision], expect=message),
        )


GENERATED_PLANS = 30
"""Generated plans kept: the first (in draw order) that each reach a new outcome."""

DRAWN_PLANS = 400


def scenario_outcomes(body: dict[str, Any]) -> set[str]:
    """What a scenario reached: ``op:ok`` / ``op:CODE`` per step, or its build error."""
    if "build" in body:
        return {f"build:{body['build']['err']['code']}"}
    out = set()
    for step in body["steps"]:
        op = next(k for k in step if k not in ("ok", "err"))
        out.add(f"{op}:{step['err']['code']}" if "err" in step else f"{op}:ok")
    return out


def _generated_cases() -> Iterable[CaseSpec]:
    from lash_spec.conformance.scenarios._gen import draw, gen_case
    from lash_spec.generators.run_admission import plans, play

    covered: set[str] = set()
    kept = 0
    for plan in draw(plans(), DRAWN_PLANS):
        body = play(plan)
        reached = scenario_outcomes(body)
        if reached - covered and kept < GENERATED_PLANS:
            covered |= reached
            kept += 1
            what = (
                f"the runtime does not build ({body['build']['err']['code']})"
                if "build" in body
                else f"{len(plan.steps)} steps reaching " + ", ".join(sorted(reached))
            )
            yield gen_case("run_admission", f"generated plan: {what}", body)


def files() -> Iterable[FileSpec]:
    yield FileSpec(
        name="004-run-admission",
        seed="004",
        concept="run_admission",
        description=(
            "AgentRuntime::start_run's admission ladder, duplicate runs, cancel/snapshot of"
            " unknown runs, builder requirements — run-admission scenarios, hand-written and"
            " generated (lash_spec.generators.run_admission)"
        ),
        cases=(
            *(
                CaseSpec(f"run_admission/{name}", name.replace("-", " "), body)
                for name, body in sorted(RULE_CASES.items())
            ),
            *_denial_cases(),
            *_generated_cases(),
        ),
    )
