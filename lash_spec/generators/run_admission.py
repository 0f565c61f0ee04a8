"""Run-admission plans (seed 004): generated runtimes and registry operations.

One generator serves the state-machine test (tests/test_runs_stateful.py
draws its configurations and requests from the strategies here), the corpus
and ``lash-spec fuzz`` (which draw whole :class:`RunPlan` values and
:func:`play` them into ``run_admission`` case bodies, docs/case-bodies.md).

A plan is data, not a sequence of calls: Hypothesis shrinks it like any value
(fewer steps, configurations closer to the admitting one), and replaying a
plan always records the same body. Generated runtimes are mostly *almost*
admitting (see :func:`rarely`), so every rung of the admission ladder fails
now and then instead of the first one failing always. The expected outcomes
are not computed here: :func:`play` records what the model answers, and the
test oracle checks the model independently.
"""

from __future__ import annotations

from typing import Any, Final, TypeVar

import attrs
from hypothesis import strategies as st

from lash_spec.conformance.scenario import STEP_OPS, ScenarioRecorder
from lash_spec.model.runs import (
    AgentError,
    HookSpec,
    HostPackageResolver,
    PackageFailures,
    PolicyDecision,
    PolicyDecisionKind,
    PolicyOutcome,
    ProviderRoute,
    RunRequest,
    RuntimeConfig,
    RuntimePackage,
    RuntimePolicy,
)
from lash_spec.wire.types import Err, Ok

__all__ = [
    "ADMITTING",
    "AGENTS",
    "ALLOWED",
    "EXECUTORS",
    "PORT_CODES",
    "ROUTES",
    "RUN_IDS",
    "RunPlan",
    "Step",
    "configs",
    "failure",
    "packages",
    "plain_request",
    "plans",
    "play",
    "policies",
    "policy_answers",
    "port_errors",
    "rarely",
    "refusals",
    "requests",
    "steps",
]

RUN_IDS: Final = ("run.1", "run.2", "run.3", "run.4")
AGENTS: Final = ("agent.a", "agent.b")
ROUTES: Final = ("route.a", "route.b")
EXECUTORS: Final = ("exec.a", "exec.b")
PORT_CODES: Final = (
    "journal_failure:retryable",
    "timeout:retryable",
    "hook_failure:repair_needed",
    "invalid_package:host_configuration_needed",
    "approval_failure:user_action_needed",
)
"""Codes a configured port or package method may answer with."""

T = TypeVar("T")


def rarely(usual: T, other: st.SearchStrategy[T], odds: int = 8) -> st.SearchStrategy[T]:
    """``usual`` most of the time (``odds`` in ``odds + 2``), else a draw from
    ``other``; shrinks towards ``usual``."""
    return st.integers(0, odds + 1).flatmap(lambda n: st.just(usual) if n < odds else other)


port_errors: st.SearchStrategy[AgentError] = st.sampled_from(PORT_CODES).map(AgentError.from_code)


def failure() -> st.SearchStrategy[AgentError | None]:
    """A package method's failure: rarely any."""
    return rarely(None, port_errors, odds=30)


@st.composite
def packages(draw: st.DrawFn, package_id: str = "pkg.main") -> RuntimePackage:
    """A package that mostly fits ``agent.a`` on ``route.a`` with no hooks."""
    route_id = draw(rarely("route.a", st.just("route.b")))
    hooks = draw(rarely([], st.lists(st.sampled_from(EXECUTORS), max_size=2), odds=6))
    return RuntimePackage(
        package_id=package_id,
        agent_id=draw(rarely("agent.a", st.just("agent.b"))),
        provider_route=ProviderRoute(route_id=route_id, model_id="model." + route_id),
        hooks=tuple(HookSpec(executor_ref=h) for h in hooks),
        fingerprint=draw(st.sampled_from(("fp.1", "fp.2"))),
        fails=PackageFailures(
            with_output_contract=draw(failure()),
            validate=draw(failure()),
            hook_specs=draw(failure()),
            fingerprint=draw(failure()),
        ),
    )


