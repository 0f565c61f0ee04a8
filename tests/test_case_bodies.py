"""The answers docs/case-bodies.md gives to the questions an implementer asks.

Each test pins one decision of the contract, on both sides that apply it:
``check_case`` (``lash-spec verify``) and the runner with the reference
adapter (``lash-spec run``), so the two cannot answer differently.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from lash_spec.conformance import check_case
from lash_spec.harness.adapter import ReferenceAdapter
from lash_spec.harness.transcript import converse, transcript_body
from lash_spec.turn_machine.config import message_template
from lash_spec.wire.codec import to_wire

CORPUS = Path(__file__).resolve().parents[1] / "conformance"


def _case(case_id: str) -> dict[str, Any]:
    for path in sorted(CORPUS.glob("*.json")):
        if path.name == "index.json":
            continue
        for case in json.loads(path.read_text(encoding="utf-8"))["cases"]:
            if case["id"] == case_id:
                body: dict[str, Any] = case["body"]
                return body
    raise LookupError(case_id)


@pytest.fixture(scope="module")
def turn_limit() -> dict[str, Any]:
    return _case("turn_trace/scenario/turn-limit-final-message")


@pytest.fixture(scope="module")
def minimal() -> dict[str, Any]:
    return _case("turn_trace/scenario/minimal-final-answer")


def _both(body: dict[str, Any]) -> tuple[str, str, str, str | None]:
    """(verify status, verify detail, run status, run detail) of one body."""
    result = check_case(body)
    verdict, _ = converse(body)
    return result.status, result.detail, verdict.status, verdict.detail


# -- the final-message template ----------------------------------------------


def test_template_is_decoded_when_the_machine_is_built(minimal: dict[str, Any]) -> None:
    """A bad template is refused at machine.new even if the trace never reaches the limit."""
    body = copy.deepcopy(minimal)
    body["config"]["turn_limit_final_message"]["role"] = "Narrator"
    result = check_case(body)
    assert result.status == "failed"
    assert result.path == "$.config.turn_limit_final_message.role"
    reply = ReferenceAdapter().handle(
        {
            "cmd": "machine.new",
            "machine": "h1",
            "config": body["config"],
            "start": body["start"],
            "driver": body["driver"],
        }
    )
    assert reply["err"]["code"] == "decode"
    verdict, exchanges = converse(body)
    assert verdict.status == "failed" and verdict.path == "$.config"
    assert [json.loads(e.request)["cmd"] for e in exchanges] == ["start", "machine.new"]


def test_placeholder_in_an_enum_string_is_refused_as_written(minimal: dict[str, Any]) -> None:
    body = copy.deepcopy(minimal)
    body["config"]["turn_limit_final_message"]["parts"][0]["kind"] = "{max_turns}"
    assert check_case(body).path == "$.config.turn_limit_final_message.parts[0].kind"


def test_placeholders_are_replaced_in_string_values_only_in_one_pass() -> None:
    template = {
        "id": "{message_id}",
        "role": "System",
        "parts": [
            {
                "id": "{message_id}.p0",
                "kind": "Error",
                "content": "{max_turns}/{max_turns} {other} {{message_id}}",
                "prune_state": "Intact",
            }
        ],
        "{message_id}": "an unknown key: not substituted, then dropped by decoding",
    }
    message = message_template(template)("x{max_turns}", 7)
    assert to_wire(message) == {
        "id": "x{max_turns}",
        "role": "System",
        "parts": [
            {
                "id": "x{max_turns}.p0",
                "kind": "Error",
                "content": "7/7 {other} {x{max_turns}}",
                "prune_state": "Intact",
            }
        ],
    }


def test_the_turn_limit_trace_substitutes_at_use(turn_limit: dict[str, Any]) -> None:
    """Changing the template's text changes the scheduled message: it is used, not ignored."""
    assert check_case(turn_limit).status == "passed"
    body = copy.deepcopy(turn_limit)
    body["config"]["turn_limit_final_message"]["parts"][0]["content"] = "limit {max_turns}!"
    status, detail, run_status, _ = _both(body)
    assert status == "failed" and run_status == "failed"
    assert "limit " in detail


# -- driver queues and unknown keys -------------------------------------------


def test_a_missing_driver_queue_is_an_empty_one(minimal: dict[str, Any]) -> None:
    body = copy.deepcopy(minimal)
    assert body["driver"]["handle_exec_result"] == []
    del body["driver"]["handle_exec_result"]
    del body["driver"]["handle_tool_results"]
    assert _both(body)[0::2] == ("passed", "passed")


