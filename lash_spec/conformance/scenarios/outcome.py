"""Seed 000 outcomes: ``RuntimeEffectOutcome::kind`` and every ``into_*`` accessor.

An accessor answers only its own kind (``runtime_effect_wrong_outcome``
otherwise); ``into_tool_call`` also refuses a pending launch.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lash_spec.conformance.corpus import CaseSpec, FileSpec, call
from lash_spec.conformance.scenarios._gen import draw, gen_case, serde_reads_exactly, unique
from lash_spec.wire.codec import to_wire

ACCESSORS = [
    "into_llm_call",
    "into_direct_response",
    "into_tool_call",
    "into_tool_call_effect",
    "into_process",
    "into_exec_code",
    "into_checkpoint",
    "into_sync_execution_environment",
    "into_await_event",
    "kind",
]


def _outcomes() -> Iterable[CaseSpec]:
    from lash_spec.model.outcome import RuntimeEffectOutcome
    from lash_spec.strategies import strategy_for

    hand: dict[str, dict[str, Any]] = {
        "sleep": {"type": "sleep"},
        "exec_code-err": {"type": "exec_code", "result": {"Err": "boom"}},
        "sync-none": {"type": "sync_execution_environment", "result": {"Ok": None}},
        "await-timeout": {"type": "await_event", "resolution": {"status": "timeout"}},
        "process-transfer": {"type": "process", "result": {"op": "transfer"}},
        "checkpoint-err": {"type": "checkpoint", "result": {"Err": {"code": "c", "message": "m"}}},
    }
    for name, outcome in hand.items():
        for accessor in ACCESSORS:
            yield CaseSpec(
                f"outcome/{accessor}/{name}",
                "an accessor answers only its own kind (runtime_effect_wrong_outcome otherwise)",
                call(f"RuntimeEffectOutcome::{accessor}", [outcome]),
            )
    for outcome in draw(strategy_for(RuntimeEffectOutcome), 60):
        wire = to_wire(outcome)
        if not serde_reads_exactly(wire):
            continue
        for accessor in ACCESSORS:
            yield gen_case(
                f"outcome/{accessor}",
                "generated outcome",
                call(f"RuntimeEffectOutcome::{accessor}", [wire]),
            )


def files() -> Iterable[FileSpec]:
    yield FileSpec(
        name="000-outcome",
        seed="000",
        concept="outcome",
        description=(
            "RuntimeEffectOutcome::kind and every into_* accessor,"
            " with wrong-outcome and pending codes"
        ),
        cases=unique(list(_outcomes())),
    )
