"""Reports of a harness run: the per-concept table, JSON and JUnit XML.

The JSON report (``lash-spec run --report FILE``) has the format
``lash-spec-run/1``::

    {"format": "lash-spec-run/1",
     "adapter": {"command": ..., "name": ..., "version": ..., "language": ...,
                 "protocol": ..., "ops": N, "kinds": [...]},
     "summary": {"passed": N, "failed": N, "skipped": N, "errored": N, "total": N},
     "seconds": S, "startup_seconds": S, "cases_per_second": R,
     "by_concept": [{"seed": ..., "concept": ..., "passed": N, ...}, ...],
     "adapter_events": [{"reason": ..., "case": ..., "exit_status": ..., "stderr": ...}],
     "baseline": {...} (with --baseline),
     "cases": [{"id", "file", "seed", "concept", "kind", "op"?, "status",
                "detail"?, "path"?}, ...]}

JUnit: one ``<testsuite>`` per corpus file, one ``<testcase>`` per case
(``classname`` = the file id, ``name`` = the stable case id); ``failed`` →
``<failure>``, ``errored`` → ``<error>``, ``skipped`` → ``<skipped>``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable
from typing import Any

from lash_spec.harness.baseline import BaselineCheck
from lash_spec.harness.drivers import STATUSES
from lash_spec.harness.runner import CaseOutcome, RunResult

__all__ = ["FORMAT", "by_concept", "counts", "json_report", "junit_xml", "summary_line", "table"]

FORMAT = "lash-spec-run/1"


def counts(outcomes: Iterable[CaseOutcome]) -> dict[str, int]:
    c = Counter(o.status for o in outcomes)
    out = {s: c[s] for s in STATUSES}
    out["total"] = sum(c.values())
    return out


def by_concept(outcomes: Iterable[CaseOutcome]) -> list[dict[str, Any]]:
    """Counts per (seed, concept), in order of first appearance."""
    rows: dict[tuple[str, str], Counter[str]] = {}
    for o in outcomes:
        rows.setdefault((o.case.seed, o.case.concept), Counter())[o.status] += 1
    return [
        {"seed": seed, "concept": concept, **{s: c[s] for s in STATUSES}}
        for (seed, concept), c in rows.items()
    ]


def rate(result: RunResult) -> float:
    """Cases per second that reached the adapter, adapter start-up excluded (a case
    skipped up front, for an op the adapter does not list, costs nothing)."""
    busy = result.seconds - result.startup_seconds
    return result.adapter_cases / busy if busy > 0 else 0.0


def summary_line(result: RunResult) -> str:
    c = counts(result.outcomes)
    return (
        f"{c['passed']} passed, {c['failed']} failed, {c['skipped']} skipped, "
        f"{c['errored']} errored in {result.seconds:.2f} s ({rate(result):,.0f} cases/s)"
    )


def table(result: RunResult) -> str:
    """The per-concept summary table (plain text)."""
    rows = by_concept(result.outcomes)
    header = ("seed", "concept", *STATUSES)
    body = [(r["seed"], r["concept"], *(str(r[s]) for s in STATUSES)) for r in rows]
    total = counts(result.outcomes)
    body.append(("", "total", *(str(total[s]) for s in STATUSES)))
    widths = [max(len(row[i]) for row in (header, *body)) for i in range(len(header))]

    def fmt(row: tuple[str, ...]) -> str:
        left = [row[0].ljust(widths[0]), row[1].ljust(widths[1])]
        right = [row[i].rjust(widths[i]) for i in range(2, len(row))]
        return "  ".join(left + right).rstrip()

    lines = [fmt(header)]
    lines += [fmt(row) for row in body[:-1]]
    lines.append("-" * len(lines[0]))
    lines.append(fmt(body[-1]))
    return "\n".join(lines)


def _case_json(o: CaseOutcome) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": o.id,
        "file": o.case.file,
        "seed": o.case.seed,
        "concept": o.case.concept,
        "kind": o.case.kind,
    }
    if o.case.op is not None:
        entry["op"] = o.case.op
    entry["status"] = o.status
    if o.status != "passed":
        entry["detail"] = o.detail
        if o.path is not None:
            entry["path"] = o.path
    return entry


def json_report(
    result: RunResult, command: str, baseline: BaselineCheck | None = None
) -> dict[str, Any]:
    hello = result.hello
    adapter: dict[str, Any] = {"command": command}
    if hello is not None:
        adapter.update(
            name=hello.name,
            version=hello.version,
            language=hello.language,
            protocol=hello.protocol,
            ops=len(hello.ops),
            kinds=sorted(hello.kinds),
            eras=None if hello.eras is None else sorted(hello.eras),
        )
    doc: dict[str, Any] = {
        "format": FORMAT,
        "adapter": adapter,
        "summary": counts(result.outcomes),
        "seconds": round(result.seconds, 3),
        "startup_seconds": round(result.startup_seconds, 3),
        "cases_per_second": round(rate(result), 1),
        "interrupted": result.interrupted,
        "by_concept": by_concept(result.outcomes),
        "adapter_events": [
            {
                "reason": e.reason,
                "case": e.case,
                "exit_status": e.exit_status,
                "stderr": e.stderr,
            }
            for e in result.events
        ],
    }
    if baseline is not None:
        doc["baseline"] = {
            "ok": baseline.ok,
            "new_failures": [o.id for o in baseline.new_failures],
            "stale": list(baseline.stale),
            "expected": list(baseline.expected),
            "not_run": list(baseline.not_run),
        }
    doc["cases"] = [_case_json(o) for o in result.outcomes]
    return doc


def junit_xml(result: RunResult, name: str = "lash-spec") -> str:
    """JUnit XML (the dialect CI systems read: testsuites/testsuite/testcase)."""
    total = counts(result.outcomes)
    root = ET.Element(
        "testsuites",
        name=name,
        tests=str(total["total"]),
        failures=str(total["failed"]),
        errors=str(total["errored"]),
        skipped=str(total["skipped"]),
        time=f"{result.seconds:.3f}",
    )
    suites: dict[str, list[CaseOutcome]] = {}
    for o in result.outcomes:
        suites.setdefault(o.case.file_id, []).append(o)
    for file_id, outcomes in suites.items():
        c = counts(outcomes)
        suite = ET.SubElement(
            root,
            "testsuite",
            name=file_id,
            tests=str(c["total"]),
            failures=str(c["failed"]),
            errors=str(c["errored"]),
            skipped=str(c["skipped"]),
        )
        for o in outcomes:
            case = ET.SubElement(suite, "testcase", classname=file_id, name=o.id)
            if o.status == "passed":
                continue
            tag = {"failed": "failure", "errored": "error", "skipped": "skipped"}[o.status]
            message = o.detail if o.path is None else f"{o.path}: {o.detail}"
            element = ET.SubElement(case, tag, message=_xml_safe(message[:1000]))
            if o.status != "skipped":
                element.text = _xml_safe(message)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _xml_safe(text: str) -> str:
    """XML 1.0 cannot hold most C0 controls (even escaped) or lone surrogates."""
    return "".join(
        ch
        if ch in "\t\n\r"
        or (" " <= ch <= "\ud7ff")
        or ("\ue000" <= ch <= "\ufffd")
        or ch > "\uffff"
        else f"\\u{ord(ch):04x}"
        for ch in text
    )
