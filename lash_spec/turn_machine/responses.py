"""``Response``: what the host hands back to the turn machine (seed 003, @003).

Upstream (``lash-sansio/src/sansio/mod.rs`` ``Response``) has no serde derive:
a response never crosses a wire. Turn traces (docs/case-bodies.md, "Turn trace") still need to
write one, so lash_spec defines its JSON as serde *would* derive it:
externally tagged, verbatim variant names, ``Result`` as ``{"Ok":..}`` /
``{"Err":..}``, nothing skipped (``text_streamed`` is a required ``bool``).

Era: @003 names (``ExecutionSurfaceSynced``, carrying an
``ExecutionSurfaceSync``); @000/@002 rename the variant to
``ExecutionEnvironmentSynced`` — not modelled, since traces are seed-003.
"""

from __future__ import annotations

import attrs

from lash_spec.model.execution import ExecResponse
from lash_spec.model.llm import LlmResponse
from lash_spec.model.sansio import (
    CheckpointDelivery,
    CompletedToolCall,
    EffectId,
    ExecutionSurfaceSync,
    LlmCallError,
)
from lash_spec.wire.codec import tagged, variant
from lash_spec.wire.types import Result

__all__ = [
    "RESPONSE_KINDS",
    "Response",
    "ResponseCheckpoint",
    "ResponseExecResult",
    "ResponseExecutionSurfaceSynced",
    "ResponseLlmComplete",
    "ResponseToolResults",
]


@tagged(rust_name="Response")
@attrs.frozen(kw_only=True)
class Response:
    """``Response``: the answer to one id-carrying :class:`~lash_spec.model.sansio.Effect`.

    Every variant names the effect it answers by ``id``; the machine ignores a
    response whose id or kind does not match its current waiting state.
    """

    @property
    def kind(self) -> str:
        """The Rust variant name (``"LlmComplete"`` …), the key of the transition table."""
        return _KIND_OF[type(self)]


@variant("ExecutionSurfaceSynced")
@attrs.frozen(kw_only=True)
class ResponseExecutionSurfaceSynced(Response):
    """``Ok(None)``: surface unchanged; ``Ok(Some(sync))``: new prompt and tools."""

    id: EffectId
    result: Result[ExecutionSurfaceSync | None, str]


@variant("LlmComplete")
@attrs.frozen(kw_only=True)
class ResponseLlmComplete(Response):
    """``text_streamed``: the host already streamed the text, so no ``TextDelta``."""

    id: EffectId
    result: Result[LlmResponse, LlmCallError]
    text_streamed: bool


@variant("ToolResults")
@attrs.frozen(kw_only=True)
class ResponseToolResults(Response):
    id: EffectId
    results: tuple[CompletedToolCall, ...]


@variant("ExecResult")
@attrs.frozen(kw_only=True)
class ResponseExecResult(Response):
    id: EffectId
    result: Result[ExecResponse, str]


@variant("Checkpoint")
@attrs.frozen(kw_only=True)
class ResponseCheckpoint(Response):
    id: EffectId
    delivery: CheckpointDelivery


_KIND_OF: dict[type, str] = {
    ResponseExecutionSurfaceSynced: "ExecutionSurfaceSynced",
    ResponseLlmComplete: "LlmComplete",
    ResponseToolResults: "ToolResults",
    ResponseExecResult: "ExecResult",
    ResponseCheckpoint: "Checkpoint",
}

RESPONSE_KINDS: tuple[str, ...] = tuple(_KIND_OF.values())
"""The five response kinds in Rust declaration order."""
