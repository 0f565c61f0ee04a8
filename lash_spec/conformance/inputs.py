"""Reading what people give the command line: JSON documents and JSON Lines.

``lash-spec expect``, ``decode``, ``hash`` and ``call`` read a file (or
stdin) holding either one JSON document or JSON Lines — one document per
line, so they compose with shell pipelines. Values are read with the corpus
rules (:mod:`lash_spec.conformance.runner`: ``-0`` is ``-0.0``, integers
beyond ``u64``/``i64`` are floats, ``NaN`` is refused); raw text for
``--text`` is left to the codec.

:func:`read_inputs` reads case inputs for ``expect``: a corpus-like file
(``{"id"?, "seed"?, "concept"?, "description"?, "cases": [...]}``), a JSON
array, or JSON Lines, whose items are bodies or ``{"id"?, "description"?,
"eras"?, "body"}`` entries (``eras`` as a corpus case has it: the eras at
which the case holds, the first being where ``expect`` fills it).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import attrs

from lash_spec.conformance.corpus import FORMAT
from lash_spec.conformance.runner import FixtureError
from lash_spec.wire.reader import serde_number

__all__ = ["Document", "Header", "Input", "Inputs", "documents", "parse_value", "read_inputs"]


@attrs.frozen
class Document:
    """One JSON document of an input: its text and where it is (``file:line``)."""

    text: str
    where: str


def _refuse(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def parse_value(text: str) -> Any:
    """A JSON value, read with the corpus number rules (raises ``ValueError``)."""
    try:
        return json.loads(text, parse_int=serde_number, parse_constant=_refuse)
    except OverflowError as err:
        raise ValueError(f"number out of range: {err}") from None
    except json.JSONDecodeError as err:
        raise ValueError(f"not JSON: {err.msg} at line {err.lineno} column {err.colno}") from None


def read_text(source: str) -> str:
    """The text of a file, or of stdin for ``-`` (raises :class:`FixtureError`)."""
    if source == "-":
        return sys.stdin.read()
    try:
        return Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise FixtureError(f"{source}: cannot read: {err}") from None


def _parses(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def documents(text: str, name: str) -> list[Document]:
    """The documents of ``text``: the whole text, or one per line (JSON Lines).

    It is JSON Lines when the whole text is not one JSON document but its
    first non-blank line is; otherwise it is one document (whose error, if
    any, the reader reports).
    """
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    if len(lines) > 1 and not _parses(text) and _parses(lines[0][1]):
        return [Document(line, f"{name}:{n}") for n, line in lines]
    return [Document(text, name)]


@attrs.frozen
class Header:
    """What a corpus file says about itself (each part optional in an input)."""

    id: str | None = None
    seed: str | None = None
    concept: str | None = None
    description: str | None = None


@attrs.frozen
class Input:
    """One case input: where it came from, its body, and its id/description/eras if given."""

    where: str
    body: Any
    id: str | None = None
    description: str | None = None
    eras: tuple[str, ...] = ()  # a corpus case's eras; empty: not stated


@attrs.define
class Inputs:
    """Case inputs read from files, the first corpus-like header, and unreadable items."""

    items: list[Input] = attrs.field(factory=list)
    header: Header = Header()
    problems: list[tuple[str, str]] = attrs.field(factory=list)  # (where, message)


def _entry(item: Any, where: str, out: Inputs) -> None:
    if not (isinstance(item, dict) and "body" in item):
        out.items.append(Input(where, item))
        return
    cid, description, eras = item.get("id"), item.get("description"), item.get("eras", [])
    if cid is not None and not (isinstance(cid, str) and cid):
        out.problems.append((where, "`id` must be a non-empty string"))
    elif description is not None and not isinstance(description, str):
        out.problems.append((where, "`description` must be a string"))
    elif not (isinstance(eras, list) and all(isinstance(e, str) for e in eras)):
        out.problems.append((where, "`eras` must be an array of era names"))
    else:
        label = f"{where} ({cid})" if cid else where
        out.items.append(Input(label, item["body"], cid, description, tuple(eras)))


def _header(doc: dict[str, Any]) -> Header:
    def text(key: str) -> str | None:
        value = doc.get(key)
        return value if isinstance(value, str) else None

    return Header(text("id"), text("seed"), text("concept"), text("description"))


def read_inputs(sources: list[str], out: Inputs | None = None) -> Inputs:
    """Every case input in ``sources`` (files or ``-``), in order.

    Raises :class:`FixtureError` for a file that cannot be read at all; a
    line or item that is not a case is recorded in ``problems`` instead.
    """
    out = Inputs() if out is None else out
    for source in sources:
        name = "stdin" if source == "-" else source
        docs = documents(read_text(source), name)
        for doc in docs:
            try:
                value = parse_value(doc.text)
            except ValueError as err:
                if len(docs) == 1:
                    raise FixtureError(f"{name}: {err}") from None
                out.problems.append((doc.where, str(err)))
                continue
            if len(docs) > 1:
                _entry(value, doc.where, out)
            elif isinstance(value, dict) and isinstance(value.get("cases"), list):
                if value.get("format", FORMAT) != FORMAT:
                    raise FixtureError(f"{name}: unknown format {value['format']!r}")
                if out.header == Header():
                    out.header = _header(value)
                for i, item in enumerate(value["cases"]):
                    _entry(item, f"{name} case {i}", out)
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    _entry(item, f"{name} item {i}", out)
            else:
                _entry(value, name, out)
    return out
