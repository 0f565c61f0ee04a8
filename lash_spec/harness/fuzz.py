"""``lash-spec fuzz``: differential fuzzing of an adapter against the model.

Instead of the fixed corpus, each selected call-case op gets fresh
arguments, *sampled* from its argument types (:mod:`lash_spec.sampling`: the
codec's shapes, under the same rules as the public strategies, but made
from ``random.Random`` at microseconds a value); a ``decode:TYPE`` op gets the
serde form of a sampled ``TYPE``, a ``decode_text:TYPE`` op its canonical text
mutated where serde_json is strict: a repeated key, nesting around the depth
limit, other whitespace, a BOM, a respelled number, a split surrogate pair —
:func:`lash_spec.conformance.scenarios.decode_text.mutation_steps`. The model
fills in the expectation exactly as ``lash-spec fill`` does
(:func:`lash_spec.conformance.corpus.call`), and the bodies go through the
harness's own :class:`~lash_spec.harness.runner.Runner`, a batch in flight at a
time — the same protocol and the same comparison as ``lash-spec run``. A
divergence's recorded choices go to Hypothesis through the example database:
replayed there they make the same case, and Hypothesis shrinks it. The
smallest failing body of each op is written as a standard corpus file
(``docs/corpus-format.md``) that ``lash-spec run`` reproduces and a baseline
can list.

Exit status: 0 no divergence, 1 divergences found, 2 the adapter is
unusable (it did not start, or the runner gave up on it) or no op matched,
130 interrupted.

The two stateful body kinds are fuzzed under pseudo-ops named after them,
``turn_trace`` and ``run_admission``: plans drawn from the state-machine
generators (:mod:`lash_spec.generators`; for traces, host moves with
checkpoint → restore at drawn points, stale and wrong-kind responses, LLM
answers around the context-window threshold), played by the model, which
records every expectation; Hypothesis draws them, one plan per example.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib
import json
import random
import shlex
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final

import attrs

from lash_spec.conformance.coverage import KIND_CONCEPTS
from lash_spec.harness.cases import HarnessCase
from lash_spec.harness.protocol import Hello
from lash_spec.harness.runner import CaseOutcome, Runner, RunOptions, resolve_jobs
from lash_spec.wire.codec import wire_era

if TYPE_CHECKING:
    from lash_spec.sampling import Choice, Sampler

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
DEFAULT_BATCH: Final = 32
"""Cases sent to the adapter in flight together (``--batch``; a ``decode_text``
input is several cases: its text and each mutation step)."""


@attrs.frozen(kw_only=True)
class FuzzOptions:
    """What to fuzz and for how long (see ``lash-spec fuzz --help``)."""

    ops: tuple[str, ...] = ()  # exact op names or prefixes ending in '*'; () = all
    concepts: tuple[str, ...] = ()  # op concepts (``Op.concept``); () = all
    max_examples: int = 100  # cases per op
    batch: int = DEFAULT_BATCH  # cases sent in flight together
    budget: float | None = None  # seconds for the whole run (shrinking may overrun)
    seed: int | None = None
    derandomize: bool = False
    database: str | None = None  # example database: a directory or redis://host:port/db
    jobs: int = 1  # fuzz worker processes (each with its own adapter)
    run: RunOptions = attrs.field(factory=lambda: RunOptions(pipeline=DEFAULT_BATCH))


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
    status: str = "passed"  # passed, diverged, skipped, unusable, errored (worker died)
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
        lost = any(o.status == "errored" for o in self.ops)  # a fuzz worker died on it
        return 1 if self.divergences or lost else 0

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


def _args_sampler(op: Any) -> Sampler | None:
    """A sampler of an op's argument list in serde form (``None``: cannot generate)."""
    from lash_spec.conformance.ops import RAW
    from lash_spec.sampling import sampler_for

    if op.name.startswith("decode_text:"):  # a canonical text, mutated where serde is strict
        from lash_spec.conformance.scenarios.decode_text import mutation_steps

        # Every step of the mutation: one costly value, several cheap cases.
        steps = mutation_steps(op.result)
        return lambda c: Inputs(tuple([t] for t in steps(c)))
    types = [op.result if tp is RAW and op.name.startswith("decode:") else tp for tp in op.args]
    if any(tp is RAW for tp in types):
        return None
    try:
        parts = [(sampler_for(tp), tp) for tp in types]
    except TypeError:
        return None
    return lambda c: [_wire(tp, part(c)) for part, tp in parts]


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


