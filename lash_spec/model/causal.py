"""``CausalRef`` — why a runtime effect, process or event happened.

Era: the union of @003 and @000/@002. ``trigger_occurrence`` exists only
from @000 on; decoding accepts it everywhere, which is what the seed-000 and
seed-002 types need (a seed-003 value never holds it).
"""

from __future__ import annotations

import attrs

from lash_spec.wire.codec import skip_none, tagged, variant
from lash_spec.wire.types import U64

__all__ = [
    "CausalRef",
    "CausalRefEffect",
    "CausalRefProcess",
    "CausalRefProcessEvent",
    "CausalRefSessionNode",
    "CausalRefToolCall",
    "CausalRefTriggerOccurrence",
    "CausalRefTurn",
]


@tagged(tag="type")
@attrs.frozen(kw_only=True)
class CausalRef:
    """``lash-core causal.rs`` ``CausalRef`` (internally tagged by ``type``)."""


@variant("turn")
@attrs.frozen(kw_only=True)
class CausalRefTurn(CausalRef):
    session_id: str
    turn_id: str


@variant("effect")
@attrs.frozen(kw_only=True)
class CausalRefEffect(CausalRef):
    session_id: str
    turn_id: str | None = skip_none()
    effect_id: str


@variant("tool_call")
@attrs.frozen(kw_only=True)
class CausalRefToolCall(CausalRef):
    session_id: str
    call_id: str


@variant("process")
@attrs.frozen(kw_only=True)
class CausalRefProcess(CausalRef):
    process_id: str


@variant("process_event")
@attrs.frozen(kw_only=True)
class CausalRefProcessEvent(CausalRef):
    process_id: str
    sequence: U64


@variant("trigger_occurrence")
@attrs.frozen(kw_only=True)
class CausalRefTriggerOccurrence(CausalRef):
    occurrence_id: str


@variant("session_node")
@attrs.frozen(kw_only=True)
class CausalRefSessionNode(CausalRef):
    session_id: str
    node_id: str
