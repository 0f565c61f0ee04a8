"""The reference adapter: the Python model served over ``lash-spec-adapter/1``.

``lash-spec adapter`` runs :func:`main`: it reads requests from stdin, one
JSON object per line, and answers each on stdout with what the model does —
``ok`` with the result in serde form, ``err`` with a stable code, ``skipped``
for an op the registry does not know, ``errored`` when the model itself
raised. It never judges a case; the runner does.

It is the harness's own end-to-end check (the whole corpus passes through
it) and a worked example for adapter authors. Kept lean for throughput: one
``json.loads`` and one encoder call per request, one write and flush per reply.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import traceback
from collections.abc import Callable
from typing import IO, Any

from lash_spec.harness.protocol import PROTOCOL
from lash_spec.wire.errors import LashError, WireError

__all__ = ["ReferenceAdapter", "main", "serve"]

Reply = dict[str, Any]


def _errored(message: str) -> Reply:
    return {"errored": {"message": message}}


def _crash(exc: BaseException) -> Reply:
    frames = traceback.extract_tb(exc.__traceback__)[-3:]
    where = "; ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} in {f.name}" for f in frames)
    return _errored(f"{type(exc).__name__}: {exc} (at {where})")


class UnknownHandleError(LookupError):
    """A ``machine.*`` / ``runtime.*`` request naming no live machine or runtime."""


def _live(table: dict[str, Any], request: dict[str, Any], key: str) -> Any:
    handle = request[key]
    try:
        return table[handle]
    except (KeyError, TypeError):
        message = f"unknown {key} handle {handle!r} (never created, or dropped)"
        raise UnknownHandleError(message) from None


class ReferenceAdapter:
    """Request → reply (without ``seq``), holding turn machines and runtimes by handle.

    A handle is the runner's string; a request naming a handle that is not
    live is answered ``errored`` (the runner broke the protocol, the case
    did not fail); dropping an unknown handle is a no-op (docs/case-bodies.md).
    """

    def __init__(self, eras: frozenset[str] | None = None) -> None:
        from lash_spec.conformance.ops import registry

        self.eras = eras  # declared in the hello (None: every era)
        self.ops = registry()
        self.machines: dict[str, Any] = {}
        self.runtimes: dict[str, Any] = {}
        self._handlers: dict[str, Callable[[dict[str, Any]], Reply]] = {
            "start": self._start,
            "call": self._call,
            "machine.new": self._machine_new,
            "machine.poll": self._machine_poll,
            "machine.respond": self._machine_respond,
            "machine.checkpoint": self._machine_checkpoint,
            "machine.restore": self._machine_restore,
            "machine.done": self._machine_done,
            "machine.drop": self._machine_drop,
            "runtime.new": self._runtime_new,
            "runtime.step": self._runtime_step,
            "runtime.drop": self._runtime_drop,
        }

    def hello(self) -> dict[str, Any]:
        from lash_spec import __version__

        return {
            "name": "lash-spec",
            "version": __version__,
            "language": "python",
            "protocol": PROTOCOL,
            "ops": sorted(self.ops),
            "kinds": ["turn_trace", "run_admission"],
            "homepage": "https://github.com/Ascending-AI/lash",
            **({} if self.eras is None else {"eras": sorted(self.eras)}),
        }

    def handle(self, request: dict[str, Any]) -> Reply:
        handler = self._handlers.get(request.get("cmd"))  # type: ignore[arg-type]
        if handler is None:
            return _errored(f"unknown command {request.get('cmd')!r}")
        try:
            return handler(request)
        except UnknownHandleError as err:
            return _errored(str(err))
        except KeyError as err:
            return _errored(f"request lacks {err}")
        except Exception as exc:  # the model crashed: the case is errored, the adapter lives
            return _crash(exc)

    # -- handshake and call cases --------------------------------------------

    def _start(self, request: dict[str, Any]) -> Reply:
        if request.get("protocol") != PROTOCOL:
            return _errored(f"this adapter speaks {PROTOCOL}, not {request.get('protocol')!r}")
        return {"ok": self.hello()}

    def _call(self, request: dict[str, Any]) -> Reply:
        from lash_spec.conformance.ops import op_at
        from lash_spec.eras import era_names

        name = request["op"]
        era = request.get("era")
        if era is not None and era not in era_names():
            return _errored(f"unknown era {era!r}")
        op = op_at(name, era) if name in self.ops else None
        if op is None:
            return {"skipped": {"reason": f"unknown op {name} (at era {era})"}}
        try:
            decoded = op.decode_args(request["args"], era)
        except WireError as err:
            # Not the op's refusal: the case's argument is not of the op's type.
            return {"err": {"code": "argument", "message": f"argument does not decode: {err}"}}
        try:
            with op.at_era(era):
                value = op.fn(*decoded)
        except (LashError, WireError) as err:
            return {"err": {"code": err.code, "message": str(err)}}
        return {"ok": op.encode_result(value)}

    # -- turn machines (seed 003) ---------------------------------------------

    def _machine_new(self, request: dict[str, Any]) -> Reply:
        from lash_spec.model.sansio import ERA
        from lash_spec.turn_machine.config import TraceConfig
        from lash_spec.turn_machine.driver import ScriptedDriver
        from lash_spec.turn_machine.trace import TraceStart
        from lash_spec.wire.codec import from_wire

        try:
            config: TraceConfig = TraceConfig.from_wire(request["config"])
            start: TraceStart = from_wire(TraceStart, request["start"], era=ERA)
            driver = ScriptedDriver.from_wire(request["driver"])
        except WireError as err:
            return {"err": {"code": err.code, "message": str(err)}}
        self.machines[request["machine"]] = [config, driver, start.machine(config, driver)]
        return {"ok": None}

    def _machine(self, request: dict[str, Any]) -> Any:
        return _live(self.machines, request, "machine")[2]

    def _machine_poll(self, request: dict[str, Any]) -> Reply:
        from lash_spec.wire.codec import to_wire

        effect = self._machine(request).poll_effect()
        return {"ok": None if effect is None else to_wire(effect)}

    def _machine_respond(self, request: dict[str, Any]) -> Reply:
        from lash_spec.model.sansio import ERA
        from lash_spec.turn_machine.responses import Response
        from lash_spec.wire.codec import from_wire

        machine = self._machine(request)
        try:
            response: Response = from_wire(Response, request["response"], era=ERA)
        except WireError as err:
            return {"err": {"code": err.code, "message": str(err)}}
        machine.handle_response(response)
        return {"ok": None}

    def _machine_checkpoint(self, request: dict[str, Any]) -> Reply:
        from lash_spec.wire.codec import to_wire

        return {"ok": to_wire(self._machine(request).checkpoint())}

    def _machine_restore(self, request: dict[str, Any]) -> Reply:
        from lash_spec.model.sansio import ERA, TurnCheckpoint
        from lash_spec.turn_machine.machine import TurnMachine
        from lash_spec.wire.codec import from_wire

        entry = _live(self.machines, request, "machine")
        config, driver = entry[0], entry[1]
        try:
            checkpoint: TurnCheckpoint = from_wire(
                TurnCheckpoint, request["checkpoint"], era=ERA
            )
        except WireError as err:
            return {"err": {"code": err.code, "message": str(err)}}
        entry[2] = TurnMachine.restore_from_checkpoint(config.machine_config(driver), checkpoint)
        return {"ok": None}

    def _machine_done(self, request: dict[str, Any]) -> Reply:
        return {"ok": self._machine(request).is_done()}

    def _machine_drop(self, request: dict[str, Any]) -> Reply:
        self.machines.pop(request["machine"], None)
        return {"ok": None}

    # -- run-admission scenarios (seed 004) -----------------------------------

    def _runtime_new(self, request: dict[str, Any]) -> Reply:
        from lash_spec.conformance.scenario import read_config
        from lash_spec.wire.types import Err

        try:
            config = read_config(request["config"], ("runtime",))
        except WireError as err:
            return {"err": {"code": err.code, "message": str(err)}}
        built = config.build()
        if isinstance(built, Err):
            return {"err": {"code": built.error.code, "message": built.error.message}}
        self.runtimes[request["runtime"]] = built.value
        return {"ok": None}

    def _runtime_step(self, request: dict[str, Any]) -> Reply:
        from lash_spec.conformance.scenario import _apply, _ok_json
        from lash_spec.wire.types import Err

        handle = request["runtime"]
        op = request["op"]
        try:
            registry, result = _apply(
                _live(self.runtimes, request, "runtime"), op, request["arg"], ("arg",)
            )
        except WireError as err:
            return {"err": {"code": err.code, "message": str(err)}}
        self.runtimes[handle] = registry
        if isinstance(result, Err):
            return {"err": {"code": result.error.code, "message": result.error.message}}
        return {"ok": _ok_json(op, result.value)}

    def _runtime_drop(self, request: dict[str, Any]) -> Reply:
        self.runtimes.pop(request["runtime"], None)
        return {"ok": None}


_encode = json.JSONEncoder(
    ensure_ascii=True, separators=(",", ":"), allow_nan=False, check_circular=False
).encode


def serve(stdin: IO[bytes], stdout: IO[bytes], adapter: ReferenceAdapter | None = None) -> int:
    """Answer requests until EOF; returns the exit status."""
    adapter = adapter or ReferenceAdapter()
    handle = adapter.handle
    write, flush = stdout.write, stdout.flush
    for line in stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except ValueError as err:
            sys.stderr.write(f"lash-spec adapter: request is not JSON: {err}\n")
            return 2
        if type(request) is not dict:
            sys.stderr.write("lash-spec adapter: request is not a JSON object\n")
            return 2
        reply = {"seq": request.get("seq"), **handle(request)}
        try:
            text = _encode(reply)
        except ValueError as err:  # NaN/inf in a result: not JSON
            text = _encode({"seq": reply["seq"], **_errored(f"result is not JSON: {err}")})
        write(text.encode("ascii") + b"\n")
        flush()
    return 0


def main(eras: frozenset[str] | None = None) -> int:
    """``lash-spec adapter``: serve stdin/stdout (declaring ``eras``, if given).

    Whatever the model (or a library) prints is moved to stderr: stdout
    carries protocol lines only.
    """
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    try:
        return serve(sys.stdin.buffer, out, ReferenceAdapter(eras))
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130
    finally:
        with contextlib.suppress(OSError):
            out.close()


if __name__ == "__main__":
    sys.exit(main())
