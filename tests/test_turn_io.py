"""Seed 002 (``lash-core/src/runtime/mod.rs`` @002): turn I/O and the session
snapshot types it reaches.

Expectations are written by hand from the seed and wire-format.md §9 (and the
upstream sources it names), then the recorded examples are run as a whole.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lash_spec import LashError, from_wire, to_json, to_wire
from lash_spec.conformance import check_case
from lash_spec.conformance.ops import registry
from lash_spec.model import snapshot as snap
from lash_spec.model import turn_io as tio
from lash_spec.wire.errors import WireError

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = Path(__file__).resolve().parent / "fixtures" / "recorded" / "call-cases-turn_io.json"

TOKENS_ZERO = {
    "input_tokens": 0,
    "output_tokens": 0,
    "cached_input_tokens": 0,
    "reasoning_tokens": 0,
}
POLICY_DEFAULT = {
    "model": {"id": "", "limits": {"context_window_tokens": 1}},
    "provider_id": "",
    "session_id": None,
    "autonomous": False,
    "max_turns": None,
}
SNAPSHOT_MINIMAL = {
    "session_id": "s",
    "policy": POLICY_DEFAULT,
    "agent_frames": [],
    "session_graph": {"nodes": []},
    "turn_index": 0,
    "token_usage": TOKENS_ZERO,
    "protocol_turn_options": {"payload": {}},
}


ERA = "ceb460d4"
"""Seed 002's era: its types (e.g. a ToolManifest's ``bindings``) read in these forms."""


def rt(tp: Any, value: Any) -> Any:
    """serde round trip at seed 002's era: decode, then encode."""
    return to_wire(from_wire(tp, value, era=ERA))


def rejects(tp: Any, value: Any) -> WireError:
    with pytest.raises(WireError) as info:
        from_wire(tp, value, era=ERA)
    return info.value


# ---------------------------------------------------------------------------
# InputItem / TurnInput
# ---------------------------------------------------------------------------


def test_input_item_is_internally_tagged_by_type() -> None:
    assert to_json(tio.input_item_text("hi")) == '{"type":"text","text":"hi"}'
    assert to_json(tio.input_item_image_ref("i")) == '{"type":"image_ref","id":"i"}'
    assert rt(tio.InputItem, ["image_ref", "x"]) == {"type": "image_ref", "id": "x"}
    rejects(tio.InputItem, {"type": "Text", "text": "x"})
    rejects(tio.InputItem, {"text": "x"})


def test_turn_input_builders_follow_the_seed() -> None:
    assert to_json(tio.empty()) == '{"items":[],"image_blobs":{}}'
    assert to_json(tio.text("a")) == '{"items":[{"type":"text","text":"a"}],"image_blobs":{}}'
    built = tio.with_trace_turn_id(
        tio.with_protocol_turn_options(
            tio.with_image_ref(tio.text("look"), "img", b"\x89P"),
            snap.ProtocolTurnOptions(payload={"mode": "fast"}),
        ),
        "trace-1",
    )
    assert to_json(built) == (
        '{"items":[{"type":"text","text":"look"},{"type":"image_ref","id":"img"}],'
        '"image_blobs":{"img":[137,80]},"protocol_turn_options":{"payload":{"mode":"fast"}},'
        '"trace_turn_id":"trace-1"}'
    )


def test_with_image_blob_adds_no_item_and_overwrites() -> None:
    one = tio.with_image_blob(tio.empty(), "a", b"\x01")
    two = tio.with_image_blob(one, "a", b"\x02")
    assert two.items == ()
    assert two.image_blobs == {"a": b"\x02"}


def test_with_image_blobs_extends_later_ids_win() -> None:
    out = tio.with_image_blobs(tio.empty(), [("x", b"\x01"), ("img", b"\x02"), ("x", b"\x04")])
    assert to_wire(out)["image_blobs"] == {"img": [2], "x": [4]}


