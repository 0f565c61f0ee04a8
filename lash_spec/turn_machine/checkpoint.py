"""Checkpoint text and the redelivery rule of a restored machine (seed 003, @003).

``TurnMachine::checkpoint`` leaves the *outstanding* effect (the one the
waiting state waits on) out of ``pending_effects``; ``restore_from_checkpoint``
re-issues it from the state, once, after the remaining pending effects.
Compared with the machine that was checkpointed, a restored machine therefore
delivers the same effects except that the outstanding effect

* moves behind the other queued effects, if it was still queued;
* is delivered once more, if it had already been delivered;
* stays where it was, if the original was itself a restored machine that had
  not yet re-issued it.

:func:`expected_after_restore` states that rule as a function, for tests and
for hosts reasoning about at-least-once delivery.
"""

from __future__ import annotations

from collections.abc import Sequence

from lash_spec.model.sansio import ERA, Effect, TurnCheckpoint
from lash_spec.turn_machine.states import effect_id, outstanding_effect, outstanding_effect_id
from lash_spec.wire.codec import from_json, to_json

__all__ = ["checkpoint_text", "expected_after_restore", "parse_checkpoint"]


def checkpoint_text(checkpoint: TurnCheckpoint) -> str:
    """The serde JSON text of a checkpoint (what a host persists)."""
    return to_json(checkpoint)


def parse_checkpoint(text: str) -> TurnCheckpoint:
    """Read persisted checkpoint text back (serde's acceptance rules)."""
    return from_json(TurnCheckpoint, text, era=ERA)


def expected_after_restore(checkpoint: TurnCheckpoint, original: Sequence[Effect]) -> list[Effect]:
    """What a machine restored from ``checkpoint`` delivers, given what the
    checkpointed machine itself delivered next (``original``) under the same
    driver and config, with no response in between.

    Only the outstanding effect is affected: it ends up right after the
    ``len(checkpoint.pending_effects)`` other queued effects.
    """
    active = outstanding_effect_id(checkpoint.state)
    if active is None:
        return list(original)
    queued = len(checkpoint.pending_effects)
    effects = list(original)
    for index in range(min(queued + 1, len(effects))):
        if effect_id(effects[index]) == active:
            effects.insert(queued, effects.pop(index))
            return effects
    redelivered = outstanding_effect(checkpoint.state)
    assert redelivered is not None
    effects.insert(min(queued, len(effects)), redelivered)
    return effects