refusals: st.SearchStrategy[PolicyDecision] = st.sampled_from(
    [
        PolicyDecision.deny("no"),
        PolicyDecision.interrupt("stop"),
        PolicyDecision(kind=PolicyDecisionKind.DEFER, reason_code="later"),
        PolicyDecision(kind=PolicyDecisionKind.ASK),
        PolicyDecision(kind=PolicyDecisionKind.MODIFY),
    ]
)
"""Every non-Allow policy decision."""

ALLOWED: Final[Ok[PolicyOutcome]] = Ok(PolicyOutcome(decision=PolicyDecision.allow("ok")))

policy_answers: st.SearchStrategy[Ok[PolicyOutcome] | Err[AgentError]] = st.one_of(
    st.just(ALLOWED),
    refusals.map(lambda d: Ok(PolicyOutcome(decision=d))),
    port_errors.map(Err),
)
"""A policy port's answer: allow, a refusal, or the port's own error."""

policies: st.SearchStrategy[RuntimePolicy] = st.builds(
    RuntimePolicy,
    answer=rarely(ALLOWED, policy_answers, odds=6),
    by_run_id=st.dictionaries(st.sampled_from(RUN_IDS), policy_answers, max_size=2),
)


ADMITTING: Final = RuntimeConfig(
    journal=True,
    event_bus=True,
    content=True,
    policy=RuntimePolicy(answer=ALLOWED),
    providers=("route.a",),
    packages=(
        RuntimePackage(
            package_id="pkg.main",
            agent_id="agent.a",
            provider_route=ProviderRoute(route_id="route.a", model_id="model.route.a"),
            fingerprint="fp.1",
        ),
    ),
    default_package_id="pkg.main",
    hook_executors=EXECUTORS,
)
"""The configuration every generated one departs from: it admits any plain request."""


@st.composite
def configs(draw: st.DrawFn) -> RuntimeConfig:
    """A runtime configuration: half the time :data:`ADMITTING`, perhaps with one run
    id answered differently by the policy (so plans admit runs, then reuse, cancel
    and snapshot them); else one drawn field by field, mostly almost admitting.
    Shrinks towards :data:`ADMITTING`."""
    if not draw(st.booleans()):  # maybe one run id with its own policy answer
        by_run_id = draw(st.dictionaries(st.sampled_from(RUN_IDS), policy_answers, max_size=1))
        return attrs.evolve(ADMITTING, policy=RuntimePolicy(answer=ALLOWED, by_run_id=by_run_id))
    source = draw(st.sampled_from(("local", "local", "local", "host", "host", "none")))
    local = [draw(packages())]
    local += draw(st.lists(packages(draw(st.sampled_from(("pkg.main", "pkg.other")))), max_size=1))
    host = None
    if source == "host":
        usual: Ok[RuntimePackage] | Err[AgentError] = Ok(draw(packages()))
        errors: st.SearchStrategy[Ok[RuntimePackage] | Err[AgentError]] = port_errors.map(Err)
        answers = {"pkg.main": draw(rarely(usual, errors, odds=6))}
        if draw(st.booleans()):
            answers["pkg.other"] = Ok(draw(packages("pkg.other")))
        host = HostPackageResolver(answers=answers)
    other_routes = st.sampled_from([(), ("route.b",), ("route.a", "route.b")])
    routes = draw(rarely(("route.a",), other_routes, odds=12))
    return RuntimeConfig(
        journal=draw(rarely(True, st.just(False), odds=30)),
        event_bus=draw(rarely(True, st.just(False), odds=30)),
        content=draw(rarely(True, st.just(False), odds=30)),
        policy=draw(policies) if draw(rarely(True, st.just(False), odds=30)) else None,
        providers=routes + draw(rarely((), st.just(("",)), odds=20)),
        package_resolver=host,
        packages=tuple(local) if source != "none" else (),
        default_package_id=draw(rarely("pkg.main", st.sampled_from(("pkg.other", None)), odds=14)),
        hook_executors=tuple(
            draw(rarely(list(EXECUTORS), st.lists(st.sampled_from(EXECUTORS), max_size=1)))
        ),
    )