def _declared_era(op_name: str) -> str | None:
    """The era of the seed whose function ``op_name`` is (``None``: a decode op)."""
    from lash_spec.conformance.ops import registry
    from lash_spec.eras import era_of_seed

    if op_name in STATEFUL_OPS:
        return era_of_seed(STATEFUL_OPS[op_name][0])
    return era_of_seed(registry()[op_name].seed)


def fuzz_era(op_name: str, hello: Hello | None) -> str | None:
    """The era an op is fuzzed at for this adapter: a seed function's own era;
    for a decode op, the default era or else the first the adapter declares,
    among those where its type exists. ``None`` when there is no such era."""
    from lash_spec.conformance.ops import op_at
    from lash_spec.eras import DEFAULT_ERA, era_names

    declared = hello.eras if hello is not None else None
    own = _declared_era(op_name)
    if own is not None:
        return own if declared is None or own in declared else None
    for era in (DEFAULT_ERA, *era_names()):
        if (declared is None or era in declared) and op_at(op_name, era) is not None:
            return era
    return None


@contextlib.contextmanager
def drawing_at(era: str | None) -> Iterator[None]:
    """Where the fuzzer makes and draws an op's inputs: at ``era`` (era-split fields
    take its forms; samplers are compact already, see :mod:`lash_spec.sampling`)."""
    with wire_era(era):
        yield


def op_sampler(op_name: str, era: str | None = None) -> Sampler | None:
    """The sampler (:mod:`lash_spec.sampling`) of a call op's input at ``era`` (a
    decode op makes its type's form there); use it inside :func:`drawing_at`.
    ``None``: a stateful kind, no sampler for its arguments, or no such op at ``era``."""
    from lash_spec.conformance.ops import op_at

    if op_name in STATEFUL_OPS:
        return None
    op = op_at(op_name, era)
    return None if op is None else _args_sampler(op)


def op_strategy(op_name: str, era: str | None = None) -> Any:
    """The Hypothesis strategy of an op's drawn input at ``era``: a stateful kind's
    plans, else :func:`op_sampler` run by Hypothesis; make and draw it inside
    :func:`drawing_at`. ``None``: no strategy for its arguments (or no such op)."""
    if op_name in STATEFUL_OPS:
        return _stateful_strategy(op_name)
    from lash_spec.sampling import as_strategy

    sampler = op_sampler(op_name, era)
    return None if sampler is None else as_strategy(sampler)


@attrs.frozen
class Inputs:
    """Several inputs drawn as one (a ``decode_text`` value's canonical text and the
    text after each of its mutations): each is a case of its own."""

    args: tuple[list[Any], ...]


def bodies_for(op_name: str, drawn: Any, era: str | None = None) -> list[dict[str, Any]]:
    """The case bodies of one drawn input (:func:`body_for` of each of its inputs)."""
    items = drawn.args if isinstance(drawn, Inputs) else (drawn,)
    return [b for b in (body_for(op_name, d, era) for d in items) if b is not None]


def body_for(op_name: str, drawn: Any, era: str | None = None) -> dict[str, Any] | None:
    """The case body of a drawn input, its expectation filled in by the model at
    ``era`` (``None``: not a case — the model cannot run the input, or a float serde_json
    would read an ulp off, which is a reader test, not a rule)."""
    from lash_spec.conformance.corpus import call
    from lash_spec.conformance.scenarios._gen import serde_reads_exactly

    if op_name in STATEFUL_OPS:
        try:
            return _play(op_name, drawn)
        except Exception:
            return None
    if not serde_reads_exactly(drawn):
        return None
    try:
        return call(op_name, drawn, era=era)
    except Exception:
        return None


