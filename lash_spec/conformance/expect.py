"""Golden fixtures from people's own inputs (``lash-spec expect``).

A runtime team writes case *inputs* — a call with its arguments, a turn
trace's configuration, driver script and host moves, a run-admission
scenario's runtime and operations — and the model fills in what each must
give (the execution-spec-tests pattern: people write inputs, the reference
writes the expectations). The result is a corpus file
(docs/corpus-format.md) that ``lash-spec run`` and the pytest plugin consume
like ``conformance/``.

:func:`expect_body` is the one place this happens, with the code ``lash-spec
fill`` uses for ``conformance/``: :func:`~lash_spec.conformance.corpus.call`
for call cases, :class:`~lash_spec.turn_machine.trace.TraceRecorder` and
:class:`~lash_spec.conformance.scenario.ScenarioRecorder` for the stateful
kinds. Input-only bodies are the fixed bodies minus their expectations
(docs/golden-fixtures.md):

* call case ``{"call": OP, "args": [ARG, ...]}``;
* turn trace ``{"config", "start", "driver", "steps"}``, each step a host
  move: ``"poll"``, ``"checkpoint"``, ``"done"``, ``"restore"`` (or
  ``{"restore": true}``) and ``{"respond": RESPONSE}``;
* run-admission scenario ``{"scenario": "run_admission", "runtime", "steps"}``,
  each step one operation and its argument, without ``ok``/``err``, and no
  ``build``.

Call arguments and a scenario's runtime and steps are kept as written; a
trace is written back as :class:`TraceRecorder` records it (canonical serde
form, as its schema describes), as ``fill`` writes traces. So a corpus file
stripped to its inputs (:func:`inputs_of`) comes back byte for byte.

An expectation an input does state (``ok``, ``{"poll": EFFECT}``, a step's
``err``…) is a hand-derived one: the model must agree or the input is
rejected, as ``fill`` stops on a scenario whose stated result is wrong. So a
complete body, or a whole fixture file, is a valid input too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs

from lash_spec.conformance.check import body_kind, check_case
from lash_spec.conformance.corpus import CaseSpec, FileSpec, body_hash, call, render_file
from lash_spec.conformance.coverage import KIND_CONCEPTS, concept_of
from lash_spec.conformance.diff import _excerpt, first_difference
from lash_spec.conformance.inputs import Header, Input
from lash_spec.conformance.ops import op_at, registry
from lash_spec.eras import era_of_seed
from lash_spec.wire.errors import PathItem, WireError, render_path

__all__ = [
    "ExpectError",
    "Problem",
    "check_fixture",
    "expect_body",
    "fill_inputs",
    "inputs_of",
]

_OUTCOMES = ("ok", "err", "ok_any")  # a call case's expectation keys
_OBSERVED = ("poll", "checkpoint", "done")  # trace steps whose value is an expectation
_MOVES = (*_OBSERVED, "restore")  # host moves written as a bare string
_SEED = re.compile(r"[0-9]{3}")  # what the corpus-file schema allows as a seed


class ExpectError(Exception):
    """The model rejects an input; ``path`` (``$.args[0].op``) says where in the body."""

    def __init__(self, message: str, path: str = "$") -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def _wire(err: WireError, *prefix: PathItem, what: str = "") -> ExpectError:
    return ExpectError(f"{what}{err.message}", render_path((*prefix, *err.path)))


def _raised(index: int, step: str, exc: Exception) -> ExpectError:
    return ExpectError(
        f"step {index} ({step}): the model raised {type(exc).__name__}: {exc}", f"$.steps[{index}]"
    )


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    names = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array"}
    return names.get(type(value), "object")


def _known_keys(body: dict[str, Any], known: Sequence[str]) -> None:
    for key in body:
        if key not in known:
            raise ExpectError(f"unknown key `{key}`, expected one of {list(known)}")


def expect_body(body: Any, era: str | None = None) -> dict[str, Any]:
    """``body`` with every expectation filled in by the model at ``era``.

    ``body`` is an input-only case body (module docstring); any expectation
    it states must agree with the model. ``era`` (a name from
    :mod:`lash_spec.eras`) is where the model runs: ``decode:``-style ops
    read and write that era's forms, and a seed's function, trace or
    scenario is refused at an era other than its seed's. ``None`` is the
    op's own era, as :func:`~lash_spec.conformance.corpus.call` has it.
    Raises :class:`ExpectError` (with the JSON path) for an input the model
    rejects: an unknown op, era or body kind, an argument that does not
    decode, an impossible trace.
    """
    from lash_spec.eras import UnknownEraError
    from lash_spec.eras import era as era_named

    if not isinstance(body, dict):
        raise ExpectError(f"a case body is a JSON object, got {_type_name(body)}")
    if era is not None:
        try:
            era_named(era)
        except UnknownEraError as err:
            raise ExpectError(str(err)) from None
    kind = body_kind(body)
    filler = _FILLERS.get(kind)
    if filler is None:
        raise ExpectError(
            "unknown body kind: expected a call case (`call`), a turn trace (`config` and "
            '`steps`) or a run-admission scenario (`"scenario": "run_admission"`)'
        )
    if kind != "call":
        _declared_at(kind, KIND_CONCEPTS[kind][0], era)
    filled, stated = filler(body, era)
    if stated is not None:
        result = check_case(stated, era=era)
        if not result.passed:
            raise ExpectError(
                f"the stated expectation is not what the model gives: {result.detail}",
                result.path or "$",
            )
    return filled


def _declared_at(what: str, seed: str, era: str | None, path: str = "$") -> None:
    """Refuse ``era`` for a seed's function or body kind declared at another era
    (such a case holds at no era: ``check_case`` refuses it there too)."""
    declared = era_of_seed(seed)
    if era is not None and declared is not None and era != declared:
        raise ExpectError(
            f"{what} belongs to seed {seed}, declared at era {declared}: it does not run at {era}",
            path,
        )


Filled = tuple[dict[str, Any], dict[str, Any] | None]  # (filled body, body to check, if stated)


def _fill_call(body: dict[str, Any], era: str | None) -> Filled:
    _known_keys(body, ("call", "args", *_OUTCOMES))
    name = body["call"]
    if not isinstance(name, str):
        raise ExpectError(f"`call` must be a string, got {_type_name(name)}", "$.call")
    if registry().get(name) is None:
        raise ExpectError(f"unknown op {name!r} (see `lash-spec explain`)", "$.call")
    op = op_at(name, era)
    if op is None:
        raise ExpectError(f"{name}: the type does not exist at era {era}", "$.call")
    _declared_at(name, op.seed, era, "$.call")
    args = body.get("args")
    if not isinstance(args, list):
        raise ExpectError("`args` must be an array of the op's arguments", "$.args")
    try:
        op.decode_args(args, era)
    except WireError as err:
        raise _wire(err, *(() if err.path else ("args",)), what="does not decode: ") from None
    try:
        filled = call(name, args, era=era)
    except Exception as exc:  # a model crash is the input's report, not a crashed command
        raise ExpectError(f"the model raised {type(exc).__name__}: {exc}") from None
    stated = body if any(key in body for key in _OUTCOMES) else None
    return filled, stated


def _trace_move(step: Any, index: int) -> tuple[str, Any, bool]:
    """(move, its decoded value, whether the step states an expectation)."""
    from lash_spec.turn_machine.responses import Response
    from lash_spec.wire.codec import from_wire

    path = f"$.steps[{index}]"
    if isinstance(step, str) and step in _MOVES:
        return step, None, False
    if not (isinstance(step, dict) and len(step) == 1):
        raise ExpectError(
            f'a step is a host move: one of {list(_MOVES)} or {{"respond": RESPONSE}}', path
        )
    ((move, value),) = step.items()
    if move == "respond":
        try:
            return move, from_wire(Response, value), False
        except WireError as err:
            raise _wire(err, "steps", index, move, what="does not decode: ") from None
    if move == "restore":
        if value is not True:
            raise ExpectError("`restore` must be true", f"{path}.restore")
        return move, None, False
    if move in _OBSERVED:
        return move, None, True
    raise ExpectError(f"unknown step kind {move!r}", path)


def _fill_trace(body: dict[str, Any], era: str | None) -> Filled:
    from lash_spec.turn_machine.config import TraceConfig
    from lash_spec.turn_machine.driver import ScriptedDriver
    from lash_spec.turn_machine.trace import TraceRecorder, TraceStart
    from lash_spec.wire.codec import from_wire

    _known_keys(body, ("config", "start", "driver", "steps"))
    parts: dict[str, Any] = {}
    for key, tp in (("config", TraceConfig), ("start", TraceStart)):
        if key not in body:
            raise ExpectError(f"missing `{key}`")
        try:
            parts[key] = from_wire(tp, body[key])
        except WireError as err:
            raise _wire(err, key) from None
    try:
        driver = ScriptedDriver.from_wire(body.get("driver", {}))
    except WireError as err:
        raise _wire(err, "driver") from None
    steps = body["steps"]
    if not isinstance(steps, list):
        raise ExpectError("`steps` must be an array of host moves", "$.steps")
    moves = [_trace_move(step, i) for i, step in enumerate(steps)]
    try:
        recorder = TraceRecorder(parts["config"], parts["start"], driver)
    except WireError as err:
        raise ExpectError(f"cannot build the machine: {err}", "$.config") from None
    for index, (move, value, _) in enumerate(moves):
        try:
            if move == "respond":
                recorder.respond(value)
            else:
                getattr(recorder, move)()
        except Exception as exc:  # a model crash is the input's report
            raise _raised(index, move, exc) from None
    # Written as the recorder saw it: config, start, driver and responses in
    # their canonical serde form (what the turn-trace schema describes).
    filled = recorder.body()
    if not any(stated for _, _, stated in moves):
        return filled, None
    merged = [
        step if stated else mine
        for step, mine, (_, _, stated) in zip(steps, filled["steps"], moves, strict=True)
    ]
    return filled, {**filled, "steps": merged}


def _scenario_step(step: Any, index: int) -> tuple[str, Any, dict[str, Any]]:
    """(operation, its argument as JSON, the stated ``ok``/``err`` if any)."""
    from lash_spec.conformance.scenario import STEP_OPS

    path = f"$.steps[{index}]"
    if not isinstance(step, dict):
        raise ExpectError(f"a step is an object, got {_type_name(step)}", path)
    ops = [key for key in step if key in STEP_OPS]
    extra = [key for key in step if key not in STEP_OPS and key not in ("ok", "err")]
    if extra:
        raise ExpectError(f"unknown key `{extra[0]}`, expected one of {list(STEP_OPS)}", path)
    if len(ops) != 1:
        raise ExpectError(f"a step names exactly one operation of {list(STEP_OPS)}", path)
    if "ok" in step and "err" in step:
        raise ExpectError("a step states at most one of `ok` / `err`", path)
    stated = {key: step[key] for key in ("ok", "err") if key in step}
    return ops[0], step[ops[0]], stated


def _fill_scenario(body: dict[str, Any], era: str | None) -> Filled:
    from lash_spec.conformance.scenario import ScenarioRecorder, read_config

    _known_keys(body, ("scenario", "runtime", "build", "steps"))
    try:
        config = read_config(body.get("runtime", {}), ("runtime",))
    except WireError as err:
        raise _wire(err) from None
    steps = body.get("steps", [])
    if not isinstance(steps, list):
        raise ExpectError("`steps` must be an array of operations", "$.steps")
    parsed = [_scenario_step(step, i) for i, step in enumerate(steps)]
    recorder = ScenarioRecorder(config)
    if recorder.build_error is not None and parsed:
        raise ExpectError(
            f"the runtime does not build ({recorder.build_error.code}: "
            f"{recorder.build_error.message}): a scenario whose build fails has no steps",
            "$.steps",
        )
    for index, (op, arg, _) in enumerate(parsed):
        try:
            recorder.apply(op, arg, ("steps", index, op))
        except WireError as err:
            raise _wire(err, what=f"step {index} ({op}): ") from None
        except Exception as exc:  # a model crash is the input's report
            raise _raised(index, op, exc) from None
    # The runtime and arguments as written (every RUNTIME and REQUEST key is
    # optional); each step's outcome as the recorder saw it.
    filled: dict[str, Any] = {"scenario": body["scenario"], "runtime": body.get("runtime", {})}
    if recorder.build_error is not None:
        filled["build"] = recorder.body()["build"]
    filled["steps"] = recorder.steps
    if "build" not in body and not any(stated for _, _, stated in parsed):
        return filled, None
    merged = {"scenario": filled["scenario"], "runtime": filled["runtime"]}
    if "build" in body:
        merged["build"] = body["build"]
    merged["steps"] = [
        {op: arg, **stated} if stated else mine
        for mine, (op, arg, stated) in zip(filled["steps"], parsed, strict=True)
    ]
    return filled, merged


# Each filler takes the era; a trace's or scenario's is its seed's (checked first).
_FILLERS: dict[str, Callable[[dict[str, Any], str | None], Filled]] = {
    "call": _fill_call,
    "turn_trace": _fill_trace,
    "run_admission": _fill_scenario,
}


def inputs_of(body: Any) -> Any:
    """``body`` without its expectations: the input :func:`expect_body` fills back in."""
    kind = body_kind(body)
    if kind == "call":
        return {k: v for k, v in body.items() if k not in _OUTCOMES}
    if kind == "turn_trace" and isinstance(body["steps"], list):
        steps = [
            next(iter(s))
            if isinstance(s, dict) and len(s) == 1 and next(iter(s)) in _OBSERVED
            else s
            for s in body["steps"]
        ]
        return {**body, "steps": steps}
    if kind == "run_admission":
        out = {k: v for k, v in body.items() if k != "build"}
        if isinstance(body.get("steps"), list):
            out["steps"] = [
                {k: v for k, v in s.items() if k not in ("ok", "err")} if isinstance(s, dict) else s
                for s in body["steps"]
            ]
        return out
    return body


# ---------------------------------------------------------------------------
# Ids, descriptions, the file
# ---------------------------------------------------------------------------


def _case_id(body: dict[str, Any]) -> str:
    """An id named by the input's content (as generated corpus ids are)."""
    kind = body_kind(body)
    prefix = body["call"].replace("::", "/").replace(":", "/") if kind == "call" else kind
    return f"{prefix}/in-{body_hash(inputs_of(body))[:12]}"