def test_image_blobs_written_sorted_and_default_to_empty_map() -> None:
    value = {"items": [], "image_blobs": {"b": [1], "a": []}}
    assert list(rt(tio.TurnInput, value)["image_blobs"]) == ["a", "b"]
    assert rt(tio.TurnInput, {"items": []}) == {"items": [], "image_blobs": {}}
    rejects(tio.TurnInput, {"items": [], "image_blobs": {"a": [256]}})
    rejects(tio.TurnInput, {"image_blobs": {}})


def test_turn_input_skips_none_options_and_trace_id() -> None:
    value: dict[str, Any] = {"items": [], "protocol_turn_options": None, "trace_turn_id": None}
    assert rt(tio.TurnInput, value) == {"items": [], "image_blobs": {}}
    err = rejects(tio.TurnInput, {"items": [], "protocol_turn_options": 7})
    assert err.path == ("protocol_turn_options",)


def test_protocol_turn_options_payload_defaults_to_empty_object() -> None:
    assert rt(snap.ProtocolTurnOptions, {}) == {"payload": {}}
    assert rt(snap.ProtocolTurnOptions, {"payload": None}) == {"payload": None}
    assert snap.ProtocolTurnOptions().is_empty()
    assert not snap.ProtocolTurnOptions(payload=None).is_empty()
    base = snap.ProtocolTurnOptions(payload={"a": 1, "b": 1})
    merged = base.merged_with_override(snap.ProtocolTurnOptions(payload={"b": 2}))
    assert merged.payload == {"a": 1, "b": 2}
    assert base.merged_with_override(snap.ProtocolTurnOptions(payload=[1])).payload == [1]


# ---------------------------------------------------------------------------
# Live per-turn state
# ---------------------------------------------------------------------------


def test_live_turn_inputs_reject_durable_effects() -> None:
    tio.LiveTurnInputs().durable_effect_rejection()  # empty: accepted
    live = tio.LiveTurnInputs().insert("plan", object())
    with pytest.raises(LashError) as info:
        live.durable_effect_rejection()
    assert info.value.code == "durable_effect_live_plugin_input"


def test_turn_context_observable_state() -> None:
    ctx = tio.TurnContext()
    assert ctx.debug_view() == {
        "plugin_inputs": [],
        "has_provider": False,
        "has_model": False,
        "has_prompt_layer": False,
    }
    ctx = ctx.insert_plugin_input("b", 1).insert_plugin_input("a", 2).set_model(snap.ModelSpec())
    assert ctx.has_live_plugin_inputs()
    assert ctx.live_plugin_input_ids() == ["a", "b"]
    assert ctx.plugin_input("a") == 2
    assert not ctx.has_plugin_input("c")
    contribution = snap.PromptContribution(slot=snap.PromptSlot.INTRO, content="x")
    ctx = ctx.replace_prompt_slot(snap.PromptSlot.GUIDANCE, [contribution])
    layer = ctx.prompt_layer().slots[snap.PromptSlot.GUIDANCE]
    assert layer.reset
    assert layer.contributions[0].slot is snap.PromptSlot.GUIDANCE  # re-homed
    assert ctx.debug_view()["has_prompt_layer"] is True
    with pytest.raises(LashError):
        ctx.plugin_inputs.durable_effect_rejection()


def test_runtime_turn_phase_order() -> None:
    assert [p.value for p in tio.RuntimeTurnPhase][:3] == [
        "ContextTransform",
        "BeforeTurnHooks",
        "PromptBuild",
    ]
    assert "RuntimeTurnPhase" not in registry()  # no serde form upstream
    assert "decode:RuntimeTurnPhase" not in registry()


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------


def test_termination_policy_default_differs_from_read_default() -> None:
    assert rt(tio.TerminationPolicy, {}) == {"treat_missing_done_as_failure": False}
    assert to_wire(tio.TerminationPolicy.default()) == {"treat_missing_done_as_failure": True}


