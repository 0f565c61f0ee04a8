"""``CausalRef`` — why a runtime effect, process or event happened.

Eras: ``trigger_occurrence`` came in at ``74941d21`` (seed 000); at
``e2e0b409`` (seed 003) the enum has no such variant, so there its tag is an
unknown variant and ``session_node`` is variant 5, not 6.
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


@variant("trigger_occurrence", since="74941d21")
@attrs.frozen(kw_only=True)
class CausalRefTriggerOccurrence(CausalRef):
    occurrence_id: str


@variant("session_node")
@attrs.frozen(kw_only=True)
class CausalRefSessionNode(CausalRef):
    session_id: str
    node_id: str
