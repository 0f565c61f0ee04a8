"""The adapter protocol ``lash-spec-adapter/1``: messages, framing, schemas.

An *adapter* wraps one implementation of lash's wire contracts (Rust,
TypeScript, Go, …) so :mod:`lash_spec.harness.runner` can check it against the
conformance corpus. It is a child process that reads requests from stdin and
writes replies to stdout, one JSON object per line (UTF-8, ``\\n``-terminated),
answering every request, in order, with a reply carrying the request's
``seq``. The full description is ``docs/adapter-protocol.md``; the JSON
Schemas in ``docs/schema/adapter-*.schema.json`` are generated from
:func:`schemas` (``python -m lash_spec.harness.protocol docs/schema``).

Messages are plain JSON (not codec-modelled types): this module is the one
place that knows their shape, the runner validates every reply here by
hand (no schema library at run time), and the hot path stays one
``json.dumps`` and one ``json.loads`` per request.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import attrs

from lash_spec.wire.reader import serde_number

__all__ = [
    "COMMANDS",
    "OUTCOMES",
    "PROTOCOL",
    "EraNotDeclaredError",
    "Hello",
    "ProtocolError",
    "Reply",
    "encode_request",
    "excerpt",
    "parse_hello",
    "parse_reply",
    "schemas",
    "write_schemas",
]

PROTOCOL: Final = "lash-spec-adapter/1"

# Request commands and the fields each carries besides "seq" and "cmd".
COMMANDS: Final[dict[str, tuple[str, ...]]] = {
    "start": ("protocol",),
    "call": ("op", "args"),
    "machine.new": ("machine", "config", "start", "driver"),
    "machine.poll": ("machine",),
    "machine.respond": ("machine", "response"),
    "machine.checkpoint": ("machine",),
    "machine.restore": ("machine", "checkpoint"),
    "machine.done": ("machine",),
    "machine.drop": ("machine",),
    "runtime.new": ("runtime", "config"),
    "runtime.step": ("runtime", "op", "arg"),
    "runtime.drop": ("runtime",),
}

OUTCOMES: Final = ("ok", "err", "skipped", "errored")

# Body kinds driven through stateful commands; an adapter lists the ones it
# drives in its hello's "kinds". Call cases need no kind: "ops" says which.
STATEFUL_KINDS: Final = ("turn_trace", "run_admission")


class ProtocolError(Exception):
    """A reply that breaks the protocol (the adapter, not the case, is wrong).

    ``fatal`` means the stream can no longer be trusted (framing or sequence
    broken): the runner restarts the adapter. A non-fatal error (a well-framed
    reply with a bad outcome) errors that one case only.
    """

    def __init__(self, message: str, *, fatal: bool = True) -> None:
        super().__init__(message)
        self.fatal = fatal


@attrs.frozen
class Reply:
    """One reply: ``tag`` is one of :data:`OUTCOMES`, ``value`` its payload."""

    tag: str
    value: Any


@attrs.frozen(kw_only=True)
class Hello:
    """What an adapter says about itself in reply to ``start``."""

    name: str
    version: str
    language: str
    protocol: str
    ops: frozenset[str]
    kinds: frozenset[str]
    raw: Mapping[str, Any] = attrs.field(eq=False, repr=False)
    eras: frozenset[str] | None = None  # None: every era (the hello names none)

    def describe(self) -> str:
        kinds = ", ".join(sorted(self.kinds)) or "none"
        eras = "all" if self.eras is None else ", ".join(sorted(self.eras))
        return (
            f"{self.name} {self.version} ({self.language}), {len(self.ops)} op(s), "
            f"stateful kinds: {kinds}, eras: {eras}"
        )

    def era_for(self, case_eras: tuple[str, ...] | None) -> str | None:
        """The era to run a case at: the first of the case's eras this adapter
        declares (``None`` when the case names none). Raises
        :class:`EraNotDeclaredError` when the case holds at no declared era."""
        if not case_eras:
            return None
        for era in case_eras:
            if self.eras is None or era in self.eras:
                return era
        assert self.eras is not None
        raise EraNotDeclaredError(
            f"holds at era {', '.join(case_eras)}; "
            f"the adapter declares {', '.join(sorted(self.eras))}"
        )


class EraNotDeclaredError(Exception):
    """A case that holds at none of the adapter's declared eras (it is skipped)."""


