"""Execution-context rules — seed 001, ``lash-core/src/session/execution_context.rs`` (ceb460d4).

``RuntimeExecutionContext`` is
the per-turn bridge that tools and code execution use to reach the runtime.
Upstream it holds stores, channels, a cancellation token and the effect
controller. Only its *decisions* are modelled here. Each is a pure function
of serde values or plain values:

* scope derivation: :meth:`RuntimeExecutionContext.session_scope`,
  :meth:`~RuntimeExecutionContext.execution_scope_id`, the trigger-registration
  defaults, spawn provenance;
* execution-env capture: which process inputs get an env ref, and which ref
  (:meth:`~RuntimeExecutionContext.captured_process_execution_env_ref`);
* the requests the effectful methods send: ``sleep_process``,
  ``await_process_signal_event`` and ``signal_process_by_id`` build
  envelopes from the upstream helpers in ``runtime/causal.rs``
  (:func:`process_sleep_invocation` …). Upstream these are not in the seed.
  They were read at @002 for facts;
* how each of those methods reads the controller's answer
  (:func:`sleep_process_result`, :func:`await_process_signal_event_result`,
  :func:`signal_process_by_id_result`), and the await-event resolution a
  signal triggers (:func:`signal_waiting_ordinal`);
* run-local bookkeeping (``record_started_process`` / ``is_run_local_process``).

**Extraction.** Where the Rust method reads ``self``, the Python function
takes the fields it reads, which are plain or serde values. A method that
awaits the effect controller becomes two steps. One pure step builds what is
sent, an envelope or a command. The other maps what comes back, a
``RuntimeEffectOutcome``. The I/O between them (stores, registries, HMAC
key signing, cancellation, clocks) stays out. Rules reject input with
``LashError`` and the seed's stable code.

**Era.** Seed 001 is declared at ``ceb460d4`` (:data:`ERA`): its functions
take and return that commit's forms of the era-split types, imported once
above from :mod:`lash_spec.model.ceb460d4` (``identity`` on registrations,
``engine`` process inputs, ``tool_attempt``/``tool_batch``/``durable_step``
effects, the stricter ``ProcessExecutionEnvSpec`` and ``ToolId`` reads).
The capture rule follows the seed: ``tool_call`` and ``engine`` capture,
``external`` and ``session_turn`` do not.
"""

from __future__ import annotations

import attrs

from lash_spec.model import ceb460d4 as era
from lash_spec.model.ceb460d4 import (
    ProcessExecutionEnvSpec,
    ProcessInput,
    ProcessInputExternal,
    ProcessInputSessionTurn,
    ProcessRecord,
    ProcessRegistration,
    RuntimeEffectCommandAwaitEvent,
    RuntimeEffectCommandProcess,
    RuntimeEffectCommandSleep,
    RuntimeEffectKind,
    RuntimeEffectOutcome,
    RuntimeEffectOutcomeSleep,
)
from lash_spec.model.effect_id import ProcessCommandSignal
from lash_spec.model.envelope import (
    RuntimeEffectEnvelope,
    RuntimeInvocation,
    RuntimeReplay,
    RuntimeScope,
    RuntimeSubjectEffect,
)
from lash_spec.model.executor import (
    AwaitEventKey,
    AwaitEventWaitIdentityProcessSignal,
    ExecutionScope,
    ExecutionScopeProcess,
    Resolution,
    ResolutionCancelled,
    ResolutionErr,
    ResolutionOk,
    ResolutionTimeout,
)
from lash_spec.model.outcome import ProcessEffectOutcomeSignal
from lash_spec.model.process import (
    ProcessEvent,
    ProcessEventAppendRequest,
    ProcessExecutionContext,
    ProcessHandleDescriptor,
    ProcessOriginator,
    ProcessOriginatorSession,
    SessionScope,
    WaitKindSignal,
)
from lash_spec.wire.errors import LashError
from lash_spec.wire.types import JsonValue

