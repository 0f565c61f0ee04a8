"""Driving one case through an adapter, and judging it — on the runner's side.

Each body kind has a *driver*: a generator that yields requests (without
``seq``; the runner numbers them), receives each :class:`Reply`, and returns
the case's :class:`Verdict`. The adapter only reports what its
implementation did (``ok``/``err``/``skipped``/``errored``); every comparison
happens here, with the strict JSON equality of
:func:`~lash_spec.conformance.diff.first_difference`, and with the same
details and JSON paths ``lash-spec verify`` reports (``check_case``,
``turn_machine.trace.check_body``, ``conformance.scenario.check_body``).

A driver keeps at most one request outstanding, so the runner may interleave
several cases (each stateful case has its own machine/runtime handle).
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import Any, Final

import attrs

from lash_spec.conformance.check import unknown_key
from lash_spec.conformance.diff import _excerpt, any_difference, first_difference
from lash_spec.harness.cases import HarnessCase
from lash_spec.harness.protocol import EraNotDeclaredError, Hello, Reply
from lash_spec.wire.errors import PathItem, render_path

__all__ = ["STATUSES", "Driver", "Verdict", "driver_for"]

STATUSES: Final = ("passed", "failed", "skipped", "errored")
TRACE_STEPS: Final = ("poll", "respond", "checkpoint", "restore", "done")
RUN_STEPS: Final = (
    "start_run",
    "resolve_effective_package",
    "cancel_run",
    "run_snapshot",
    "registered_run_count",
    "events",
)


@attrs.frozen
class Verdict:
    """A case's outcome: ``status`` (one of :data:`STATUSES`), why, and where."""

    status: str
    detail: str = ""
    path: str | None = None


Request = dict[str, Any]
Driver = Generator[Request, Reply, Verdict]

_PASSED: Final = Verdict("passed")


def _errored(detail: str) -> Verdict:
    return Verdict("errored", detail)


def _not_ok(reply: Reply, label: str) -> Verdict:
    """The verdict for a reply that is not ``ok`` where only ``ok`` makes sense."""
    if reply.tag == "skipped":
        return Verdict("skipped", f"{label}: {reply.value}")
    if reply.tag == "errored":
        return _errored(f"{label}: {reply.value}")
    code, message = _err_parts(reply.value)
    return Verdict("failed", f"{label}: the adapter answered error {code!r} ({message})", "$")


def _err_parts(value: Mapping[str, Any]) -> tuple[str, str]:
    message = value.get("message", "")
    return str(value.get("code")), message if isinstance(message, str) else _excerpt(message)


# ---------------------------------------------------------------------------
# call cases
# ---------------------------------------------------------------------------


def drive_call(body: Mapping[str, Any], hello: Hello, era: str | None = None) -> Driver:
    name = body.get("call")
    args = body.get("args")
    if not isinstance(name, str):
        return _errored("malformed call case: `call` must be a string")
    if not isinstance(args, list) or ("ok" in body) + ("ok_any" in body) + ("err" in body) != 1:
        return _errored("malformed call case: needs `args` (array) and one of `ok`/`ok_any`/`err`")
    if "ok_any" in body and not (isinstance(body["ok_any"], list) and body["ok_any"]):
        return _errored("malformed call case: `ok_any` must be a non-empty array")
    extra = unknown_key(body, "call")
    if extra is not None:
        return _errored(f"malformed call case: unknown key `{extra}`")
    if name not in hello.ops:
        return Verdict("skipped", f"the adapter does not implement {name}")
    request: dict[str, Any] = {"cmd": "call", "op": name, "args": args}
    if era is not None:
        request["era"] = era
    reply = yield request
    return judge_call(body, name, reply)


def judge_call(body: Mapping[str, Any], name: str, reply: Reply) -> Verdict:
    """Compare a call reply with the case's ``ok``/``ok_any``/``err`` (as ``check_case``
    does); a reply passes ``ok_any`` when it equals any one listed value."""
    tag = reply.tag
    if tag == "skipped":
        return Verdict("skipped", str(reply.value))
    if tag == "errored":
        return _errored(str(reply.value))
    if tag == "err":
        code, message = _err_parts(reply.value)
        if "err" not in body:
            return Verdict("failed", f"expected ok, got error {code!r} ({message})", "$")
        expected = body["err"].get("code") if isinstance(body["err"], Mapping) else None
        if expected == code:
            return _PASSED
        return Verdict("failed", f"expected error code {expected!r}, got {code!r} ({message})", "$")
    actual = reply.value
    if "err" in body:
        return Verdict("failed", f"expected error {body['err']!r}, got ok {_excerpt(actual)}", "$")
    if "ok_any" in body:
        diff = any_difference(body["ok_any"], actual)
        return _PASSED if diff is None else Verdict("failed", str(diff), diff.json_path)
    expected = body["ok"]
    if name == "stable_json":
        if type(actual) is str and actual == expected:
            return _PASSED
        return Verdict("failed", f"text differs: expected {expected!r}, actual {actual!r}", "$")
    diff = first_difference(expected, actual)
    if diff is None:
        return _PASSED
    return Verdict("failed", str(diff), diff.json_path)


