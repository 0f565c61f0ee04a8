"""Seed 004 — run admission: what ``AgentRuntime`` decides when a run starts.

Models the run registry of the upstream agent runtime (seed
``004_1d23b6f8b36b99ec.txt``: ``AgentRuntime``, ``AgentRuntimeBuilder``,
``RegisteredRun``, ``RunSnapshot``, ``RunRegistryStatus``,
``missing_port_error``, ``policy_denial_message``), together with the few
facts it leans on from neighbouring upstream files: ``AgentError`` /
``AgentErrorKind`` / ``RetryClassification`` (``error.rs``),
``PolicyDecision`` / ``PolicyOutcome`` (``policy.rs``),
``InMemoryRuntimePackageResolver`` and ``ProviderRegistry::register``
(``ports.rs``), ``validate_package_hooks`` (``hooks.rs``) and
``InMemoryRunControlStore`` (``run_handle.rs``). The seed's upstream commit is
not listed in wire-format.md; those facts were read from the nearest stored
upstream versions.

This is a model of *decisions*, not of I/O: a port is either present or not,
and a port that would compute something (a resolver, a policy, a package's own
``validate``/``fingerprint``) is configured *as data* with the answer it gives.
Everything is immutable: :meth:`RunRegistry.start_run` and
:meth:`RunRegistry.cancel_run` return the next registry with their result.

The admission ladder of ``start_run`` is :data:`LADDER`; every refusal is an
:class:`AgentError` whose conformance code is ``"<kind>:<retry>"`` in snake
case (docs/case-bodies.md, "Adding a body kind"), e.g. ``invalid_state_transition:not_retryable``.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from typing import ClassVar, TypeAlias

import attrs

from lash_spec.wire.types import Err, JsonValue, Ok

__all__ = [
    "LADDER",
    "MISSING_PORT_PREFIX",
    "AgentError",
    "AgentErrorKind",
    "EffectiveRuntimePackage",
    "HookSpec",
    "HostPackageResolver",
    "InMemoryRuntimePackageResolver",
    "PackageFailures",
    "PolicyDecision",
    "PolicyDecisionKind",
    "PolicyOutcome",
    "ProviderRoute",
    "RegisteredRun",
    "RetryClassification",
    "RunHandle",
    "RunRegistry",
    "RunRegistryStatus",
    "RunRequest",
    "RunSnapshot",
    "Rung",
    "RungSpec",
    "RuntimeConfig",
    "RuntimePackage",
    "RuntimePolicy",
    "code_name",
    "missing_port_error",
    "missing_runtime_port_error",
    "parse_code",
    "policy_denial_message",
    "registry_codes",
]


# ---------------------------------------------------------------------------
# AgentError (error.rs): kind + retry classification + message
# ---------------------------------------------------------------------------


class AgentErrorKind(enum.Enum):
    """``AgentErrorKind`` (error.rs): a serde unit enum without renames, so
    its wire form is the Rust variant name (``"InvalidPackage"``)."""

    INVALID_PACKAGE = "InvalidPackage"
    INVALID_STATE_TRANSITION = "InvalidStateTransition"
    PROVIDER_FAILURE = "ProviderFailure"
    PROJECTION_FAILURE = "ProjectionFailure"
    TOOL_FAILURE = "ToolFailure"
    APPROVAL_FAILURE = "ApprovalFailure"
    POLICY_DENIAL = "PolicyDenial"
    JOURNAL_FAILURE = "JournalFailure"
    TELEMETRY_FAILURE = "TelemetryFailure"
    ISOLATION_FAILURE = "IsolationFailure"
    STRUCTURED_OUTPUT_FAILURE = "StructuredOutputFailure"
    STREAM_RULE_FAILURE = "StreamRuleFailure"
    SUBAGENT_FAILURE = "SubagentFailure"
    EXTENSION_FAILURE = "ExtensionFailure"
    CANCELLATION = "Cancellation"
    CHILD_LIFECYCLE_FAILURE = "ChildLifecycleFailure"
    HOOK_FAILURE = "HookFailure"
    TIMEOUT = "Timeout"
    RECOVERY_REPAIR_NEEDED = "RecoveryRepairNeeded"
    HOST_CONFIGURATION_NEEDED = "HostConfigurationNeeded"


class RetryClassification(enum.Enum):
    """``RetryClassification`` (error.rs): what a caller may do about an error."""

    RETRYABLE = "Retryable"
    NOT_RETRYABLE = "NotRetryable"
    REPAIR_NEEDED = "RepairNeeded"
    USER_ACTION_NEEDED = "UserActionNeeded"
    HOST_CONFIGURATION_NEEDED = "HostConfigurationNeeded"


_CAMEL_BOUNDARY = re.compile(r"(?<!^)(?=[A-Z])")


def code_name(member: AgentErrorKind | RetryClassification) -> str:
    """The snake-case spelling used in conformance codes (``InvalidPackage`` →
    ``invalid_package``)."""
    return _CAMEL_BOUNDARY.sub("_", member.value).lower()


_KINDS = {code_name(k): k for k in AgentErrorKind}
_RETRIES = {code_name(r): r for r in RetryClassification}


def parse_code(code: str) -> tuple[AgentErrorKind, RetryClassification]:
    """Split a conformance code ``"<kind>:<retry>"``; :class:`ValueError` if
    either half is not a known snake-case variant name."""
    kind_name, sep, retry_name = code.partition(":")
    if not sep or kind_name not in _KINDS or retry_name not in _RETRIES:
        raise ValueError(f"not an AgentError code `<kind>:<retry_classification>`: {code!r}")
    return _KINDS[kind_name], _RETRIES[retry_name]


class Rung(enum.Enum):
    """One rung of ``start_run``'s admission ladder, in the seed's order.

    A model annotation: the Rust error does not say which rung produced it.
    """

    RUN_JOURNAL = "run_journal"
    AGENT_EVENT_BUS = "agent_event_bus"
    CONTENT_RESOLVER = "content_resolver"
    RUNTIME_POLICY_PORT = "runtime_policy_port"
    DEFAULT_PACKAGE = "default_package"
    PACKAGE_RESOLVER = "package_resolver"
    RESOLVE_PACKAGE = "resolve_package"
    OUTPUT_CONTRACT = "output_contract"
    VALIDATE_PACKAGE = "validate_package"
    AGENT_ID_MATCH = "agent_id_match"
    FINGERPRINT = "fingerprint"
    PROVIDER_ROUTE = "provider_route"
    HOOK_SPECS = "hook_specs"
    HOOK_EXECUTORS = "hook_executors"
    POLICY_EVALUATION = "policy_evaluation"
    POLICY_DECISION = "policy_decision"
    DUPLICATE_RUN_ID = "duplicate_run_id"

    __not_wire__ = True


@attrs.frozen(kw_only=True)
class AgentError:
    """``AgentError`` (error.rs) as the admission ladder produces it.

    Upstream it is an enum (``MissingRequiredField``, ``ContractViolation``,
    ``HostConfigurationNeeded``, ``Classified``) whose ``kind()``/``retry()``
    accessors classify every variant; the model keeps only the classified
    view — kind, retry classification, message — plus the context the
    runtime attaches: ``CausalIds.run_id``, ``ErrorContext.source`` and
    ``ErrorContext.policy_refs``. ``rung`` is a model annotation (not
    compared, not part of the Rust value).
    """

    __not_wire__: ClassVar[bool] = True

    kind: AgentErrorKind
    retry: RetryClassification
    message: str = ""
    run_id: str | None = None
    source: JsonValue = None
    policy_refs: tuple[JsonValue, ...] = ()
    rung: Rung | None = attrs.field(default=None, eq=False)

    @property
    def code(self) -> str:
        """The conformance code ``"<kind>:<retry_classification>"`` (docs/case-bodies.md)."""
        return f"{code_name(self.kind)}:{code_name(self.retry)}"

    @classmethod
    def new(cls, kind: AgentErrorKind, retry: RetryClassification, message: str) -> AgentError:
        """``AgentError::new``: a classified error with no causal ids."""
        return cls(kind=kind, retry=retry, message=message)

    @classmethod
    def from_code(cls, code: str, message: str = "") -> AgentError:
        """The error a configured port answers with, from its conformance code."""
        kind, retry = parse_code(code)
        return cls(kind=kind, retry=retry, message=message)

    @classmethod
    def missing_required_field(cls, field: str) -> AgentError:
        """``AgentError::missing_required_field``: classified as
        ``InvalidPackage`` / ``HostConfigurationNeeded``."""
        return cls.new(
            AgentErrorKind.INVALID_PACKAGE,
            RetryClassification.HOST_CONFIGURATION_NEEDED,
            f"missing required field: {field}",
        )

    @classmethod
    def contract_violation(cls, message: str) -> AgentError:
        """``AgentError::contract_violation``: ``InvalidStateTransition`` /
        ``RepairNeeded`` (upstream: lock poisoning; never produced here)."""
        return cls.new(
            AgentErrorKind.INVALID_STATE_TRANSITION, RetryClassification.REPAIR_NEEDED, message
        )

    def with_run_id(self, run_id: str) -> AgentError:
        """``.with_causal_ids(CausalIds { run_id, ..default })``.

        Upstream this *replaces* all causal ids by ones holding only the run
        id, and keeps kind and classification.
        """
        return attrs.evolve(self, run_id=run_id)

    def at(self, rung: Rung) -> AgentError:
        """The same error annotated with the ladder rung that produced it."""
        return attrs.evolve(self, rung=rung)


MISSING_PORT_PREFIX = "missing required runtime port: "


def missing_port_error(port_name: str, run_id: str) -> AgentError:
    """``missing_port_error``: ``HostConfigurationNeeded`` /
    ``HostConfigurationNeeded``, message ``missing required runtime port: NAME``,
    carrying the run id."""
    return AgentError.new(
        AgentErrorKind.HOST_CONFIGURATION_NEEDED,
        RetryClassification.HOST_CONFIGURATION_NEEDED,
        MISSING_PORT_PREFIX + port_name,
    ).with_run_id(run_id)


def missing_runtime_port_error(port_name: str) -> AgentError:
    """``missing_runtime_port_error``: the same error without a run id (used
    by the event-bus accessors outside a run)."""
    return AgentError.new(
        AgentErrorKind.HOST_CONFIGURATION_NEEDED,
        RetryClassification.HOST_CONFIGURATION_NEEDED,
        MISSING_PORT_PREFIX + port_name,
    )


# ---------------------------------------------------------------------------
# Policy (policy.rs): the decision and outcome the runtime reads
# ---------------------------------------------------------------------------


class PolicyDecisionKind(enum.Enum):
    """The variant of ``PolicyDecision`` (policy.rs), in Rust order."""

    ALLOW = "Allow"
    DENY = "Deny"
    ASK = "Ask"
    MODIFY = "Modify"
    DEFER = "Defer"
    INTERRUPT = "Interrupt"

    __not_wire__ = True


@attrs.frozen(kw_only=True)
class PolicyDecision:
    """``PolicyDecision`` reduced to what ``policy_denial_message`` reads.

    ``reason_code`` is ``reason.code`` for ``Allow``/``Deny``/``Interrupt``
    and ``resume_policy.reason.code`` for ``Defer``; ``Ask``/``Modify`` carry
    none. ``payload`` keeps the variant's serde payload as given (opaque), so a
    decision read from a case can be written back.
    """

    __not_wire__: ClassVar[bool] = True

    kind: PolicyDecisionKind
    reason_code: str | None = None
    payload: JsonValue = attrs.field(default=None, eq=False)

    def is_allow(self) -> bool:
        """``PolicyDecision::is_allow``: only ``Allow`` allows."""
        return self.kind is PolicyDecisionKind.ALLOW

    @classmethod
    def allow(cls, code: str) -> PolicyDecision:
        """``PolicyDecision::allow``."""
        return cls(kind=PolicyDecisionKind.ALLOW, reason_code=code)

    @classmethod
    def deny(cls, code: str) -> PolicyDecision:
        """``PolicyDecision::deny``."""
        return cls(kind=PolicyDecisionKind.DENY, reason_code=code)

    @classmethod
    def interrupt(cls, code: str) -> PolicyDecision:
        """``PolicyDecision::interrupt``."""
        return cls(kind=PolicyDecisionKind.INTERRUPT, reason_code=code)


def policy_denial_message(decision: PolicyDecision) -> str:
    """``policy_denial_message``: the message of a run-start denial.

    ``Deny``/``Interrupt``/``Defer`` use the reason *code* verbatim as the
    message; ``Ask`` and ``Modify`` have fixed texts. The ``Allow`` arm is
    dead code in ``start_run`` (an allowed outcome never reaches it) but the
    function answers it all the same.
    """
    kind = decision.kind
    if kind in (PolicyDecisionKind.DENY, PolicyDecisionKind.INTERRUPT, PolicyDecisionKind.DEFER):
        return decision.reason_code or ""
    if kind is PolicyDecisionKind.ASK:
        return "policy requested host approval before run start"
    if kind is PolicyDecisionKind.MODIFY:
        return "policy modification is not valid for runtime start"
    return "policy allowed run start"


@attrs.frozen(kw_only=True)
class PolicyOutcome:
    """``PolicyOutcome`` (policy.rs): the decision and the policy refs the
    runtime copies onto a denial; its other fields are not read at run start."""

    __not_wire__: ClassVar[bool] = True

    decision: PolicyDecision
    policy_refs: tuple[JsonValue, ...] = ()

    def is_allowed(self) -> bool:
        """``PolicyOutcome::is_allowed`` = ``decision.is_allow()``."""
        return self.decision.is_allow()


PolicyAnswer: TypeAlias = Ok[PolicyOutcome] | Err[AgentError]
PackageAnswer: TypeAlias = Ok["RuntimePackage"] | Err[AgentError]


@attrs.frozen(kw_only=True)
class RuntimePolicy:
    """A ``RuntimePolicyPort`` as data: the answer ``evaluate_run_start`` gives.

    ``answer`` is given for every request unless ``by_run_id`` names the
    request's run id.
    """

    __not_wire__: ClassVar[bool] = True

    answer: PolicyAnswer
    by_run_id: Mapping[str, PolicyAnswer] = attrs.field(factory=dict)

    def evaluate_run_start(self, request: RunRequest, package: RuntimePackage) -> PolicyAnswer:
        """``RuntimePolicyPort::evaluate_run_start``."""
        return self.by_run_id.get(request.run_id, self.answer)


# ---------------------------------------------------------------------------
# Requests, packages and resolvers
# ---------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class RunRequest:
    """The fields of upstream ``RunRequest`` the admission ladder reads.

    ``source`` (a ``SourceRef``) is copied to the registry untouched, so it is
    kept opaque; ``output_contract`` matters only by being present.
    """

    __not_wire__: ClassVar[bool] = True

    run_id: str
    agent_id: str
    session_id: str | None = None
    turn_id: str | None = None
    source: JsonValue = None
    output_contract: JsonValue = None


@attrs.frozen(kw_only=True)
class ProviderRoute:
    """``RuntimePackage.provider_route`` (``ProviderRouteSnapshot``): the route
    the provider registry is asked for, and the model id a snapshot reports."""

    __not_wire__: ClassVar[bool] = True

    route_id: str
    model_id: str


@attrs.frozen(kw_only=True)
class HookSpec:
    """A package hook, reduced to the ``executor_ref`` that
    ``validate_package_hooks`` looks up in the hook executor registry."""

    __not_wire__: ClassVar[bool] = True

    executor_ref: str


@attrs.frozen(kw_only=True)
class PackageFailures:
    """How a package's own pure methods answer (not modelled here): the
    error each one returns, or ``None`` when it succeeds.

    ``hook_specs`` is ``validate_hook_specs`` (the first step of
    ``validate_package_hooks``).
    """

    __not_wire__: ClassVar[bool] = True

    with_output_contract: AgentError | None = None
    validate: AgentError | None = None
    hook_specs: AgentError | None = None
    fingerprint: AgentError | None = None


@attrs.frozen(kw_only=True)
class RuntimePackage:
    """The parts of upstream ``RuntimePackage`` the admission ladder reads.

    ``fingerprint`` is the fingerprint of the *effective* package (after an
    output contract, if the request carries one): it is configured, not
    computed.
    """

    __not_wire__: ClassVar[bool] = True

    package_id: str
    agent_id: str
    provider_route: ProviderRoute
    hooks: tuple[HookSpec, ...] = ()
    fingerprint: str = ""
    fails: PackageFailures = attrs.field(factory=PackageFailures)

    def with_output_contract(self, contract: JsonValue) -> PackageAnswer:
        """``RuntimePackage::with_output_contract`` (configured answer)."""
        failure = self.fails.with_output_contract
        return Ok(self) if failure is None else Err(failure)

    def validate(self) -> Ok[None] | Err[AgentError]:
        """``RuntimePackage::validate`` (configured answer)."""
        failure = self.fails.validate
        return Ok(None) if failure is None else Err(failure)

    def validate_hook_specs(self) -> Ok[None] | Err[AgentError]:
        """``validate_hook_specs(&package.hooks)`` (configured answer)."""
        failure = self.fails.hook_specs
        return Ok(None) if failure is None else Err(failure)

    def compute_fingerprint(self) -> Ok[str] | Err[AgentError]:
        """``RuntimePackage::fingerprint`` (configured answer)."""
        failure = self.fails.fingerprint
        return Ok(self.fingerprint) if failure is None else Err(failure)


@attrs.frozen(kw_only=True)
class HostPackageResolver:
    """A host ``RuntimePackageResolver`` given to the builder, as data.

    It answers from ``answers`` by package id; for an id it has no answer for
    it answers like the in-memory resolver (not registered). The package it
    returns need not carry the requested id: the runtime does not check.
    """

    __not_wire__: ClassVar[bool] = True

    answers: Mapping[str, PackageAnswer] = attrs.field(factory=dict)

    def resolve(self, package_id: str) -> PackageAnswer:
        """``RuntimePackageResolver::resolve``."""
        answer = self.answers.get(package_id)
        return answer if answer is not None else Err(_not_registered(package_id))


def _not_registered(package_id: str) -> AgentError:
    return AgentError.new(
        AgentErrorKind.INVALID_PACKAGE,
        RetryClassification.HOST_CONFIGURATION_NEEDED,
        f"runtime package {package_id} is not registered with the package resolver",
    )


@attrs.frozen(kw_only=True)
class InMemoryRuntimePackageResolver:
    """``InMemoryRuntimePackageResolver`` (ports.rs): packages by id."""

    __not_wire__: ClassVar[bool] = True

    packages: Mapping[str, RuntimePackage] = attrs.field(factory=dict)

    @classmethod
    def from_packages(
        cls, packages: tuple[RuntimePackage, ...]
    ) -> Ok[InMemoryRuntimePackageResolver] | Err[AgentError]:
        """``from_packages``: inserts in order; ``insert`` validates each
        package first (the first invalid one fails the whole call), and a later
        package with the same id replaces an earlier one."""
        table: dict[str, RuntimePackage] = {}
        for package in packages:
            checked = package.validate()
            if isinstance(checked, Err):
                return checked
            table[package.package_id] = package
        return Ok(cls(packages=table))

    def resolve(self, package_id: str) -> PackageAnswer:
        """``resolve``: ``InvalidPackage`` / ``HostConfigurationNeeded`` for an
        unknown id."""
        package = self.packages.get(package_id)
        return Ok(package) if package is not None else Err(_not_registered(package_id))


PackageResolver: TypeAlias = HostPackageResolver | InMemoryRuntimePackageResolver


# ---------------------------------------------------------------------------
# The ladder as a table
# ---------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class RungSpec:
    """One rung of :data:`LADDER`: what is checked, and the error's code —
    ``None`` when the rung passes a configured port's error through."""

    __not_wire__: ClassVar[bool] = True

    rung: Rung
    check: str
    code: str | None
    carries_run_id: bool = True


