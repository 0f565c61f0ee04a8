"""Baselines: the cases an implementation is known not to pass yet.

A baseline file lists case ids (the stable ids ``lash-spec run`` reports), one
per line; ``#`` starts a comment. A run checked against a baseline fails on

* a **new failure** — a case that failed or errored and is not listed;
* a **stale entry** — a listed case that now passes (remove it, so the fix
  stays fixed).

Listed cases that are skipped or not part of the run are reported but do not
fail it (running part of the corpus is normal).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import attrs

from lash_spec.harness.runner import CaseOutcome

__all__ = ["BaselineCheck", "check_baseline", "read_baseline", "render_baseline"]

NOT_PASSING = ("failed", "errored")


def read_baseline(path: Path) -> set[str]:
    """The ids listed in a baseline file."""
    ids = set()
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            ids.add(line)
    return ids


def render_baseline(outcomes: Iterable[CaseOutcome], *, adapter: str = "") -> str:
    """A baseline listing every case that did not pass (failed or errored)."""
    lines = [
        "# lash-spec baseline: cases expected not to pass (one id per line).",
        "# A run fails on a failure not listed here and on a listed case that passes.",
    ]
    if adapter:
        lines.append(f"# adapter: {adapter}")
    ids = sorted(o.id for o in outcomes if o.status in NOT_PASSING)
    return "\n".join([*lines, *ids]) + "\n"


@attrs.frozen(kw_only=True)
class BaselineCheck:
    """A run compared with a baseline."""

    new_failures: tuple[CaseOutcome, ...]
    stale: tuple[str, ...]  # listed, now passing
    expected: tuple[str, ...]  # listed and still not passing
    not_run: tuple[str, ...]  # listed, skipped or absent from this run

    @property
    def ok(self) -> bool:
        return not self.new_failures and not self.stale


def check_baseline(outcomes: Iterable[CaseOutcome], baseline: set[str]) -> BaselineCheck:
    new: list[CaseOutcome] = []
    stale: list[str] = []
    expected: list[str] = []
    for outcome in outcomes:
        listed = outcome.id in baseline
        if outcome.status in NOT_PASSING:
            if listed:
                expected.append(outcome.id)
            else:
                new.append(outcome)
        elif outcome.status == "passed" and listed:
            stale.append(outcome.id)
    not_run = sorted(baseline - set(expected) - set(stale))
    return BaselineCheck(
        new_failures=tuple(new),
        stale=tuple(stale),
        expected=tuple(expected),
        not_run=tuple(not_run),
    )