def test_an_unknown_driver_method_is_refused(minimal: dict[str, Any]) -> None:
    body = copy.deepcopy(minimal)
    body["driver"]["handle_llm_failure"] = []
    result = check_case(body)
    assert result.status == "failed" and result.path == "$.driver.handle_llm_failure"
    verdict, _ = converse(body)
    assert verdict.status == "failed" and verdict.path == "$.config"


@pytest.mark.parametrize("key", ["comment", "stpes"])
def test_an_unknown_top_level_key_is_refused_in_a_trace(minimal: dict[str, Any], key: str) -> None:
    body = {**minimal, key: []}
    status, detail, run_status, run_detail = _both(body)
    assert status == "failed" and f"unknown key `{key}`" in detail
    assert run_status == "errored" and f"unknown key `{key}`" in (run_detail or "")


def test_an_unknown_key_is_refused_in_a_call_case() -> None:
    body = {"call": "stable_hash", "args": [1], "ok": "x", "note": "typo of ok?"}
    result = check_case(body)
    assert result.status == "failed" and "unknown key `note`" in result.detail
    from lash_spec.harness.drivers import drive_call
    from lash_spec.harness.protocol import parse_hello

    driver = drive_call(body, parse_hello(ReferenceAdapter().hello()))
    with pytest.raises(StopIteration) as stop:
        next(driver)
    assert stop.value.value.status == "errored"


def test_a_trace_without_start_is_malformed_on_both_sides(minimal: dict[str, Any]) -> None:
    body = {k: v for k, v in minimal.items() if k != "start"}
    status, _, run_status, run_detail = _both(body)
    assert status == "failed" and run_status == "errored"
    assert "missing `start`" in (run_detail or "")


# -- machine handles ------------------------------------------------------------


@pytest.mark.parametrize(
    "request_",
    [
        {"cmd": "machine.poll", "machine": "h9"},
        {"cmd": "machine.respond", "machine": "h9", "response": {}},
        {"cmd": "machine.checkpoint", "machine": "h9"},
        {"cmd": "machine.restore", "machine": "h9", "checkpoint": {}},
        {"cmd": "machine.done", "machine": "h9"},
        {"cmd": "runtime.step", "runtime": "h9", "op": "registered_run_count", "arg": None},
    ],
)
def test_an_unknown_handle_is_errored_and_named(request_: dict[str, Any]) -> None:
    reply = ReferenceAdapter().handle(request_)
    assert list(reply) == ["errored"]
    assert "unknown" in reply["errored"]["message"] and "'h9'" in reply["errored"]["message"]


def test_dropping_an_unknown_handle_is_a_no_op() -> None:
    adapter = ReferenceAdapter()
    assert adapter.handle({"cmd": "machine.drop", "machine": "h9"}) == {"ok": None}
    assert adapter.handle({"cmd": "runtime.drop", "runtime": "h9"}) == {"ok": None}


# -- the transcript's trace -----------------------------------------------------


def test_the_transcript_trace_has_tools_a_restore_and_a_final_answer() -> None:
    body = transcript_body()
    assert check_case(body).status == "passed"
    verdict, exchanges = converse(body)
    assert verdict.status == "passed"
    cmds = [json.loads(e.request)["cmd"] for e in exchanges]
    assert cmds[:2] == ["start", "machine.new"] and cmds[-1] == "machine.drop"
    assert cmds.count("machine.restore") == 1
    polled = [
        next(iter(json.loads(e.reply)["ok"]))
        for e in exchanges
        if json.loads(e.request)["cmd"] == "machine.poll" and json.loads(e.reply)["ok"]
    ]
    restore_at = cmds.index("machine.restore")
    before = polled[: sum(1 for c in cmds[:restore_at] if c == "machine.poll")]
    assert "ToolCalls" in before and polled.count("ToolCalls") == 2  # redelivered once
    assert polled[-1] == "Done"
    # every request and reply line is one line of ASCII JSON carrying its seq
    for seq, exchange in enumerate(exchanges):
        assert json.loads(exchange.request)["seq"] == seq == json.loads(exchange.reply)["seq"]
        assert exchange.request.isascii() and "\n" not in exchange.request


def test_the_transcript_catches_a_wrong_expectation() -> None:
    body = transcript_body()
    index = next(i for i, s in enumerate(body["steps"]) if "done" in s)
    body["steps"][index] = {"done": False}
    verdict, _ = converse(body)
    assert verdict.status == "failed" and verdict.path == f"$.steps[{index}].done"