_HOST = "host_configuration_needed:host_configuration_needed"

LADDER: tuple[RungSpec, ...] = (
    RungSpec(rung=Rung.RUN_JOURNAL, check="a run journal is configured", code=_HOST),
    RungSpec(rung=Rung.AGENT_EVENT_BUS, check="an agent event bus is configured", code=_HOST),
    RungSpec(rung=Rung.CONTENT_RESOLVER, check="a content resolver is configured", code=_HOST),
    RungSpec(
        rung=Rung.RUNTIME_POLICY_PORT, check="a runtime policy port is configured", code=_HOST
    ),
    RungSpec(rung=Rung.DEFAULT_PACKAGE, check="a default package id is configured", code=_HOST),
    RungSpec(rung=Rung.PACKAGE_RESOLVER, check="a package resolver exists", code=_HOST),
    RungSpec(rung=Rung.RESOLVE_PACKAGE, check="the resolver resolves the default id", code=None),
    RungSpec(
        rung=Rung.OUTPUT_CONTRACT,
        check="the request's output contract applies (only when the request has one)",
        code=None,
    ),
    RungSpec(rung=Rung.VALIDATE_PACKAGE, check="the package validates", code=None),
    RungSpec(
        rung=Rung.AGENT_ID_MATCH,
        check="the package's agent id equals the request's",
        code="invalid_package:host_configuration_needed",
    ),
    RungSpec(rung=Rung.FINGERPRINT, check="the package fingerprints", code=None),
    RungSpec(
        rung=Rung.PROVIDER_ROUTE,
        check="a provider adapter is registered for the package route",
        code="provider_failure:host_configuration_needed",
    ),
    RungSpec(rung=Rung.HOOK_SPECS, check="the package hook specs validate", code=None),
    RungSpec(
        rung=Rung.HOOK_EXECUTORS,
        check="every hook executor ref is registered",
        code="invalid_package:host_configuration_needed",
    ),
    RungSpec(
        rung=Rung.POLICY_EVALUATION,
        check="the policy port evaluates the run start",
        code=None,
        carries_run_id=False,
    ),
    RungSpec(
        rung=Rung.POLICY_DECISION,
        check="the policy decision is Allow",
        code="policy_denial:user_action_needed",
    ),
    RungSpec(
        rung=Rung.DUPLICATE_RUN_ID,
        check="the run id is not registered yet",
        code="invalid_state_transition:not_retryable",
    ),
)
"""``start_run``'s admission ladder, first rung first (the seed's order)."""