# ---------------------------------------------------------------------------
# turn traces (docs/case-bodies.md, "Turn trace")
# ---------------------------------------------------------------------------


def _trace_steps(body: Mapping[str, Any]) -> list[tuple[str, Any]] | str:
    """The steps as (kind, value), or why the trace is malformed."""
    for key in ("config", "start"):
        if key not in body:
            return f"malformed turn trace: missing `{key}`"
    extra = unknown_key(body, "turn_trace")
    if extra is not None:
        return f"malformed turn trace: unknown key `{extra}`"
    steps = body.get("steps")
    if not isinstance(steps, list):
        return "malformed turn trace: `steps` must be an array"
    out = []
    for index, step in enumerate(steps):
        if not isinstance(step, dict) or len(step) != 1:
            return f"step {index}: a step is an object with one key"
        ((kind, value),) = step.items()
        if kind not in TRACE_STEPS:
            return f"step {index}: unknown step kind {kind!r}"
        if kind == "restore" and value is not True:
            return f"step {index}: `restore` must be true"
        out.append((kind, value))
    return out


def _step_diff(
    index: int, kind: str, expected: Any, actual: Any, path: tuple[PathItem, ...]
) -> Verdict | None:
    diff = first_difference(expected, actual)
    if diff is None:
        return None
    full = attrs.evolve(diff, path=(*path, *diff.path))
    return Verdict("failed", f"step {index} ({kind}): {full}", full.json_path)


def drive_trace(body: Mapping[str, Any], hello: Hello, handle: str) -> Driver:
    if "turn_trace" not in hello.kinds:
        return Verdict("skipped", "the adapter does not drive turn traces")
    steps = _trace_steps(body)
    if isinstance(steps, str):
        return _errored(steps)
    machine = {"machine": handle}
    reply = yield {
        "cmd": "machine.new",
        **machine,
        "config": body["config"],
        "start": body["start"],
        "driver": body.get("driver", {}),
    }
    if reply.tag != "ok":
        verdict = _not_ok(reply, "cannot build the machine")
        return attrs.evolve(verdict, path="$.config") if verdict.status == "failed" else verdict
    verdict = yield from _run_trace(steps, machine)
    yield {"cmd": "machine.drop", **machine}  # the reply does not change the verdict
    return verdict


def _run_trace(steps: list[tuple[str, Any]], machine: dict[str, str]) -> Driver:
    for index, (kind, value) in enumerate(steps):
        path: tuple[PathItem, ...] = ("steps", index, kind)
        label = f"step {index} ({kind})"
        failure: Verdict | None = None
        if kind == "poll":
            reply = yield {"cmd": "machine.poll", **machine}
            if reply.tag != "ok":
                return _at(_not_ok(reply, label), path)
            failure = _step_diff(index, kind, value, reply.value, path)
        elif kind == "respond":
            reply = yield {"cmd": "machine.respond", **machine, "response": value}
            if reply.tag == "err":
                code, message = _err_parts(reply.value)
                return Verdict(
                    "failed", f"{label}: does not decode: {code}: {message}", render_path(path)
                )
            if reply.tag != "ok":
                return _not_ok(reply, label)
        elif kind == "checkpoint":
            reply = yield {"cmd": "machine.checkpoint", **machine}
            if reply.tag != "ok":
                return _at(_not_ok(reply, label), path)
            failure = _step_diff(index, kind, value, reply.value, path)
        elif kind == "restore":
            reply = yield {"cmd": "machine.checkpoint", **machine}
            if reply.tag != "ok":
                return _at(_not_ok(reply, f"{label}: checkpoint"), path)
            reply = yield {"cmd": "machine.restore", **machine, "checkpoint": reply.value}
            if reply.tag != "ok":
                return _at(_not_ok(reply, label), path)
        else:  # done
            reply = yield {"cmd": "machine.done", **machine}
            if reply.tag != "ok":
                return _at(_not_ok(reply, label), path)
            failure = _step_diff(index, kind, value, reply.value, path)
        if failure is not None:
            return failure
    return _PASSED


def _at(verdict: Verdict, path: tuple[PathItem, ...]) -> Verdict:
    if verdict.status != "failed":
        return verdict
    return attrs.evolve(verdict, path=render_path(path))


# ---------------------------------------------------------------------------
# run-admission scenarios (seed 004; docs/case-bodies.md)
# ---------------------------------------------------------------------------