requests: st.SearchStrategy[RunRequest] = st.builds(
    RunRequest,
    run_id=st.sampled_from(RUN_IDS),
    agent_id=st.sampled_from(AGENTS),
    session_id=st.sampled_from((None, "s.1")),
    turn_id=st.sampled_from((None, "t.1")),
    source=st.sampled_from((None, {"kind": "cli"})),
    output_contract=rarely(None, st.just({"schema": "x"}), odds=4),
)


def plain_request(run_id: str) -> RunRequest:
    """A request with the expected agent and no output contract: admitted by
    a configuration that admits anything, so runs exist to cancel and snapshot."""
    return RunRequest(run_id=run_id, agent_id="agent.a", source={"kind": "cli"})


# ---------------------------------------------------------------------------
# Plans
# ---------------------------------------------------------------------------

_REQUEST_OPS: Final = ("start_run", "resolve_effective_package")
_RUN_ID_OPS: Final = ("cancel_run", "run_snapshot")


def _check_arg(step: Step, _: Any, arg: RunRequest | str | None) -> None:
    if step.op in _REQUEST_OPS:
        ok = isinstance(arg, RunRequest)
    elif step.op in _RUN_ID_OPS:
        ok = isinstance(arg, str)
    else:
        ok = arg is None
    if not ok:
        raise TypeError(f"{step.op}: unexpected argument {arg!r}")


@attrs.frozen
class Step:
    """One recorder operation and its argument: a :class:`RunRequest` for
    ``start_run`` / ``resolve_effective_package``, a run id for ``cancel_run``
    / ``run_snapshot``, ``None`` for ``registered_run_count`` / ``events``."""

    op: str = attrs.field(validator=attrs.validators.in_(STEP_OPS))
    arg: RunRequest | str | None = attrs.field(default=None, validator=_check_arg)


@attrs.frozen
class RunPlan:
    """A runtime configuration and the operations to run against it, in order."""

    config: RuntimeConfig
    steps: tuple[Step, ...] = ()


_run_ids = st.sampled_from(RUN_IDS)

steps: st.SearchStrategy[Step] = st.one_of(
    _run_ids.map(lambda run_id: Step("start_run", plain_request(run_id))),
    requests.map(lambda request: Step("start_run", request)),
    requests.map(lambda request: Step("resolve_effective_package", request)),
    _run_ids.map(lambda run_id: Step("cancel_run", run_id)),
    _run_ids.map(lambda run_id: Step("run_snapshot", run_id)),
    st.just(Step("registered_run_count")),
    st.just(Step("events")),
)
"""One step, each kind equally likely (as the state machine's rules are);
shrinks towards a plain ``start_run``."""


@st.composite
def _step_lists(draw: st.DrawFn, max_steps: int) -> tuple[Step, ...]:
    # Each step is preceded by a "go on" draw (11 in 12); shrinking turns it
    # to 0 ("stop") or deletes a (go on, step) pair, so plans lose steps.
    # ``st.lists`` would draw mostly empty or one-step plans.
    out: list[Step] = []
    while len(out) < max_steps and draw(st.integers(0, 11)) > 0:
        out.append(draw(steps))
    return tuple(out)


def plans(max_steps: int = 25) -> st.SearchStrategy[RunPlan]:
    """A configuration, then up to ``max_steps`` steps (about ten on average)."""
    return st.builds(RunPlan, config=configs(), steps=_step_lists(max_steps))


def play(plan: RunPlan) -> dict[str, Any]:
    """Run ``plan`` through a :class:`ScenarioRecorder` and return the recorded
    ``run_admission`` body. A configuration that does not build gives a body
    with just its build error: the steps are not run."""
    recorder = ScenarioRecorder(plan.config)
    if recorder.registry is None:
        return recorder.body()
    for step in plan.steps:  # each op is the recorder method of that name
        getattr(recorder, step.op)(*(() if step.arg is None else (step.arg,)))
    return recorder.body()