def describe(body: dict[str, Any]) -> str:
    """A default description of a filled body: what the model answered."""
    kind = body_kind(body)
    if kind == "call":
        if "err" in body:
            return f"{body['call']} refuses: {body['err'].get('code')}"
        if "ok_any" in body:
            return f"{body['call']}: one of {len(body['ok_any'])} answers"
        return f"{body['call']} answers"
    if kind == "turn_trace":
        effects = [
            next(iter(s["poll"]), "?") if isinstance(s["poll"], dict) else str(s["poll"])
            for s in body["steps"]
            if "poll" in s and s["poll"] is not None
        ]
        shown = ", ".join(effects[:8]) + (", …" if len(effects) > 8 else "")
        return f"turn trace of {len(body['steps'])} steps; effects: {shown or 'none'}"
    build = body.get("build", {}).get("err")
    if build is not None:
        return f"run admission: the runtime does not build ({build['code']})"
    refused = sum(1 for s in body["steps"] if "err" in s)
    return f"run admission: {len(body['steps'])} steps, {refused} refused"


@attrs.frozen
class Problem:
    """An input the model rejects (or that is not a case): where, JSON path, why."""

    where: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.path}: {self.message}"


def _case(item: Input, body: dict[str, Any]) -> CaseSpec:
    """The corpus case for one filled input, with the eras at which it holds
    (found as ``fill`` finds them: by running it in the model at every era)."""
    from lash_spec.conformance.corpus import case_eras

    description = item.description or describe(body)
    return CaseSpec(item.id or _case_id(item.body), description, body, case_eras(body))


