"""``lash-spec fuzz``: differential fuzzing of an adapter against the model.

Instead of the fixed corpus, each selected call-case op gets fresh
arguments from the public Hypothesis strategies
(:func:`lash_spec.strategies.strategy_for` on the op's argument types; a
``decode:TYPE`` op gets the serde form of a generated ``TYPE``). The model
fills in the expectation exactly as ``lash-spec fill`` does
(:func:`lash_spec.conformance.corpus.call`), and the body goes through the
harness's own :class:`~lash_spec.harness.runner.Runner` — the same protocol
and the same comparison as ``lash-spec run``. A divergence is raised inside
the Hypothesis test, so Hypothesis shrinks it; the smallest failing body of
each op is written as a standard corpus file (``docs/corpus-format.md``) that
``lash-spec run`` reproduces and a baseline can list.

Exit status: 0 no divergence, 1 divergences found, 2 the adapter is
unusable (it did not start, or the runner gave up on it) or no op matched,
130 interrupted.

Turn traces are fuzzed under the pseudo-op ``turn_trace``: corpus traces
cut short and interleaved with extra host moves (checkpoint → restore at
random points, stale responses, polls, LLM usage near the context window),
their expectations recorded by the model.
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import shlex
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any, Final

import attrs

from lash_spec.harness.cases import HarnessCase
from lash_spec.harness.runner import CaseOutcome, Runner, RunOptions

__all__ = [
    "REPORT_FORMAT",
    "TRACE_OP",
    "Divergence",
    "FuzzOptions",
    "FuzzResult",
    "add_arguments",
    "case_size",
    "fixture_text",
    "fuzz",
    "fuzz_command",
    "json_report",
    "select_ops",
]

REPORT_FORMAT: Final = "lash-spec-fuzz/1"
TRACE_OP: Final = "turn_trace"
"""The pseudo-op under which turn traces are fuzzed (``--op turn_trace``)."""


@attrs.frozen(kw_only=True)
class FuzzOptions:
    """What to fuzz and for how long (see ``lash-spec fuzz --help``)."""

    ops: tuple[str, ...] = ()  # exact op names or prefixes ending in '*'; () = all
    concepts: tuple[str, ...] = ()  # op concepts (``Op.concept``); () = all
    max_examples: int = 100  # per op
    budget: float | None = None  # seconds for the whole run (shrinking may overrun)
    seed: int | None = None
    derandomize: bool = False
    run: RunOptions = attrs.field(factory=RunOptions)


@attrs.frozen(kw_only=True)
class Divergence:
    """The shrunk failing case of one op."""

    op: str
    case_id: str  # id inside the written corpus file
    status: str  # ``failed`` or ``errored``
    detail: str
    path: str | None
    body: dict[str, Any]
    size: int  # :func:`case_size` of the body


@attrs.define
class OpRun:
    """What happened to one op."""

    op: str
    status: str = "passed"  # passed, diverged, skipped, unusable
    examples: int = 0
    reason: str = ""


@attrs.define
class FuzzResult:
    ops: list[OpRun]
    divergences: list[Divergence]
    hello: dict[str, Any] | None
    seconds: float
    seed: int | None = None  # the Hypothesis seed used (None: derandomized)
    unusable: str | None = None  # why the adapter could not be used

    @property
    def exit_status(self) -> int:
        if self.unusable is not None:
            return 2
        return 1 if self.divergences else 0

    @property
    def examples(self) -> int:
        return sum(o.examples for o in self.ops)


def case_size(body: dict[str, Any]) -> int:
    """A case's size: the length of the compact JSON text of a call's arguments
    (of a turn trace: its steps)."""
    part = body["args"] if "args" in body else body.get("steps")
    return len(json.dumps(part, separators=(",", ":"), ensure_ascii=False))


def select_ops(names: Sequence[str], concepts: Sequence[str]) -> list[str]:
    """Registry op names matching the filters (exact names or ``prefix*``)."""
    from lash_spec.conformance.ops import registry

    out = []
    if (not concepts or "turn_machine" in concepts) and (
        not names
        or any(n == TRACE_OP or (n.endswith("*") and TRACE_OP.startswith(n[:-1])) for n in names)
    ):
        out.append(TRACE_OP)
    for name, op in sorted(registry().items()):
        if concepts and op.concept not in concepts:
            continue
        if names and not any(
            name == n or (n.endswith("*") and name.startswith(n[:-1])) for n in names
        ):
            continue
        out.append(name)
    return out


class _DivergedError(Exception):
    """Raised inside the Hypothesis test on a divergence (so Hypothesis shrinks it)."""


class _StopFuzzing(BaseException):
    """Out of time or adapter unusable: leaves Hypothesis without shrinking."""


def _wire(tp: Any, value: Any) -> Any:
    from lash_spec.wire.codec import to_wire

    return to_wire(value, tp)


def _args_strategy(op: Any) -> Any:
    """A strategy for an op's argument list in serde form (``None``: cannot generate)."""
    from hypothesis import strategies as st

    from lash_spec.conformance.ops import RAW
    from lash_spec.strategies import strategy_for

    types = [op.result if tp is RAW and op.name.startswith("decode:") else tp for tp in op.args]
    if any(tp is RAW for tp in types):
        return None
    try:
        parts = [strategy_for(tp).map(functools.partial(_wire, tp)) for tp in types]
    except TypeError:
        return None
    return st.tuples(*parts).map(list)


