"""Ops of seed 000 (envelope.rs): envelopes, invocations, effect ids, outcomes.

Each row names the Rust function as the seed writes it, its argument types
(``self`` first) and its result type; see :class:`lash_spec.conformance.ops.Op`.
"""

from __future__ import annotations

from operator import methodcaller
from typing import Any

from lash_spec.conformance.ops import Op
from lash_spec.model.causal import CausalRef
from lash_spec.model.effect_id import ProcessCommand
from lash_spec.model.envelope import (
    LlmRequestSpec,
    RuntimeEffectCommand,
    RuntimeEffectEnvelope,
    RuntimeEffectKind,
    RuntimeInvocation,
    RuntimeScope,
)
from lash_spec.model.execution import ExecResponse
from lash_spec.model.executor import Resolution, RuntimeEffectControllerError
from lash_spec.model.llm import LlmRequest, LlmResponse
from lash_spec.model.outcome import (
    ProcessEffectOutcome,
    RuntimeEffectOutcome,
    ToolCallEffectOutcome,
)
from lash_spec.model.sansio import (
    CheckpointDelivery,
    CompletedToolCall,
    ExecutionEnvironmentSync,
    LlmCallError,
)
from lash_spec.wire.types import Err, Ok, Usize

_WRONG = "runtime_effect_wrong_outcome"


def _envelope(name: str, args: tuple[Any, ...], fn: Any, result: Any, **kw: Any) -> Op:
    return Op(name=name, args=args, fn=fn, result=result, seed="000", concept="envelope", **kw)


def _outcome(name: str, fn: Any, result: Any, *codes: str) -> Op:
    return Op(
        name=f"RuntimeEffectOutcome::{name}",
        args=(RuntimeEffectOutcome,),
        fn=fn,
        result=result,
        seed="000",
        concept="outcome",
        errors=codes or (_WRONG,),
    )


def _from_request(request: LlmRequest) -> LlmRequestSpec:
    from lash_spec.model.attachments import InMemoryAttachmentStore

    return LlmRequestSpec.from_request(request, InMemoryAttachmentStore())


OPS = [
    _envelope("RuntimeEffectKind::as_str", (RuntimeEffectKind,), RuntimeEffectKind.as_str, str),
    _envelope("RuntimeScope::new", (str,), RuntimeScope.new, RuntimeScope),
    _envelope(
        "RuntimeScope::for_turn", (str, str, Usize, Usize), RuntimeScope.for_turn, RuntimeScope
    ),
    _envelope(
        "RuntimeInvocation::effect",
        (RuntimeScope, str, RuntimeEffectKind, str),
        RuntimeInvocation.effect,
        RuntimeInvocation,
    ),
    _envelope(
        "RuntimeInvocation::with_caused_by",
        (RuntimeInvocation, CausalRef | None),
        RuntimeInvocation.with_caused_by,
        RuntimeInvocation,
    ),
    _envelope(
        "RuntimeInvocation::effect_id",
        (RuntimeInvocation,),
        RuntimeInvocation.effect_id,
        str | None,
    ),
    _envelope(
        "RuntimeInvocation::effect_kind",
        (RuntimeInvocation,),
        RuntimeInvocation.effect_kind,
        RuntimeEffectKind | None,
    ),
    _envelope(
        "RuntimeInvocation::replay_key",
        (RuntimeInvocation,),
        RuntimeInvocation.replay_key,
        str | None,
    ),
    _envelope(
        "RuntimeInvocation::causal_ref",
        (RuntimeInvocation,),
        RuntimeInvocation.causal_ref,
        CausalRef | None,
    ),
    _envelope(
        "RuntimeEffectEnvelope::try_new",
        (RuntimeInvocation, RuntimeEffectCommand),
        RuntimeEffectEnvelope.try_new,
        RuntimeEffectEnvelope,
        errors=(
            "runtime_effect_invocation_subject",
            "runtime_effect_invocation_kind",
            "runtime_effect_replay_required",
        ),
    ),
    _envelope(
        "RuntimeEffectEnvelope::stable_hash",
        (RuntimeEffectEnvelope,),
        RuntimeEffectEnvelope.stable_hash,
        str,
        order_dependent=True,  # a session_turn process input holds HashMaps
    ),
    _envelope(
        "RuntimeEffectCommand::kind",
        (RuntimeEffectCommand,),
        RuntimeEffectCommand.kind,
        RuntimeEffectKind,
    ),
    _envelope(
        "RuntimeEffectCommand::process",
        (ProcessCommand,),
        RuntimeEffectCommand.process,
        RuntimeEffectCommand,
    ),
    Op(
        name="ProcessCommand::effect_id",
        args=(ProcessCommand,),
        fn=methodcaller("effect_id"),  # dispatches to the variant
        result=str,
        seed="000",
        concept="effect_id",
        order_dependent=True,  # transfer: a hash of the process ids
    ),
    _envelope(
        "LlmRequestSpec::from_request",
        (LlmRequest,),
        _from_request,
        LlmRequestSpec,
        errors=(
            "runtime_effect_attachment_missing_reference",
            "runtime_effect_attachment_media_type",
        ),
        doc="with a fresh in-memory attachment store",
    ),
    _envelope(
        "LlmRequestSpec::into_request", (LlmRequestSpec,), LlmRequestSpec.into_request, LlmRequest
    ),
    Op(
        name="RuntimeEffectOutcome::kind",
        args=(RuntimeEffectOutcome,),
        fn=RuntimeEffectOutcome.kind,
        result=RuntimeEffectKind,
        seed="000",
        concept="outcome",
    ),
    _outcome(
        "into_llm_call",
        RuntimeEffectOutcome.into_llm_call,
        tuple[Ok[LlmResponse] | Err[LlmCallError], bool],
    ),
    _outcome(
        "into_direct_response",
        RuntimeEffectOutcome.into_direct_response,
        Ok[LlmResponse] | Err[LlmCallError],
    ),
    _outcome(
        "into_tool_call",
        RuntimeEffectOutcome.into_tool_call,
        CompletedToolCall,
        _WRONG,
        "runtime_effect_tool_call_pending",
    ),
    _outcome(
        "into_tool_call_effect", RuntimeEffectOutcome.into_tool_call_effect, ToolCallEffectOutcome
    ),
    _outcome("into_process", RuntimeEffectOutcome.into_process, ProcessEffectOutcome),
    _outcome("into_exec_code", RuntimeEffectOutcome.into_exec_code, Ok[ExecResponse] | Err[str]),
    _outcome(
        "into_checkpoint",
        RuntimeEffectOutcome.into_checkpoint,
        Ok[CheckpointDelivery] | Err[RuntimeEffectControllerError],
    ),
    _outcome(
        "into_sync_execution_environment",
        RuntimeEffectOutcome.into_sync_execution_environment,
        Ok[ExecutionEnvironmentSync | None] | Err[str],
    ),
    _outcome("into_await_event", RuntimeEffectOutcome.into_await_event, Resolution),
]