_PORTS: tuple[tuple[Rung, str, str], ...] = (
    (Rung.RUN_JOURNAL, "journal", "run journal"),
    (Rung.AGENT_EVENT_BUS, "event_bus", "agent event bus"),
    (Rung.CONTENT_RESOLVER, "content", "content resolver"),
    (Rung.RUNTIME_POLICY_PORT, "policy", "runtime policy port"),
)


# ---------------------------------------------------------------------------
# The builder and the registry
# ---------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class RuntimeConfig:
    """What ``AgentRuntimeBuilder`` was given, after all its calls.

    ``journal``/``event_bus``/``content`` say whether those ports are present
    (their behaviour is not part of admission); ``policy`` is the policy
    port or ``None``; ``providers`` the registered route ids;
    ``package_resolver`` a host resolver (``.package_resolver(R)``);
    ``packages`` the local packages (``.package(P)``/``.default_package(P)``);
    ``default_package_id`` the last id set (``.default_package_id`` or
    ``.default_package``); ``hook_executors`` the executor refs of the hook
    registry (the builder's default registry is empty). The builder requires
    no port: every requirement is checked by ``start_run``.
    """

    __not_wire__: ClassVar[bool] = True

    journal: bool = False
    event_bus: bool = False
    content: bool = False
    policy: RuntimePolicy | None = None
    providers: tuple[str, ...] = ()
    package_resolver: HostPackageResolver | None = None
    packages: tuple[RuntimePackage, ...] = ()
    default_package_id: str | None = None
    hook_executors: tuple[str, ...] = ()

    def build(self) -> Ok[RunRegistry] | Err[AgentError]:
        """``AgentRuntimeBuilder::provider`` + ``build``.

        Registering a provider under an empty route id fails
        (``missing_required_field("provider_registry.route_id")``, before
        ``build``). ``build`` then picks the resolver: a host resolver wins
        and the local packages are dropped *unvalidated*; otherwise local
        packages become an in-memory resolver, whose construction validates
        each package; with neither there is no resolver. Nothing else fails.
        """
        if any(route_id == "" for route_id in self.providers):
            return Err(AgentError.missing_required_field("provider_registry.route_id"))
        resolver: PackageResolver | None
        if self.package_resolver is not None:
            resolver = self.package_resolver
        elif self.packages:
            built = InMemoryRuntimePackageResolver.from_packages(self.packages)
            if isinstance(built, Err):
                return built
            resolver = built.value
        else:
            resolver = None
        return Ok(RunRegistry(config=self, resolver=resolver))