# -- turn traces ------------------------------------------------------------
#
# A fuzzed trace starts from one of the corpus's turn traces (the scenario
# module's, so no corpus folder is needed), keeps a prefix of its steps (most
# often all of them) and inserts extra host moves at drawn points: a checkpoint -> restore, a poll,
# a checkpoint, a stale response (the next response of the trace under an id
# that is not the outstanding one); or it changes all the trace's LLM answers
# into empty ones whose prompt is near the context window. The
# model replays the result with the trace's own driver script, ends it with
# polls until quiet, a checkpoint and ``done`` (so any difference in state
# shows), and records every expectation (TraceRecorder); Hypothesis shrinks
# towards an early (small) base trace, kept whole, and few insertions; then
# ``_Fuzzer._trim`` looks for the shortest prefix that still diverges.

_EXTRAS: Final = ("restore", "poll", "checkpoint", "stale", "tokens")


def _trace_bases() -> list[dict[str, Any]]:
    global _BASES  # noqa: PLW0603 - built once, on first use
    if _BASES is None:
        from lash_spec.conformance.scenarios import turn_traces

        _BASES = [
            case.body for spec in turn_traces.files() for case in spec.cases if "steps" in case.body
        ]
    return _BASES


_BASES: list[dict[str, Any]] | None = None


def _trace_strategy() -> Any:
    from hypothesis import strategies as st

    @st.composite
    def draw_trace(draw: st.DrawFn) -> tuple[Any, ...]:
        base = draw(st.sampled_from(_trace_bases()))
        # Steps dropped from the end: small drops are likelier, so most drawn traces
        # get past their interesting responses (and shrinking keeps whole traces).
        cut = len(base["steps"]) - draw(st.integers(0, len(base["steps"])))
        extras = draw(
            st.lists(
                st.tuples(st.integers(0, cut), st.sampled_from(_EXTRAS), st.integers(0, 14)),
                max_size=4,
            )
        )
        return base, cut, sorted(extras, key=lambda e: e[0])

    return draw_trace()


def _next_response(steps: list[dict[str, Any]], index: int, kind: str) -> int | None:
    """The index of the first ``respond`` step from ``index`` on (for ``tokens``: an
    LLM success)."""
    for at in range(index, len(steps)):
        response = steps[at].get("respond")
        if not isinstance(response, dict):
            continue
        if kind != "tokens" or "Ok" in response.get("LlmComplete", {}).get("result", {}):
            return at
    return None


def _near_window_from(
    steps: list[dict[str, Any]], index: int, changed: dict[int, Any], percent: int, window: int
) -> None:
    at = _next_response(steps, index, "tokens")
    while at is not None:
        changed[at] = _near_window(steps[at]["respond"], percent, window)
        at = _next_response(steps, at + 1, "tokens")


