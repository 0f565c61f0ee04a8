"""``lash-spec run``: arguments and the command (``cli.py`` only wires it in).

Exit status: 0 when every case passed or was skipped (with ``--baseline``:
no new failure and no stale entry), 1 otherwise, 2 for unreadable input,
130 when interrupted (the report still holds every outcome obtained).
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from lash_spec.harness.baseline import check_baseline, read_baseline, render_baseline
from lash_spec.harness.cases import FixtureError, collect
from lash_spec.harness.report import json_report, junit_xml, summary_line, table
from lash_spec.harness.runner import CaseOutcome, RunOptions, resolve_jobs, run_adapter

__all__ = ["add_arguments", "run_command"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        default=["conformance"],
        help="corpus files or folders (default: conformance)",
    )
    parser.add_argument(
        "--adapter",
        required=True,
        metavar="CMD",
        help='the adapter command, e.g. "lash-spec adapter" or "node adapter.js"',
    )
    parser.add_argument(
        "--timeout", type=float, default=10.0, metavar="S", help="seconds per request (10)"
    )
    parser.add_argument(
        "--start-timeout",
        type=float,
        default=30.0,
        metavar="S",
        help="seconds for the adapter's handshake (30)",
    )
    parser.add_argument(
        "--pipeline",
        type=int,
        default=16,
        metavar="N",
        help="requests in flight (16; 1 = lockstep)",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=_jobs,
        default=1,
        metavar="N",
        help="adapter processes run side by side (1; auto = one per core)",
    )
    parser.add_argument(
        "--max-reply-bytes",
        type=int,
        default=16 * 1024 * 1024,
        metavar="N",
        help="longest reply line accepted (16 MiB)",
    )
    parser.add_argument(
        "--give-up-after",
        type=int,
        default=5,
        metavar="N",
        help="adapter failures in a row before the remaining cases are errored (5)",
    )
    parser.add_argument("--report", metavar="FILE", help="write the JSON report (- = stdout)")
    parser.add_argument("--junit", metavar="FILE", help="write JUnit XML")
    parser.add_argument("--baseline", metavar="FILE", help="expected failures (one id per line)")
    parser.add_argument(
        "--write-baseline", metavar="FILE", help="write the cases that did not pass as a baseline"
    )
    parser.add_argument(
        "--adapter-stderr", metavar="FILE", help="copy the adapter's stderr to FILE"
    )
    parser.add_argument(
        "--show", type=int, default=20, metavar="N", help="print at most N failures (20)"
    )
    parser.add_argument("--show-skipped", action="store_true", help="list skipped cases")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress line")


def _jobs(text: str) -> int:
    try:
        return resolve_jobs(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a count >= 1 or auto, not {text!r}") from None


class _Progress:
    """A throttled progress line on an interactive stderr."""

    def __init__(self, total: int, stream: IO[str]) -> None:
        self.total = total
        self.stream = stream
        self.counts: Counter[str] = Counter()
        self.last = 0.0

    def __call__(self, outcome: CaseOutcome) -> None:
        self.counts[outcome.status] += 1
        now = time.monotonic()
        if now - self.last >= 0.1:
            self.last = now
            c = self.counts
            done = sum(c.values())
            self.stream.write(
                f"\r{done}/{self.total}: {c['passed']} passed, {c['failed']} failed, "
                f"{c['skipped']} skipped, {c['errored']} errored"
            )
            self.stream.flush()

    def clear(self) -> None:
        self.stream.write("\r\x1b[K")
        self.stream.flush()


def _locked(write: Callable[[bytes], object]) -> Callable[[bytes], object]:
    """A stderr sink several adapter instances (threads) may share."""
    lock = threading.Lock()

    def sink(data: bytes) -> object:
        with lock:
            return write(data)

    return sink


def _write(path: str, text: str) -> None:
    if path == "-":
        sys.stdout.write(text)
    else:
        Path(path).write_text(text, encoding="utf-8")


def run_command(args: argparse.Namespace) -> int:
    try:
        cases = collect([Path(p) for p in args.paths])
        baseline = read_baseline(Path(args.baseline)) if args.baseline else None
    except (FixtureError, OSError) as err:
        print(f"lash-spec run: {err}", file=sys.stderr)
        return 2
    out = sys.stderr if args.report == "-" else sys.stdout
    sink_file: IO[bytes] | None = None
    if args.adapter_stderr:
        sink_file = Path(args.adapter_stderr).open("ab")  # noqa: SIM115 - closed below
    options = RunOptions(
        timeout=args.timeout,
        start_timeout=args.start_timeout,
        pipeline=args.pipeline,
        max_reply_bytes=args.max_reply_bytes,
        give_up_after=args.give_up_after,
        jobs=args.jobs,
        stderr_sink=None if sink_file is None else _locked(sink_file.write),
    )
    progress = None if args.quiet or not sys.stderr.isatty() else _Progress(len(cases), sys.stderr)
    try:
        result = run_adapter(args.adapter, cases, options, progress)
    finally:
        if sink_file is not None:
            sink_file.close()
    if progress is not None:
        progress.clear()

    if result.hello is not None:
        print(f"adapter: {result.hello.describe()}", file=out)
    for event in result.events:
        blamed = f" [{event.case}]" if event.case else ""
        print(f"adapter event{blamed}: {event.reason}", file=out)
    shown = 0
    for o in result.outcomes:
        if o.status in ("failed", "errored") and shown < args.show:
            shown += 1
            where = f" at {o.path}" if o.path else ""
            # a detail may quote a lone surrogate (a decode_text case): escape it
            detail = o.detail.encode("utf-8", "backslashreplace").decode("utf-8")
            print(f"{o.status.upper()} {o.id}{where}: {detail}", file=out)
        elif o.status == "skipped" and args.show_skipped:
            print(f"skipped {o.id}: {o.detail}", file=out)
    print(table(result), file=out)

    checked = check_baseline(result.outcomes, baseline) if baseline is not None else None
    if checked is not None:
        for o in checked.new_failures:
            print(f"new failure (not in the baseline): {o.id}", file=out)
        for cid in checked.stale:
            print(f"stale baseline entry (now passes): {cid}", file=out)
        print(
            f"baseline: {len(checked.expected)} expected failure(s), "
            f"{len(checked.new_failures)} new, {len(checked.stale)} stale, "
            f"{len(checked.not_run)} not run",
            file=out,
        )
    if args.report:
        doc: dict[str, Any] = json_report(result, args.adapter, checked)
        _write(args.report, json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
    if args.junit:
        _write(args.junit, junit_xml(result))
    if args.write_baseline:
        _write(args.write_baseline, render_baseline(result.outcomes, adapter=args.adapter))
    print(summary_line(result), file=out)
    if result.interrupted:
        return 130
    if checked is not None:
        return 0 if checked.ok else 1
    bad = any(o.status in ("failed", "errored") for o in result.outcomes)
    return 1 if bad else 0
