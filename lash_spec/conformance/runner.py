"""Running fixture files: collect cases, check each, summarise.

Accepted file shapes (all of them JSON):

* a corpus/examples file ``{"id": ..., "cases": [{"id": ..., "body": BODY}, ...]}``;
* a single case ``{"id": ..., "body": BODY}``;
* a bare body (call case, turn trace, …) or an array of bodies / cases.

Numbers are read as serde_json reads them where Python differs on *which*
value a literal means (``-0`` is the float ``-0.0``; integers beyond
``u64``/``i64`` become floats); decimal literals keep Python's correctly
rounded value (fixtures are written with shortest round-trip digits).
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

import attrs

from lash_spec.conformance.check import CaseResult, body_kind, check_case
from lash_spec.conformance.coverage import Coverage
from lash_spec.wire.reader import serde_number

__all__ = [
    "Case",
    "FixtureError",
    "RunReport",
    "case_eras",
    "check_at_eras",
    "iter_cases",
    "load_fixture",
    "run_paths",
]


class FixtureError(ValueError):
    """A fixture file that cannot be read as cases (not a case failure)."""


@attrs.frozen
class Case:
    """One case found in a file: where it came from, its body, and the eras
    at which it holds (``None``: not stated, i.e. the era of its op's seed)."""

    file: str
    id: str
    body: Any
    eras: tuple[str, ...] | None = None


def case_eras(entry: Any, default: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """A case's ``eras`` list (corpus) or single ``era`` (recorded examples)."""
    if isinstance(entry, dict):
        if isinstance(entry.get("eras"), list) and entry["eras"]:
            return tuple(str(e) for e in entry["eras"])
        if isinstance(entry.get("era"), str):
            return (entry["era"],)
    return default


def _reject(name: str) -> Any:
    raise FixtureError(f"{name} is not valid JSON")


def load_fixture(path: Path) -> Any:
    """Parse one fixture file (see the module docstring for number rules)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise FixtureError(f"{path}: cannot read: {err}") from None
    try:
        return json.loads(text, parse_int=serde_number, parse_constant=_reject)
    except FixtureError as err:
        raise FixtureError(f"{path}: not JSON: {err}") from None
    except (json.JSONDecodeError, OverflowError) as err:
        raise FixtureError(f"{path}: not JSON: {err}") from None


def _cases_in(doc: Any, file: str) -> Iterator[Case]:
    if isinstance(doc, dict) and isinstance(doc.get("cases"), list):
        prefix = str(doc.get("id", Path(file).stem))
        file_eras = case_eras(doc, None)
        for i, case in enumerate(doc["cases"]):
            if isinstance(case, dict) and "body" in case:
                cid = f"{prefix}/{case.get('id', i)}"
                yield Case(file, cid, case["body"], case_eras(case, file_eras))
            else:
                yield Case(file, f"{prefix}/{i}", case)
    elif isinstance(doc, dict) and "body" in doc:
        yield Case(file, str(doc.get("id", Path(file).stem)), doc["body"], case_eras(doc, None))
    elif isinstance(doc, list):
        stem = Path(file).stem
        for i, item in enumerate(doc):
            if isinstance(item, dict) and "body" in item:
                yield Case(file, f"{stem}/{item.get('id', i)}", item["body"])
            else:
                yield Case(file, f"{stem}/{i}", item)
    else:
        yield Case(file, Path(file).stem, doc)


def _json_files(paths: list[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(
                p
                for p in path.rglob("*.json")
                if "schema" not in p.relative_to(path).parts and p.name != "index.json"
            )
        else:
            yield path


def iter_cases(paths: list[Path]) -> Iterator[Case]:
    """Every case in the given files and folders (folders recursively)."""
    for file in _json_files(paths):
        if not file.exists():
            raise FixtureError(f"{file}: no such file or directory")
        yield from _cases_in(load_fixture(file), str(file))


@attrs.define
class RunReport:
    """Counts and per-case outcomes of one run."""

    counts: Counter[str] = attrs.field(factory=Counter)
    results: list[dict[str, Any]] = attrs.field(factory=list)
    by_kind: dict[str, Counter[str]] = attrs.field(factory=dict)
    by_op: dict[str, Counter[str]] = attrs.field(factory=dict)
    coverage: Coverage = attrs.field(factory=Coverage)
    seconds: float = 0.0

    def add(self, case: Case, result: CaseResult) -> None:
        self.counts[result.status] += 1
        self.coverage.add(case.body, result.status)
        self.by_kind.setdefault(result.kind, Counter())[result.status] += 1
        if result.op is not None:
            self.by_op.setdefault(result.op, Counter())[result.status] += 1
        entry: dict[str, Any] = {
            "id": case.id,
            "file": case.file,
            "kind": result.kind,
            "status": result.status,
        }
        if result.op is not None:
            entry["op"] = result.op
        if result.status != "passed":
            entry["detail"] = result.detail
            if result.path is not None:
                entry["path"] = result.path
        self.results.append(entry)

    @property
    def ok(self) -> bool:
        return self.counts["failed"] == 0

    def summary(self) -> str:
        c = self.counts
        return f"{c['passed']} passed, {c['failed']} failed, {c['skipped']} skipped"

    def to_json(self) -> dict[str, Any]:
        return {
            "summary": {k: self.counts[k] for k in ("passed", "failed", "skipped")},
            "seconds": round(self.seconds, 3),
            "by_kind": {k: dict(v) for k, v in sorted(self.by_kind.items())},
            "by_op": {k: dict(v) for k, v in sorted(self.by_op.items())},
            "coverage": self.coverage.to_json(),
            "cases": self.results,
        }


def check_at_eras(case: Case, eras: frozenset[str] | None = None) -> CaseResult:
    """Check a case at every era it holds at (the first failure wins); when
    ``eras`` is given, only at those, and a case holding at none of them is
    skipped with the reason."""
    stated = case.eras if case.eras is not None else (None,)
    wanted = [e for e in stated if eras is None or e is None or e in eras]
    if not wanted:
        return CaseResult(
            "skipped",
            f"holds at era {', '.join(str(e) for e in stated)}; not selected",
            kind=body_kind(case.body),
            op=case.body.get("call") if isinstance(case.body, dict) else None,
        )
    result = CaseResult("skipped", "no era")
    for era in wanted:
        result = check_case(case.body, era=era)
        if result.status != "passed":
            return result
    return result


def run_paths(
    paths: list[Path],
    *,
    progress: Callable[[int, RunReport], None] | None = None,
    eras: frozenset[str] | None = None,
) -> RunReport:
    """Check every case under ``paths`` at its eras (only ``eras``, when
    given); a crash inside a case is a failure."""
    report = RunReport()
    start = time.perf_counter()
    for n, case in enumerate(iter_cases(paths), 1):
        try:
            result = check_at_eras(case, eras)
        except Exception as err:  # a crash is a finding, never a lost run
            result = CaseResult(
                "failed", f"crashed: {type(err).__name__}: {err}", kind=body_kind(case.body)
            )
        report.add(case, result)
        if progress is not None:
            progress(n, report)
    report.seconds = time.perf_counter() - start
    return report


def terminal_progress(stream: TextIO = sys.stderr) -> Callable[[int, RunReport], None] | None:
    """A progress line for interactive terminals (``None`` when not a TTY)."""
    if not stream.isatty():
        return None
    last = [0.0]

    def show(n: int, report: RunReport) -> None:
        now = time.monotonic()
        if now - last[0] >= 0.1:
            last[0] = now
            stream.write(f"\r{n} cases: {report.summary()}")
            stream.flush()

    return show