__all__ = [
    "PROCESS_SIGNAL_WAIT_CANCELLED",
    "PROCESS_SIGNAL_WAIT_TIMEOUT",
    "RUNTIME_EFFECT_WRONG_OUTCOME",
    "SIGNAL_NAME_INVALID",
    "ProcessSpawnProvenance",
    "RuntimeExecutionContext",
    "StartChildProcessPlan",
    "await_process_signal_event_result",
    "captures_process_execution_env",
    "child_effect_invocation",
    "process_await_event_invocation",
    "process_effect_invocation",
    "process_handle_json",
    "process_signal_await_target",
    "process_signal_event_type",
    "process_sleep_invocation",
    "session_scope_for",
    "signal_process_by_id_result",
    "signal_replay_key",
    "signal_resolves_await",
    "signal_waiting_ordinal",
    "sleep_process_result",
    "validate_process_signal_name",
]

RUNTIME_EFFECT_WRONG_OUTCOME = "runtime_effect_wrong_outcome"
PROCESS_SIGNAL_WAIT_TIMEOUT = "process_signal_wait_timeout"
PROCESS_SIGNAL_WAIT_CANCELLED = "process_signal_wait_cancelled"
ERA = era.ERA
"""The era of seed 001's functions (see :mod:`lash_spec.eras`)."""

SIGNAL_NAME_INVALID = "plugin"
"""An invalid signal name is a ``PluginError::Session``. The seed's ``?``
turns it into a ``RuntimeEffectControllerError`` with code ``plugin``
(executor.rs ``From<PluginError>``)."""


@attrs.frozen(kw_only=True)
class ProcessSpawnProvenance:
    """model.rs ``ProcessSpawnProvenance`` (no serde derive upstream): what a
    process-run context hands to the children it starts."""

    __not_wire__ = True

    originator: ProcessOriginator
    wake_target: SessionScope | None


# ---------------------------------------------------------------------------
# Free rules
# ---------------------------------------------------------------------------


def session_scope_for(session_id: str, agent_frame_id: str) -> SessionScope:
    """Seed ``RuntimeExecutionContext::session_scope``: an empty frame id
    (exactly ``""``; whitespace counts as a frame) gives ``SessionScope::new``
    with no ``agent_frame_id`` key. Any other frame id gives
    ``for_agent_frame``."""
    if agent_frame_id == "":
        return SessionScope(session_id=session_id)
    return SessionScope(session_id=session_id, agent_frame_id=agent_frame_id)


def captures_process_execution_env(process_input: ProcessInput) -> bool:
    """Seed ``attach_captured_process_execution_env``: the inputs that capture
    an env ref are ``tool_call`` and ``engine``; ``external`` and
    ``session_turn`` run without one."""
    return not isinstance(process_input, ProcessInputExternal | ProcessInputSessionTurn)


def process_handle_json(process_id: str) -> JsonValue:
    """``RuntimeExecutionContext::process_handle_json`` (session/process_handles.rs,
    called by the seed's ``start_child_process``): the handle value returned
    to the caller on success."""
    return {"__handle__": "process", "id": process_id}


def validate_process_signal_name(signal_name: str) -> None:
    """events.rs ``validate_process_signal_name``, which the seed reaches
    through ``process_signal_event_type``. A name must be non-empty ASCII
    letters, digits, ``_`` or ``-``. Otherwise this raises ``plugin`` (see
    :data:`SIGNAL_NAME_INVALID`)."""
    ok = signal_name != "" and all(
        (ch.isascii() and ch.isalnum()) or ch in "_-" for ch in signal_name
    )
    if not ok:
        raise LashError(
            SIGNAL_NAME_INVALID,
            "plugin session error: process signal name must be non-empty and contain only"
            f" ASCII letters, digits, `_`, or `-`, got `{signal_name}`",
        )


def process_signal_event_type(signal_name: str) -> str:
    """events.rs ``process_signal_event_type``: ``signal.{name}`` once the name
    is valid. Raises ``plugin``."""
    validate_process_signal_name(signal_name)
    return f"signal.{signal_name}"


def signal_replay_key(process_id: str, signal_name: str, signal_id: str) -> str:
    """Seed ``signal_process_by_id``: the append request's replay key,
    ``process:{pid}:signal.{name}:{signal_id}``. No escaping is done.

    It differs from the command's effect id, which is prefixed
    ``process:signal:``, and from the envelope's replay key, which comes from
    :func:`process_effect_invocation`.
    """
    return f"process:{process_id}:signal.{signal_name}:{signal_id}"


