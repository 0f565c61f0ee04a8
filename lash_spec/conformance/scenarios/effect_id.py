"""Seed 000 effect ids: ``ProcessCommand::effect_id`` for every variant.

Transfer ids hash the id list with hashlib over hand-written JSON here, an
independent check of the model's stable hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from lash_spec.conformance.corpus import CaseSpec, FileSpec, call
from lash_spec.conformance.scenarios._gen import draw, gen_case, serde_reads_exactly, unique
from lash_spec.wire.codec import to_wire

REGISTRATION = {
    "id": "proc/1",
    "input": {"type": "external", "metadata": None},
    "provenance": {"originator": {"type": "host"}, "host_profile_id": "h"},
}


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


HAND: list[tuple[str, dict[str, Any], str]] = [
    ("start", {"op": "start", "registration": REGISTRATION}, "process:start:proc/1"),
    (
        "list/default-mode-live",
        {"op": "list", "session_scope": {"session_id": "s"}},
        "process:list:session:s:live",
    ),
    (
        "list/frame-all",
        {"op": "list", "session_scope": {"session_id": "s", "agent_frame_id": "f"}, "mode": "all"},
        "process:list:session:s/frame:f:all",
    ),
    (
        "list/empty-frame-ignored",
        {"op": "list", "session_scope": {"session_id": "s", "agent_frame_id": ""}, "mode": "all"},
        "process:list:session:s:all",
    ),
    (
        "transfer/order-and-duplicates-matter",
        {
            "op": "transfer",
            "from_scope": {"session_id": "a"},
            "to_scope": {"session_id": "b", "agent_frame_id": "f"},
            "process_ids": ["p2", "p1", "p1"],
        },
        "process:transfer:session:a:session:b/frame:f:" + _sha('["p2","p1","p1"]'),
    ),
    (
        "transfer/empty",
        {
            "op": "transfer",
            "from_scope": {"session_id": "a"},
            "to_scope": {"session_id": "b"},
            "process_ids": [],
        },
        "process:transfer:session:a:session:b:" + _sha("[]"),
    ),
    (
        "transfer/escaped-ids",
        {
            "op": "transfer",
            "from_scope": {"session_id": "a"},
            "to_scope": {"session_id": "b"},
            "process_ids": ['"', "\x01", "é"],
        },
        "process:transfer:session:a:session:b:" + _sha('["\\"","\\u0001","é"]'),
    ),
    (
        "delete_session/hyphen",
        {"op": "delete_session", "session_id": "s"},
        "process:delete-session:s",
    ),
    ("await", {"op": "await", "process_id": "p"}, "process:await:p"),
    (
        "cancel/reason-ignored",
        {"op": "cancel", "process_id": "p", "reason": "why"},
        "process:cancel:p",
    ),
    (
        "signal",
        {
            "op": "signal",
            "process_id": "p",
            "signal_name": "wake",
            "signal_id": "7",
            "request": {"event_type": "e", "payload": None},
        },
        "process:signal:p:signal.wake:7",
    ),
]


def _effect_ids() -> Iterable[CaseSpec]:
    for name, command, expected in HAND:
        yield CaseSpec(
            f"effect_id/{name}",
            "derived from the command alone",
            call("ProcessCommand::effect_id", [command], expect=expected),
        )
        yield CaseSpec(
            f"command/process/{name}",
            "RuntimeEffectCommand::process boxes the command",
            call("RuntimeEffectCommand::process", [command]),
        )
    from lash_spec.model.effect_id import ProcessCommand
    from lash_spec.strategies import strategy_for

    for command in draw(strategy_for(ProcessCommand), 80):
        wire = to_wire(command)
        if serde_reads_exactly(wire):
            yield gen_case(
                "effect_id", "generated process command", call("ProcessCommand::effect_id", [wire])
            )
            yield gen_case(
                "command/process",
                "generated process command",
                call("RuntimeEffectCommand::process", [wire]),
            )


def files() -> Iterable[FileSpec]:
    yield FileSpec(
        name="000-effect-id",
        seed="000",
        concept="effect_id",
        description=(
            "ProcessCommand::effect_id for every variant (transfer hashes its id list);"
            " RuntimeEffectCommand::process"
        ),
        cases=unique(list(_effect_ids())),
    )