def fuzz_case(
    op_name: str, body: dict[str, Any], index: int = 0, era: str | None = None
) -> HarnessCase:
    """A fuzzed body as a harness case (kind from the op), run at ``era``."""
    return HarnessCase(
        id=f"fuzz/{op_name}/{index}",
        file="<fuzz>",
        file_id="fuzz",
        seed="-",
        concept="fuzz",
        kind=op_name if op_name in STATEFUL_OPS else "call",
        body=body,
        eras=None if era is None else (era,),
    )


def _no_local_constants() -> Any:
    """Hold generation still across code changes (as ``scenarios._gen.draw`` does):
    Hypothesis would otherwise mix in literals from every local module loaded, so a
    ``--seed`` run would change whenever any of them did."""
    from unittest import mock

    from hypothesis.internal.conjecture import providers
    from hypothesis.internal.constants_ast import Constants

    return mock.patch.object(providers, "_get_local_constants", Constants)


Progress = Callable[[str, "FuzzResult"], None]


def open_database(spec: str) -> Any:
    """Hypothesis's example database for ``--database``: ``redis://…`` (needs the
    ``redis`` package) or a directory, shared by every worker that names it."""
    if spec.startswith(("redis://", "rediss://", "unix://")):
        try:
            redis: Any = importlib.import_module("redis")
        except ImportError:
            raise ValueError(
                f"--database {spec}: the redis backend needs the redis package "
                "(pip install redis)"
            ) from None
        from hypothesis.extra.redis import RedisExampleDatabase

        return RedisExampleDatabase(redis.Redis.from_url(spec))
    from hypothesis.database import DirectoryBasedExampleDatabase

    return DirectoryBasedExampleDatabase(spec)


def database_key(op_name: str) -> bytes:
    """Where an op's divergences live in the example database: the same key in every
    worker and run, whatever the seed (so one worker's find is another's replay).
    The entries are choice sequences of the op's :func:`op_strategy`; the key names
    their format, so a fuzzer that reads them differently never replays them."""
    import hashlib

    return hashlib.sha256(f"lash-spec-fuzz/2 {op_name}".encode()).digest()[:16]


_UNSHRUNK: Final = b".secondary"
"""Appended to an op's :func:`database_key`: where failing examples not yet shrunk
are kept (Hypothesis's own convention; it takes an entry under the key itself as
shrunk already, and only replays it)."""


def _op_seed(op_name: str) -> int:
    """``--derandomize``: the op's fixed seed. (Hypothesis's own derandomize seeds
    from the test function's source, so any edit of the fuzzer would change it.)"""
    import hashlib

    return int.from_bytes(hashlib.sha256(f"lash-spec fuzz {op_name}".encode()).digest()[:8])


