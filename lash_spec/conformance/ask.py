"""The model at the command line: ``lash-spec decode``, ``hash`` and ``call``.

The quick questions people ask while writing an implementation — what does
serde make of this value, what is its stable hash, what does this op answer
— answered by the same functions the corpus is made with:
:func:`~lash_spec.wire.codec.from_wire` / :func:`~lash_spec.wire.codec.from_json`
and :func:`~lash_spec.wire.codec.to_json` for ``decode`` and ``hash``,
:func:`~lash_spec.conformance.expect.expect_body` for ``call``.

Each answers one document, or each line of JSON Lines (one answer per
line, in order); an input the model rejects is a typed error with its JSON
path, and the command's exit status is 1. ``--era ERA`` asks at one upstream
commit (docs/eras.md): TYPE is that era's form, and OP runs there.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from typing import Any

import attrs

from lash_spec.conformance.inputs import Document, parse_value
from lash_spec.wire.errors import WireError

__all__ = ["Answer", "answer_call", "answer_decode", "answer_hash", "resolve_type"]

VALUE = "Value"  # serde_json::Value: any JSON value, objects written key-sorted


@attrs.frozen
class Answer:
    """One document's answer: a line of output, or a typed error."""

    where: str
    line: str | None = None
    error: str | None = None  # "<path>: <message> [<code>]"


def resolve_type(name: str, era: str | None = None) -> Any:
    """The model type named ``name`` (a Rust type name, or ``Value``) at
    ``era`` (default :data:`~lash_spec.eras.DEFAULT_ERA`): an era-split type
    is that era's form.

    Raises ``LookupError`` naming the closest names, or the eras where a type
    missing at ``era`` exists (and ``UnknownEraError`` for an unknown era).
    """
    from lash_spec.conformance.ops import wire_type_at, wire_types
    from lash_spec.eras import era_names
    from lash_spec.wire.types import Value

    types = wire_types(era)
    if name == VALUE:
        return Value
    if name in types:
        return types[name]
    elsewhere = [e for e in era_names() if wire_type_at(name, e) is not None]
    if elsewhere:
        raise LookupError(
            f"type {name!r} does not exist at era {era} (it does at {', '.join(elsewhere)})"
        )
    close = difflib.get_close_matches(name, [*types, VALUE], n=4)
    hint = f"; did you mean {', '.join(close)}?" if close else " (see docs/reference/wire-types.md)"
    raise LookupError(f"unknown type {name!r}{hint}")


def _value(doc: Document, text_mode: bool, tp: Any, era: str | None) -> Any:
    """``doc`` decoded as ``tp`` at ``era``: raw text as serde_json reads it, or a JSON value."""
    from lash_spec.wire.codec import from_json, from_wire

    if text_mode:
        return from_json(tp, doc.text, era=era)
    try:
        value = parse_value(doc.text)
    except ValueError as err:
        raise WireError(str(err)) from None
    return from_wire(tp, value, era=era)


def _answers(docs: list[Document], answer: Callable[[Document], str]) -> Iterator[Answer]:
    for doc in docs:
        try:
            yield Answer(doc.where, line=answer(doc))
        except WireError as err:
            yield Answer(doc.where, error=f"{err.json_path}: {err.message} [{err.code}]")


def answer_decode(
    tp: Any, docs: list[Document], *, text: bool = False, era: str | None = None
) -> Iterator[Answer]:
    """The canonical serde JSON of each document read as ``tp`` (at ``era``)."""
    from lash_spec.wire.codec import to_json

    return _answers(docs, lambda doc: to_json(_value(doc, text, tp, era), tp))


def answer_hash(
    tp: Any, docs: list[Document], *, text: bool = False, era: str | None = None
) -> Iterator[Answer]:
    """``<stable_hash>  <stable_json>`` of each document read as ``tp`` at ``era``
    (sha256sum layout)."""
    from lash_spec.wire.codec import to_json
    from lash_spec.wire.text import sha256_hex

    def one(doc: Document) -> str:
        stable = to_json(_value(doc, text, tp, era), tp)  # stable_json: serde's compact text
        return f"{sha256_hex(stable)}  {stable}"

    return _answers(docs, one)


