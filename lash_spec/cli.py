"""``lash-spec``: the command line. Thin: parse arguments, call the library."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

__all__ = ["main"]


def _eras_arg(values: list[str] | None, command: str) -> frozenset[str] | None:
    """``--era`` values (repeatable, comma-separated) checked against the
    known eras; an unknown one ends the command with status 2."""
    from lash_spec.eras import era_names

    if not values:
        return None
    eras = frozenset(e.strip() for v in values for e in v.split(",") if e.strip())
    unknown = sorted(eras - set(era_names()))
    if unknown:
        print(
            f"lash-spec {command}: unknown era {', '.join(unknown)} "
            f"(known: {', '.join(era_names())})",
            file=sys.stderr,
        )
        raise SystemExit(2)
    return eras


def _verify(args: argparse.Namespace) -> int:
    from lash_spec.conformance.runner import FixtureError, run_paths, terminal_progress

    progress = None if args.quiet else terminal_progress()
    eras = _eras_arg(args.era, "verify")
    try:
        report = run_paths([Path(p) for p in args.paths], progress=progress, eras=eras)
    except FixtureError as err:
        if progress is not None:
            sys.stderr.write("\n")
        print(f"lash-spec verify: {err}", file=sys.stderr)
        return 2
    if progress is not None:
        sys.stderr.write("\r\x1b[K")
    shown = 0
    for entry in report.results:
        if entry["status"] == "failed" and shown < args.show:
            shown += 1
            print(f"FAILED {entry['id']}: {entry['detail']}")
    if args.show_skipped:
        for entry in report.results:
            if entry["status"] == "skipped":
                print(f"skipped {entry['id']}: {entry['detail']}")
    if args.report:
        Path(args.report).write_text(
            json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    if not args.quiet:
        print("\n".join(report.coverage.lines()))
    print(report.summary())
    return 0 if report.ok else 1


def _fill(args: argparse.Namespace) -> int:
    try:
        from lash_spec.conformance.corpus import CorpusError, check_corpus, write_corpus
    except ModuleNotFoundError as err:  # pragma: no cover - depends on the install
        print(f"lash-spec fill: {err}; install the test extra: pip install -e '.[test]'")
        return 2
    root = Path(args.root)
    try:
        if args.check:
            problems = check_corpus(root)
            for problem in problems:
                print(problem)
            if problems:
                print(f"{len(problems)} problem(s): the corpus in {root} is not current")
                return 1
            print(f"{root}: current")
            return 0
        written = write_corpus(root)
    except CorpusError as err:
        print(f"lash-spec fill: {err}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    print(f"{root}: {len(written)} file(s) changed")
    return 0


def _run_adapter(args: argparse.Namespace) -> int:
    from lash_spec.harness.command import run_command

    return run_command(args)


def _fuzz_adapter(args: argparse.Namespace) -> int:
    from lash_spec.harness.fuzz import fuzz_command

    try:
        import hypothesis  # noqa: F401 - the generators need it; say so before starting
    except ImportError as err:
        print(f"lash-spec fuzz: {err}; install the test extra: pip install -e '.[test]'")
        return 2
    return fuzz_command(args)


def _serve_adapter(args: argparse.Namespace) -> int:
    from lash_spec.harness.adapter import main as serve

    return serve(_eras_arg(args.era, "adapter"))


def _version() -> str:
    """The version and the codec paths in use (compiled writer/reader or pure Python)."""
    from lash_spec import __version__
    from lash_spec.wire import DECODER, DECODER_REASON, ENCODER, ENCODER_REASON

    return (
        f"lash-spec {__version__} (encoder: {ENCODER}, {ENCODER_REASON};"
        f" decoder: {DECODER}, {DECODER_REASON})"
    )


class _Version(argparse.Action):
    """``--version``, printed unwrapped (argparse's own action re-flows the text)."""

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        print(_version())
        parser.exit()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lash-spec",
        description="Executable reference specification of lash's wire contracts.",
    )
    parser.add_argument(
        "--version", action=_Version, nargs=0, help="print the version and the encoder in use"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    verify = sub.add_parser(
        "verify", help="run conformance cases (files or folders of JSON fixtures)"
    )
    verify.add_argument("paths", nargs="+", metavar="PATH")
    verify.add_argument("--report", metavar="FILE", help="write a JSON report to FILE")
    verify.add_argument(
        "--show", type=int, default=20, metavar="N", help="print at most N failures (default 20)"
    )
    verify.add_argument("--show-skipped", action="store_true", help="list skipped cases")
    verify.add_argument(
        "--era",
        action="append",
        metavar="ERA",
        help="check cases only at these eras (repeatable or comma-separated, e.g."
        " ceb460d4); cases holding at none are skipped with the reason",
    )
    verify.add_argument(
        "-q", "--quiet", action="store_true", help="no progress line, no coverage summary"
    )
    verify.set_defaults(run=_verify)
    fill = sub.add_parser("fill", help="regenerate the conformance corpus from the model")
    fill.add_argument("--root", default="conformance", help="corpus folder (default: conformance)")
    fill.add_argument(
        "--check",
        action="store_true",
        help="fail (naming file and case) if the committed corpus is stale, hand-edited or missing",
    )
    fill.set_defaults(run=_fill)
    from lash_spec.harness.command import add_arguments

    run_parser = sub.add_parser(
        "run", help="check an implementation through its adapter (docs/adapter-protocol.md)"
    )
    add_arguments(run_parser)
    run_parser.set_defaults(run=_run_adapter)
    from lash_spec.harness.fuzz import add_arguments as add_fuzz_arguments

    fuzz_parser = sub.add_parser(
        "fuzz", help="differential fuzzing of an adapter against the model (docs/fuzzing.md)"
    )
    add_fuzz_arguments(fuzz_parser)
    fuzz_parser.set_defaults(run=_fuzz_adapter)
    adapter = sub.add_parser(
        "adapter", help="serve the Python model over the adapter protocol (stdin/stdout)"
    )
    adapter.add_argument(
        "--era",
        action="append",
        metavar="ERA",
        help="declare only these eras in the hello (repeatable or comma-separated)",
    )
    adapter.set_defaults(run=_serve_adapter)
    from lash_spec.conformance.expect import add_subcommand as add_expect_subcommand

    add_expect_subcommand(sub)  # `expect`: golden fixtures from input-only bodies
    from lash_spec.conformance.ask import add_subcommands as add_ask_subcommands

    add_ask_subcommands(sub)  # `decode`, `hash`, `call`: the model at the command line
    from lash_spec.docsgen import add_subcommands as add_docs_subcommands

    add_docs_subcommands(sub)  # `docs` and `explain`
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``lash-spec`` console script."""
    args = _parser().parse_args(argv)
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    sys.exit(main())


def run() -> None:
    """Console-script wrapper: exit with :func:`main`'s status.

    A reader that stops early (``lash-spec explain X | head``) closes the pipe;
    that ends the command quietly, as it does for other Unix tools.
    """
    try:
        status = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # Python would report the pipe again while flushing stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        status = 141  # 128 + SIGPIPE, what a shell reports for such a reader's writer
    sys.exit(status)