class RunRegistryStatus(enum.Enum):
    """``RunRegistryStatus``: not serde upstream; named by its Rust variants."""

    REGISTERED = "Registered"
    CANCELLATION_REQUESTED = "CancellationRequested"

    __not_wire__ = True


@attrs.frozen(kw_only=True)
class RunSnapshot:
    """``RunSnapshot``: a registered run as ``run_snapshot`` reports it."""

    __not_wire__: ClassVar[bool] = True

    run_id: str
    session_id: str | None
    turn_id: str | None
    agent_id: str
    source: JsonValue
    status: RunRegistryStatus
    runtime_package_id: str
    runtime_package_fingerprint: str
    provider_route_id: str
    provider_model_id: str
    cancellation_requested: bool


@attrs.frozen(kw_only=True)
class RegisteredRun:
    """``RegisteredRun``: one entry of the registry. ``cancelled`` is the
    state of its ``CancellationHandle``."""

    __not_wire__: ClassVar[bool] = True

    run_id: str
    session_id: str | None
    turn_id: str | None
    agent_id: str
    source: JsonValue
    status: RunRegistryStatus
    runtime_package_id: str
    runtime_package_fingerprint: str
    provider_route_id: str
    provider_model_id: str
    cancelled: bool = False

    def snapshot(self) -> RunSnapshot:
        """``RegisteredRun::snapshot``."""
        return RunSnapshot(
            run_id=self.run_id,
            session_id=self.session_id,
            turn_id=self.turn_id,
            agent_id=self.agent_id,
            source=self.source,
            status=self.status,
            runtime_package_id=self.runtime_package_id,
            runtime_package_fingerprint=self.runtime_package_fingerprint,
            provider_route_id=self.provider_route_id,
            provider_model_id=self.provider_model_id,
            cancellation_requested=self.cancelled,
        )