_ENCODE = json.JSONEncoder(
    ensure_ascii=True, separators=(",", ":"), allow_nan=False, check_circular=False
).encode


def encode_request(request: Mapping[str, Any]) -> bytes:
    """One request line. ASCII-only (``\\u`` escapes), so any reader copes.

    Raises ``ValueError`` for a value JSON cannot hold (NaN, ±inf).
    """
    return (_ENCODE(request) + "\n").encode("ascii")


def excerpt(data: bytes | str, limit: int = 200) -> str:
    """A printable head of a reply, for reports."""
    text = data[: limit * 4].decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    text = text.rstrip("\n")
    shown = text[:limit].encode("unicode_escape").decode("ascii")
    more = len(data) - limit if len(text) > limit else 0
    return shown + (f"… (+{more} more)" if more else "")


def _loads(line: bytes) -> Any:
    # serde's number rules, as for fixtures: both sides of a comparison are
    # read the same way (-0 is the float -0.0; integers past u64 are floats).
    return json.loads(line, parse_int=serde_number, parse_constant=_no_constant)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_reply(line: bytes, seq: int) -> Reply:
    """Validate one reply line against the request it must answer.

    Framing problems (not JSON, not an object, wrong ``seq``) raise a fatal
    :class:`ProtocolError`; a well-framed reply with a malformed outcome raises
    a non-fatal one.
    """
    try:
        doc = _loads(line)
    except (ValueError, RecursionError) as err:
        raise ProtocolError(f"reply is not JSON ({err}): {excerpt(line)!r}") from None
    if type(doc) is not dict:
        raise ProtocolError(f"reply is not a JSON object: {excerpt(line)!r}")
    got = doc.get("seq")
    if type(got) is not int:
        raise ProtocolError(f"reply has no integer `seq`: {excerpt(line)!r}")
    if got != seq:
        order = "out of order (a later request's)" if got > seq else "stale or wrong"
        raise ProtocolError(f"reply seq {got} is {order}: expected seq {seq}: {excerpt(line)!r}")
    tags = [t for t in OUTCOMES if t in doc]
    if len(tags) != 1:
        raise ProtocolError(
            f"reply must hold exactly one of ok/err/skipped/errored: {excerpt(line)!r}",
            fatal=False,
        )
    tag = tags[0]
    value = doc[tag]
    if tag == "err":
        if type(value) is not dict or type(value.get("code")) is not str:
            raise ProtocolError(
                f"`err` must be an object with a string `code`: {excerpt(line)!r}", fatal=False
            )
    elif tag == "skipped":
        value = _reason(value, "reason")
    elif tag == "errored":
        value = _reason(value, "message")
    return Reply(tag, value)


def _reason(value: Any, key: str) -> str:
    if isinstance(value, dict):
        value = value.get(key)
    return value if isinstance(value, str) else json.dumps(value)


def _hello_eras(value: Mapping[str, Any]) -> frozenset[str] | None:
    from lash_spec.eras import era_names

    if "eras" not in value:
        return None
    eras = value["eras"]
    if type(eras) is not list or not eras or not all(type(e) is str for e in eras):
        raise ProtocolError("the hello's `eras` must be a non-empty array of strings")
    unknown = sorted(set(eras) - set(era_names()))
    if unknown:
        raise ProtocolError(
            f"the hello names unknown era(s) {', '.join(unknown)}; "
            f"known: {', '.join(era_names())}"
        )
    return frozenset(eras)


def parse_hello(value: Any) -> Hello:
    """Validate the ``ok`` value of the ``start`` reply."""
    if type(value) is not dict:
        raise ProtocolError("the start reply's `ok` must be an object")
    for key in ("name", "version", "language", "protocol"):
        if type(value.get(key)) is not str:
            raise ProtocolError(f"the hello must hold a string `{key}`")
    if value["protocol"] != PROTOCOL:
        raise ProtocolError(
            f"the adapter speaks {value['protocol']!r}; this runner speaks {PROTOCOL!r}"
        )
    ops = value.get("ops")
    if type(ops) is not list or not all(type(o) is str for o in ops):
        raise ProtocolError("the hello's `ops` must be an array of strings")
    kinds = value.get("kinds", [])
    if type(kinds) is not list or not all(type(k) is str for k in kinds):
        raise ProtocolError("the hello's `kinds` must be an array of strings")
    return Hello(
        eras=_hello_eras(value),
        name=value["name"],
        version=value["version"],
        language=value["language"],
        protocol=value["protocol"],
        ops=frozenset(ops),
        kinds=frozenset(kinds),
        raw=value,
    )


