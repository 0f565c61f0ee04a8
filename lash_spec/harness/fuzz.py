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

The two stateful body kinds are fuzzed under pseudo-ops named after them,
``turn_trace`` and ``run_admission``: plans drawn from the state-machine
generators (:mod:`lash_spec.generators`; for traces, host moves with
checkpoint → restore at drawn points, stale and wrong-kind responses, LLM
answers around the context-window threshold), played by the model, which
records every expectation.
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

from lash_spec.conformance.coverage import KIND_CONCEPTS
from lash_spec.harness.cases import HarnessCase
from lash_spec.harness.protocol import Hello
from lash_spec.harness.runner import CaseOutcome, Runner, RunOptions
from lash_spec.wire.codec import wire_era

__all__ = [
    "REPORT_FORMAT",
    "SCENARIO_OP",
    "STATEFUL_OPS",
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
SCENARIO_OP: Final = "run_admission"
"""The pseudo-op under which run-admission scenarios are fuzzed."""
STATEFUL_OPS: Final = KIND_CONCEPTS
"""Pseudo-ops named after the stateful body kinds: their seed and concept."""


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

    def wanted(name: str, concept: str) -> bool:
        if concepts and concept not in concepts:
            return False
        return not names or any(
            name == n or (n.endswith("*") and name.startswith(n[:-1])) for n in names
        )

    out = [name for name, (_, concept) in STATEFUL_OPS.items() if wanted(name, concept)]
    out += [name for name, op in sorted(registry().items()) if wanted(name, op.concept)]
    return out


class _DivergedError(Exception):
    """Raised inside the Hypothesis test on a divergence (so Hypothesis shrinks it)."""


class _StopFuzzing(BaseException):
    """Out of time or adapter unusable: leaves Hypothesis without shrinking."""


def _wire(tp: Any, value: Any) -> Any:
    from lash_spec.wire.codec import to_wire

    return to_wire(value, tp)


def _declared_era(op_name: str) -> str | None:
    """The era of the seed whose function ``op_name`` is (``None``: a decode op)."""
    from lash_spec.conformance.ops import registry
    from lash_spec.eras import era_of_seed

    if op_name in STATEFUL_OPS:
        return era_of_seed(STATEFUL_OPS[op_name][0])
    return era_of_seed(registry()[op_name].seed)


def fuzz_era(op_name: str, hello: Hello | None) -> str | None:
    """The era an op is fuzzed at for this adapter: a seed function's own era,
    a decode op's default era or else the adapter's first declared one; ``None``
    when the adapter declares none of those."""
    from lash_spec.eras import DEFAULT_ERA, era_names

    declared = hello.eras if hello is not None else None
    own = _declared_era(op_name)
    if own is not None:
        return own if declared is None or own in declared else None
    if declared is None or DEFAULT_ERA in declared:
        return DEFAULT_ERA
    return next(e for e in era_names() if e in declared)


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


# -- stateful kinds ---------------------------------------------------------
#
# A turn trace or run-admission scenario is fuzzed as a *plan* drawn from the
# state-machine generators (:mod:`lash_spec.generators`): a starting
# configuration plus host moves (for traces: answers, stale ids, wrong kinds,
# polls, checkpoints and checkpoint -> restore at drawn points). The model plays
# the plan and records every expectation; Hypothesis shrinks the plan (fewer
# moves, plainer choices), so the written case is the played shrunk plan.


def _stateful_strategy(kind: str) -> Any:
    from lash_spec.generators import generator

    return generator(kind).plans()


def _play(kind: str, plan: Any) -> dict[str, Any]:
    from lash_spec.generators import generator

    return generator(kind).play(plan)


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
        self._era: str | None = None  # the era of the op being fuzzed
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
        """Run one body through the adapter, at the era of the op being fuzzed."""
        era = self._era
        case = HarnessCase(
            id=f"fuzz/{op_name}",
            file="<fuzz>",
            file_id="fuzz",
            seed="-",
            concept="fuzz",
            kind=op_name if op_name in STATEFUL_OPS else "call",
            body=body,
            eras=None if era is None else (era,),
        )
        result = self.runner.run([case])
        (outcome,) = result.outcomes
        return outcome

    def start(self) -> bool:
        """Handshake; False (and ``unusable`` set) when the adapter cannot be used."""
        reason = self.runner.ensure_started()
        hello = self.runner.hello
        if reason is not None or hello is None:
            self.result.unusable = reason or "the adapter did not start"
            return False
        self.result.hello = {
            "name": hello.name,
            "version": hello.version,
            "language": hello.language,
            "protocol": hello.protocol,
            "ops": len(hello.ops),
            "kinds": sorted(hello.kinds),
            "eras": None if hello.eras is None else sorted(hello.eras),
        }
        return True

    def fuzz_op(self, op_name: str, share: float | None) -> None:
        from hypothesis.errors import HypothesisWarning

        from lash_spec.conformance.ops import registry

        run = OpRun(op=op_name)
        self.result.ops.append(run)
        assert self.runner.hello is not None
        if op_name in STATEFUL_OPS:
            if op_name not in self.runner.hello.kinds:
                run.status, run.reason = "skipped", f"the adapter does not drive {op_name} bodies"
                return
            strategy = _stateful_strategy(op_name)
        elif op_name not in self.runner.hello.ops:
            run.status, run.reason = "skipped", "the adapter does not implement it"
            return
        else:
            strategy = _args_strategy(registry()[op_name])
        if strategy is None:
            run.status, run.reason = "skipped", "no strategy for its arguments"
            return
        era = fuzz_era(op_name, self.runner.hello)
        if era is None:
            run.status, run.reason = "skipped", (
                f"declared at era {_declared_era(op_name)}; the adapter declares "
                + ", ".join(sorted(self.runner.hello.eras or ()))
            )
            return
        stop_at = None if share is None else time.monotonic() + share
        found: dict[str, Any] = {}
        probe = self._probe(run, strategy, stop_at, found, era)
        try:
            with warnings.catch_warnings(), _no_local_constants(), wire_era(era):
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
            self._record(run, found["outcome"], found["body"])

    def _probe(
        self,
        run: OpRun,
        strategy: Any,
        stop_at: float | None,
        found: dict[str, Any],
        era: str | None = None,
    ) -> Callable[[], None]:
        """The Hypothesis test for one op; the last failing example lands in ``found``
        (Hypothesis replays the shrunk example last)."""
        from hypothesis import HealthCheck, Phase, given, reject, settings
        from hypothesis import seed as seed_decorator

        from lash_spec.conformance.corpus import call as call_at
        from lash_spec.conformance.scenarios._gen import serde_reads_exactly

        # The era is bound here, not in `probe`: a derandomized run's examples
        # derive from probe's source, which stays the same whatever the era.
        call = functools.partial(call_at, era=era)
        self._era = era

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
            stateful = op_name in STATEFUL_OPS
            if not stateful and not serde_reads_exactly(drawn):
                reject()  # a float serde_json reads an ulp off: a reader test, not a rule
            try:
                body = _play(op_name, drawn) if stateful else call(op_name, drawn)
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
    from lash_spec.conformance.corpus import CaseSpec, FileSpec, case_eras, render_file
    from lash_spec.conformance.ops import registry

    def seed_concept(op: str) -> tuple[str, str]:
        if op in STATEFUL_OPS:
            return STATEFUL_OPS[op]
        return registry()[op].seed, registry()[op].concept

    seeds = {seed_concept(d.op)[0] for d in result.divergences}
    concepts = {seed_concept(d.op)[1] for d in result.divergences}
    spec = FileSpec(
        name=file_id,
        seed=seeds.pop() if len(seeds) == 1 else "-",
        concept=concepts.pop() if len(concepts) == 1 else "fuzz",
        description="shrunk divergences found by lash-spec fuzz",
        cases=tuple(
            CaseSpec(
                d.case_id,
                f"fuzz: {d.status} at {d.path or '$'}: {d.detail}",
                d.body,
                case_eras(d.body),  # as in the corpus: where the model holds it
            )
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