@attrs.frozen(kw_only=True)
class EffectiveRuntimePackage:
    """``EffectiveRuntimePackage``: the resolved package and its fingerprint."""

    __not_wire__: ClassVar[bool] = True

    package: RuntimePackage
    fingerprint: str


@attrs.frozen(kw_only=True)
class RunHandle:
    """``RunHandle`` as far as admission goes: the run id it controls."""

    __not_wire__: ClassVar[bool] = True

    run_id: str


def _unregistered(run_id: str) -> AgentError:
    return AgentError.new(
        AgentErrorKind.INVALID_STATE_TRANSITION,
        RetryClassification.REPAIR_NEEDED,
        "run is not registered with this runtime",
    ).with_run_id(run_id)


def registry_codes() -> frozenset[str]:
    """The codes the registry writes itself: the ladder's own rungs, and an unknown
    run's (``cancel_run``/``run_snapshot``). Rungs with no code of their own pass a
    port's or package's error through, whatever its code."""
    return frozenset({spec.code for spec in LADDER if spec.code} | {_unregistered("").code})


@attrs.frozen(kw_only=True)
class RunRegistry:
    """``AgentRuntime``: its configuration and its run registry (``runs``).

    Runs are never removed: cancelling marks a run, it does not free its id.
    """

    __not_wire__: ClassVar[bool] = True

    config: RuntimeConfig
    resolver: PackageResolver | None = None
    runs: Mapping[str, RegisteredRun] = attrs.field(factory=dict)

    def start_run(self, request: RunRequest) -> tuple[RunRegistry, Ok[RunHandle] | Err[AgentError]]:
        """``AgentRuntime::start_run``: climb :data:`LADDER`, register the run.

        The first failing rung decides the error. Note the order: the
        duplicate-run-id check is the *last* rung, so a request reusing a
        registered id is still resolved, hook-checked and shown to the policy
        — and is refused for whatever fails first (a policy denial beats the
        duplicate).
        """
        run_id = request.run_id
        for rung, attr, port_name in _PORTS:
            present = getattr(self.config, attr)
            if present is None or present is False:
                return self, Err(missing_port_error(port_name, run_id).at(rung))
        policy = self.config.policy
        assert policy is not None  # checked by the last port rung

        effective = self.resolve_effective_package(request)
        if isinstance(effective, Err):
            return self, effective
        package = effective.value.package

        route_id = package.provider_route.route_id
        if route_id not in self.config.providers:
            return self, Err(
                AgentError.new(
                    AgentErrorKind.PROVIDER_FAILURE,
                    RetryClassification.HOST_CONFIGURATION_NEEDED,
                    f"missing provider adapter for package route {route_id}",
                )
                .with_run_id(run_id)
                .at(Rung.PROVIDER_ROUTE)
            )

        hooks = package.validate_hook_specs()
        if isinstance(hooks, Err):
            return self, Err(hooks.error.with_run_id(run_id).at(Rung.HOOK_SPECS))
        for spec in package.hooks:
            if spec.executor_ref not in self.config.hook_executors:
                return self, Err(
                    AgentError.new(
                        AgentErrorKind.INVALID_PACKAGE,
                        RetryClassification.HOST_CONFIGURATION_NEEDED,
                        f"hook executor {spec.executor_ref} is not resolved before start_run",
                    )
                    .with_run_id(run_id)
                    .at(Rung.HOOK_EXECUTORS)
                )

        answer = policy.evaluate_run_start(request, package)
        if isinstance(answer, Err):  # propagated with `?`: no run id attached
            return self, Err(answer.error.at(Rung.POLICY_EVALUATION))
        outcome = answer.value
        if not outcome.is_allowed():
            return self, Err(
                AgentError(
                    kind=AgentErrorKind.POLICY_DENIAL,
                    retry=RetryClassification.USER_ACTION_NEEDED,
                    message=policy_denial_message(outcome.decision),
                    run_id=run_id,
                    source=request.source,
                    policy_refs=outcome.policy_refs,
                    rung=Rung.POLICY_DECISION,
                )
            )

        if run_id in self.runs:
            return self, Err(
                AgentError.new(
                    AgentErrorKind.INVALID_STATE_TRANSITION,
                    RetryClassification.NOT_RETRYABLE,
                    "run_id is already registered with this runtime",
                )
                .with_run_id(run_id)
                .at(Rung.DUPLICATE_RUN_ID)
            )
        entry = RegisteredRun(
            run_id=run_id,
            session_id=request.session_id,
            turn_id=request.turn_id,
            agent_id=request.agent_id,
            source=request.source,
            status=RunRegistryStatus.REGISTERED,
            runtime_package_id=package.package_id,
            runtime_package_fingerprint=effective.value.fingerprint,
            provider_route_id=route_id,
            provider_model_id=package.provider_route.model_id,
        )
        # The run-control store's register_run cannot fail for a new id.
        return attrs.evolve(self, runs={**self.runs, run_id: entry}), Ok(RunHandle(run_id=run_id))

    def resolve_effective_package(
        self, request: RunRequest
    ) -> Ok[EffectiveRuntimePackage] | Err[AgentError]:
        """``AgentRuntime::resolve_effective_package`` (rungs 5 to 11).

        Public upstream, and it checks none of the four ports. Every error a
        package or resolver answers with gets the run id attached.
        """
        run_id = request.run_id
        package_id = self.config.default_package_id
        if package_id is None:
            return Err(
                missing_port_error("default runtime package", run_id).at(Rung.DEFAULT_PACKAGE)
            )
        if self.resolver is None:
            return Err(
                missing_port_error("runtime package resolver", run_id).at(Rung.PACKAGE_RESOLVER)
            )
        resolved = self.resolver.resolve(package_id)
        if isinstance(resolved, Err):
            return Err(resolved.error.with_run_id(run_id).at(Rung.RESOLVE_PACKAGE))
        package = resolved.value
        if request.output_contract is not None:
            contracted = package.with_output_contract(request.output_contract)
            if isinstance(contracted, Err):
                return Err(contracted.error.with_run_id(run_id).at(Rung.OUTPUT_CONTRACT))
            package = contracted.value
        valid = package.validate()
        if isinstance(valid, Err):
            return Err(valid.error.with_run_id(run_id).at(Rung.VALIDATE_PACKAGE))
        if package.agent_id != request.agent_id:
            return Err(
                AgentError.new(
                    AgentErrorKind.INVALID_PACKAGE,
                    RetryClassification.HOST_CONFIGURATION_NEEDED,
                    "runtime package agent snapshot must match the run request agent_id",
                )
                .with_run_id(run_id)
                .at(Rung.AGENT_ID_MATCH)
            )
        fingerprint = package.compute_fingerprint()
        if isinstance(fingerprint, Err):
            return Err(fingerprint.error.with_run_id(run_id).at(Rung.FINGERPRINT))
        return Ok(EffectiveRuntimePackage(package=package, fingerprint=fingerprint.value))

    def cancel_run(self, run_id: str) -> tuple[RunRegistry, Ok[None] | Err[AgentError]]:
        """``AgentRuntime::cancel_run``: mark a registered run cancelled.

        Idempotent: cancelling again succeeds and changes nothing (the
        run-control store ignores a repeated request). An unknown id is
        ``InvalidStateTransition`` / ``RepairNeeded`` — a different
        classification from the duplicate start (``NotRetryable``).
        """
        entry = self.runs.get(run_id)
        if entry is None:
            return self, Err(_unregistered(run_id))
        cancelled = attrs.evolve(
            entry, cancelled=True, status=RunRegistryStatus.CANCELLATION_REQUESTED
        )
        return attrs.evolve(self, runs={**self.runs, run_id: cancelled}), Ok(None)

    def run_snapshot(self, run_id: str) -> Ok[RunSnapshot] | Err[AgentError]:
        """``AgentRuntime::run_snapshot``; unknown id as in :meth:`cancel_run`."""
        entry = self.runs.get(run_id)
        if entry is None:
            return Err(_unregistered(run_id))
        return Ok(entry.snapshot())

    def registered_run_count(self) -> int:
        """``AgentRuntime::registered_run_count``: every run ever admitted,
        cancelled ones included (upstream errs only on a poisoned lock)."""
        return len(self.runs)

    def events(self) -> Ok[None] | Err[AgentError]:
        """``AgentRuntime::events`` (and the ``subscribe_*`` family): the
        event bus, or the missing-port error *without* a run id."""
        if not self.config.event_bus:
            return Err(missing_runtime_port_error("agent event bus"))
        return Ok(None)
