"""Ops of seed 002 (``lash-core/src/runtime/mod.rs``): turn input builders,
``AgentFrameRun`` accessors, ``TerminationPolicy::default``, ``TurnActivityId::new``.

Arguments are the Rust parameters in serde form, ``self`` first;
``impl IntoIterator<Item = (K, Vec<u8>)>`` is an array of ``[id, bytes]`` pairs.
Not listed: functions that draw random ids (``TurnActivityId::fresh``,
``TurnActivity::new``/``independent``) and ones over live, non-serde values
(``LiveTurnInputs``, ``TurnContext``) — they are tested directly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lash_spec.conformance.ops import Op
from lash_spec.model.snapshot import ProtocolTurnOptions
from lash_spec.model.turn_io import (
    DURABLE_EFFECT_LIVE_PLUGIN_INPUT,
    AgentFrameRun,
    AssembledTurn,
    InputItem,
    LiveTurnInputs,
    TerminationPolicy,
    TurnInput,
    empty,
    input_item_image_ref,
    input_item_text,
    items,
    text,
    turn_activity_id_new,
    with_image_blob,
    with_image_blobs,
    with_image_ref,
    with_protocol_turn_options,
    with_trace_turn_id,
)
from lash_spec.wire.types import Usize


def _op(name: str, args: tuple[Any, ...], fn: Callable[..., Any], result: Any, doc: str) -> Op:
    return Op(name=name, args=args, fn=fn, result=result, seed="002", concept="turn_io", doc=doc)


def _durable_effect_rejection(plugin_ids: tuple[str, ...]) -> None:
    live = LiveTurnInputs()
    for plugin_id in plugin_ids:
        live = live.insert(plugin_id, object())
    live.durable_effect_rejection()


OPS = [
    _op("InputItem::text", (str,), input_item_text, InputItem, "a text item"),
    _op("InputItem::image_ref", (str,), input_item_image_ref, InputItem, "an image_ref item"),
    _op("TurnInput::empty", (), empty, TurnInput, "no items, no blobs"),
    _op("TurnInput::text", (str,), text, TurnInput, "one text item"),
    _op("TurnInput::items", (tuple[InputItem, ...],), items, TurnInput, "these items"),
    _op(
        "TurnInput::with_image_blob",
        (TurnInput, str, bytes),
        with_image_blob,
        TurnInput,
        "insert one blob (no item)",
    ),
    _op(
        "TurnInput::with_image_blobs",
        (TurnInput, tuple[tuple[str, bytes], ...]),
        with_image_blobs,
        TurnInput,
        "extend the blobs; later ids overwrite",
    ),
    _op(
        "TurnInput::with_image_ref",
        (TurnInput, str, bytes),
        with_image_ref,
        TurnInput,
        "append an image_ref item and insert its blob",
    ),
    _op(
        "TurnInput::with_protocol_turn_options",
        (TurnInput, ProtocolTurnOptions),
        with_protocol_turn_options,
        TurnInput,
        "set the per-turn protocol options",
    ),
    _op(
        "TurnInput::with_trace_turn_id",
        (TurnInput, str),
        with_trace_turn_id,
        TurnInput,
        "set the trace turn id",
    ),
    _op(
        "AgentFrameRun::final_turn",
        (AgentFrameRun,),
        AgentFrameRun.final_turn,
        AssembledTurn | None,
        "the last turn or null",
    ),
    _op(
        "AgentFrameRun::into_final_turn",
        (AgentFrameRun,),
        AgentFrameRun.into_final_turn,
        AssembledTurn | None,
        "the last turn or null",
    ),
    _op(
        "AgentFrameRun::frame_switch_count",
        (AgentFrameRun,),
        AgentFrameRun.frame_switch_count,
        Usize,
        "turns whose outcome is agent_frame_switch",
    ),
    _op(
        "TerminationPolicy::default",
        (),
        TerminationPolicy.default,
        TerminationPolicy,
        "treat_missing_done_as_failure = true (the field's read default is false)",
    ),
    _op("TurnActivityId::new", (str,), turn_activity_id_new, str, "the string itself"),
    Op(
        name="LiveTurnInputs::durable_effect_rejection",
        args=(tuple[str, ...],),
        fn=_durable_effect_rejection,
        result=None,
        seed="002",
        concept="turn_io",
        errors=(DURABLE_EFFECT_LIVE_PLUGIN_INPUT,),
        doc=(
            "a durable-effect host refuses any live plugin input; LiveTurnInputs has no"
            " serde form, so the argument is its observable part, the plugin ids"
        ),
    ),
]