def process_signal_await_target(
    process_id: str, signal_name: str, ordinal: int
) -> tuple[ExecutionScope, AwaitEventWaitIdentityProcessSignal]:
    """Seed ``await_process_signal_event`` / ``signal_process_by_id``: the
    scope and wait identity whose await-event key they ask the controller
    for. The key's ``key_id`` is the stable hash of this pair. Its signature
    is controller-private."""
    return (
        ExecutionScopeProcess(process_id=process_id),
        AwaitEventWaitIdentityProcessSignal(
            process_id=process_id, signal_name=signal_name, ordinal=ordinal
        ),
    )


# -- runtime/causal.rs helpers the seed calls (@002) --------------------------


def child_effect_invocation(
    parent: RuntimeInvocation, effect_id: str, kind: RuntimeEffectKind, replay_suffix: str
) -> RuntimeInvocation:
    """causal.rs ``child_effect_invocation``: the parent's scope and cause.
    The replay key is ``{base}:{suffix}``, where base is the parent's replay
    key (an empty key still counts), else the parent's effect id, else
    ``effect``."""
    base = parent.replay_key()
    if base is None:
        base = parent.effect_id()
    if base is None:
        base = "effect"
    return RuntimeInvocation(
        scope=parent.scope,
        subject=RuntimeSubjectEffect(effect_id=effect_id, kind=kind),
        caused_by=parent.causal_ref(),
        replay=RuntimeReplay(key=f"{base}:{replay_suffix}"),
    )


def _process_child_invocation(
    session_id: str, parent: RuntimeInvocation | None, suffix: str, kind: RuntimeEffectKind
) -> RuntimeInvocation:
    if parent is not None:
        parent_effect_id = parent.effect_id()
        if parent_effect_id is None:
            parent_effect_id = "effect"
        return child_effect_invocation(parent, f"{parent_effect_id}:{suffix}", kind, suffix)
    return RuntimeInvocation.effect(RuntimeScope.new(session_id), suffix, kind, suffix)


def process_sleep_invocation(
    session_id: str, parent: RuntimeInvocation | None, scope: str, sequence: int
) -> RuntimeInvocation:
    """causal.rs ``process_sleep_invocation`` (seed ``sleep_process``). The
    suffix is ``process:{scope}:sleep:{sequence}``. Without a parent, the
    suffix is both effect id and replay key, in ``RuntimeScope::new(session_id)``.
    With a parent, this is a :func:`child_effect_invocation` with effect id
    ``{parent effect id or "effect"}:{suffix}``, and ``session_id`` is
    ignored."""
    suffix = f"process:{scope}:sleep:{sequence}"
    return _process_child_invocation(session_id, parent, suffix, RuntimeEffectKind.SLEEP)


def process_await_event_invocation(
    session_id: str,
    parent: RuntimeInvocation | None,
    process_id: str,
    signal_name: str,
    ordinal: int,
) -> RuntimeInvocation:
    """causal.rs ``process_await_event_invocation`` (seed
    ``await_process_signal_event``). Same construction as
    :func:`process_sleep_invocation`, with the suffix
    ``process:{pid}:signal.{name}:await:{ordinal}`` and kind ``await_event``."""
    suffix = f"process:{process_id}:signal.{signal_name}:await:{ordinal}"
    return _process_child_invocation(session_id, parent, suffix, RuntimeEffectKind.AWAIT_EVENT)


def process_effect_invocation(
    session_id: str, parent: RuntimeInvocation | None, effect_id: str
) -> RuntimeInvocation:
    """causal.rs ``process_effect_invocation`` (seed ``signal_process_by_id``).

    Without a parent: scope ``RuntimeScope::new(session_id)`` and replay key
    ``{session_id}:{effect_id}``. With a parent: the scope is ``session_id``,
    plus the parent's turn id, turn index and protocol iteration when the
    parent has a turn id (otherwise the session alone). The cause is the
    parent's causal ref. The replay key is ``{parent replay key or
    "process"}:{effect_id}``; the parent's effect id is *not* used as a
    fallback.
    """
    if parent is None:
        return RuntimeInvocation.effect(
            RuntimeScope.new(session_id),
            effect_id,
            RuntimeEffectKind.PROCESS,
            f"{session_id}:{effect_id}",
        )
    if parent.scope.turn_id is not None:
        scope = RuntimeScope(
            session_id=session_id,
            turn_id=parent.scope.turn_id,
            turn_index=parent.scope.turn_index,
            protocol_iteration=parent.scope.protocol_iteration,
        )
    else:
        scope = RuntimeScope.new(session_id)
    base = parent.replay_key()
    if base is None:
        base = "process"
    return RuntimeInvocation(
        scope=scope,
        subject=RuntimeSubjectEffect(effect_id=effect_id, kind=RuntimeEffectKind.PROCESS),
        caused_by=parent.causal_ref(),
        replay=RuntimeReplay(key=f"{base}:{effect_id}"),
    )


