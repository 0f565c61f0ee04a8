"""Seed 001 execution-context rules — generated arguments for every op.

The hand-derived bodies of these rules live in tests/test_context.py; here
the model fills in results for generated inputs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lash_spec.conformance.corpus import CaseSpec, FileSpec, call
from lash_spec.conformance.scenarios._gen import hashes_in_every_order, op_cases, unique

_AWAIT = "RuntimeExecutionContext::await_process_signal_event"
_SIGNAL = "RuntimeExecutionContext::signal_process_by_id"
_SLEEP = "RuntimeExecutionContext::sleep_process"
_CTX = "RuntimeExecutionContext::"
# An appended signal event as serde writes it (by hand: fields in declaration
# order, empty semantics, no causal ref or replay on the invocation).
_SIGNAL_EVENT = {
    "process_id": "p1",
    "sequence": 3,
    "event_type": "signal.go",
    "payload": {"n": 1},
    "invocation": {
        "scope": {"session_id": "s"},
        "subject": {"type": "process", "process_id": "p1"},
    },
    "semantics": {},
    "occurred_at": {"secs_since_epoch": 1, "nanos_since_epoch": 0},
}
# The all-default spec with a prompt's slots, as serde writes it (by hand).
_SPEC_TEXT = (
    '{"plugin_options":{},"policy":{"model":{"id":"","limits":{"context_window_tokens":1}},'
    '"provider_id":"","session_id":null,"autonomous":false,"max_turns":null,'
    '"prompt":{"slots":{<MAP>}}}}'
)
# A registration in seed 001's (ceb460d4) form: `identity` required, `tool_id`
# on the call, no `host_profile_id` in the provenance.
_TOOL_REGISTRATION = {
    "id": "p1",
    "input": {
        "type": "tool_call",
        "call": {"call_id": "c1", "tool_id": "t", "tool_name": "t", "args": {}},
    },
    "identity": {"kind": "tool_call"},
    "event_types": [],
    "provenance": {"originator": {"type": "host"}},
}


def _await(resolution: dict[str, Any]) -> list[Any]:
    return ["p1", "go", 1, {"type": "await_event", "resolution": resolution}]


def _hand() -> Iterable[CaseSpec]:
    """How a signal wait's resolution maps to a result or an error code."""
    yield CaseSpec(
        "await_signal/ok-payload",
        "an ok resolution yields its payload",
        call(_AWAIT, _await({"status": "ok", "payload": [1]}), expect=[1]),
    )
    for status, code in [
        ("timeout", "process_signal_wait_timeout"),
        ("cancelled", "process_signal_wait_cancelled"),
    ]:
        yield CaseSpec(
            f"await_signal/{status}",
            f"a {status} resolution is the error {code}",
            call(_AWAIT, _await({"status": status}), expect_err=code),
        )
    yield CaseSpec(
        "await_signal/err-passes-its-code",
        "an err resolution's own code is passed through unchanged",
        call(
            _AWAIT,
            _await({"status": "err", "payload": {"code": "boom", "message": "m"}}),
            expect_err="boom",
        ),
    )
    yield CaseSpec(
        "await_signal/wrong-outcome",
        "an outcome of another kind is refused",
        call(
            _AWAIT,
            ["p1", "go", 1, {"type": "sleep"}],
            expect_err="runtime_effect_wrong_outcome",
        ),
    )


def _signal(signal_name: str, outcome: dict[str, Any]) -> list[Any]:
    return ["p1", signal_name, "sig-1", {"n": 1}, outcome]


