"""Seed 001 execution-context rules — generated arguments for every op.

The hand-derived bodies of these rules live in tests/test_context.py; here
the model fills in results for generated inputs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lash_spec.conformance.corpus import CaseSpec, FileSpec, call
from lash_spec.conformance.scenarios._gen import op_cases, unique

_AWAIT = "RuntimeExecutionContext::await_process_signal_event"


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


def _cases() -> Iterable[CaseSpec]:
    from lash_spec.conformance.ops import registry

    yield from _hand()
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