def test_execution_summary_and_code_output() -> None:
    assert rt(tio.ExecutionSummary, {}) == {"had_tool_calls": False, "had_code_execution": False}
    assert rt(tio.ExecutionSummary, []) == {"had_tool_calls": False, "had_code_execution": False}
    assert rt(tio.CodeOutputRecord, {"output": "o", "error": None}) == {"output": "o"}


def test_turn_issue_field_order_and_terminal_reason() -> None:
    value = {"raw": "r", "message": "m", "terminal_reason": "stop", "code": "c", "kind": "k"}
    assert to_json(from_wire(tio.TurnIssue, value)) == (
        '{"kind":"k","code":"c","terminal_reason":"stop","message":"m","raw":"r"}'
    )
    rejects(tio.TurnIssue, {"kind": "k", "message": "m", "terminal_reason": "timeout"})


ASSEMBLED = {
    "state": {"session_id": "s"},
    "outcome": {"agent_frame_switch": {"frame_id": "f2", "task": "continue"}},
    "assistant_output": {"safe_text": "", "raw_text": "", "state": "empty_output"},
    "execution": {},
}


def test_assembled_turn_fills_defaults_in_order() -> None:
    out = rt(tio.AssembledTurn, ASSEMBLED)
    assert list(out) == [
        "state",
        "outcome",
        "assistant_output",
        "execution",
        "token_usage",
        "children_usage",
        "tool_calls",
        "errors",
    ]
    assert out["state"] == SNAPSHOT_MINIMAL
    assert out["token_usage"] == TOKENS_ZERO
    rejects(tio.AssembledTurn, {**ASSEMBLED, "children_usage": None})
    rejects(tio.AssembledTurn, {k: v for k, v in ASSEMBLED.items() if k != "execution"})


def test_agent_frame_run_accessors() -> None:
    finished = {**ASSEMBLED, "outcome": {"finished": {"assistant_message": {"text": "Done."}}}}
    run: tio.AgentFrameRun = from_wire(
        tio.AgentFrameRun, {"turns": [ASSEMBLED, ASSEMBLED, finished]}
    )
    assert run.frame_switch_count() == 2
    final = run.final_turn()
    assert final is not None
    assert to_wire(final)["outcome"] == {"finished": {"assistant_message": {"text": "Done."}}}
    assert run.into_final_turn() == final
    empty_run = tio.AgentFrameRun(turns=())
    assert empty_run.final_turn() is None
    assert empty_run.frame_switch_count() == 0


# ---------------------------------------------------------------------------
# Activity stream
# ---------------------------------------------------------------------------


def test_turn_activity_flattens_event_after_ids() -> None:
    activity = tio.TurnActivity(
        id="a", correlation_id="c", event=tio.TurnEventModelRequestStarted(protocol_iteration=0)
    )
    assert to_json(activity) == (
        '{"id":"a","correlation_id":"c","type":"model_request_started","protocol_iteration":0}'
    )
    tag_first = {"type": "error", "id": "a", "correlation_id": "c", "message": "m"}
    assert json.dumps(rt(tio.TurnActivity, tag_first)) == (
        '{"id": "a", "correlation_id": "c", "type": "error", "message": "m"}'
    )
    rejects(tio.TurnActivity, ["a", "c", "error", "m"])  # flatten: map only


def test_turn_event_null_not_skipped_for_call_id_and_error() -> None:
    started = tio.TurnEventToolCallStarted(call_id=None, name="t", args={})
    assert to_json(started) == '{"type":"tool_call_started","call_id":null,"name":"t","args":{}}'
    completed: tio.TurnEvent = from_wire(
        tio.TurnEvent,
        {
            "type": "code_block_completed",
            "language": "py",
            "output": "",
            "success": True,
            "duration_ms": 0,
            "tool_call_ids": [],
        },
    )
    assert to_wire(completed)["error"] is None
    assert "graph_key" not in to_wire(completed)