class _Fuzzer:
    def __init__(
        self, command: str | Sequence[str], options: FuzzOptions, progress: Progress | None
    ) -> None:
        self.options = options
        self.runner = Runner(command, options.run)
        self.progress = progress
        self.database = None if options.database is None else open_database(options.database)
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

    def _send(self, op_name: str, bodies: list[dict[str, Any]]) -> list[CaseOutcome]:
        """Run ``bodies`` through the adapter, all in flight at once, at the era of
        the op being fuzzed."""
        cases = [fuzz_case(op_name, b, i, self._era) for i, b in enumerate(bodies)]
        return self.runner.run(cases).outcomes

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
        run = OpRun(op=op_name)
        self.result.ops.append(run)
        assert self.runner.hello is not None
        if op_name in STATEFUL_OPS:
            if op_name not in self.runner.hello.kinds:
                run.status, run.reason = "skipped", f"the adapter does not drive {op_name} bodies"
                return
        elif op_name not in self.runner.hello.ops:
            run.status, run.reason = "skipped", "the adapter does not implement it"
            return
        era = fuzz_era(op_name, self.runner.hello)
        if era is None:
            run.status, run.reason = "skipped", (
                f"declared at era {_declared_era(op_name)}; the adapter declares "
                + ", ".join(sorted(self.runner.hello.eras or ()))
            )
            return
        self._era = era
        with drawing_at(era):
            sampler = op_sampler(op_name, era)
            strategy = _stateful_strategy(op_name) if op_name in STATEFUL_OPS else None
        if sampler is None and strategy is None:
            run.status, run.reason = "skipped", "no strategy for its arguments"
            return
        stop_at = None if share is None else time.monotonic() + share
        found: dict[str, Any] = {}
        if strategy is not None:  # a stateful kind: Hypothesis draws every plan
            self._hypothesis(run, strategy, found, era, stop_at=stop_at)
        else:
            assert sampler is not None
            from lash_spec.sampling import as_strategy

            strategy = as_strategy(sampler)
            key, db = database_key(op_name), self.database
            if db is not None and (any(db.fetch(key)) or any(db.fetch(key + _UNSHRUNK))):
                # what this or another worker found before (shrunk, or not yet)
                self._hypothesis(run, strategy, found, era, replay=True)
            if not found and run.status == "passed":
                try:
                    with drawing_at(era):
                        first = self._explore(run, sampler, stop_at, era)
                except _StopFuzzing:  # the runner gave up on the adapter
                    run.status, run.reason = "unusable", self.result.unusable or ""
                    return
                if first is not None:  # Hypothesis replays and shrinks it
                    self._hypothesis(run, strategy, found, era, replay=first[0])
                    if not found and run.status == "passed":  # it did not fail again
                        found["outcome"], found["body"] = first[1:]
        if found:
            self._record(run, found["outcome"], found["body"])

    def _explore(
        self, run: OpRun, sampler: Sampler, stop_at: float | None, era: str | None
    ) -> tuple[list[Choice], CaseOutcome, dict[str, Any]] | None:
        """Send sampled cases, ``batch`` at a time in flight, until ``max_examples``
        cases, the op's share of the budget, or the first divergence: then its
        recorded choices, outcome and body. Sampling from :class:`RandomChoices` costs
        microseconds a choice where a Hypothesis draw costs tens, so this is where
        the cases of a run come from; only a divergence goes to Hypothesis."""
        from lash_spec.sampling import RandomChoices

        opts, op_name = self.options, run.op
        rng = random.Random(f"lash-spec fuzz {self.result.seed} {op_name}")
        batch, idle = max(1, opts.batch), 0
        while run.examples < opts.max_examples:
            if stop_at is not None and time.monotonic() > stop_at:
                return None
            bodies: list[dict[str, Any]] = []
            made: list[list[Choice]] = []
            wanted = min(batch, opts.max_examples - run.examples)  # no more cases than asked
            while len(bodies) < wanted and idle < 1000:
                choices = RandomChoices(rng)
                got = bodies_for(op_name, sampler(choices), era)
                idle = 0 if got else idle + 1  # an input the model cannot run is no case
                bodies += got
                made += [choices.made] * len(got)
            if not bodies:
                run.status, run.reason = "skipped", "no input the model can run was made"
                return None
            outcomes = self._send(op_name, bodies)
            i = self._sent(run, outcomes)
            if i is not None:
                self._emit("shrinking")
                return made[i], outcomes[i], bodies[i]
        return None

    def _sent(
        self, run: OpRun, outcomes: Sequence[CaseOutcome], *, count: bool = True
    ) -> int | None:
        """After a round trip: count its cases (``count``; progress every 20), stop
        if the adapter is gone, and give the index of the first divergence."""
        if count:
            before = run.examples
            run.examples += len(outcomes)
            if run.examples // 20 != before // 20:
                self._emit("cases")
        for outcome in outcomes:
            if outcome.detail == "not run: interrupted":  # Ctrl-C reached the runner
                raise KeyboardInterrupt
            if outcome.status == "errored" and outcome.detail.startswith("not run"):
                self.result.unusable = outcome.detail
                raise _StopFuzzing("unusable")
        failed = (i for i, o in enumerate(outcomes) if o.status in ("failed", "errored"))
        return next(failed, None)

    def _hypothesis(
        self,
        run: OpRun,
        strategy: Any,
        found: dict[str, Any],
        era: str | None,
        *,
        stop_at: float | None = None,
        replay: Sequence[Choice] | bool = False,
    ) -> None:
        """Run the op's Hypothesis test: generating (a stateful kind), or ``replay``
        only: what the example database holds, after saving ``replay``'s choices
        there when given. A failing example is shrunk and lands in ``found``."""
        from hypothesis.errors import HypothesisWarning

        probe = self._probe(run, strategy, stop_at, found, era, replay=replay)
        try:
            with warnings.catch_warnings(), _no_local_constants(), drawing_at(era):
                # Large generated values make Hypothesis warn about its own reprs.
                warnings.simplefilter("ignore", HypothesisWarning)
                probe()
        except _StopFuzzing as stop:
            if str(stop) == "unusable":
                run.status, run.reason = "unusable", self.result.unusable or ""
        except _DivergedError:
            pass
        except Exception as err:  # Hypothesis gave up (e.g. every example rejected)
            if not found:
                run.status, run.reason = "skipped", f"{type(err).__name__}: {err}"

    def _probe(
        self,
        run: OpRun,
        strategy: Any,
        stop_at: float | None,
        found: dict[str, Any],
        era: str | None = None,
        *,
        replay: Sequence[Choice] | bool = False,
    ) -> Callable[[], None]:
        """The Hypothesis test for one op; the last failing example lands in ``found``
        (Hypothesis replays the shrunk example last)."""
        from hypothesis import HealthCheck, Phase, given, reject, settings
        from hypothesis import seed as seed_decorator
        from hypothesis.database import InMemoryExampleDatabase

        opts, op_name = self.options, run.op
        case_bodies = functools.partial(bodies_for, op_name, era=era)
        key = database_key(op_name)
        database = self.database
        if not isinstance(replay, bool):  # a sampled divergence: replayed from the database
            from lash_spec.sampling import replay_bytes

            database = database or InMemoryExampleDatabase()
            database.save(key + _UNSHRUNK, replay_bytes(replay))
        # A stateful case is a whole conversation of requests: Hypothesis draws one
        # plan per example and shrinks it. A call op is only replayed and shrunk
        # here, one input per example (its cases come from _explore).
        phases = [Phase.reuse, Phase.shrink]
        if replay is False:
            phases.insert(1, Phase.generate)

        @settings(
            max_examples=opts.max_examples,
            database=database,
            deadline=None,
            phases=phases,
            suppress_health_check=list(HealthCheck),
            report_multiple_bugs=False,
            print_blob=False,
        )
        @given(strategy)
        def probe(drawn: Any) -> None:
            if not found and replay is False:
                if stop_at is not None and time.monotonic() > stop_at:
                    raise _StopFuzzing("budget")
                if run.examples >= opts.max_examples:
                    raise _StopFuzzing("enough")
            bodies = case_bodies(drawn)
            if not bodies:
                reject()
            outcomes = self._send(op_name, bodies)
            i = self._sent(run, outcomes, count=not found)
            if i is not None:
                if not found:
                    self._emit("shrinking")
                found["outcome"], found["body"] = outcomes[i], bodies[i]
                raise _DivergedError(outcomes[i].detail)

        if self.result.seed is not None:
            probe = seed_decorator(self.result.seed)(probe)
        elif opts.derandomize:  # a seed from the op alone, not from this function's source
            probe = seed_decorator(_op_seed(op_name))(probe)
        probe._hypothesis_internal_database_key = key
        if database is not None:
            # @seed switches the database off (a seeded run should repeat exactly); a
            # campaign wants both: replay what is stored, then generate from the seed.
            held = probe._hypothesis_internal_use_settings
            probe._hypothesis_internal_use_settings = settings(held, database=database)
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
    """Fuzz ``op_names`` through the adapter ``command``; one shrunk divergence per op.

    With ``options.jobs`` > 1 the ops are shared out to that many worker processes
    (:func:`_fuzz_in_workers`); each op is fuzzed with the same seed either way, so
    its outcome does not depend on the number of workers.
    """
    options = options or FuzzOptions()
    if options.jobs > 1 and len(op_names) > 1:
        return _fuzz_in_workers(command, op_names, options, progress)
    return _Fuzzer(command, options, progress).run(op_names)