def _header(cases: Sequence[CaseSpec], given: Header, name: str) -> tuple[str, str, str, str]:
    """(id, seed, concept, description) of the file: given parts, else derived.

    The seed and concept are the cases' own when they share one; otherwise
    the lowest seed among them and the concept ``mixed``.
    """
    where = [w for w in (concept_of(c.body) for c in cases) if w is not None]
    seeds = sorted(seed for seed, _ in where if _SEED.fullmatch(seed))
    concepts = {concept for _, concept in where}
    seed = given.seed if given.seed and _SEED.fullmatch(given.seed) else None
    return (
        given.id or name,
        seed or (seeds[0] if seeds else "000"),
        given.concept or (concepts.pop() if len(concepts) == 1 else "mixed"),
        given.description or "Golden fixtures: expectations filled in by `lash-spec expect`",
    )


def fill_inputs(
    items: Sequence[Input], header: Header, name: str, era: str | None = None
) -> tuple[FileSpec, list[Problem]]:
    """The fixture file for ``items`` and the inputs rejected (left out of it).

    Each is filled at ``era``; without one, an input that states its eras (a
    corpus case) at the first of them, where ``fill`` made it, and any other
    at its op's own era.
    """
    cases: list[CaseSpec] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for item in items:
        try:
            body = expect_body(item.body, era or next(iter(item.eras), None))
        except ExpectError as err:
            problems.append(Problem(item.where, err.path, err.message))
            continue
        case = _case(item, body)
        if case.id in seen:
            problems.append(
                Problem(item.where, "$", f"case id {case.id} already used by {seen[case.id]}")
            )
            continue
        seen[case.id] = item.where
        cases.append(case)
    file_id, seed, concept, description = _header(cases, header, name)
    spec = FileSpec(file_id, seed, concept, description, tuple(cases))
    return spec, problems