def _near_window(response: dict[str, Any], percent: int, window: int) -> dict[str, Any]:
    """An empty ``output_limit`` LLM answer whose prompt is ``percent`` % of the window."""
    out = json.loads(json.dumps(response))
    ok = out["LlmComplete"]["result"]["Ok"]
    ok["usage"] = {**ok["usage"], "input_tokens": window * percent // 100, "output_tokens": 0}
    ok["terminal_reason"] = "output_limit"
    return dict(out)


def _step(rec: Any, kind: str, value: Any) -> None:
    """One trace step on the recorder (``respond`` takes the serde form)."""
    from lash_spec.turn_machine.responses import Response
    from lash_spec.wire.codec import from_wire

    if kind == "poll":
        rec.poll()
    elif kind == "respond":
        rec.respond(from_wire(Response, value))
    elif kind == "checkpoint":
        rec.checkpoint()
    elif kind == "restore":
        rec.restore()
    else:
        rec.done()


def _stale(rec: Any, response: dict[str, Any], n: int) -> dict[str, Any]:
    """``response`` under an id ``1 + n % 3`` away from the outstanding one."""
    from lash_spec.turn_machine.states import outstanding_effect_id

    ((tag, fields),) = response.items()
    active = outstanding_effect_id(rec.machine.state) or 0
    offset = 1 + n % 3
    return {tag: {**fields, "id": active - offset if active > offset else active + offset}}


def _record_trace(
    base: dict[str, Any], cut: int, extras: list[tuple[int, str, int]]
) -> dict[str, Any]:
    """Replay ``base[:cut]`` with ``extras`` through the model; the recorded body."""
    from lash_spec.turn_machine.config import TraceConfig
    from lash_spec.turn_machine.driver import ScriptedDriver
    from lash_spec.turn_machine.trace import TraceRecorder, TraceStart
    from lash_spec.wire.codec import from_wire

    config: TraceConfig = from_wire(TraceConfig, base["config"])
    start: TraceStart = from_wire(TraceStart, base["start"])
    if any(kind == "tokens" for _, kind, _ in extras) and not config.max_context_tokens:
        config = attrs.evolve(config, max_context_tokens=100)
    rec = TraceRecorder(config, start, ScriptedDriver.from_wire(base["driver"]))
    steps: list[dict[str, Any]] = base["steps"]
    changed: dict[int, Any] = {}  # step index -> the response sent instead
    for _, kind, n in extras:
        if kind == "tokens":  # every LLM answer: empty, prompt at 85% to 99% of the window
            _near_window_from(steps, 0, changed, 85 + n, config.max_context_tokens or 0)
    pending = list(extras)
    for index in range(cut + 1):
        while pending and pending[0][0] == index:
            _, kind, n = pending.pop(0)
            if kind in ("restore", "poll", "checkpoint"):
                _step(rec, kind, None)
            elif kind == "stale":
                at = _next_response(steps, index, kind)
                if at is not None:
                    _step(rec, "respond", _stale(rec, changed.get(at, steps[at]["respond"]), n))
        if index < cut:
            ((kind, value),) = steps[index].items()
            _step(rec, kind, changed.get(index, value))
    # A tail that makes any difference in state observable: drain, checkpoint, done.
    for _ in range(50):
        if rec.poll() is None:
            break
    rec.checkpoint()
    rec.done()
    body: dict[str, Any] = rec.body()
    return body


def _no_local_constants() -> Any:
    """Hold generation still across code changes (as ``scenarios._gen.draw`` does):
    Hypothesis would otherwise mix in literals from every local module loaded, so a
    ``--seed`` run would change whenever any of them did."""
    from unittest import mock

    from hypothesis.internal.conjecture import providers
    from hypothesis.internal.constants_ast import Constants

    return mock.patch.object(providers, "_get_local_constants", Constants)


Progress = Callable[[str, "FuzzResult"], None]


class _Fuzzer:
    def __init__(
        self, command: str | Sequence[str], options: FuzzOptions, progress: Progress | None
    ) -> None:
        self.options = options
        self.runner = Runner(command, options.run)
        self.progress = progress
        # An explicit seed even when none was asked for: the report names it, so any
        # run can be repeated (and Hypothesis prints no reproduction hints of its own).
        seed = options.seed
        if seed is None and not options.derandomize:
            seed = random.getrandbits(64)
        self.result = FuzzResult(ops=[], divergences=[], hello=None, seconds=0.0, seed=seed)
        self.deadline = (
            None if options.budget is None else time.monotonic() + max(0.0, options.budget)
        )

    def _emit(self, what: str) -> None:
        if self.progress is not None:
            self.progress(what, self.result)

    def _send(self, op_name: str, body: dict[str, Any]) -> CaseOutcome:
        case = HarnessCase(
            id=f"fuzz/{op_name}",
            file="<fuzz>",
            file_id="fuzz",
            seed="-",
            concept="fuzz",
            kind="turn_trace" if op_name == TRACE_OP else "call",
            body=body,
        )
        result = self.runner.run([case])
        (outcome,) = result.outcomes
        return outcome

    def start(self) -> bool:
        """Handshake; False (and ``unusable`` set) when the adapter cannot be used."""
        runner = self.runner
        runner._proc = runner._start()
        if runner._proc is None or runner.hello is None:
            reason = runner._last_failure or "the adapter did not start"
            self.result.unusable = reason
            return False
        hello = runner.hello
        self.result.hello = {
            "name": hello.name,
            "version": hello.version,
            "language": hello.language,
            "protocol": hello.protocol,
            "ops": len(hello.ops),
            "kinds": sorted(hello.kinds),
        }
        return True

    def fuzz_op(self, op_name: str, share: float | None) -> None:
        from hypothesis.errors import HypothesisWarning

        from lash_spec.conformance.ops import registry

        run = OpRun(op=op_name)
        self.result.ops.append(run)
        assert self.runner.hello is not None
        if op_name == TRACE_OP:
            if TRACE_OP not in self.runner.hello.kinds:
                run.status, run.reason = "skipped", "the adapter does not drive turn traces"
                return
            strategy = _trace_strategy()
        elif op_name not in self.runner.hello.ops:
            run.status, run.reason = "skipped", "the adapter does not implement it"
            return
        else:
            strategy = _args_strategy(registry()[op_name])
        if strategy is None:
            run.status, run.reason = "skipped", "no strategy for its arguments"
            return
        stop_at = None if share is None else time.monotonic() + share
        found: dict[str, Any] = {}
        probe = self._probe(run, strategy, stop_at, found)
        try:
            with warnings.catch_warnings(), _no_local_constants():
                # Large generated values make Hypothesis warn about its own reprs.
                warnings.simplefilter("ignore", HypothesisWarning)
                probe()
        except _StopFuzzing as stop:
            if str(stop) == "unusable":
                run.status, run.reason = "unusable", self.result.unusable or ""
                return
        except _DivergedError:
            pass
        except Exception as err:  # Hypothesis gave up (e.g. every example rejected)
            if not found:
                run.status, run.reason = "skipped", f"{type(err).__name__}: {err}"
                return
        if found:
            if op_name == TRACE_OP:
                self._trim(found)
            self._record(run, found["outcome"], found["body"])

    def _trim(self, found: dict[str, Any]) -> None:
        """Hypothesis keeps shrunk traces whole (generation favours long ones, so it
        finds more); try the shortest prefix of the base trace that still diverges."""
        base, cut, extras = found["drawn"]
        for shorter in range(cut):
            moved = [(min(at, shorter), kind, n) for at, kind, n in extras]
            try:
                body = _record_trace(base, shorter, moved)
            except Exception:  # the model cannot run this prefix
                continue
            outcome = self._send(TRACE_OP, body)
            if outcome.status in ("failed", "errored") and not outcome.detail.startswith("not run"):
                found["outcome"], found["body"] = outcome, body
                return

    def _probe(
        self, run: OpRun, strategy: Any, stop_at: float | None, found: dict[str, Any]
    ) -> Callable[[], None]:
        """The Hypothesis test for one op; the last failing example lands in ``found``
        (Hypothesis replays the shrunk example last)."""
        from hypothesis import HealthCheck, Phase, given, reject, settings
        from hypothesis import seed as seed_decorator

        from lash_spec.conformance.corpus import call
        from lash_spec.conformance.scenarios._gen import serde_reads_exactly

        opts, op_name = self.options, run.op

        @settings(
            max_examples=opts.max_examples,
            derandomize=opts.derandomize,
            database=None,
            deadline=None,
            phases=[Phase.generate, Phase.shrink],
            suppress_health_check=list(HealthCheck),
            report_multiple_bugs=False,
            print_blob=False,
        )
        @given(strategy)
        def probe(drawn: Any) -> None:
            if not found and stop_at is not None and time.monotonic() > stop_at:
                raise _StopFuzzing("budget")
            if op_name != TRACE_OP and not serde_reads_exactly(drawn):
                reject()  # a float serde_json reads an ulp off: a reader test, not a rule
            try:
                body = _record_trace(*drawn) if op_name == TRACE_OP else call(op_name, drawn)
            except Exception:  # the model cannot run this input: not a case
                reject()
            outcome = self._send(op_name, body)
            if not found:
                run.examples += 1
                if run.examples % 20 == 0:
                    self._emit("cases")
            if outcome.detail == "not run: interrupted":  # Ctrl-C reached the runner
                raise KeyboardInterrupt
            if outcome.status == "errored" and outcome.detail.startswith("not run"):
                self.result.unusable = outcome.detail
                raise _StopFuzzing("unusable")
            if outcome.status in ("failed", "errored"):
                if not found:
                    self._emit("shrinking")
                found["outcome"] = outcome
                found["body"] = body
                found["drawn"] = drawn
                raise _DivergedError(outcome.detail)

        if self.result.seed is not None:
            probe = seed_decorator(self.result.seed)(probe)
        test: Callable[[], None] = probe
        return test

    def _record(self, run: OpRun, outcome: CaseOutcome, body: dict[str, Any]) -> None:
        from lash_spec.conformance.corpus import body_hash

        run.status = "diverged"
        run.reason = outcome.detail
        self.result.divergences.append(
            Divergence(
                op=run.op,
                case_id=f"{run.op.replace('::', '/')}/fuzz-{body_hash(body)[:12]}",
                status=outcome.status,
                detail=outcome.detail,
                path=outcome.path,
                body=body,
                size=case_size(body),
            )
        )
        self._emit("divergence")

    def run(self, op_names: Sequence[str]) -> FuzzResult:
        began = time.monotonic()
        try:
            if self.start():
                for i, name in enumerate(op_names):
                    share = None
                    if self.deadline is not None:
                        left = self.deadline - time.monotonic()
                        if left <= 0:
                            self.result.ops.append(
                                OpRun(op=name, status="skipped", reason="out of time")
                            )
                            continue
                        share = left / (len(op_names) - i)
                    self.fuzz_op(name, share)
                    if self.result.unusable is not None:
                        break
        finally:
            self.runner.close()
            self.result.seconds = time.monotonic() - began
        return self.result


def fuzz(
    command: str | Sequence[str],
    op_names: Sequence[str],
    options: FuzzOptions | None = None,
    progress: Progress | None = None,
) -> FuzzResult:
    """Fuzz ``op_names`` through the adapter ``command``; one shrunk divergence per op."""
    return _Fuzzer(command, options or FuzzOptions(), progress).run(op_names)


# ---------------------------------------------------------------------------
# fixtures and reports
# ---------------------------------------------------------------------------


def fixture_text(result: FuzzResult, file_id: str) -> str:
    """The divergences as a corpus file (``lash-spec run`` reads it)."""
    from lash_spec.conformance.corpus import CaseSpec, FileSpec, render_file
    from lash_spec.conformance.ops import registry

    def seed_concept(op: str) -> tuple[str, str]:
        if op == TRACE_OP:
            return "003", "turn_machine"
        return registry()[op].seed, registry()[op].concept

    seeds = {seed_concept(d.op)[0] for d in result.divergences}
    concepts = {seed_concept(d.op)[1] for d in result.divergences}
    spec = FileSpec(
        name=file_id,
        seed=seeds.pop() if len(seeds) == 1 else "-",
        concept=concepts.pop() if len(concepts) == 1 else "fuzz",
        description="shrunk divergences found by lash-spec fuzz",
        cases=tuple(
            CaseSpec(d.case_id, f"fuzz: {d.status} at {d.path or '$'}: {d.detail}", d.body)
            for d in result.divergences
        ),
    )
    return render_file(spec)


def json_report(result: FuzzResult, command: str, options: FuzzOptions, fixture: str | None) -> Any:
    sizes = [d.size for d in result.divergences]
    return {
        "format": REPORT_FORMAT,
        "adapter": command,
        "hello": result.hello,
        "seed": result.seed,
        "derandomize": options.derandomize,
        "max_examples": options.max_examples,
        "budget": options.budget,
        "seconds": round(result.seconds, 3),
        "examples": result.examples,
        "exit_status": result.exit_status,
        "unusable": result.unusable,
        "fixture": fixture,
        "median_shrunk_size": statistics.median(sizes) if sizes else None,
        "ops": [attrs.asdict(o) for o in result.ops],
        "divergences": [
            {
                "op": d.op,
                "id": d.case_id,
                "status": d.status,
                "path": d.path,
                "detail": d.detail,
                "size": d.size,
                "body": d.body,
            }
            for d in result.divergences
        ],
    }


# ---------------------------------------------------------------------------
# the command
# ---------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--adapter", required=True, metavar="CMD", help="the adapter command (as for run)"
    )
    parser.add_argument(
        "--op",
        action="append",
        default=[],
        metavar="NAME",
        help="fuzz this op (repeatable; 'decode:*' style prefixes allowed; default: all)",
    )
    parser.add_argument(
        "--concept",
        action="append",
        default=[],
        metavar="NAME",
        help="fuzz the ops of this concept (repeatable, e.g. envelope, codec)",
    )
    parser.add_argument(
        "--max-examples", type=int, default=100, metavar="N", help="examples per op (100)"
    )
    parser.add_argument(
        "--budget",
        type=float,
        metavar="S",
        help="seconds for the whole run (shrinking may overrun)",
    )
    parser.add_argument("--seed", type=int, metavar="N", help="Hypothesis seed (reproducible run)")
    parser.add_argument(
        "--derandomize", action="store_true", help="derive examples from the test alone"
    )
    parser.add_argument(
        "--out",
        default="fuzz-divergences.json",
        metavar="FILE",
        help="corpus file for the shrunk divergences (fuzz-divergences.json)",
    )
    parser.add_argument("--report", metavar="FILE", help="write the JSON report (- = stdout)")
    parser.add_argument(
        "--timeout", type=float, default=10.0, metavar="S", help="seconds per request (10)"
    )
    parser.add_argument(
        "--start-timeout", type=float, default=30.0, metavar="S", help="handshake seconds (30)"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress line")


class _Progress:
    """A progress line on an interactive stderr: op, cases, divergences, shrinking."""

    def __init__(self, total: int, stream: IO[str]) -> None:
        self.total = total
        self.stream = stream

    def __call__(self, what: str, result: FuzzResult) -> None:
        op = result.ops[-1].op if result.ops else ""
        state = "shrinking " if what == "shrinking" else ""
        self.stream.write(
            f"\r\x1b[K[{len(result.ops)}/{self.total}] {result.examples} cases, "
            f"{len(result.divergences)} divergences; {state}{op}"
        )
        self.stream.flush()

    def clear(self) -> None:
        self.stream.write("\r\x1b[K")
        self.stream.flush()


def fuzz_command(args: argparse.Namespace) -> int:
    names = select_ops(args.op, args.concept)
    if not names:
        print("lash-spec fuzz: no op matches the filters", file=sys.stderr)
        return 2
    options = FuzzOptions(
        ops=tuple(args.op),
        concepts=tuple(args.concept),
        max_examples=args.max_examples,
        budget=args.budget,
        seed=args.seed,
        derandomize=args.derandomize,
        run=RunOptions(timeout=args.timeout, start_timeout=args.start_timeout, pipeline=1),
    )
    out = sys.stderr if args.report == "-" else sys.stdout
    progress = None if args.quiet or not sys.stderr.isatty() else _Progress(len(names), sys.stderr)
    try:
        result = fuzz(args.adapter, names, options, progress)
    except KeyboardInterrupt:
        print("\nlash-spec fuzz: interrupted", file=sys.stderr)
        return 130
    if progress is not None:
        progress.clear()
    fixture = None
    if result.divergences:
        fixture = args.out
        path = Path(fixture)
        path.write_text(fixture_text(result, path.stem), encoding="utf-8")
    if result.unusable is not None:
        print(f"adapter unusable: {result.unusable}", file=out)
    for d in result.divergences:
        print(
            f"DIVERGED {d.op} ({d.status}) at {d.path or '$'}: {d.detail}\n  shrunk to "
            + (
                f"{len(d.body['steps'])} step(s) ({d.size} bytes)"
                if "steps" in d.body
                else f"{d.size} bytes of arguments: {json.dumps(d.body['args'])}"
            ),
            file=out,
        )
    skipped = sum(o.status == "skipped" for o in result.ops)
    print(
        f"{len(result.ops)} op(s), {result.examples} case(s), {len(result.divergences)} "
        f"divergence(s), {skipped} skipped, {result.seconds:.1f} s"
        + ("" if result.seed is None else f" (--seed {result.seed})"),
        file=out,
    )
    if fixture is not None:
        again = f"lash-spec run --adapter {shlex.quote(args.adapter)} {fixture}"
        print(f"wrote {fixture}; reproduce: {again}", file=out)
    if args.report:
        text = json.dumps(json_report(result, args.adapter, options, fixture), indent=1) + "\n"
        if args.report == "-":
            sys.stdout.write(text)
        else:
            Path(args.report).write_text(text, encoding="utf-8")
    return result.exit_status