def test_turn_event_rejects_external_and_pascal_tags() -> None:
    rejects(tio.TurnEvent, {"assistant_prose_delta": {"text": "x"}})
    rejects(tio.TurnEvent, {"type": "AssistantProseDelta", "text": "x"})
    err = rejects(tio.TurnEvent, {"type": "retry_status", "wait_seconds": -1, "attempt": 0,
                                  "max_attempts": 0, "reason": "r"})  # fmt: skip
    assert err.path == ("wait_seconds",)


def test_queued_work_started_round_trip() -> None:
    value = {
        "type": "queued_work_started",
        "boundary": "active_turn_checkpoint",
        "batch_ids": ["b1"],
        "causes": [
            {
                "id": "c1",
                "event_type": "user_message",
                "origin": {"kind": "plugin", "plugin_id": "q"},
                "text": "go",
            }
        ],
    }
    assert rt(tio.TurnEvent, value) == value


# ---------------------------------------------------------------------------
# Snapshot types
# ---------------------------------------------------------------------------


def test_session_snapshot_minimal_and_skips() -> None:
    assert rt(snap.SessionSnapshot, {"session_id": "s"}) == SNAPSHOT_MINIMAL
    assert rt(snap.SessionSnapshot, {"session_id": "s", "current_agent_frame_id": ""}) == (
        SNAPSHOT_MINIMAL
    )
    full = rt(
        snap.SessionSnapshot,
        {
            "session_id": "s",
            "current_agent_frame_id": "f",
            "token_ledger": [],
            "checkpoint_ref": "b",
        },
    )
    assert full["current_agent_frame_id"] == "f"
    assert "token_ledger" not in full
    assert full["checkpoint_ref"] == "b"
    rejects(snap.SessionSnapshot, {"session_id": "s", "policy": None})
    rejects(snap.SessionSnapshot, {"session_id": "s", "tool_state_generation": 2**64})


def test_session_policy_custom_serde() -> None:
    policy = snap.SessionPolicy(provider_id="\u3000 openai\t", max_turns=5)
    assert to_json(policy) == (
        '{"model":{"id":"","limits":{"context_window_tokens":1}},"provider_id":"openai",'
        '"session_id":null,"autonomous":false,"max_turns":5}'
    )
    # Rust's trim stops at U+001C (not White_Space), unlike Python's str.strip().
    assert to_wire(snap.SessionPolicy(provider_id="\x1cp"))["provider_id"] == "\x1cp"
    layer = snap.PromptLayer().clear_slot(snap.PromptSlot.INTRO)
    assert to_wire(snap.SessionPolicy(prompt=layer))["prompt"] == {
        "slots": {"intro": {"reset": True}}
    }
    assert rt(snap.SessionPolicy, {"prompt": {}}) == POLICY_DEFAULT
    assert "provider" in str(rejects(snap.SessionPolicy, {"provider": {"kind": "x"}}))
    rejects(snap.SessionPolicy, {"provider_idx": "p"})  # deny_unknown_fields
    rejects(snap.SessionPolicy, None)
    assert rt(snap.SessionPolicy, []) == POLICY_DEFAULT  # all fields default, seq form too


def test_session_policy_inner_tags_are_strings_only() -> None:
    # The inner derive reads a serde_json::Value: no variant indices for tags.
    entry = {"kind": 0, "content": "x"}
    rejects(snap.SessionPolicy, {"prompt": {"template": {"sections": [{"entries": [entry]}]}}})


def test_model_spec_and_limits() -> None:
    spec = {"id": "gpt", "variant": "high", "limits": {"context_window_tokens": 9}}
    assert rt(snap.ModelSpec, spec) == spec
    err = rejects(snap.ModelSpec, {"id": "x", "limits": {"context_window_tokens": 0}})
    assert err.path == ("limits", "context_window_tokens")
    rejects(snap.ModelSpec, {"id": "x"})
    rejects(snap.ModelSpec, {"id": "x", "limits": {"context_window_tokens": 1}, "extra": 1})
    rejects(snap.ModelLimits, {"context_window_tokens": 1, "output_token_capacity": 0})


