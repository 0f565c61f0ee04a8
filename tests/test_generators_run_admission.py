"""The seed-004 plan generator (lash_spec/generators/run_admission.py).

What the corpus and ``lash-spec fuzz`` rely on: every played plan is a
conformance case that passes, the plans reach every rung of the admission
ladder, playing is deterministic, and failing plans shrink to small ones.
Expected codes are written out from the seed's ladder (the same codes as the
oracle in test_runs_stateful.py), never taken from the model.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, find, given, settings

from lash_spec.conformance import check_case
from lash_spec.conformance.scenarios._gen import draw
from lash_spec.conformance.scenarios.runs import (  # the codes, as stated by hand
    BAD_PACKAGE,
    DENIED,
    DUPLICATE,
    HOST,
    NO_PROVIDER,
    UNKNOWN_RUN,
    scenario_outcomes,
)
from lash_spec.generators import generator
from lash_spec.generators.run_admission import (
    ALLOWED,
    RunPlan,
    Step,
    plain_request,
    plans,
    play,
)
from lash_spec.model.runs import (
    ProviderRoute,
    RunRequest,
    RuntimeConfig,
    RuntimePackage,
    RuntimePolicy,
)

REFUSALS = (HOST, BAD_PACKAGE, NO_PROVIDER, DENIED, DUPLICATE, UNKNOWN_RUN)

N_DRAWN = 300  # derandomized draws for the coverage test: all rungs are reached by ~250


def op_of(step: dict[str, Any]) -> str:
    (op,) = (key for key in step if key not in ("ok", "err"))
    return op


def admitting_config(**over: Any) -> RuntimeConfig:
    fields: dict[str, Any] = {
        "journal": True,
        "event_bus": True,
        "content": True,
        "policy": RuntimePolicy(answer=ALLOWED),
        "providers": ("route.a",),
        "packages": (
            RuntimePackage(
                package_id="pkg.main",
                agent_id="agent.a",
                provider_route=ProviderRoute(route_id="route.a", model_id="model.a"),
                fingerprint="fp.1",
            ),
        ),
        "default_package_id": "pkg.main",
    }
    fields.update(over)
    return RuntimeConfig(**fields)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_every_played_plan_is_a_passing_case(plan: RunPlan) -> None:
    body = play(plan)
    result = check_case(body)
    assert result.passed, f"{result.detail} at {result.path}"
    if "build" in body:
        assert body["steps"] == []
    else:
        assert [op_of(s) for s in body["steps"]] == [s.op for s in plan.steps]


def test_drawn_plans_reach_every_rung() -> None:
    seen: set[str] = set()
    for plan in draw(plans(), N_DRAWN):
        seen |= scenario_outcomes(play(plan))
    codes = {o.split(":", 1)[1] for o in seen if not o.startswith("build:")}
    assert set(REFUSALS) - codes == set()
    for wanted in ("start_run:ok", "cancel_run:ok", "run_snapshot:ok"):
        assert wanted in seen
    assert f"start_run:{DUPLICATE}" in seen
    assert f"start_run:{DENIED}" in seen
    assert any(o.startswith("build:") for o in seen)


def test_play_is_deterministic() -> None:
    for plan in draw(plans(), 30):
        first = play(plan)
        again = play(copy.deepcopy(plan))
        assert json.dumps(first) == json.dumps(again)  # same values, same key order


def test_failing_plans_shrink_small() -> None:
    def duplicate(plan: RunPlan) -> bool:
        return f"start_run:{DUPLICATE}" in scenario_outcomes(play(plan))

    plan = find(plans(), duplicate, settings=settings(database=None, max_examples=500))
    assert len(plan.steps) <= 3, plan.steps
    assert [s.op for s in plan.steps] == ["start_run", "start_run"]
    assert plan.config.package_resolver is None and len(plan.config.packages) == 1


def test_hand_written_plan_records_each_operation() -> None:
    """Outcomes derived by hand from the seed: a plain run is admitted once,
    then refused as a duplicate; unknown ids are UNKNOWN_RUN."""
    plan = RunPlan(
        admitting_config(),
        (
            Step("start_run", plain_request("run.1")),
            Step("start_run", plain_request("run.1")),
            Step("resolve_effective_package", RunRequest(run_id="run.2", agent_id="agent.b")),
            Step("run_snapshot", "run.2"),
            Step("cancel_run", "run.1"),
            Step("cancel_run", "run.2"),
            Step("run_snapshot", "run.1"),
            Step("registered_run_count"),
            Step("events"),
        ),
    )
    steps = play(plan)["steps"]
    request = {
        "run_id": "run.1",
        "agent_id": "agent.a",
        "session_id": None,
        "turn_id": None,
        "source": {"kind": "cli"},
        "output_contract": None,
    }
    assert steps[:2] == [
        {"start_run": request, "ok": "run.1"},
        {"start_run": request, "err": {"code": DUPLICATE}},
    ]
    assert steps[2]["err"] == {"code": BAD_PACKAGE}  # agent.b against agent.a's package
    assert steps[3] == {"run_snapshot": "run.2", "err": {"code": UNKNOWN_RUN}}
    assert steps[4] == {"cancel_run": "run.1", "ok": None}
    assert steps[5] == {"cancel_run": "run.2", "err": {"code": UNKNOWN_RUN}}
    snapshot = steps[6]["ok"]
    assert (snapshot["run_id"], snapshot["status"]) == ("run.1", "CancellationRequested")
    assert snapshot["runtime_package_id"] == "pkg.main"
    assert snapshot["cancellation_requested"] is True
    assert steps[7:] == [
        {"registered_run_count": None, "ok": 1},
        {"events": None, "ok": None},
    ]


def test_a_config_that_does_not_build_runs_no_steps() -> None:
    plan = RunPlan(admitting_config(providers=("route.a", "")), (Step("events"),))
    body = play(plan)
    assert body["build"] == {"err": {"code": BAD_PACKAGE}}
    assert body["steps"] == []
    assert check_case(body).passed


def test_steps_reject_mismatched_arguments() -> None:
    with pytest.raises(TypeError):
        Step("cancel_run", plain_request("run.1"))
    with pytest.raises(TypeError):
        Step("start_run", "run.1")
    with pytest.raises(TypeError):
        Step("events", "run.1")
    with pytest.raises(ValueError):
        Step("stop_run", "run.1")  # type: ignore[arg-type]


def test_registered_as_the_run_admission_generator() -> None:
    gen = generator("run_admission")
    assert (gen.kind, gen.plans, gen.play) == ("run_admission", plans, play)