# -- reading the controller's answer -------------------------------------------


def sleep_process_result(outcome: RuntimeEffectOutcome) -> None:
    """Seed ``sleep_process``, after the effect: a ``sleep`` outcome is
    ``Ok(())``. Any other kind raises ``runtime_effect_wrong_outcome``."""
    if not isinstance(outcome, RuntimeEffectOutcomeSleep):
        raise LashError(
            RUNTIME_EFFECT_WRONG_OUTCOME,
            f"expected sleep outcome, got {outcome.kind().as_str()}",
        )


def await_process_signal_event_result(outcome: RuntimeEffectOutcome) -> JsonValue:
    """Seed ``await_process_signal_event``, after the effect. A non-await
    outcome raises ``runtime_effect_wrong_outcome``, via ``into_await_event``.
    Then the resolution is mapped:

    * ``ok`` gives its payload (the signal's payload);
    * ``err`` raises the external completion's *own* code and message, passed
      through unchanged, so the code can be anything, even one of the seed's
      codes;
    * ``timeout`` raises ``process_signal_wait_timeout``;
    * ``cancelled`` raises ``process_signal_wait_cancelled``.
    """
    resolution: Resolution = outcome.into_await_event()
    if isinstance(resolution, ResolutionOk):
        return resolution.value
    if isinstance(resolution, ResolutionErr):
        raise LashError(resolution.error.code, resolution.error.message)
    if isinstance(resolution, ResolutionTimeout):
        raise LashError(PROCESS_SIGNAL_WAIT_TIMEOUT, "process signal wait timed out")
    assert isinstance(resolution, ResolutionCancelled)
    raise LashError(PROCESS_SIGNAL_WAIT_CANCELLED, "process signal wait was cancelled")


def signal_process_by_id_result(outcome: RuntimeEffectOutcome) -> ProcessEvent:
    """Seed ``signal_process_by_id``, after the effect: the appended event of
    a ``process``/``signal`` outcome. Another kind, or another process op,
    raises ``runtime_effect_wrong_outcome``."""
    result = outcome.into_process()
    if isinstance(result, ProcessEffectOutcomeSignal):
        return result.event
    raise LashError(
        RUNTIME_EFFECT_WRONG_OUTCOME, f"expected signal outcome, got {type(result).__name__}"
    )


def signal_waiting_ordinal(
    record: ProcessRecord | None, signal_name: str, event_type: str
) -> int | None:
    """Seed ``signal_process_by_id``: which await ordinal a delivered signal
    resolves. When the process record waits on a ``signal`` with this name
    *and* event type, its ``ordinal`` is returned. In that case the wait
    state wins over the signal's own position. ``None`` means the runtime
    counts the events of this type through the new event's sequence
    (``count_events_through``, registry I/O) and uses that count."""
    if record is None or record.wait is None:
        return None
    kind = record.wait.kind
    if (
        isinstance(kind, WaitKindSignal)
        and kind.name == signal_name
        and kind.event_type == event_type
    ):
        return kind.ordinal
    return None


def signal_resolves_await(ordinal: int, payload: JsonValue) -> Resolution | None:
    """Seed ``signal_process_by_id``: an ordinal above 0 resolves the
    process-signal await event of that ordinal (:func:`process_signal_await_target`)
    with ``Ok(payload)``. The controller's answer to that resolve is ignored.
    An ordinal of 0 resolves nothing (``None``)."""
    return ResolutionOk(value=payload) if ordinal > 0 else None


# ---------------------------------------------------------------------------
# The context
# ---------------------------------------------------------------------------


def _default_env_spec() -> ProcessExecutionEnvSpec:
    return ProcessExecutionEnvSpec()


@attrs.frozen(kw_only=True)
class StartChildProcessPlan:
    """What seed ``start_child_process`` hands the process service: the
    registration, with an env ref attached when its input captures one, the
    start options (descriptor ``{kind, label}``, spawn provenance), the
    start's execution context, and the agent frame of the process scope.
    The service call itself is I/O. Only a successful start is recorded as
    run-local (:meth:`RuntimeExecutionContext.record_started_process`)."""

    __not_wire__ = True

    registration: ProcessRegistration
    descriptor: ProcessHandleDescriptor
    spawn_provenance: ProcessSpawnProvenance | None
    execution_context: ProcessExecutionContext
    scope_agent_frame_id: str | None