def test_default_prompt_template_sections() -> None:
    assert to_wire(snap.PromptTemplate.default()) == {
        "sections": [
            {"entries": [{"kind": "builtin", "builtin": "main_agent_intro"},
                         {"kind": "slot", "slot": "intro"}]},
            {"title": "Execution",
             "entries": [{"kind": "builtin", "builtin": "execution_instructions"},
                         {"kind": "slot", "slot": "execution"}]},
            {"title": "Guidance",
             "entries": [{"kind": "builtin", "builtin": "core_guidance"},
                         {"kind": "slot", "slot": "project_instructions"},
                         {"kind": "slot", "slot": "guidance"}]},
            {"title": "Environment",
             "entries": [{"kind": "slot", "slot": "runtime_context"},
                         {"kind": "slot", "slot": "environment"}]},
        ]
    }  # fmt: skip
    rejects(snap.PromptTemplate, {})  # `sections` has no serde default


def test_prompt_contribution_gate_skipped_when_it_has_no_tools() -> None:
    value = {"slot": "intro", "gate": {"minimum_availability": "callable"}, "content": "c"}
    assert rt(snap.PromptContribution, value) == {"slot": "intro", "priority": 0, "content": "c"}
    gated = {"slot": "intro", "gate": {"tools": ["ask"]}, "content": "c"}
    assert rt(snap.PromptContribution, gated)["gate"] == {
        "tools": ["ask"],
        "minimum_availability": "off",
    }


def test_prompt_layer_slot_keys_are_prompt_slots() -> None:
    value = {"slots": {"guidance": {}, "environment": {"reset": True}}}
    assert rt(snap.PromptLayer, value) == {
        "slots": {"environment": {"reset": True}, "guidance": {"reset": False}}
    }
    err = rejects(snap.PromptLayer, {"slots": {"bogus": {}}})
    assert err.path == ("slots", "bogus")


def test_session_graph_and_flattened_node_payload() -> None:
    graph = {
        "nodes": [
            {"kind": "plugin", "node_id": "n1", "timestamp": "t", "plugin_type": "memo", "body": 1},
            {"node_id": "n2", "parent_node_id": "n1", "timestamp": "t", "kind": "event",
             "event": {"Protocol": {"plugin_id": "p", "payload": [1]}}},
        ],
        "leaf_node_id": "n2",
    }  # fmt: skip
    decoded: snap.SessionGraph = from_wire(snap.SessionGraph, graph)
    assert to_json(decoded.nodes[0]) == (
        '{"node_id":"n1","timestamp":"t","kind":"plugin","plugin_type":"memo","body":1}'
    )
    assert to_json(decoded).endswith('"leaf_node_id":"n2"}')
    assert rt(snap.SessionGraph, {}) == {"nodes": []}
    assert decoded.leaf_node_id == "n2"
    assert len(decoded.nodes) == 2
    rejects(snap.SessionNodeRecord, {"node_id": "n", "timestamp": "t", "kind": "plugin",
                                     "plugin_type": "x"})  # fmt: skip


def test_agent_frame_record_defaults() -> None:
    value = {
        "frame_id": "f",
        "session_id": "s",
        "created_at": "c",
        "assignment": {"policy": {}},
        "execution_state_snapshot": [1, 2],
    }
    out = rt(snap.AgentFrameRecord, value)
    assert out["status"] == "active"
    assert out["reason"] == "initial"
    assert out["assignment"]["plugin_source"] == "current_session_fork"
    assert out["execution_state_snapshot"] == [1, 2]
    rejects(snap.AgentFrameRecord, {**value, "assignment": {}})  # policy required