def _scenario_parts(
    body: Mapping[str, Any],
) -> tuple[str | None, list[tuple[str, Any, str, Any]]] | str:
    """(expected build error code, steps as (op, arg, outcome, expected)) or why malformed."""
    known = ("scenario", "runtime", "build", "steps")
    extra = [k for k in body if k not in known]
    if extra:
        return f"malformed run-admission scenario: unknown key `{extra[0]}`"
    build_err: str | None = None
    build = body.get("build")
    if build is not None:
        if not isinstance(build, dict) or len(build) != 1 or not ({"ok", "err"} >= build.keys()):
            return "malformed run-admission scenario: `build` holds exactly one of `ok` / `err`"
        if "err" in build:
            err = build["err"]
            if not isinstance(err, dict) or not isinstance(err.get("code"), str):
                return "malformed run-admission scenario: `build.err` needs a string `code`"
            build_err = err["code"]
    steps = body.get("steps")
    if not isinstance(steps, list):
        return "malformed run-admission scenario: `steps` must be an array"
    if build_err is not None and steps:
        return "malformed run-admission scenario: a scenario whose build fails has no steps"
    out = []
    for index, step in enumerate(steps):
        ops = [k for k in step if k in RUN_STEPS] if isinstance(step, dict) else []
        outcomes = [k for k in step if k in ("ok", "err")] if isinstance(step, dict) else []
        if not isinstance(step, dict) or len(ops) != 1 or len(outcomes) != 1 or len(step) != 2:
            return f"malformed run-admission scenario: step {index} names one operation and ok/err"
        expected = step[outcomes[0]]
        if outcomes[0] == "err" and not (
            isinstance(expected, dict) and isinstance(expected.get("code"), str)
        ):
            return f"malformed run-admission scenario: step {index}: `err` needs a string `code`"
        out.append((ops[0], step[ops[0]], outcomes[0], expected))
    return build_err, out


def drive_admission(body: Mapping[str, Any], hello: Hello, handle: str) -> Driver:
    if "run_admission" not in hello.kinds:
        return Verdict("skipped", "the adapter does not drive run-admission scenarios")
    parts = _scenario_parts(body)
    if isinstance(parts, str):
        return _errored(parts)
    build_err, steps = parts
    runtime = {"runtime": handle}
    reply = yield {"cmd": "runtime.new", **runtime, "config": body.get("runtime", {})}
    if reply.tag in ("skipped", "errored"):
        return _not_ok(reply, "build")
    if build_err is not None:
        if reply.tag == "ok":
            yield {"cmd": "runtime.drop", **runtime}
            return Verdict("failed", f"expected build error {build_err!r}, got ok", "$.build.err")
        code, message = _err_parts(reply.value)
        if code != build_err:
            return Verdict(
                "failed",
                f"expected build error code {build_err!r}, got {code!r} ({message})",
                "$.build.err.code",
            )
        return _PASSED
    if reply.tag == "err":
        code, message = _err_parts(reply.value)
        return Verdict("failed", f"build failed: {code!r} ({message})", "$.runtime")
    verdict = yield from _run_admission(steps, runtime)
    yield {"cmd": "runtime.drop", **runtime}
    return verdict


def _run_admission(steps: list[tuple[str, Any, str, Any]], runtime: dict[str, str]) -> Driver:
    for index, (op, arg, outcome, expected) in enumerate(steps):
        reply = yield {"cmd": "runtime.step", **runtime, "op": op, "arg": arg}
        label = f"step {index} ({op})"
        path: tuple[PathItem, ...] = ("steps", index, outcome)
        if reply.tag in ("skipped", "errored"):
            return _not_ok(reply, label)
        if outcome == "err":
            want = expected["code"]
            if reply.tag == "ok":
                return Verdict(
                    "failed",
                    f"{label}: expected error {want!r}, got ok {reply.value!r}",
                    render_path(path),
                )
            code, message = _err_parts(reply.value)
            if code != want:
                return Verdict(
                    "failed",
                    f"{label}: expected error code {want!r}, got {code!r} ({message})",
                    render_path((*path, "code")),
                )
            continue
        if reply.tag == "err":
            code, message = _err_parts(reply.value)
            return Verdict(
                "failed", f"{label}: expected ok, got error {code!r} ({message})", render_path(path)
            )
        diff = first_difference(expected, reply.value)
        if diff is not None:
            full = attrs.evolve(diff, path=(*path, *diff.path))
            return Verdict("failed", f"{label}: {full}", full.json_path)
    return _PASSED


# ---------------------------------------------------------------------------


def _unknown(kind: str) -> Driver:
    return Verdict("skipped", f"unknown body kind {kind!r}")
    yield {}  # pragma: no cover - makes this a generator


def _skipped(reason: str) -> Driver:
    return Verdict("skipped", reason)
    yield {}  # pragma: no cover - makes this a generator


def driver_for(case: HarnessCase, hello: Hello, handle: str) -> Driver:
    """The driver of one case (a fresh generator: restartable after a crash)."""
    body = case.body
    try:
        era = hello.era_for(case.eras)
    except EraNotDeclaredError as err:
        return _skipped(str(err))
    if case.kind == "call":
        return drive_call(body, hello, era)
    if case.kind == "turn_trace":
        return drive_trace(body, hello, handle)
    if case.kind == "run_admission":
        return drive_admission(body, hello, handle)
    return _unknown(case.kind)
