"""``TurnMachineConfig`` and its wire form in turn traces (seed 003, @003).

Upstream ``TurnMachineConfig<M>`` (``lash-sansio/src/sansio/mod.rs``) is not
serde: it holds two handles (protocol driver, projector) and
``turn_limit_final_message``, a shared closure ``Fn(String, usize) -> Message``
(``TurnLimitFinalMessage``). A turn trace writes the rest as CONFIG
(docs/case-bodies.md, "Turn trace", :class:`TraceConfig`): the closure becomes a Message
*template* whose strings have ``{message_id}`` / ``{max_turns}`` substituted.
``termination`` is ``UnitTurnProtocol::Termination`` = ``()``, always ``null``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs

from lash_spec.model.llm import GenerationOptions, LlmToolSpec
from lash_spec.model.sansio import ERA
from lash_spec.model.session import Message
from lash_spec.turn_machine.projector import ChatContextProjector, ContextProjector
from lash_spec.wire.codec import dflt, from_wire
from lash_spec.wire.errors import WireError
from lash_spec.wire.types import JsonValue, Usize, Value

if TYPE_CHECKING:
    from lash_spec.turn_machine.driver import ProtocolDriverHandle

__all__ = [
    "TraceConfig",
    "TurnLimitFinalMessage",
    "TurnMachineConfig",
    "message_template",
]

TurnLimitFinalMessage = Callable[[str, int], Message]
"""``TurnLimitFinalMessage``: ``(message_id, max_turns) -> Message``."""


@attrs.frozen(kw_only=True)
class TurnMachineConfig:
    """``TurnMachineConfig<UnitTurnProtocol>`` (fields in Rust order).

    Immutable here; the one upstream mutation (a successful
    ``ExecutionSurfaceSynced(Ok(Some(..)))`` replacing ``system_prompt`` and
    ``tool_specs``) makes the machine hold an evolved copy.
    """

    protocol_driver: ProtocolDriverHandle
    projector: ContextProjector = attrs.field(factory=ChatContextProjector)
    sync_execution_surface: bool = False
    model: str
    max_context_tokens: int | None = None
    max_turns: int | None = None
    model_variant: str | None = None
    generation: GenerationOptions = attrs.field(factory=GenerationOptions)
    run_session_id: str | None = None
    autonomous: bool = False
    tool_specs: tuple[LlmToolSpec, ...] = ()
    system_prompt: str = ""
    session_id: str
    emit_llm_trace: bool = False
    termination: None = None
    turn_limit_final_message: TurnLimitFinalMessage


_PLACEHOLDER = re.compile(r"\{(message_id|max_turns)\}")


def _substitute(value: Any, message_id: str, max_turns: int) -> Any:
    if isinstance(value, str):
        names = {"message_id": message_id, "max_turns": str(max_turns)}
        return _PLACEHOLDER.sub(lambda m: names[m.group(1)], value)
    if isinstance(value, list):
        return [_substitute(v, message_id, max_turns) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, message_id, max_turns) for k, v in value.items()}
    return value


def message_template(template: JsonValue) -> TurnLimitFinalMessage:
    """The closure a trace's ``turn_limit_final_message`` template stands for.

    Both placeholders are replaced in one pass inside string *values* at any
    depth, never in object keys (a substituted id containing ``{max_turns}``
    is not substituted again); then the result decodes as a ``Message``.
    :meth:`TraceConfig.from_wire` has already decoded the template as written,
    and substitution only changes the text of strings, which ``Message``
    constrains only to variant names (never containing braces): so this
    decode cannot fail for a template that passed there.
    """

    def build(message_id: str, max_turns: int) -> Message:
        return from_wire(Message, _substitute(template, message_id, max_turns), era=ERA)

    return build


@attrs.frozen(kw_only=True)
class TraceConfig:
    """CONFIG of a turn trace: ``TurnMachineConfig`` without its two handles.

    Decoded with :meth:`from_wire` (``max_*`` are ``usize``; ``generation``
    denies unknown fields; ``termination`` may be left out, it can only be
    ``null``); ``turn_limit_final_message`` is kept as the raw template.
    """

    sync_execution_surface: bool
    model: str
    max_context_tokens: Usize | None
    max_turns: Usize | None
    model_variant: str | None
    generation: GenerationOptions
    run_session_id: str | None
    autonomous: bool
    tool_specs: tuple[LlmToolSpec, ...]
    system_prompt: str
    session_id: str
    emit_llm_trace: bool
    termination: None = dflt(None)
    turn_limit_final_message: Value

    @classmethod
    def from_wire(cls, value: Any) -> TraceConfig:
        """Decode CONFIG, and the template as a ``Message`` as written.

        The template is checked here, when the machine is built, rather than
        when a turn limit first needs it: a bad template is a malformed body
        (``decode`` at ``turn_limit_final_message``), whether or not the trace
        ever reaches the limit.
        """
        config: TraceConfig = from_wire(cls, value, era=ERA)
        try:
            from_wire(Message, config.turn_limit_final_message, era=ERA)
        except WireError as err:
            raise err.at("turn_limit_final_message") from None
        return config

    def machine_config(self, driver: ProtocolDriverHandle) -> TurnMachineConfig:
        """The machine's config with ``driver`` and the ``ChatContextProjector``."""
        return TurnMachineConfig(
            protocol_driver=driver,
            projector=ChatContextProjector(),
            sync_execution_surface=self.sync_execution_surface,
            model=self.model,
            max_context_tokens=self.max_context_tokens,
            max_turns=self.max_turns,
            model_variant=self.model_variant,
            generation=self.generation,
            run_session_id=self.run_session_id,
            autonomous=self.autonomous,
            tool_specs=self.tool_specs,
            system_prompt=self.system_prompt,
            session_id=self.session_id,
            emit_llm_trace=self.emit_llm_trace,
            termination=None,
            turn_limit_final_message=message_template(self.turn_limit_final_message),
        )
