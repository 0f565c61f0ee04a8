"""Seed 004 as a state machine: the run registry under generated operations.

A Hypothesis ``RuleBasedStateMachine`` builds a generated runtime
configuration, then starts, cancels and snapshots runs and counts them. Every
result is checked against an oracle written here from the seed's ladder (not
the model's code): admitted iff no rung fails, and a refusal carries the
kind/classification prescribed at the *first* failing rung. Invariants: no run
is admitted twice, the count equals the number of admitted runs, refused runs
are unknown to cancel/snapshot. Each run is recorded and, at teardown, its
scenario body must replay through ``check_case`` (the emitted conformance case).

The generators (configurations, requests) live in
``lash_spec.generators.run_admission``, shared with the corpus and
``lash-spec fuzz``; the oracle stays here, apart from the code it checks.
"""

from __future__ import annotations

from typing import Any

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
)

from lash_spec.conformance import check_case
from lash_spec.conformance.scenario import ScenarioRecorder
from lash_spec.conformance.scenarios.runs import (  # the codes, as stated by hand
    BAD_PACKAGE,
    DENIED,
    DUPLICATE,
    HOST,
    NO_PROVIDER,
    UNKNOWN_RUN,
)
from lash_spec.generators.run_admission import RUN_IDS, configs, plain_request, requests
from lash_spec.model.runs import (
    PolicyDecisionKind,
    RunRegistryStatus,
    RunRequest,
    RuntimeConfig,
    RuntimePackage,
)
from lash_spec.wire.types import Err, Ok

# ---------------------------------------------------------------------------
# The oracle: the seed's ladder, written out rung by rung
# ---------------------------------------------------------------------------


def oracle_build(config: RuntimeConfig) -> str | None:
    """Build error code, or None: empty provider route; else, without a host
    resolver, the first local package that fails validation."""
    if "" in config.providers:
        return BAD_PACKAGE
    if config.package_resolver is None:
        for package in config.packages:
            if package.fails.validate is not None:
                return package.fails.validate.code
    return None


def oracle_package(config: RuntimeConfig) -> RuntimePackage | str:
    """The resolved package (before any output contract), or the refusal code
    of the rungs up to resolution."""
    if config.default_package_id is None:
        return HOST
    if config.package_resolver is not None:
        answer = config.package_resolver.answers.get(config.default_package_id)
        if answer is None:
            return BAD_PACKAGE
        return answer.error.code if isinstance(answer, Err) else answer.value
    local = {p.package_id: p for p in config.packages}  # a later duplicate wins
    if not config.packages:
        return HOST
    found = local.get(config.default_package_id)
    return BAD_PACKAGE if found is None else found


def oracle_effective(config: RuntimeConfig, request: RunRequest) -> RuntimePackage | str:
    """``resolve_effective_package``: resolve, contract, validate, agent, fingerprint."""
    package = oracle_package(config)
    if isinstance(package, str):
        return package
    fails = package.fails
    if request.output_contract is not None and fails.with_output_contract is not None:
        return fails.with_output_contract.code
    if fails.validate is not None:
        return fails.validate.code
    if package.agent_id != request.agent_id:
        return BAD_PACKAGE
    if fails.fingerprint is not None:
        return fails.fingerprint.code
    return package


def oracle_start(config: RuntimeConfig, admitted: dict[str, Any], request: RunRequest) -> Any:
    """The first failing rung's code, or the admitted package. A policy port's
    own error is returned as a 1-tuple: it is the only refusal without run id."""
    if not (config.journal and config.event_bus and config.content) or config.policy is None:
        return HOST
    package = oracle_effective(config, request)
    if isinstance(package, str):
        return package
    if package.provider_route.route_id not in config.providers:
        return NO_PROVIDER
    if package.fails.hook_specs is not None:
        return package.fails.hook_specs.code
    if any(h.executor_ref not in config.hook_executors for h in package.hooks):
        return BAD_PACKAGE
    answer = config.policy.by_run_id.get(request.run_id, config.policy.answer)
    if isinstance(answer, Err):  # the one refusal that carries no run id
        return (answer.error.code,)
    if answer.value.decision.kind is not PolicyDecisionKind.ALLOW:
        return DENIED
    if request.run_id in admitted:
        return DUPLICATE
    return package