def _signal_and_sleep() -> Iterable[CaseSpec]:
    """The accepting paths of ``signal_process_by_id`` and ``sleep_process`` (random
    arguments almost never reach them), and what each refuses."""
    signalled = {"type": "process", "result": {"op": "signal", "event": _SIGNAL_EVENT}}
    yield CaseSpec(
        "signal/ok-event",
        "a process/signal outcome gives the appended event, unchanged",
        call(_SIGNAL, _signal("go", signalled), expect=_SIGNAL_EVENT),
    )
    yield CaseSpec(
        "signal/name-checked-first",
        "an invalid signal name is refused before the outcome is looked at",
        call(_SIGNAL, _signal("go!", signalled), expect_err="plugin"),
    )
    yield CaseSpec(
        "signal/another-process-op",
        "a process outcome of another op is the wrong outcome",
        call(
            _SIGNAL,
            _signal("go", {"type": "process", "result": {"op": "list", "entries": []}}),
            expect_err="runtime_effect_wrong_outcome",
        ),
    )
    yield CaseSpec(
        "signal/another-kind",
        "an outcome of another kind is the wrong outcome",
        call(_SIGNAL, _signal("go", {"type": "sleep"}), expect_err="runtime_effect_wrong_outcome"),
    )
    yield CaseSpec(
        "sleep/ok",
        "a sleep outcome is Ok(()), written null",
        call(_SLEEP, ["scope", 1, 5, {"type": "sleep"}], expect=None),
    )
    yield CaseSpec(
        "sleep/another-kind",
        "an outcome of another kind is the wrong outcome",
        call(
            _SLEEP,
            ["scope", 1, 5, signalled],
            expect_err="runtime_effect_wrong_outcome",
        ),
    )


def _spec(*slots: str) -> dict[str, Any]:
    return {"policy": {"prompt": {"slots": {slot: {"reset": True} for slot in slots}}}}


def _refs(*slots: str) -> list[str]:
    """Every ref upstream may give: the slots (a HashMap) in every order."""
    entries = [f'"{slot}":{{"reset":true}}' for slot in sorted(slots)]
    return [f"process-env:sha256:{h}" for h in hashes_in_every_order(_SPEC_TEXT, entries)]


def _hashmap_orders() -> Iterable[CaseSpec]:
    """A prompt's slots are a HashMap: a ref hashed from them has one answer per order."""
    yield CaseSpec(
        "stable_ref/prompt-2-slots",
        "two prompt slots: upstream writes them in either order, so two refs are correct",
        call(
            "ProcessExecutionEnvSpec::stable_ref",
            [_spec("intro", "guidance")],
            expect=_refs("intro", "guidance"),
        ),
    )
    yield CaseSpec(
        "stable_ref/prompt-3-slots",
        "three prompt slots: 3! = 6 orders, six correct refs",
        call(
            "ProcessExecutionEnvSpec::stable_ref",
            [_spec("intro", "guidance", "environment")],
            expect=_refs("intro", "guidance", "environment"),
        ),
    )
    yield CaseSpec(
        "captured_env_ref/prompt-2-slots",
        "no inherited ref: the spec's stable_ref, one per order of its two slots",
        call(
            f"{_CTX}captured_process_execution_env_ref",
            [_spec("intro", "execution"), None],
            expect=_refs("intro", "execution"),
        ),
    )
    yield CaseSpec(
        "captured_env_ref/prompt-2-slots-inherited",
        "an inherited ref is returned as is: nothing is hashed, one answer",
        call(
            f"{_CTX}captured_process_execution_env_ref",
            [_spec("intro", "execution"), "env-1"],
            expect="env-1",
        ),
    )
    yield CaseSpec(
        "attach_env/prompt-2-slots",
        "a tool_call registration captures the spec's ref: one registration per slot order",
        call(
            f"{_CTX}attach_captured_process_execution_env",
            [_spec("intro", "guidance"), None, _TOOL_REGISTRATION],
            expect=[{**_TOOL_REGISTRATION, "env_ref": ref} for ref in _refs("intro", "guidance")],
        ),
    )


def _cases() -> Iterable[CaseSpec]:
    from lash_spec.conformance.ops import registry

    yield from _hand()
    yield from _signal_and_sleep()
    yield from _hashmap_orders()
    for name, op in sorted(registry().items()):
        if op.seed == "001":
            yield from op_cases(name, 15 if op.args else 1)


def files() -> Iterable[FileSpec]:
    yield FileSpec(
        name="001-execution-context",
        seed="001",
        concept="execution_context",
        description=(
            "session scopes, execution scope ids, trigger defaults, env-ref capture,"
            " signal replay keys, sleep/await/signal outcome checks"
        ),
        cases=unique(list(_cases())),
    )