# ---------------------------------------------------------------------------
# JSON Schemas (draft 2020-12) of every message
# ---------------------------------------------------------------------------

_BASE = "https://lash-spec.invalid/schema/"
_ANY: dict[str, Any] = {"description": "any JSON value, in serde form"}


def _request(cmd: str, doc: str, **fields: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = {
        "seq": {"$ref": "#/$defs/seq"},
        "cmd": {"const": cmd},
        **fields,
    }
    return {
        "title": cmd,
        "description": doc,
        "type": "object",
        "required": ["seq", "cmd", *fields],
        "properties": props,
    }


def _handle(what: str) -> dict[str, Any]:
    return {
        "type": "string",
        "description": (
            f"the runner's opaque name for this {what} (h1, h2, ...; never reused in a run); "
            "a request naming one that is not live is answered errored"
        ),
    }


def _request_schema() -> dict[str, Any]:
    machine = _handle("turn machine")
    runtime = _handle("runtime")
    defs: dict[str, Any] = {
        "seq": {
            "type": "integer",
            "minimum": 0,
            "description": "increases by one per request; the reply carries it back",
        },
        "start": _request(
            "start",
            "Handshake: the first request after the adapter starts. Reply ok = a hello "
            "(adapter-hello.schema.json).",
            protocol={"const": PROTOCOL},
        ),
        "call": _request(
            "call",
            "Run one call case: OP applied to ARGS (serde form, self first). Reply ok = "
            "the result in serde form (stable_json: the text as a JSON string), err = "
            "{code} for a refusal with a stable code (decode: serde rejects), skipped = "
            "op not implemented.",
            op={"type": "string"},
            args={"type": "array", "items": _ANY},
        ),
        "machine.new": _request(
            "machine.new",
            "Build a turn machine from a turn trace's CONFIG, START and DRIVER "
            "(docs/case-bodies.md, Turn trace). Reply ok = null.",
            machine=machine,
            config=_ANY,
            start=_ANY,
            driver=_ANY,
        ),
        "machine.poll": _request(
            "machine.poll", "poll_effect(). Reply ok = the Effect or null.", machine=machine
        ),
        "machine.respond": _request(
            "machine.respond",
            "handle_response(RESPONSE) (externally tagged Response). Reply ok = null; "
            "err {code: decode} when RESPONSE does not decode.",
            machine=machine,
            response=_ANY,
        ),
        "machine.checkpoint": _request(
            "machine.checkpoint", "checkpoint(). Reply ok = the TurnCheckpoint.", machine=machine
        ),
        "machine.restore": _request(
            "machine.restore",
            "Replace the machine by restore_from_checkpoint(trace CONFIG, CHECKPOINT) with "
            "the same scripted driver; CHECKPOINT is what machine.checkpoint returned, "
            "parsed from JSON text. Reply ok = null.",
            machine=machine,
            checkpoint=_ANY,
        ),
        "machine.done": _request(
            "machine.done", "is_done(). Reply ok = a boolean.", machine=machine
        ),
        "machine.drop": _request(
            "machine.drop", "Forget the machine. Reply ok = null.", machine=machine
        ),
        "runtime.new": _request(
            "runtime.new",
            "Build an AgentRuntime from a run-admission scenario's RUNTIME "
            "(docs/case-bodies.md). Reply ok = null, or err {code} when build() fails.",
            runtime=runtime,
            config=_ANY,
        ),
        "runtime.step": _request(
            "runtime.step",
            "Run one scenario step: OP (start_run, resolve_effective_package, cancel_run, "
            "run_snapshot, registered_run_count, events) with ARG. Reply ok = the step's "
            "value as the scenario writes it, or err {code, message?}.",
            runtime=runtime,
            op={"type": "string"},
            arg=_ANY,
        ),
        "runtime.drop": _request(
            "runtime.drop", "Forget the runtime. Reply ok = null.", runtime=runtime
        ),
    }
    defs["call"]["properties"]["era"] = {
        "type": "string",
        "description": (
            "optional: the upstream era to run the case at (docs/eras.md), one the hello "
            "declares; decode:TYPE reads TYPE's form at that era"
        ),
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": _BASE + "adapter-request.schema.json",
        "title": f"A request from the runner to an adapter ({PROTOCOL})",
        "description": "One line of the adapter's stdin. Unknown keys must be ignored.",
        "oneOf": [{"$ref": f"#/$defs/{cmd}"} for cmd in COMMANDS],
        "$defs": defs,
    }


def _reply_schema() -> dict[str, Any]:
    def outcome(tag: str, value: dict[str, Any], doc: str) -> dict[str, Any]:
        return {
            "title": tag,
            "description": doc,
            "type": "object",
            "required": ["seq", tag],
            "properties": {"seq": {"type": "integer", "minimum": 0}, tag: value},
            "not": {"anyOf": [{"required": [t]} for t in OUTCOMES if t != tag]},
        }

    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": _BASE + "adapter-reply.schema.json",
        "title": f"A reply from an adapter to the runner ({PROTOCOL})",
        "description": (
            "One line of the adapter's stdout: the request's seq and exactly one outcome. "
            "Replies come in request order. Other keys are ignored."
        ),
        "oneOf": [
            outcome("ok", _ANY, "The operation returned; the value in serde form."),
            outcome(
                "err",
                {
                    "type": "object",
                    "required": ["code"],
                    "properties": {
                        "code": {"type": "string"},
                        "message": {"type": "string", "description": "for people; not compared"},
                    },
                },
                "The operation refused with a stable error code.",
            ),
            outcome(
                "skipped",
                {
                    "type": "object",
                    "required": ["reason"],
                    "properties": {"reason": {"type": "string"}},
                },
                "The adapter does not implement this (the case is reported skipped).",
            ),
            outcome(
                "errored",
                {
                    "type": "object",
                    "required": ["message"],
                    "properties": {"message": {"type": "string"}},
                },
                "The implementation crashed or could not run this request.",
            ),
        ],
    }