class RunRegistryMachine(RuleBasedStateMachine):
    """Start/cancel/snapshot/count against one generated configuration."""

    def __init__(self) -> None:
        super().__init__()
        self.admitted: dict[str, tuple[RunRequest, RuntimePackage]] = {}
        self.cancelled: set[str] = set()
        self.refused: set[str] = set()

    @initialize(config=configs())
    def build(self, config: RuntimeConfig) -> None:
        self.config = config
        self.recorder = ScenarioRecorder(config)
        expected = oracle_build(config)
        if expected is None:
            assert self.recorder.build_error is None, self.recorder.build_error
        else:
            assert self.recorder.build_error is not None
            assert self.recorder.build_error.code == expected

    def built(self) -> bool:
        """False when the configuration did not build: the rules then do nothing."""
        return self.recorder.registry is not None

    @rule(request=requests)
    def start_run(self, request: RunRequest) -> None:
        if not self.built():
            return
        expected = oracle_start(self.config, self.admitted, request)
        result = self.recorder.start_run(request)
        event(f"start_run: {result.error.rung if isinstance(result, Err) else 'admitted'}")
        if isinstance(expected, str | tuple):
            code = expected if isinstance(expected, str) else expected[0]
            assert isinstance(result, Err), f"admitted, expected {code}"
            assert result.error.code == code, (result.error, code)
            assert result.error.run_id == (request.run_id if isinstance(expected, str) else None)
            if request.run_id not in self.admitted:
                self.refused.add(request.run_id)
            return
        assert isinstance(result, Ok), result
        assert request.run_id not in self.admitted, "a run id was admitted twice"
        assert result.value.run_id == request.run_id
        self.admitted[request.run_id] = (request, expected)
        self.refused.discard(request.run_id)

    @rule(run_id=st.sampled_from(RUN_IDS))
    def start_plain_run(self, run_id: str) -> None:
        """A plain request (expected agent, no contract): more admissions."""
        self.start_run(plain_request(run_id))

    @rule(request=requests)
    def resolve_effective_package(self, request: RunRequest) -> None:
        if not self.built():
            return
        expected = oracle_effective(self.config, request)
        result = self.recorder.resolve_effective_package(request)
        if isinstance(expected, str):
            assert isinstance(result, Err) and result.error.code == expected, (result, expected)
        else:
            assert isinstance(result, Ok), result
            assert result.value.package.package_id == expected.package_id
            assert result.value.fingerprint == expected.fingerprint

    @rule(run_id=st.sampled_from(RUN_IDS))
    def cancel_run(self, run_id: str) -> None:
        if not self.built():
            return
        result = self.recorder.cancel_run(run_id)
        if run_id in self.admitted:
            assert result == Ok(None)
            self.cancelled.add(run_id)
        else:
            assert isinstance(result, Err) and result.error.code == UNKNOWN_RUN

    @rule(run_id=st.sampled_from(RUN_IDS))
    def run_snapshot(self, run_id: str) -> None:
        if not self.built():
            return
        result = self.recorder.run_snapshot(run_id)
        if run_id not in self.admitted:
            assert isinstance(result, Err) and result.error.code == UNKNOWN_RUN
            assert result.error.run_id == run_id
            return
        assert isinstance(result, Ok), result
        snap = result.value
        request, package = self.admitted[run_id]
        cancelled = run_id in self.cancelled
        assert (snap.run_id, snap.agent_id) == (request.run_id, request.agent_id)
        assert (snap.session_id, snap.turn_id, snap.source) == (
            request.session_id,
            request.turn_id,
            request.source,
        )
        assert snap.runtime_package_id == package.package_id
        assert snap.runtime_package_fingerprint == package.fingerprint
        assert snap.provider_route_id == package.provider_route.route_id
        assert snap.provider_model_id == package.provider_route.model_id
        assert snap.cancellation_requested is cancelled
        assert snap.status is (
            RunRegistryStatus.CANCELLATION_REQUESTED if cancelled else RunRegistryStatus.REGISTERED
        )

    @rule()
    def registered_run_count(self) -> None:
        if not self.built():
            return
        assert self.recorder.registered_run_count() == len(self.admitted)

    @rule()
    def events(self) -> None:
        if not self.built():
            return
        result = self.recorder.events()
        if self.config.event_bus:
            assert result == Ok(None)
        else:
            assert isinstance(result, Err) and result.error.code == HOST
            assert result.error.run_id is None

    @rule()
    def build_outcome_is_stable(self) -> None:
        assert (self.recorder.build_error is None) == (oracle_build(self.config) is None)

    @invariant()
    def counts_are_consistent(self) -> None:
        registry = getattr(getattr(self, "recorder", None), "registry", None)
        if registry is None:
            return
        assert registry.registered_run_count() == len(self.admitted)
        assert set(registry.runs) == set(self.admitted)
        assert self.cancelled <= set(self.admitted)
        assert not (self.refused & set(self.admitted))

    def teardown(self) -> None:
        recorder = getattr(self, "recorder", None)
        if recorder is None:
            return
        result = check_case(recorder.body())
        assert result.passed, f"{result.detail} at {result.path}"


RunRegistryMachine.TestCase.settings = settings(max_examples=120, stateful_step_count=25)
TestRunRegistry = RunRegistryMachine.TestCase
