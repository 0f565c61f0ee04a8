"""Ops of seed 001 (``lash-core/src/session/execution_context.rs`` @ceb460d4).

The args and results are the ``ceb460d4`` forms (:mod:`lash_spec.model.ceb460d4`),
the era of seed 001.

``RuntimeExecutionContext`` is live runtime state with no serde form, so its
methods take the context fields they read in place of ``self``, in struct
declaration order (``session_id``, then ``dispatch.agent_frame_id`` / the
controller's ``ExecutionScope``, then ``execution_env_spec``,
``process_originator``, ``process_env_ref``, ``process_wake_target``). Those
are followed by the method's own serde arguments in Rust order.

The three effectful methods (``sleep_process``, ``await_process_signal_event``,
``signal_process_by_id``) drop ``self`` and the live ``registry``. They take
one extra trailing argument, the ``RuntimeEffectOutcome`` the effect
controller answered. Their result is the method's ``Ok`` value. The
envelopes they send are built by the ``runtime/causal.rs`` helpers, which
are ops under their bare names.

Not listed, because their values have no serde form: ``process_spawn_provenance``,
``with_process_registration_context``, ``start_child_process``. They are tested
directly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lash_spec.conformance.ops import Op
from lash_spec.model.ceb460d4 import (
    ProcessExecutionEnvSpec,
    ProcessRegistration,
    RuntimeEffectKind,
    RuntimeEffectOutcome,
)
from lash_spec.model.context import (
    PROCESS_SIGNAL_WAIT_CANCELLED,
    PROCESS_SIGNAL_WAIT_TIMEOUT,
    RUNTIME_EFFECT_WRONG_OUTCOME,
    SIGNAL_NAME_INVALID,
    RuntimeExecutionContext,
    await_process_signal_event_result,
    child_effect_invocation,
    process_await_event_invocation,
    process_effect_invocation,
    process_handle_json,
    process_signal_event_type,
    process_sleep_invocation,
    session_scope_for,
    signal_process_by_id_result,
    sleep_process_result,
)
from lash_spec.model.envelope import RuntimeInvocation
from lash_spec.model.executor import ExecutionScope, ExecutionScopeRuntimeOperation
from lash_spec.model.process import ProcessEvent, ProcessOriginator, SessionScope
from lash_spec.wire.types import U64, Value


def _op(
    name: str,
    args: tuple[Any, ...],
    fn: Callable[..., Any],
    result: Any,
    doc: str,
    *errors: str,
    order_dependent: bool = False,
) -> Op:
    return Op(
        name=name,
        args=args,
        fn=fn,
        result=result,
        seed="001",
        concept="execution_context",
        errors=errors,
        doc=doc,
        order_dependent=order_dependent,
    )


_CTX = "RuntimeExecutionContext::"


def _ctx(
    session_id: str = "",
    agent_frame_id: str = "",
    *,
    spec: ProcessExecutionEnvSpec | None = None,
    originator: ProcessOriginator | None = None,
    env_ref: str | None = None,
    wake_target: SessionScope | None = None,
) -> RuntimeExecutionContext:
    # The fields an op does not pass are never read by that op's rule.
    return RuntimeExecutionContext(
        session_id=session_id,
        agent_frame_id=agent_frame_id,
        execution_scope=ExecutionScopeRuntimeOperation(operation_id="op"),
        execution_env_spec=spec if spec is not None else ProcessExecutionEnvSpec(),
        process_originator=originator,
        process_env_ref=env_ref,
        process_wake_target=wake_target,
    )


def _execution_scope_id(scope: ExecutionScope) -> str:
    return scope.id()


def _originator(
    session_id: str, agent_frame_id: str, originator: ProcessOriginator | None
) -> ProcessOriginator:
    return _ctx(session_id, agent_frame_id, originator=originator).trigger_registration_originator()


def _wake_target(
    session_id: str, agent_frame_id: str, wake_target: SessionScope | None
) -> SessionScope | None:
    return _ctx(
        session_id, agent_frame_id, wake_target=wake_target
    ).trigger_registration_wake_target()


def _is_run_local(started: tuple[str, ...], process_id: str) -> bool:
    ctx = _ctx()
    for pid in started:
        ctx = ctx.record_started_process(pid)
    return ctx.is_run_local_process(process_id)


def _captured_ref(spec: ProcessExecutionEnvSpec, env_ref: str | None) -> str:
    return _ctx(spec=spec, env_ref=env_ref).captured_process_execution_env_ref()


def _attach(
    spec: ProcessExecutionEnvSpec, env_ref: str | None, registration: ProcessRegistration
) -> ProcessRegistration:
    return _ctx(spec=spec, env_ref=env_ref).attach_captured_process_execution_env(registration)


def _sleep(scope: str, sequence: int, duration_ms: int, outcome: RuntimeEffectOutcome) -> None:
    del scope, sequence, duration_ms  # they shape the envelope, not the result
    sleep_process_result(outcome)


def _await(
    process_id: str, signal_name: str, event_ordinal: int, outcome: RuntimeEffectOutcome
) -> Any:
    del process_id, signal_name, event_ordinal
    return await_process_signal_event_result(outcome)


def _signal(
    process_id: str,
    signal_name: str,
    signal_id: str,
    payload: Any,
    outcome: RuntimeEffectOutcome,
) -> ProcessEvent:
    del process_id, signal_id, payload
    process_signal_event_type(signal_name)  # checked before any effect runs
    return signal_process_by_id_result(outcome)


OPS = [
    _op(
        f"{_CTX}session_scope",
        (str, str),
        session_scope_for,
        SessionScope,
        '[session_id, agent_frame_id]: agent_frame_id "" gives no frame key',
    ),
    _op(
        f"{_CTX}execution_scope_id",
        (ExecutionScope,),
        _execution_scope_id,
        str,
        "[the dispatch controller's ExecutionScope]: ExecutionScope::id",
    ),
    _op(
        f"{_CTX}trigger_registration_originator",
        (str, str, ProcessOriginator | None),
        _originator,
        ProcessOriginator,
        "[session_id, agent_frame_id, process_originator]: else session(session_scope)",
    ),
    _op(
        f"{_CTX}trigger_registration_wake_target",
        (str, str, SessionScope | None),
        _wake_target,
        SessionScope | None,
        "[session_id, agent_frame_id, process_wake_target]: else session_scope (never null)",
    ),
    _op(
        f"{_CTX}is_run_local_process",
        (tuple[str, ...], str),
        _is_run_local,
        bool,
        "[ids passed to record_started_process, process_id]",
    ),
    _op(
        f"{_CTX}captured_process_execution_env_ref",
        (ProcessExecutionEnvSpec, str | None),
        _captured_ref,
        str,
        "[execution_env_spec, process_env_ref]: the ref, else the spec's stable_ref",
        order_dependent=True,
    ),
    _op(
        f"{_CTX}attach_captured_process_execution_env",
        (ProcessExecutionEnvSpec, str | None, ProcessRegistration),
        _attach,
        ProcessRegistration,
        "[execution_env_spec, process_env_ref, registration]: tool_call/engine capture",
        order_dependent=True,
    ),
    _op(
        f"{_CTX}process_handle_json",
        (str,),
        process_handle_json,
        Value,
        '{"__handle__":"process","id":id} (process_handles.rs)',
    ),
    _op(
        f"{_CTX}sleep_process",
        (str, U64, U64, RuntimeEffectOutcome),
        _sleep,
        None,
        "[scope, sequence, duration_ms, controller outcome]: sleep outcome → null",
        RUNTIME_EFFECT_WRONG_OUTCOME,
    ),
    _op(
        f"{_CTX}await_process_signal_event",
        (str, str, U64, RuntimeEffectOutcome),
        _await,
        Value,
        "[process_id, signal_name, event_ordinal, controller outcome]: Resolution → "
        "payload or error; an `err` resolution passes its own code through",
        RUNTIME_EFFECT_WRONG_OUTCOME,
        PROCESS_SIGNAL_WAIT_TIMEOUT,
        PROCESS_SIGNAL_WAIT_CANCELLED,
    ),
    _op(
        f"{_CTX}signal_process_by_id",
        (str, str, str, Value, RuntimeEffectOutcome),
        _signal,
        ProcessEvent,
        "[process_id, signal_name, signal_id, payload, controller outcome]: the event",
        SIGNAL_NAME_INVALID,
        RUNTIME_EFFECT_WRONG_OUTCOME,
    ),
    _op(
        "process_sleep_invocation",
        (str, RuntimeInvocation | None, str, U64),
        process_sleep_invocation,
        RuntimeInvocation,
        "runtime/causal.rs: [session_id, parent, scope, sequence]",
    ),
    _op(
        "process_await_event_invocation",
        (str, RuntimeInvocation | None, str, str, U64),
        process_await_event_invocation,
        RuntimeInvocation,
        "runtime/causal.rs: [session_id, parent, process_id, signal_name, ordinal]",
    ),
    _op(
        "process_effect_invocation",
        (str, RuntimeInvocation | None, str),
        process_effect_invocation,
        RuntimeInvocation,
        "runtime/causal.rs: [session_id, parent, effect_id]",
    ),
    _op(
        "child_effect_invocation",
        (RuntimeInvocation, str, RuntimeEffectKind, str),
        child_effect_invocation,
        RuntimeInvocation,
        "runtime/causal.rs: [parent, effect_id, kind, replay_suffix]",
    ),
    _op(
        "ProcessExecutionEnvSpec::stable_ref",
        (ProcessExecutionEnvSpec,),
        ProcessExecutionEnvSpec.stable_ref,
        str,
        "process-env:sha256:{sha256 of the spec's compact serde JSON}",
        order_dependent=True,
    ),
]