def _hello_schema() -> dict[str, Any]:
    from lash_spec.eras import era_names

    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": _BASE + "adapter-hello.schema.json",
        "title": "Hello: the ok value of the start reply",
        "type": "object",
        "required": ["name", "version", "language", "protocol", "ops"],
        "properties": {
            "name": {"type": "string", "description": "the implementation's name"},
            "version": {"type": "string"},
            "language": {"type": "string", "description": "e.g. rust, typescript, go"},
            "protocol": {"const": PROTOCOL},
            "ops": {
                "type": "array",
                "items": {"type": "string"},
                "description": (
                    "call-case ops implemented (exact names, e.g. stable_hash, "
                    "decode:TurnCheckpoint); cases of other ops are skipped without a request"
                ),
            },
            "kinds": {
                "type": "array",
                "items": {"enum": list(STATEFUL_KINDS)},
                "default": [],
                "description": "stateful body kinds the adapter drives",
            },
            "eras": {
                "type": "array",
                "items": {"enum": list(era_names())},
                "minItems": 1,
                "uniqueItems": True,
                "description": (
                    "the upstream eras (commits) the adapter implements; absent = all. "
                    "Cases that hold at none of them are skipped without a request"
                ),
            },
            "homepage": {"type": "string"},
        },
    }


def schemas() -> dict[str, dict[str, Any]]:
    """File name → JSON Schema, for every message of the protocol."""
    return {
        "adapter-request.schema.json": _request_schema(),
        "adapter-reply.schema.json": _reply_schema(),
        "adapter-hello.schema.json": _hello_schema(),
    }


def render_schema(doc: Mapping[str, Any]) -> str:
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


def write_schemas(folder: Path) -> list[Path]:
    """Write :func:`schemas` into ``folder``; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, doc in schemas().items():
        path = folder / name
        text = render_schema(doc)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover - a maintenance command
    for written_path in write_schemas(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/schema")):
        print(f"wrote {written_path}")