def answer_call(op: str, docs: list[Document], era: str | None = None) -> Iterator[Answer]:
    """Each document (an ``args`` array) as a call case body with the model's
    answer at ``era`` (default: the op's own era)."""
    from lash_spec.conformance.expect import ExpectError, expect_body
    from lash_spec.wire.text import write_json

    for doc in docs:
        try:
            args = parse_value(doc.text)
        except ValueError as err:
            yield Answer(doc.where, error=f"$.args: {err}")
            continue
        try:
            body = expect_body({"call": op, "args": args}, era)
        except ExpectError as err:
            yield Answer(doc.where, error=str(err))
            continue
        yield Answer(doc.where, line=write_json(body))


# ---------------------------------------------------------------------------
# Command line (``lash-spec decode|hash|call``)
# ---------------------------------------------------------------------------


def _print(command: str, answers: Iterator[Answer]) -> int:
    import sys

    failed = 0
    for answer in answers:
        if answer.error is not None:
            failed += 1
            sys.stdout.flush()
            print(f"lash-spec {command}: {answer.where}: {answer.error}", file=sys.stderr)
        else:
            print(answer.line, flush=False)
    return 1 if failed else 0


def _documents(source: str, literal_name: str | None = None) -> list[Document]:
    from lash_spec.conformance.inputs import documents, read_text

    if literal_name is not None:
        return documents(source, literal_name)
    return documents(read_text(source), "stdin" if source == "-" else source)


def _type_command(args: Any) -> int:
    import sys

    from lash_spec.conformance.runner import FixtureError
    from lash_spec.eras import UnknownEraError

    try:
        tp = resolve_type(args.type, args.era)
        docs = _documents(args.source)
    except UnknownEraError as err:
        print(f"lash-spec {args.command}: --era: {err}", file=sys.stderr)
        return 2
    except (LookupError, FixtureError) as err:
        print(f"lash-spec {args.command}: {err}", file=sys.stderr)
        return 2
    return _print(args.command, args.answer(tp, docs, text=args.text, era=args.era))


def _call_command(args: Any) -> int:
    import sys

    from lash_spec.conformance.runner import FixtureError
    from lash_spec.eras import UnknownEraError
    from lash_spec.eras import era as era_named

    source: str = args.args
    literal = source != "-" and source.lstrip().startswith("[")
    try:
        if args.era is not None:
            era_named(args.era)
        docs = _documents(source, "ARGS" if literal else None)
    except UnknownEraError as err:
        print(f"lash-spec call: --era: {err}", file=sys.stderr)
        return 2
    except FixtureError as err:
        print(f"lash-spec call: {err}", file=sys.stderr)
        return 2
    return _print("call", answer_call(args.op, docs, args.era))


def add_subcommands(sub: Any) -> None:
    """Add ``decode``, ``hash`` and ``call`` to the ``lash-spec`` subparsers."""
    from lash_spec.eras import DEFAULT_ERA

    era_help = "ask at this upstream era (docs/eras.md; default: "
    source_help = "one JSON document, or JSON Lines (one answer per line); - or nothing: stdin"
    for name, answer, what in (
        ("decode", answer_decode, "the canonical serde JSON of a value read as TYPE"),
        ("hash", answer_hash, "stable_hash and stable_json of a value read as TYPE"),
    ):
        parser = sub.add_parser(name, help=what, description=what + ".")
        parser.add_argument(
            "type", metavar="TYPE", help="a Rust type name (docs/reference/wire-types.md) or Value"
        )
        parser.add_argument("source", nargs="?", default="-", metavar="FILE|-", help=source_help)
        parser.add_argument(
            "--text",
            action="store_true",
            help="read each document as raw text, as serde_json::from_str does",
        )
        parser.add_argument("--era", metavar="ERA", help=era_help + f"{DEFAULT_ERA})")
        parser.set_defaults(run=_type_command, answer=answer)
    what = "the model's answer to one call case, as a case body"
    call = sub.add_parser("call", help=what, description=what + ".")
    call.add_argument("op", metavar="OP", help="an op name (docs/reference/ops.md)")
    call.add_argument(
        "args",
        nargs="?",
        default="-",
        metavar="ARGS-JSON|FILE|-",
        help="the arguments as a JSON array, or a file / stdin of them (JSON Lines: one case each)",
    )
    call.add_argument("--era", metavar="ERA", help=era_help + "the op's own)")
    call.set_defaults(run=_call_command)