@attrs.frozen(kw_only=True)
class RuntimeExecutionContext:
    """The pure state of seed ``RuntimeExecutionContext``, with fields in Rust
    declaration order. ``agent_frame_id`` and ``execution_scope`` come from
    ``dispatch``: its frame id, and the scope of its effect controller.

    Stores, the trigger router, channels, the cancellation token and the
    phase probe are left out. So is the process-event context, which only
    gates whether ``append_process_event`` enqueues a wake delivery. Builders
    return a new context. ``started_process_ids`` is the run-local set that
    clones share upstream through an ``Arc<Mutex<…>>``.
    """

    __not_wire__ = True

    session_id: str
    agent_frame_id: str
    execution_scope: ExecutionScope
    execution_env_spec: ProcessExecutionEnvSpec = attrs.field(factory=_default_env_spec)
    process_originator: ProcessOriginator | None = None
    runtime_process_id: str | None = None
    process_env_ref: str | None = None
    process_wake_target: SessionScope | None = None
    parent_invocation: RuntimeInvocation | None = None
    started_process_ids: frozenset[str] = frozenset()

    # -- builders --------------------------------------------------------------

    def with_parent_invocation(self, invocation: RuntimeInvocation) -> RuntimeExecutionContext:
        """Seed ``with_parent_invocation``."""
        return attrs.evolve(self, parent_invocation=invocation)

    def with_execution_env_spec(self, spec: ProcessExecutionEnvSpec) -> RuntimeExecutionContext:
        """Seed ``with_execution_env_spec``."""
        return attrs.evolve(self, execution_env_spec=spec)

    def with_process_registration_context(
        self, registration: ProcessRegistration
    ) -> RuntimeExecutionContext:
        """Seed ``with_process_registration_context``: copy the registration's
        originator and id. Also copy its env ref and wake target, *overwriting*
        the context's with ``None`` when the registration has none."""
        return attrs.evolve(
            self,
            process_originator=registration.provenance.originator,
            runtime_process_id=registration.id,
            process_env_ref=registration.env_ref,
            process_wake_target=registration.wake_target,
        )

    # -- scopes ----------------------------------------------------------------

    def session_scope(self) -> SessionScope:
        """Seed ``session_scope``: see :func:`session_scope_for`."""
        return session_scope_for(self.session_id, self.agent_frame_id)

    def execution_scope_id(self) -> str:
        """Seed ``execution_scope_id``: ``ExecutionScope::id`` of the controller's
        scope. That is the turn id, process id, drain id, session id or
        operation id, never the session of a turn scope."""
        return self.execution_scope.id()

    def trigger_registration_originator(self) -> ProcessOriginator:
        """Seed ``trigger_registration_originator``: the process originator
        when set. Otherwise a ``session`` originator over :meth:`session_scope`."""
        if self.process_originator is not None:
            return self.process_originator
        return ProcessOriginatorSession(scope=self.session_scope())

    def trigger_registration_wake_target(self) -> SessionScope | None:
        """Seed ``trigger_registration_wake_target``: the process wake target
        when set, otherwise :meth:`session_scope`. The Rust type is ``Option``,
        but this never returns ``None``."""
        if self.process_wake_target is not None:
            return self.process_wake_target
        return self.session_scope()

    def process_spawn_provenance(self) -> ProcessSpawnProvenance | None:
        """Seed ``process_spawn_provenance``: present only in a process-run
        context, that is, with an originator set. It carries the wake target
        as is, which may be ``None``. There is no session-scope fallback,
        unlike the trigger defaults."""
        if self.process_originator is None:
            return None
        return ProcessSpawnProvenance(
            originator=self.process_originator, wake_target=self.process_wake_target
        )

    def process_scope_agent_frame_id(self) -> str | None:
        """Seed ``process_scope``: the process-op scope always carries
        ``Some(agent_frame_id)``, even ``Some("")``. Unlike :meth:`session_scope`,
        it does not test for an empty frame id."""
        return self.agent_frame_id

    # -- run-local bookkeeping -------------------------------------------------

    def record_started_process(self, process_id: str) -> RuntimeExecutionContext:
        """Seed ``record_started_process``: add to the run-local set (idempotent)."""
        return attrs.evolve(self, started_process_ids=self.started_process_ids | {process_id})

    def is_run_local_process(self, process_id: str) -> bool:
        """Seed ``is_run_local_process``: was this id started by this run?"""
        return process_id in self.started_process_ids

    # -- execution env ---------------------------------------------------------

    def captured_process_execution_env_ref(self) -> str:
        """Seed ``captured_process_execution_env_ref``: the inherited env ref
        when set, otherwise the spec's content-addressed ref. Upstream also
        stores the spec's bytes under that ref (I/O)."""
        if self.process_env_ref is not None:
            return self.process_env_ref
        return self.execution_env_spec.stable_ref()

    def attach_captured_process_execution_env(
        self, registration: ProcessRegistration
    ) -> ProcessRegistration:
        """Seed ``attach_captured_process_execution_env``: a registration that
        already has an env ref (even ``""``) is kept as is, and so is one
        whose input does not capture (:func:`captures_process_execution_env`).
        Any other registration gets :meth:`captured_process_execution_env_ref`."""
        if registration.env_ref is not None:
            return registration
        if not captures_process_execution_env(registration.input):
            return registration
        return attrs.evolve(registration, env_ref=self.captured_process_execution_env_ref())

    # -- effect requests ---------------------------------------------------------

    def start_child_process_plan(
        self, registration: ProcessRegistration, kind: str, label: str | None
    ) -> StartChildProcessPlan:
        """Seed ``start_child_process`` up to the service call (see
        :class:`StartChildProcessPlan`). The reply on success is
        :func:`process_handle_json` of the registration id. On failure it is an
        error reply carrying the error's text, and nothing is recorded."""
        return StartChildProcessPlan(
            registration=self.attach_captured_process_execution_env(registration),
            descriptor=ProcessHandleDescriptor(kind=kind, label=label),
            spawn_provenance=self.process_spawn_provenance(),
            execution_context=ProcessExecutionContext(causal_invocation=self.parent_invocation),
            scope_agent_frame_id=self.process_scope_agent_frame_id(),
        )

    def sleep_process_envelope(
        self, scope: str, sequence: int, duration_ms: int
    ) -> RuntimeEffectEnvelope:
        """Seed ``sleep_process``: the ``sleep`` envelope it executes."""
        invocation = process_sleep_invocation(
            self.session_id, self.parent_invocation, scope, sequence
        )
        return RuntimeEffectEnvelope.try_new(
            invocation, RuntimeEffectCommandSleep(duration_ms=duration_ms)
        )

    def await_process_signal_event_envelope(
        self, key: AwaitEventKey, process_id: str, signal_name: str, event_ordinal: int
    ) -> RuntimeEffectEnvelope:
        """Seed ``await_process_signal_event``: the ``await_event`` envelope for
        the key the controller issued, which is signed and so opaque here,
        for :func:`process_signal_await_target`."""
        invocation = process_await_event_invocation(
            self.session_id, self.parent_invocation, process_id, signal_name, event_ordinal
        )
        return RuntimeEffectEnvelope.try_new(invocation, RuntimeEffectCommandAwaitEvent(key=key))

    def signal_process_envelope(
        self, process_id: str, signal_name: str, signal_id: str, payload: JsonValue
    ) -> RuntimeEffectEnvelope:
        """Seed ``signal_process_by_id``: the ``process``/``signal`` envelope.
        The signal name is checked first and raises ``plugin``. The request
        appends event ``signal.{name}`` with the payload under
        :func:`signal_replay_key`. The invocation is
        :func:`process_effect_invocation` of the command's effect id."""
        event_type = process_signal_event_type(signal_name)
        command = ProcessCommandSignal(
            process_id=process_id,
            signal_name=signal_name,
            signal_id=signal_id,
            request=ProcessEventAppendRequest(
                event_type=event_type,
                payload=payload,
                replay=RuntimeReplay(key=signal_replay_key(process_id, signal_name, signal_id)),
            ),
        )
        invocation = process_effect_invocation(
            self.session_id, self.parent_invocation, command.effect_id()
        )
        return RuntimeEffectEnvelope.try_new(
            invocation, RuntimeEffectCommandProcess(command=command)
        )