# -- worker processes -------------------------------------------------------
#
# ``lash-spec fuzz -j N``: N processes (spawned: a fresh interpreter each), each
# with its own adapter. The parent hands each worker one op at a time and the
# worker reports each op as soon as it is done (its OpRun and divergences), so a
# worker that dies loses only the op it was working on: that op is reported
# ``errored`` with the worker's exit status, and the other workers go on.
#
# Every worker talks to the parent over its own two pipes, each with a single
# writer, and nothing else is shared: no queue, no lock, no shared value. A
# worker killed at any instant (even halfway through a write) can then break
# only its own pipes, which the parent sees as end-of-file; with a shared queue
# or a locked shared value, a worker killed while holding the lock left every
# other process blocked on it for ever.


@attrs.frozen
class _Job:
    """What a worker process is given (its pipe ends travel at spawn)."""

    command: str | Sequence[str]
    options: FuzzOptions
    deadline: float | None
    tasks: Any  # read end: (index, op name, ops still queued after it) ..., then None
    results: Any  # write end: ("hello", hello) | ("took", index) | ("op", ...) | ...


def _worker(job: _Job) -> None:
    fuzzer = _Fuzzer(job.command, attrs.evolve(job.options, budget=None, jobs=1), None)
    fuzzer.result.seed = job.options.seed
    send = job.results.send
    try:
        if not fuzzer.start():
            send(("unusable", fuzzer.result.unusable))
            return
        send(("hello", fuzzer.result.hello))
        while (task := job.tasks.recv()) is not None:
            index, name, waiting = task
            share = None
            if job.deadline is not None:
                left = job.deadline - time.monotonic()
                if left <= 0:
                    send(("op", index, OpRun(op=name, status="skipped", reason="out of time"), []))
                    continue
                rounds = -(-(waiting + 1) // job.options.jobs)  # this op and those queued
                share = left / max(1, rounds)
            send(("took", index))
            before = len(fuzzer.result.divergences)
            fuzzer.fuzz_op(name, share)
            send(("op", index, fuzzer.result.ops[-1], fuzzer.result.divergences[before:]))
            if fuzzer.result.unusable is not None:
                send(("unusable", fuzzer.result.unusable))
                return
    except (KeyboardInterrupt, EOFError, OSError):
        pass  # interrupted, or the parent is gone: nobody is left to report to
    finally:
        fuzzer.runner.close()


@attrs.define
class _Peer:
    """The parent's side of one worker: its process and its two pipe ends."""

    process: Any
    tasks: Any  # write end
    results: Any  # read end; None once it has reached end-of-file
    working: int | None = None  # index of the op it said it took


class _Workers:
    """``lash-spec fuzz -j N``: the parent's side (hands out ops, gathers reports)."""

    def __init__(
        self, op_names: Sequence[str], options: FuzzOptions, progress: Progress | None
    ) -> None:
        self.op_names = op_names
        self.progress = progress
        self.began = time.monotonic()
        seed = options.seed
        if seed is None and not options.derandomize:
            seed = random.getrandbits(64)  # one seed for all: each op as with -j 1
        self.options = attrs.evolve(options, seed=seed)
        self.result = FuzzResult(ops=[], divergences=[], hello=None, seconds=0.0, seed=seed)
        self.runs: dict[int, tuple[OpRun, list[Divergence]]] = {}
        self._pending: list[tuple[int, str]] = []  # ops not handed out yet

    def run(self, command: str | Sequence[str]) -> FuzzResult:
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")
        opts = self.options
        deadline = None if opts.budget is None else self.began + max(0.0, opts.budget)
        peers: list[_Peer] = []
        self._pending = list(enumerate(self.op_names))
        try:
            for _ in range(min(opts.jobs, len(self.op_names))):
                task_r, task_w = ctx.Pipe(duplex=False)
                result_r, result_w = ctx.Pipe(duplex=False)
                job = _Job(command, opts, deadline, tasks=task_r, results=result_w)
                process = ctx.Process(target=_worker, args=(job,), daemon=True)
                process.start()
                task_r.close()  # the worker's ends: closed here, so its death reads as EOF
                result_w.close()
                peers.append(_Peer(process, task_w, result_r))
            for peer in peers:
                self._hand_out(peer)
            self._gather(peers)
        except KeyboardInterrupt:
            for peer in peers:
                peer.process.terminate()
            raise
        finally:
            for peer in peers:
                peer.process.join(5)
                if peer.process.is_alive():
                    peer.process.kill()
                    peer.process.join()
        for peer in peers:
            if peer.working is not None and peer.working not in self.runs:
                why = (
                    f"the fuzz worker died (exit status {peer.process.exitcode}) while fuzzing it"
                )
                run = OpRun(op=self.op_names[peer.working], status="errored", reason=why)
                self._store(peer.working, run)
        # A worker that died after it was handed an op but before it said it took
        # it leaves that op unmarked: it is the dead worker's, not an unclaimed one.
        dead = [p.process.exitcode for p in peers if p.process.exitcode not in (0, None)]
        if self.result.unusable is None:
            for index, name in enumerate(self.op_names):
                if index not in self.runs:
                    why = (
                        f"the fuzz worker died (exit status {dead[0]}) before it reported this op"
                        if dead
                        else "not run: no fuzz worker was left to take it"
                    )
                    self._store(index, OpRun(op=name, status="errored", reason=why))
        self.result.seconds = time.monotonic() - self.began
        return self.result

    def _gather(self, peers: list[_Peer]) -> None:
        """Read every worker's reports until each pipe reaches end-of-file (the
        worker ended, or died: either closes it, so this cannot wait for ever)."""
        from multiprocessing.connection import wait

        while live := {p.results: p for p in peers if p.results is not None}:
            for ready in wait(list(live)):
                peer = live[ready]
                try:
                    message = peer.results.recv()
                except (EOFError, OSError):  # ended, or killed (perhaps mid-message)
                    peer.results.close()
                    peer.results = None
                    self._close_tasks(peer)
                    continue
                self._on(peer, message)

    def _on(self, peer: _Peer, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "hello" and self.result.hello is None:
            self.result.hello = message[1]
        elif kind == "unusable":
            self.result.unusable = self.result.unusable or message[1]
            self._pending.clear()  # the others end after the op they are on
        elif kind == "took":
            peer.working = message[1]
        elif kind == "op":
            peer.working = None
            self._store(message[1], message[2], message[3])
            self._hand_out(peer)
            if self.progress is not None:
                self.progress("divergence" if message[3] else "cases", self.result)

    def _hand_out(self, peer: _Peer) -> None:
        """Give ``peer`` its next op, or tell it to end when none is left."""
        if peer.tasks is None:
            return
        task = None
        if self._pending:
            index, name = self._pending.pop(0)
            task = (index, name, len(self._pending))
        try:
            peer.tasks.send(task)
        except OSError:  # the worker is gone; its pipe's EOF will account for it
            if task is not None:
                self._pending.insert(0, task[:2])
            self._close_tasks(peer)
            return
        if task is None:
            self._close_tasks(peer)

    @staticmethod
    def _close_tasks(peer: _Peer) -> None:
        if peer.tasks is not None:
            peer.tasks.close()
            peer.tasks = None

    def _store(self, index: int, run: OpRun, divergences: Sequence[Divergence] = ()) -> None:
        self.runs[index] = (run, list(divergences))
        order = sorted(self.runs)
        self.result.ops = [self.runs[i][0] for i in order]
        self.result.divergences = [d for i in order for d in self.runs[i][1]]


def _fuzz_in_workers(
    command: str | Sequence[str],
    op_names: Sequence[str],
    options: FuzzOptions,
    progress: Progress | None,
) -> FuzzResult:
    return _Workers(op_names, options, progress).run(command)


# ---------------------------------------------------------------------------
# fixtures and reports
# ---------------------------------------------------------------------------


def fixture_text(
    result: FuzzResult, file_id: str, earlier: Sequence[dict[str, Any]] = ()
) -> str:
    """The divergences as a corpus file (``lash-spec run`` reads it), after the
    cases of ``earlier`` (a file's ``cases``; a case id found again is kept once)."""
    from lash_spec.conformance.corpus import CaseSpec, FileSpec, case_eras, render_file
    from lash_spec.conformance.ops import registry

    def seed_concept(op: str) -> tuple[str, str]:
        if op in STATEFUL_OPS:
            return STATEFUL_OPS[op]
        return registry()[op].seed, registry()[op].concept

    # Eras as in the corpus: where the model holds the case.
    cases = {
        c["id"]: CaseSpec(c["id"], c.get("description", ""), c["body"], case_eras(c["body"]))
        for c in earlier
    }
    for d in result.divergences:
        description = f"fuzz: {d.status} at {d.path or '$'}: {d.detail}"
        cases.setdefault(d.case_id, CaseSpec(d.case_id, description, d.body, case_eras(d.body)))
    pairs = {seed_concept(_op_of(c.body)) for c in cases.values()}
    seeds, concepts = {seed for seed, _ in pairs}, {concept for _, concept in pairs}
    spec = FileSpec(
        name=file_id,
        seed=seeds.pop() if len(seeds) == 1 else "-",
        concept=concepts.pop() if len(concepts) == 1 else "fuzz",
        description="shrunk divergences found by lash-spec fuzz",
        cases=tuple(cases.values()),
    )
    return render_file(spec)


def _op_of(body: dict[str, Any]) -> str:
    if "call" in body:
        return str(body["call"])
    return SCENARIO_OP if "scenario" in body else TRACE_OP


def write_fixture(path: Path, result: FuzzResult) -> int:
    """Add the divergences to the corpus file ``path`` (created if absent) and return
    how many were new. Workers of one campaign may share the file: it is rewritten
    under an exclusive lock, and a case found by several of them is written once
    (its id is the hash of its body)."""
    import fcntl

    lock_path = path.with_name(path.name + ".lock")
    with lock_path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        earlier: list[dict[str, Any]] = []
        if path.exists():
            doc = json.loads(path.read_text(encoding="utf-8"))
            earlier = list(doc.get("cases", [])) if isinstance(doc, dict) else []
        known = {c.get("id") for c in earlier}
        text = fixture_text(result, path.stem, earlier)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    return sum(d.case_id not in known for d in result.divergences)


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
        "--max-examples", type=int, default=100, metavar="N", help="cases per op (100)"
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=_jobs,
        default=1,
        metavar="N",
        help="fuzz worker processes, each with its own adapter (1; auto = one per core)",
    )
    parser.add_argument(
        "--batch",
        type=int,
        default=DEFAULT_BATCH,
        metavar="N",
        help=f"cases sent to the adapter in flight together ({DEFAULT_BATCH}; "
        "1 = one at a time)",
    )
    parser.add_argument(
        "--database",
        metavar="DIR|URL",
        help="Hypothesis example database (a directory, or redis://host:port/db) that "
        "stores every divergence and replays it first in later runs and other workers",
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


def _jobs(text: str) -> int:
    try:
        return resolve_jobs(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a count >= 1 or auto, not {text!r}") from None


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
    if args.database:
        try:
            open_database(args.database)
        except ValueError as err:
            print(f"lash-spec fuzz: {err}", file=sys.stderr)
            return 2
    batch = max(1, args.batch)
    options = FuzzOptions(
        ops=tuple(args.op),
        concepts=tuple(args.concept),
        max_examples=args.max_examples,
        batch=batch,
        budget=args.budget,
        seed=args.seed,
        derandomize=args.derandomize,
        database=args.database,
        jobs=args.jobs,
        run=RunOptions(timeout=args.timeout, start_timeout=args.start_timeout, pipeline=batch),
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
        try:
            write_fixture(Path(args.out), result)
            fixture = args.out
        except (OSError, ValueError) as err:  # the divergences are still printed below
            print(f"lash-spec fuzz: cannot add to {args.out}: {err}", file=sys.stderr)
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
    rate = result.examples / result.seconds if result.seconds > 0 else 0.0
    print(
        f"{len(result.ops)} op(s), {result.examples} case(s), {len(result.divergences)} "
        f"divergence(s), {skipped} skipped, {result.seconds:.1f} s, {rate:,.0f} cases/s"
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
