"""Era-gated variants and fields: each era decodes exactly its own commit's shape.

The expectations are written by hand from wire-format.md (§8 ``CausalRef``,
``TurnOutcome``; the sans-IO ``Effect``/``MachineState`` tables; "Renames
across commits"): ``trigger_occurrence`` and ``AgentFrameSwitch.task`` came
in at 74941d21, ``SyncExecutionSurface``/``WaitingExecutionSurface`` were
renamed ``…Environment`` there, and ``ExecCode``/``WaitingExec`` gained a
required ``language`` at ceb460d4.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from lash_spec.eras import EraRange, era_names
from lash_spec.model.causal import CausalRef, CausalRefSessionNode, CausalRefTriggerOccurrence
from lash_spec.model.sansio import Effect, MachineState, TurnCheckpoint
from lash_spec.model.session import TurnOutcome
from lash_spec.strategies import strategy_for
from lash_spec.wire.codec import from_json, shape_of, to_json, wire_era
from lash_spec.wire.errors import WireError

OLD, MID, NEW = "e2e0b409", "74941d21", "ceb460d4"

SURFACE = '{"SyncExecutionSurface":{"id":1,"update_machine_config":true}}'
ENVIRONMENT = '{"SyncExecutionEnvironment":{"id":1,"update_machine_config":true}}'
W_SURFACE = '{"WaitingExecutionSurface":{"effect_id":1,"update_machine_config":false}}'
W_ENVIRONMENT = '{"WaitingExecutionEnvironment":{"effect_id":1,"update_machine_config":false}}'
EXEC = '{"ExecCode":{"id":2,"code":"x"}}'
EXEC_LANG = '{"ExecCode":{"id":2,"language":"py","code":"x"}}'
W_EXEC = '{"WaitingExec":{"effect_id":2,"code":"x","driver_state":null}}'
W_EXEC_LANG = '{"WaitingExec":{"effect_id":2,"language":"py","code":"x","driver_state":null}}'
SWITCH = '{"agent_frame_switch":{"frame_id":"f"}}'
SWITCH_TASK = '{"agent_frame_switch":{"frame_id":"f","task":"t"}}'
TRIGGER = '{"type":"trigger_occurrence","occurrence_id":"o"}'

# (type, text, era) → the text written back, or the error's JSON path and message start
CASES: list[tuple[Any, str, str, str]] = [
    (Effect, SURFACE, OLD, SURFACE),
    (Effect, SURFACE, MID, "error $: unknown variant `SyncExecutionSurface`"),
    (Effect, SURFACE, NEW, "error $: unknown variant `SyncExecutionSurface`"),
    (Effect, ENVIRONMENT, OLD, "error $: unknown variant `SyncExecutionEnvironment`"),
    (Effect, ENVIRONMENT, MID, ENVIRONMENT),
    (Effect, ENVIRONMENT, NEW, ENVIRONMENT),
    (MachineState, W_SURFACE, OLD, W_SURFACE),
    (MachineState, W_SURFACE, NEW, "error $: unknown variant `WaitingExecutionSurface`"),
    (MachineState, W_ENVIRONMENT, OLD, "error $: unknown variant `WaitingExecutionEnvironment`"),
    (MachineState, W_ENVIRONMENT, MID, W_ENVIRONMENT),
    # language: an unknown (ignored) key before ceb460d4, a required string from it
    (Effect, EXEC, OLD, EXEC),
    (Effect, EXEC, MID, EXEC),
    (Effect, EXEC, NEW, "error $.ExecCode: missing field `language`"),
    (Effect, EXEC_LANG, OLD, EXEC),
    (Effect, EXEC_LANG, MID, EXEC),
    (Effect, EXEC_LANG, NEW, EXEC_LANG),
    (Effect, '{"ExecCode":{"id":2,"language":null,"code":"x"}}', MID, EXEC),
    (
        Effect,
        '{"ExecCode":{"id":2,"language":null,"code":"x"}}',
        NEW,
        "error $.ExecCode.language: invalid type: null, expected a string",
    ),
    (MachineState, W_EXEC, MID, W_EXEC),
    (MachineState, W_EXEC, NEW, "error $.WaitingExec: missing field `language`"),
    (MachineState, W_EXEC_LANG, OLD, W_EXEC),
    (MachineState, W_EXEC_LANG, NEW, W_EXEC_LANG),
    # task: ignored at e2e0b409, required from 74941d21
    (TurnOutcome, SWITCH, OLD, SWITCH),
    (TurnOutcome, SWITCH, MID, "error $.agent_frame_switch: missing field `task`"),
    (TurnOutcome, SWITCH, NEW, "error $.agent_frame_switch: missing field `task`"),
    (TurnOutcome, SWITCH_TASK, OLD, SWITCH),
    (TurnOutcome, SWITCH_TASK, MID, SWITCH_TASK),
    (TurnOutcome, SWITCH_TASK, NEW, SWITCH_TASK),
    (TurnOutcome, '{"agent_frame_switch":["f"]}', OLD, SWITCH),
    (
        TurnOutcome,
        '{"agent_frame_switch":["f"]}',
        MID,
        "error $.agent_frame_switch: invalid length 1",
    ),
    (TurnOutcome, '{"agent_frame_switch":["f","t"]}', MID, SWITCH_TASK),
    (CausalRef, TRIGGER, OLD, "error $.type: unknown variant `trigger_occurrence`"),
    (CausalRef, TRIGGER, MID, TRIGGER),
    (CausalRef, TRIGGER, NEW, TRIGGER),
]


@pytest.mark.parametrize(
    ("tp", "text", "era", "expected"),
    [pytest.param(*c, id=f"{c[0].__name__}-{c[2]}-{i}") for i, c in enumerate(CASES)],
)
def test_each_era_reads_its_own_shape(tp: Any, text: str, era: str, expected: str) -> None:
    if expected.startswith("error "):
        path, _, message = expected.removeprefix("error ").partition(": ")
        with pytest.raises(WireError) as info:
            from_json(tp, text, era=era)
        assert info.value.json_path == path
        assert info.value.message.startswith(message)
    else:
        assert to_json(from_json(tp, text, era=era)) == expected


def test_an_absent_variant_closes_up_the_indices() -> None:
    """Inside buffered content serde also names a variant by its index: at
    e2e0b409 ``session_node`` is CausalRef variant 5, later it is 6 (5 being
    ``trigger_occurrence``)."""
    shape = shape_of(CausalRef)
    five = {"type": 5, "session_id": "s", "node_id": "n", "occurrence_id": "o"}
    with wire_era(OLD):
        assert shape.decode(five, True) == CausalRefSessionNode(session_id="s", node_id="n")
        with pytest.raises(WireError, match="variant index 0 <= i < 6"):
            shape.decode({**five, "type": 6}, True)
    with wire_era(MID):
        assert shape.decode(five, True) == CausalRefTriggerOccurrence(occurrence_id="o")
        assert shape.decode({**five, "type": 6}, True) == CausalRefSessionNode(
            session_id="s", node_id="n"
        )


def test_unknown_variant_lists_only_the_eras_variants() -> None:
    with pytest.raises(WireError) as info:
        from_json(CausalRef, '{"type":"x"}', era=OLD)
    assert "`trigger_occurrence`" not in info.value.message
    with pytest.raises(WireError) as info:
        from_json(CausalRef, '{"type":"x"}', era=NEW)
    assert "`trigger_occurrence`" in info.value.message


def test_a_checkpoint_reads_at_the_turn_machines_era() -> None:
    """The turn machine (seed 003) is at e2e0b409: its checkpoint text names the
    surface variants, and parse_checkpoint reads it whatever the caller's era."""
    from lash_spec.turn_machine.checkpoint import parse_checkpoint

    text = (
        f'{{"state":{W_SURFACE},"pending_effects":[{SURFACE}],"next_effect_id":2,'
        '"messages":[],"events":[],"protocol_iteration":0,"protocol_run_offset":0,'
        '"cumulative_usage":{"input_tokens":0,"output_tokens":0,"cached_input_tokens":0},'
        '"termination":{"turn_limit_final_scheduled":false},"synced_protocol_iteration":null}'
    )
    with wire_era(NEW):
        checkpoint = parse_checkpoint(text)
    assert to_json(checkpoint.pending_effects[0]) == SURFACE
    with pytest.raises(WireError, match="unknown variant `WaitingExecutionSurface`"):
        from_json(TurnCheckpoint, text, era=MID)


def test_era_ranges() -> None:
    assert EraRange(since=MID).eras() == (MID, NEW, "seed-004")
    assert EraRange(before=MID).eras() == (OLD,)
    assert EraRange(since=MID, before=NEW).eras() == (MID,)
    assert str(EraRange(since=MID)) == f"from {MID}"
    with pytest.raises(ValueError, match="empty era range"):
        EraRange(since=NEW, before=MID)
    with pytest.raises(ValueError, match="unknown era"):
        EraRange(since="0000000")


GATED = (Effect, MachineState, TurnOutcome, CausalRef)


@pytest.mark.parametrize("era", era_names())
def test_strategies_draw_the_eras_shape(era: str) -> None:
    """What is drawn at an era reads back at that era and writes the same text."""

    @settings(max_examples=60, database=None, suppress_health_check=list(HealthCheck))
    @given(value=strategy_for(Effect) | strategy_for(TurnOutcome) | strategy_for(CausalRef))
    def round_trip(value: Any) -> None:
        tp = next(t for t in GATED if isinstance(value, t))
        text = to_json(value)
        assert to_json(from_json(tp, text, era=era)) == text

    with wire_era(era):
        round_trip()
