"""The era-split types (wire-format §12): their ``ceb460d4`` forms, and cases
that show what changed from ``74941d21``; also the single variants and fields
that came or went, including since seed 003's ``e2e0b409``.

Seed 001 is declared at ``ceb460d4`` and is the seed that reaches these
types, so the file belongs to it. The hand-written cases state hand-derived
expectations; each case's eras are found by running it at every era, so the
``74941d21`` reading of the same input appears as a case holding there.
"""

from __future__ import annotations

from collections.abc import Iterable

from lash_spec.conformance.corpus import CaseSpec, FileSpec, call
from lash_spec.conformance.scenarios._gen import unique
from lash_spec.conformance.scenarios.decode import era_split_cases

_OLD, _NEW = "74941d21", "ceb460d4"
_HOST = {"type": "host"}
_TOOL_INPUT = {"type": "external", "metadata": None}


def _hand() -> Iterable[CaseSpec]:
    registration = {
        "id": "p1",
        "input": _TOOL_INPUT,
        "event_types": [],
        "provenance": {"originator": _HOST},
    }
    old_registration = {**registration, "provenance": {"originator": _HOST, "host_profile_id": "h"}}
    yield CaseSpec(
        "eras/registration-without-identity",
        "ceb460d4: a 74941d21 ProcessRegistration (no `identity`) is refused: required there",
        call("decode:ProcessRegistration", [old_registration], expect_err="decode", era=_NEW),
    )
    yield CaseSpec(
        "eras/registration-74941d21",
        "74941d21: the same registration reads and writes back unchanged",
        call("decode:ProcessRegistration", [old_registration], expect=old_registration, era=_OLD),
    )
    yield CaseSpec(
        "eras/registration-with-identity",
        "ceb460d4: `identity` follows `input`; a kind alone writes no label or definition",
        call(
            "decode:ProcessRegistration",
            [{**registration, "identity": {"kind": "external", "label": None}}],
            expect={
                "id": "p1",
                "input": _TOOL_INPUT,
                "identity": {"kind": "external"},
                "event_types": [],
                "provenance": {"originator": _HOST},
            },
            era=_NEW,
        ),
    )
    old_provenance = {"originator": _HOST, "host_profile_id": "h"}
    yield CaseSpec(
        "eras/provenance-host-profile-dropped",
        "74941d21 ProcessProvenance read at ceb460d4: accepted, `host_profile_id` dropped",
        call(
            "decode:ProcessProvenance",
            [old_provenance],
            expect={"originator": _HOST},
            era=_NEW,
        ),
    )
    yield CaseSpec(
        "eras/provenance-host-profile-kept",
        "74941d21: `host_profile_id` is a required field and is written back",
        call("decode:ProcessProvenance", [old_provenance], expect=old_provenance, era=_OLD),
    )
    yield CaseSpec(
        "eras/tool-call-kind",
        "74941d21: `tool_call` is an effect kind",
        call("decode:RuntimeEffectKind", ["tool_call"], expect="tool_call", era=_OLD),
    )
    yield CaseSpec(
        "eras/tool-call-kind-gone",
        "ceb460d4: `tool_call` is no effect kind (tool_attempt / tool_batch replace it)",
        call("decode:RuntimeEffectKind", ["tool_call"], expect_err="decode", era=_NEW),
    )
    yield CaseSpec(
        "eras/tool-attempt-kind",
        "ceb460d4: `tool_attempt` is an effect kind",
        call("decode:RuntimeEffectKind", ["tool_attempt"], expect="tool_attempt", era=_NEW),
    )
    yield CaseSpec(
        "eras/blank-tool-id",
        "ceb460d4: a blank ToolId is refused on read",
        call("decode:ToolId", ["  "], expect_err="decode", era=_NEW),
    )
    yield CaseSpec(
        "eras/blank-tool-id-accepted",
        "74941d21: a ToolId reads any string, blank included",
        call("decode:ToolId", ["  "], expect="  ", era=_OLD),
    )


_TURN = "e2e0b409"  # seed 003's era


def _gated() -> Iterable[CaseSpec]:
    """The variants and fields that came or went (wire-format §8; eras.md)."""
    switch = {"agent_frame_switch": {"frame_id": "f"}}
    with_task = {"agent_frame_switch": {"frame_id": "f", "task": "t"}}
    yield CaseSpec(
        "eras/frame-switch-without-task",
        "e2e0b409: AgentFrameSwitch has only `frame_id`; a `task` key is unknown and ignored",
        call("decode:TurnOutcome", [with_task], expect=switch, era=_TURN),
    )
    yield CaseSpec(
        "eras/frame-switch-task-required",
        "74941d21 on: `task` is a required string",
        call("decode:TurnOutcome", [switch], expect_err="decode", era=_OLD),
    )
    trigger = {"type": "trigger_occurrence", "occurrence_id": "o"}
    yield CaseSpec(
        "eras/trigger-occurrence-cause",
        "74941d21 on: `trigger_occurrence` is a CausalRef",
        call("decode:CausalRef", [trigger], expect=trigger, era=_OLD),
    )
    yield CaseSpec(
        "eras/trigger-occurrence-unknown",
        "e2e0b409: CausalRef has no `trigger_occurrence` variant",
        call("decode:CausalRef", [trigger], expect_err="decode", era=_TURN),
    )
    surface = {"SyncExecutionSurface": {"id": 1, "update_machine_config": True}}
    environment = {"SyncExecutionEnvironment": {"id": 1, "update_machine_config": True}}
    yield CaseSpec(
        "eras/sync-execution-surface",
        "e2e0b409: the turn machine's sync effect is `SyncExecutionSurface`",
        call("decode:Effect", [surface], expect=surface, era=_TURN),
    )
    yield CaseSpec(
        "eras/sync-execution-environment",
        "74941d21 on: it is renamed `SyncExecutionEnvironment` (same fields)",
        call("decode:Effect", [environment], expect=environment, era=_OLD),
    )
    code = {"ExecCode": {"id": 2, "code": "x"}}
    code_language = {"ExecCode": {"id": 2, "language": "py", "code": "x"}}
    yield CaseSpec(
        "eras/exec-code-language",
        "ceb460d4: ExecCode carries a required `language` between `id` and `code`",
        call("decode:Effect", [code_language], expect=code_language, era=_NEW),
    )
    yield CaseSpec(
        "eras/exec-code-language-ignored",
        "before ceb460d4: a `language` key is unknown and ignored",
        call("decode:Effect", [code_language], expect=code, era=_OLD),
    )
    yield CaseSpec(
        "eras/exec-code-without-language",
        "ceb460d4: an ExecCode without `language` is refused",
        call("decode:Effect", [code], expect_err="decode", era=_NEW),
    )


def files() -> Iterable[FileSpec]:
    yield FileSpec(
        name="001-eras",
        seed="001",
        concept="eras",
        description=(
            "the era-split types read at ceb460d4 (seed 001's era), and cases showing"
            " what changed from 74941d21"
        ),
        cases=unique([*_hand(), *_gated(), *era_split_cases(_NEW)]),
    )