def render(spec: FileSpec) -> str:
    """The fixture file's text (the corpus layout: one case per line)."""
    return render_file(spec)


def check_fixture(path: Path, expected: str) -> list[str]:
    """Where the file at ``path`` differs from ``expected`` (empty when current)."""
    if not path.exists():
        return [f"{path}: missing (run the same `lash-spec expect` without --check)"]
    on_disk = path.read_text(encoding="utf-8")
    if on_disk == expected:
        return []
    try:
        disk_doc = json.loads(on_disk)
        cases = disk_doc["cases"]
        disk = {c["id"]: c for c in cases}
    except (ValueError, KeyError, TypeError):
        return [f"{path}: not a corpus file"]
    model = {c["id"]: c for c in json.loads(expected)["cases"]}
    problems = []
    for cid, case in disk.items():
        mine = model.get(cid)
        if mine is None:
            problems.append(f"{path}: case {cid}: not produced from the inputs (unexpected)")
            continue
        diff = first_difference(case.get("body"), mine["body"])
        if diff is not None:
            edited = case.get("hash") != body_hash(case.get("body"))
            problems.append(
                f"{path}: case {cid}: {diff.json_path}: {diff.reason}: the file has "
                f"{_excerpt(diff.expected)}, the model gives {_excerpt(diff.actual)}"
                + (" (hand-edited: its hash does not match its body)" if edited else "")
            )
        elif case != mine:
            hand = " (hash does not match the body)" if case.get("hash") != mine["hash"] else ""
            problems.append(f"{path}: case {cid}: id, description or hash differ{hand}")
    problems.extend(
        f"{path}: case {cid}: missing (re-run `lash-spec expect`)"
        for cid in model
        if cid not in disk
    )
    if not problems:
        problems.append(f"{path}: header or layout differs (re-run `lash-spec expect`)")
    return problems


