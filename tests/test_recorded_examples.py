"""Every case recorded from the Rust crate passes through ``check_case``.

The files in ``tests/fixtures/recorded`` are outputs of upstream lash (see
their README); they are the independent oracle for the model.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lash_spec.conformance.runner import Case, check_at_eras, iter_cases

RECORDED = Path(__file__).parent / "fixtures" / "recorded"
CASES = list(iter_cases([RECORDED]))


def test_the_recorded_set_is_there() -> None:
    assert len(CASES) >= 598 + 63 + 137
    eras = {e for c in CASES for e in c.eras or ()}
    assert eras == {"74941d21", "ceb460d4"}


def test_the_raw_text_cases_are_there() -> None:
    # 63 texts given to serde_json::from_str (duplicate keys, depth, surrogates, ...)
    ops = [str(c.body.get("call", "")) for c in CASES]
    assert sum(op.startswith("decode_text:") for op in ops) == 63


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_recorded_case_passes(case: Case) -> None:
    """At the era it was recorded at, when it names one."""
    result = check_at_eras(case)
    assert result.status == "passed", result.detail