def test_session_create_request_policy_written_as_null() -> None:
    out = rt(snap.SessionCreateRequest, {"start": {"kind": "empty"}})
    assert out == {
        "relation": {"kind": "root"},
        "start": {"kind": "empty"},
        "policy": None,
        "plugin_source": "current_session_fork",
        "initial_nodes": [],
        "tool_access": {},
        "plugin_options": {},
    }
    rejects(snap.SessionCreateRequest, {})
    child: snap.SessionRelation = from_wire(
        snap.SessionRelation, {"kind": "child", "parent_session_id": "p"}
    )
    assert snap.relation_parent_session_id(child) == "p"
    assert snap.relation_parent_session_id(snap.SessionRelationRoot()) is None


def test_session_append_node_plugin_body_defaults_to_null() -> None:
    assert rt(snap.SessionAppendNode, {"kind": "plugin", "plugin_type": "t"}) == {
        "kind": "plugin",
        "plugin_type": "t",
        "body": None,
    }


def test_tool_access_and_tool_definition() -> None:
    value = {
        "hidden_tools": ["b", "a", "b"],
        "tools": [
            {
                "id": "t1",
                "name": "read",
                "availability": {"base": "showcased"},
                "scheduling": "serial",
                "retry_policy": {"type": "never"},
                "output_contract": {"kind": "static"},
                "unknown": 1,
            }
        ],
    }
    out = rt(snap.SessionToolAccess, value)
    assert out["hidden_tools"] == ["a", "b"]
    assert out["tools"] == [
        {
            "id": "t1",
            "name": "read",
            "scheduling": "serial",
            "input_schema": {"additionalProperties": True, "properties": {}, "type": "object"},
            "output_schema": None,
        }
    ]
    assert from_wire(snap.SessionToolAccess, value).hides("a")
    rejects(snap.ToolDefinition, {"id": " ", "name": "x"})  # blank ToolId
    rejects(snap.ToolDefinition, ["t1", "read"])  # flatten: map only


def test_subagent_context_depth_is_u8() -> None:
    ctx = {"parent_session_id": "p", "capability": "c", "depth": 255, "max_depth": 0}
    assert rt(snap.SubagentSessionContext, ctx) == ctx
    rejects(snap.SubagentSessionContext, {**ctx, "depth": 256})


# ---------------------------------------------------------------------------
# Ops and recorded examples
# ---------------------------------------------------------------------------


def test_seed_002_ops_are_registered() -> None:
    ops = registry()
    for name in (
        "InputItem::text",
        "TurnInput::with_image_blobs",
        "AgentFrameRun::frame_switch_count",
        "TerminationPolicy::default",
        "TurnActivityId::new",
        "decode:TurnActivityId",
        "decode:SessionSnapshot",
        "decode:ToolDefinition",
    ):
        assert name in ops, name
    assert ops["TurnInput::text"].seed == "002"


def test_with_image_blobs_op_takes_pairs() -> None:
    body = {
        "call": "TurnInput::with_image_blobs",
        "args": [{"items": []}, [["x", [1]], ["x", [2]]]],
        "ok": {"items": [], "image_blobs": {"x": [2]}},
    }
    assert check_case(body).passed


def _example_cases() -> list[tuple[str, Any]]:
    doc = json.loads(EXAMPLES.read_text(encoding="utf-8"))
    return [(case["id"], case["body"]) for case in doc["cases"]]


@pytest.mark.parametrize(("case_id", "body"), _example_cases(), ids=lambda x: str(x)[:60])
def test_recorded_examples(case_id: str, body: Any) -> None:
    result = check_case(body)
    assert result.passed, f"{case_id}: {result.status} {result.detail}"


def test_all_recorded_examples_pass() -> None:
    cases = _example_cases()
    assert len(cases) == 199
    assert all(check_case(body).passed for _, body in cases)