# ---------------------------------------------------------------------------
# Command line (``lash-spec expect``)
# ---------------------------------------------------------------------------


def _count(spec: FileSpec) -> str:
    n = len(spec.cases)
    return f"{n} case{'' if n == 1 else 's'}"


def _expect_command(args: Any) -> int:
    import sys

    from lash_spec.conformance.inputs import read_inputs
    from lash_spec.conformance.runner import FixtureError
    from lash_spec.eras import UnknownEraError
    from lash_spec.eras import era as era_named

    out = Path(args.output)
    if not args.inputs and not (args.check and args.output != "-"):
        print(
            "lash-spec expect: give input files (or --check -o OUT to re-check OUT's own inputs)",
            file=sys.stderr,
        )
        return 2
    if args.seed is not None and not _SEED.fullmatch(args.seed):
        print(f"lash-spec expect: --seed must be three digits, got {args.seed!r}", file=sys.stderr)
        return 2
    try:
        read = read_inputs(args.inputs or [args.output])
    except FixtureError as err:
        print(f"lash-spec expect: {err}", file=sys.stderr)
        return 2
    items = read.items
    if not args.inputs:  # OUT's own inputs: its bodies without their expectations
        items = [attrs.evolve(item, body=inputs_of(item.body)) for item in items]
    given = Header(
        args.id or read.header.id,
        args.seed or read.header.seed,
        args.concept or read.header.concept,
        args.description or read.header.description,
    )
    if args.era is not None:
        try:
            era_named(args.era)
        except UnknownEraError as err:
            print(f"lash-spec expect: --era: {err}", file=sys.stderr)
            return 2
    name = "fixtures" if args.output == "-" else out.stem
    spec, problems = fill_inputs(items, given, name, args.era)
    problems = [Problem(where, "$", message) for where, message in read.problems] + problems
    for problem in problems:
        print(f"lash-spec expect: {problem}", file=sys.stderr)
    text = render(spec)
    rejected = f"{len(problems)} input(s) rejected" if problems else ""
    if args.check:
        differences = check_fixture(out, text)
        for line in differences:
            print(line)
        if differences or problems:
            parts = [f"{len(differences)} difference(s)" if differences else "", rejected]
            print(f"{out}: not current ({', '.join(p for p in parts if p)})")
            return 1
        print(f"{out}: current ({_count(spec)})")
        return 0
    if args.output == "-":
        sys.stdout.write(text)
    elif out.exists() and out.read_text(encoding="utf-8") == text:
        print(f"{out}: unchanged ({_count(spec)})", file=sys.stderr)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        print(f"wrote {out} ({_count(spec)})", file=sys.stderr)
    if problems:
        print(f"lash-spec expect: {rejected}, left out of {args.output}", file=sys.stderr)
        return 1
    return 0


