"""The ``lash-spec fuzz`` targets as plain Hypothesis tests, one per op.

``pytest --lash-adapter CMD --lash-fuzz [--lash-fuzz-op NAME]...`` collects
this module (the plugin adds it to the run), so anything that runs Hypothesis
tests through pytest can run the fuzzer: pytest itself (each test runs its
``max_examples``), ``pytest -n N`` (pytest-xdist: ops spread over workers), or
HypoFuzz (``hypothesis fuzz -- --lash-adapter CMD --lash-fuzz``), which runs
the same tests for as long as you like across processes, sharing Hypothesis's
example database. A test fails with the divergence, and Hypothesis shrinks it
to one minimal case as ``lash-spec fuzz`` does; the generation, the model's
expectation and the comparison are the ones ``lash-spec fuzz`` uses
(:func:`~lash_spec.harness.fuzz.op_strategy`: the fuzzer's samplers, run by
Hypothesis, so it chooses every value;
:func:`~lash_spec.harness.fuzz.bodies_for`; the harness runner).

The tests take no fixtures (HypoFuzz runs tests that have none): they reach
the adapter through one :class:`~lash_spec.harness.runner.Runner` per process,
started on first use from the command the plugin recorded. They draw their
inputs in the body (``st.data()``), since the era to draw at depends on the
adapter's hello (:func:`~lash_spec.harness.fuzz.drawing_at`).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Sequence
from typing import Any, Final

from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from lash_spec.harness.fuzz import (
    STATEFUL_OPS,
    bodies_for,
    drawing_at,
    fuzz_case,
    fuzz_era,
    op_strategy,
)

__all__ = ["configure", "make_test"]

_STATE: dict[str, Any] = {"command": None, "runner": None}
BATCH: Final = 8
"""Most inputs of a call op one example draws (their cases go in flight together)."""
# Only the checks large wire values trip (HypoFuzz will not run a test that
# suppresses e.g. ``nested_given``, so this is not simply ``list(HealthCheck)``).
_SUPPRESSED: Final = [
    HealthCheck.too_slow,
    HealthCheck.data_too_large,
    HealthCheck.filter_too_much,
    HealthCheck.large_base_example,
]


def configure(command: str, ops: Sequence[str] = (), timeout: float = 10.0) -> list[str]:
    """Point the tests at an adapter command and define one ``test_<op>`` in this
    module per selected op (names or ``prefix*``; none = every op). The plugin calls
    this before collection; returns the test names."""
    from lash_spec.harness.fuzz import select_ops

    _STATE["command"] = command
    _STATE["timeout"] = timeout
    names = []
    for op_name in select_ops(ops, []):
        test = make_test(op_name)
        if test is None:
            continue
        name = "test_" + re.sub(r"\W", "_", op_name)
        test.__name__ = test.__qualname__ = name
        globals()[name] = test
        names.append(name)
    return names


def _runner() -> Any:
    from lash_spec.harness.runner import Runner, RunOptions

    if _STATE["runner"] is None:
        if _STATE["command"] is None:
            raise RuntimeError("no adapter: run with pytest --lash-adapter CMD --lash-fuzz")
        options = RunOptions(timeout=_STATE.get("timeout", 10.0), pipeline=BATCH)
        _STATE["runner"] = Runner(_STATE["command"], options)
    return _STATE["runner"]


def close() -> None:
    runner, _STATE["runner"] = _STATE["runner"], None
    if runner is not None:
        runner.close()


class LashDivergenceError(AssertionError):
    """The adapter's answer differs from the model's (a shrinkable test failure)."""


def make_test(op_name: str) -> Callable[..., None] | None:
    """The Hypothesis test of one op (``None``: its arguments have no strategy).

    The inputs are drawn inside the test (``st.data()``), once the adapter has
    said which eras it reads: a decode op draws its type's form at the op's era
    and every era-split field that era's form, as ``lash-spec fuzz`` draws them.
    Drawn before the era is known, a seed-001 op's inputs would hold the other
    era's forms, which its seed's decoding rejects."""
    if op_strategy(op_name) is None:
        return None
    stateful = op_name in STATEFUL_OPS

    @settings(deadline=None, suppress_health_check=_SUPPRESSED)
    @given(st.data())
    def test(data: st.DataObject) -> None:
        import pytest

        runner = _runner()
        hello_reason = runner.ensure_started()
        if hello_reason is not None:
            raise RuntimeError(f"the adapter is unusable: {hello_reason}")
        if op_name not in (runner.hello.kinds if stateful else runner.hello.ops):
            pytest.skip(f"the adapter does not implement {op_name}")
        era = fuzz_era(op_name, runner.hello)  # as lash-spec fuzz picks it
        if era is None:
            pytest.skip(f"{op_name} is at none of the eras the adapter declares")
        with drawing_at(era):
            strategy = _drawn_strategy(op_name, era)
            if strategy is None:
                pytest.skip(f"no strategy for the arguments of {op_name} at era {era}")
            drawn = data.draw(strategy, label="drawn")
        drawn_items = [drawn] if stateful else drawn
        bodies = [b for d in drawn_items for b in bodies_for(op_name, d, era)]
        if not bodies:
            reject()
        result = runner.run([fuzz_case(op_name, b, i, era) for i, b in enumerate(bodies)])
        for outcome, body in zip(result.outcomes, bodies, strict=True):
            if outcome.status == "skipped":
                reject()  # the adapter declined this input: nothing to compare
            if outcome.status in ("failed", "errored"):
                text = json.dumps(body, ensure_ascii=False)
                raise LashDivergenceError(
                    f"{op_name} {outcome.status} at {outcome.path or '$'}: {outcome.detail}\n"
                    f"case body: {text}"
                )

    test.__doc__ = f"Fuzz {op_name}: the adapter's answers equal the model's."
    return test


@functools.cache
def _drawn_strategy(op_name: str, era: str) -> Any:
    """What one example of ``op_name`` draws at ``era``: up to :data:`BATCH` inputs
    (one plan for a stateful kind)."""
    strategy = op_strategy(op_name, era)
    if strategy is None or op_name in STATEFUL_OPS:
        return strategy
    return st.lists(strategy, min_size=1, max_size=BATCH)
