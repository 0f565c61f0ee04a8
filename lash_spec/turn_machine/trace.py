"""Turn traces (docs/case-bodies.md, "Turn trace"): replaying one, and writing one.

A trace body is ``{"config", "start", "driver", "steps"}``. :func:`check_body`
builds the machine from CONFIG/START with a :class:`ScriptedDriver` over
DRIVER and runs the steps in order, comparing every observed value with
:func:`~lash_spec.conformance.diff.first_difference` (strict JSON equality):

* ``{"poll": EFFECT | null}`` — ``poll_effect()``;
* ``{"respond": RESPONSE}`` — ``handle_response``;
* ``{"checkpoint": TURN_CHECKPOINT}`` — ``checkpoint()``;
* ``{"restore": true}`` — ``checkpoint()`` → JSON text → parsed back →
  ``restore_from_checkpoint`` with the trace's own CONFIG and the same driver;
* ``{"done": BOOL}`` — ``is_done()``.

The first failing step is reported with its index and the JSON path inside
the body. :class:`TraceRecorder` runs a machine the same way while recording
what it saw, and :func:`trace_body` writes that record as a body: the one run
is both an assertion (replay it with :func:`check_body`) and a fixture.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from lash_spec.conformance.check import CaseResult, unknown_key
from lash_spec.conformance.diff import first_difference
from lash_spec.model.sansio import ERA, Effect, TurnCause, TurnCheckpoint
from lash_spec.model.session import Message, UnitSessionEventRecord
from lash_spec.turn_machine.checkpoint import checkpoint_text, parse_checkpoint
from lash_spec.turn_machine.config import TraceConfig
from lash_spec.turn_machine.driver import ScriptedDriver
from lash_spec.turn_machine.machine import TurnMachine
from lash_spec.turn_machine.responses import Response
from lash_spec.wire.codec import dflt, from_wire, to_wire
from lash_spec.wire.errors import PathItem, WireError, render_path
from lash_spec.wire.types import Usize

__all__ = [
    "STEP_KINDS",
    "TraceRecorder",
    "TraceStart",
    "check_body",
    "restore_via_json",
    "trace_body",
]

STEP_KINDS = ("poll", "respond", "checkpoint", "restore", "done")


@attrs.frozen(kw_only=True)
class TraceStart:
    """START of a trace: the arguments of ``new_shared_with_turn_causes``."""

    messages: tuple[Message, ...]
    events: tuple[UnitSessionEventRecord, ...]
    protocol_run_offset: Usize
    turn_causes: tuple[TurnCause, ...] = dflt(factory=tuple)

    def machine(self, config: TraceConfig, driver: ScriptedDriver) -> TurnMachine:
        """The machine this START makes under ``config`` with ``driver``."""
        return TurnMachine(
            config.machine_config(driver),
            self.messages,
            self.events,
            self.protocol_run_offset,
            self.turn_causes,
        )


def restore_via_json(
    machine: TurnMachine, config: TraceConfig, driver: ScriptedDriver
) -> TurnMachine:
    """The ``restore`` step: checkpoint → serde JSON text → parse → restore under ``config``."""
    parsed = parse_checkpoint(checkpoint_text(machine.checkpoint()))
    return TurnMachine.restore_from_checkpoint(config.machine_config(driver), parsed)


def _failed(detail: str, path: Sequence[PathItem]) -> CaseResult:
    return CaseResult("failed", detail, kind="turn_trace", path=render_path(tuple(path)))


def _compare(
    index: int, kind: str, expected: Any, actual: Any, path: tuple[PathItem, ...]
) -> CaseResult | None:
    diff = first_difference(expected, actual)
    if diff is None:
        return None
    full = attrs.evolve(diff, path=(*path, *diff.path))
    return _failed(f"step {index} ({kind}): {full}", full.path)


def check_body(body: Mapping[str, Any]) -> CaseResult:
    """Run one turn-trace body; never raises for a malformed or failing trace."""
    extra = unknown_key(body, "turn_trace")
    if extra is not None:
        return _failed(f"malformed turn trace: unknown key `{extra}`", (extra,))
    section = "config"
    try:
        config: TraceConfig = TraceConfig.from_wire(body["config"])
        section = "start"
        start: TraceStart = from_wire(TraceStart, body["start"], era=ERA)
        section = "driver"
        driver = ScriptedDriver.from_wire(body.get("driver", {}))
    except KeyError:
        return _failed(f"malformed turn trace: missing `{section}`", ())
    except WireError as err:
        return _failed(f"malformed turn trace: {section}: {err}", (section, *err.path))
    steps = body.get("steps")
    if not isinstance(steps, list):
        return _failed("malformed turn trace: `steps` must be an array", ("steps",))
    try:
        machine = start.machine(config, driver)
    except WireError as err:
        return _failed(f"cannot build the machine: {err}", ("config",))
    for index, step in enumerate(steps):
        if not isinstance(step, dict) or len(step) != 1:
            return _failed(f"step {index}: a step is an object with one key", ("steps", index))
        ((kind, value),) = step.items()
        path: tuple[PathItem, ...] = ("steps", index, kind)
        try:
            if kind == "poll":
                effect = machine.poll_effect()
                actual = None if effect is None else to_wire(effect)
                failure = _compare(index, kind, value, actual, path)
            elif kind == "respond":
                try:
                    response: Response = from_wire(Response, value, era=ERA)
                except WireError as err:
                    return _failed(
                        f"step {index} (respond): does not decode: {err}", (*path, *err.path)
                    )
                machine.handle_response(response)
                failure = None
            elif kind == "checkpoint":
                failure = _compare(index, kind, value, to_wire(machine.checkpoint()), path)
            elif kind == "restore":
                if value is not True:
                    return _failed(f"step {index}: `restore` must be true", path)
                machine = restore_via_json(machine, config, driver)
                failure = None
            elif kind == "done":
                failure = _compare(index, kind, value, machine.is_done(), path)
            else:
                return _failed(f"step {index}: unknown step kind {kind!r}", path)
        except Exception as exc:  # a model crash is a failed case, not a crashed run
            return _failed(f"step {index} ({kind}): raised {type(exc).__name__}: {exc}", path)
        if failure is not None:
            return failure
    return CaseResult("passed", kind="turn_trace")


class TraceRecorder:
    """Drive a machine through the trace operations and record each as a step.

    ``config``/``start``/``driver`` are what the body will hold; the driver is
    the live :class:`ScriptedDriver` (answers pushed while recording end up in
    the body's queues).
    """

    def __init__(self, config: TraceConfig, start: TraceStart, driver: ScriptedDriver):
        self.config = config
        self.start = start
        self.driver = driver
        self.steps: list[dict[str, Any]] = []
        self.machine = start.machine(config, driver)

    def poll(self) -> Effect | None:
        effect = self.machine.poll_effect()
        self.steps.append({"poll": None if effect is None else to_wire(effect)})
        return effect

    def respond(self, response: Response) -> None:
        self.machine.handle_response(response)
        self.steps.append({"respond": to_wire(response)})

    def checkpoint(self) -> TurnCheckpoint:
        checkpoint = self.machine.checkpoint()
        self.steps.append({"checkpoint": to_wire(checkpoint)})
        return checkpoint

    def restore(self) -> None:
        self.machine = restore_via_json(self.machine, self.config, self.driver)
        self.steps.append({"restore": True})

    def done(self) -> bool:
        done = self.machine.is_done()
        self.steps.append({"done": done})
        return done

    def body(self) -> dict[str, Any]:
        """This run as a turn-trace case body."""
        return trace_body(self.config, self.start, self.driver, self.steps)


def trace_body(
    config: TraceConfig,
    start: TraceStart,
    driver: ScriptedDriver,
    steps: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """A turn-trace case body (docs/case-bodies.md, "Turn trace") from its four parts."""
    return {
        "config": to_wire(config),
        "start": to_wire(start),
        "driver": driver.to_wire(),
        "steps": [dict(step) for step in steps],
    }