def add_subcommand(sub: Any) -> None:
    """Add ``expect`` to the ``lash-spec`` subparsers."""
    what = "fill in the expectations of input-only case bodies: a fixture file"
    parser = sub.add_parser(
        "expect", help=what + " (docs/golden-fixtures.md)", description=what + "."
    )
    parser.add_argument(
        "inputs",
        nargs="*",
        metavar="IN",
        help="input bodies: a corpus-like file, a JSON array or JSON Lines (- for stdin)",
    )
    parser.add_argument(
        "-o", "--output", required=True, metavar="OUT.json", help="the fixture file (- for stdout)"
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; fail, naming case and JSON path, if OUT is not what the model "
        "gives for IN (without IN: for OUT's own inputs)",
    )
    parser.add_argument(
        "--id", help="the file's id (default: from a corpus-like input, or OUT's name)"
    )
    parser.add_argument("--seed", help="the file's seed, three digits (default: the cases' own)")
    parser.add_argument("--concept", help="the file's concept (default: the cases' own, or mixed)")
    parser.add_argument("--description", help="the file's description")
    parser.add_argument(
        "--era",
        metavar="ERA",
        help="fill every input at this upstream era (docs/eras.md; default: a corpus "
        "case's first era, else the op's own)",
    )
    parser.set_defaults(run=_expect_command)
