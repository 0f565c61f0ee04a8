"""Ops of seed 003 (``lash-sansio/src/sansio/mod.rs`` @003) that are pure functions.

Only ``render_turn_causes_prompt`` qualifies: ``&[TurnCause] -> Option<String>``
(the slice as a JSON array, ``None`` as ``null``). The machine itself is
exercised by turn traces (docs/case-bodies.md, "Turn trace"), not call cases.
"""

from __future__ import annotations

from lash_spec.conformance.ops import Op
from lash_spec.model.sansio import TurnCause
from lash_spec.turn_machine.projector import render_turn_causes_prompt

OPS = [
    Op(
        name="render_turn_causes_prompt",
        args=(tuple[TurnCause, ...],),
        fn=render_turn_causes_prompt,
        result=str | None,
        seed="003",
        concept="turn_machine",
        doc="the `=== TURN EVENTS ===` block a projection appends; null without causes",
    ),
]
