"""The conformance corpus: deterministic generation (``fill``) and its check.

The corpus is *derived from the model*: scenario modules
(:mod:`lash_spec.conformance.scenarios`) name cases and build their inputs;
this module runs each input through the model to fill in the expected result,
groups cases into files, and writes ``conformance/``:

* one file per (seed, concept) — see ``docs/corpus-format.md`` for the shape;
* ``conformance/index.json`` — every file with its case count and hash;
* ``conformance/retired-ids.txt`` — ids that once existed and must never be
  reused for another case.

``fill --check`` regenerates in memory and compares: a file that differs is
stale; a case whose ``hash`` does not match its body was hand-edited; a file
on disk that generation does not produce is unexpected.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import attrs

from lash_spec.conformance.check import body_kind, check_case
from lash_spec.conformance.ops import op_at
from lash_spec.eras import era_names
from lash_spec.wire.errors import LashError
from lash_spec.wire.text import canonical_value, sha256_hex, write_json

__all__ = [
    "FORMAT",
    "CaseSpec",
    "CorpusError",
    "FileSpec",
    "body_hash",
    "build_corpus",
    "call",
    "check_corpus",
    "write_corpus",
]

FORMAT = "lash-spec-corpus/1"
SCENARIO_MODULES = (
    "stable_identity",
    "envelope",
    "effect_id",
    "outcome",
    "decode",
    "turn_io",
    "turn_traces",
    "context",
    "eras",
    "runs",
)


@attrs.frozen
class CaseSpec:
    """One case as a scenario names it (the body already holds its expectation)."""

    id: str
    description: str
    body: dict[str, Any]
    eras: tuple[str, ...] = ()  # filled in by build_corpus (case_eras)


@attrs.frozen
class FileSpec:
    """One corpus file: which seed concept it covers and its cases."""

    name: str  # file stem, e.g. "000-envelope"
    seed: str
    concept: str
    description: str
    cases: tuple[CaseSpec, ...]


class CorpusError(Exception):
    """A scenario that does not hold (its stated expectation disagrees with the model)."""


def body_hash(body: Any) -> str:
    """A case's content hash: ``stable_hash`` of its body as a JSON value."""
    return sha256_hex(write_json(canonical_value(body)))


def call(
    op_name: str,
    args: list[Any],
    *,
    expect: Any = attrs.NOTHING,
    expect_err: str | None = None,
    era: str | None = None,
) -> dict[str, Any]:
    """Build a call-case body by running ``op_name`` on ``args`` (serde form)
    at ``era`` (default: the era of the op's seed; for ``decode:``, seed 000's).

    ``expect``/``expect_err`` are hand-derived expectations: when given, the
    model must agree or generation stops (this is the "test" half of a
    scenario; the body is the "fixture" half). Where upstream's result
    depends on HashMap order the body is ``ok_any`` with every result
    (``expect`` then is that list); raises
    :class:`~lash_spec.wire.errors.OrderLimitError` beyond the enumeration bound.
    """
    op = op_at(op_name, era)
    if op is None:
        raise CorpusError(f"{op_name} does not exist at era {era}")
    decoded = op.decode_args(args, era)
    try:
        results = op.results(decoded, era)
        body: dict[str, Any] = {"call": op_name, "args": args}
        if len(results) == 1:
            body["ok"] = results[0]
        else:
            body["ok_any"] = results
    except LashError as err:
        body = {"call": op_name, "args": args, "err": {"code": err.code}}
    except Exception as err:
        code = getattr(err, "code", None)
        if not isinstance(code, str):
            raise
        body = {"call": op_name, "args": args, "err": {"code": code}}
    # Text equality: the hand-written expectation must also have serde's key order.
    outcome = body.get("ok", body.get("ok_any", attrs.NOTHING))
    if expect is not attrs.NOTHING and (
        outcome is attrs.NOTHING or write_json(outcome) != write_json(expect)
    ):
        raise CorpusError(f"{op_name}{args!r}: expected {expect!r}, model gives {body}")
    if expect_err is not None and body.get("err", {}).get("code") != expect_err:
        raise CorpusError(f"{op_name}{args!r}: expected error {expect_err}, model gives {body}")
    return body


def _scenario_files() -> Iterator[FileSpec]:
    for name in SCENARIO_MODULES:
        try:
            module = importlib.import_module(f"lash_spec.conformance.scenarios.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"lash_spec.conformance.scenarios.{name}":
                raise
            continue
        yield from module.files()


def case_eras(body: Any) -> tuple[str, ...]:
    """The eras at which a body holds: it is run in the model at every era."""
    return tuple(e for e in era_names() if check_case(body, era=e).status == "passed")


def build_corpus() -> list[FileSpec]:
    """Every corpus file, generated deterministically from the scenarios.

    Each case's eras are found by running it at every era
    (:func:`case_eras`); a case that holds at none is refused, and so are
    duplicate ids.
    """
    files = list(_scenario_files())
    seen: set[str] = set()
    for i, spec in enumerate(files):
        cases = []
        for case in spec.cases:
            if case.id in seen:
                raise CorpusError(f"duplicate case id {case.id}")
            seen.add(case.id)
            eras = case_eras(case.body)
            if not eras:
                result = check_case(case.body)
                raise CorpusError(f"{case.id} holds at no era: {result.detail}")
            cases.append(attrs.evolve(case, eras=eras))
        files[i] = attrs.evolve(spec, cases=tuple(cases))
    return files


def render_file(spec: FileSpec) -> str:
    """The file's text: deterministic, one case per line for readable diffs."""
    header = {
        "format": FORMAT,
        "id": spec.name,
        "seed": spec.seed,
        "concept": spec.concept,
        "description": spec.description,
    }
    lines = [json.dumps(header, ensure_ascii=False)[:-1] + ', "cases": [']
    for i, case in enumerate(spec.cases):
        entry = {
            "id": case.id,
            "description": case.description,
            "kind": body_kind(case.body),
            "eras": list(case.eras),
            "hash": body_hash(case.body),
            "body": case.body,
        }
        sep = "," if i + 1 < len(spec.cases) else ""
        lines.append(json.dumps(entry, ensure_ascii=False) + sep)
    lines.append("]}")
    return "\n".join(lines) + "\n"


def render_index(files: list[FileSpec], texts: dict[str, str]) -> str:
    index = {
        "format": FORMAT,
        "total_cases": sum(len(f.cases) for f in files),
        "files": [
            {
                "path": f"{f.name}.json",
                "seed": f.seed,
                "concept": f.concept,
                "cases": len(f.cases),
                "sha256": sha256_hex(texts[f.name]),
            }
            for f in files
        ],
    }
    return json.dumps(index, indent=2, ensure_ascii=False) + "\n"


def _render_all(files: list[FileSpec]) -> dict[str, str]:
    texts = {f.name: render_file(f) for f in files}
    out = {f"{name}.json": text for name, text in texts.items()}
    out["index.json"] = render_index(files, texts)
    from lash_spec.conformance.schema import all_schemas

    for name, doc in all_schemas().items():
        out[f"schema/{name}"] = json.dumps(doc, indent=1, ensure_ascii=False) + "\n"
    return out


def _retired(root: Path) -> set[str]:
    path = root / "retired-ids.txt"
    if not path.exists():
        return set()
    return {
        line.strip()
        for line in path.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }


def _ids_on_disk(root: Path) -> set[str]:
    ids: set[str] = set()
    for path in root.glob("*.json"):
        if path.name == "index.json":
            continue
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        ids.update(
            c["id"]
            for c in doc.get("cases", [])
            if isinstance(c, dict) and isinstance(c.get("id"), str)
        )
    return ids


def write_corpus(root: Path, files: list[FileSpec] | None = None) -> list[str]:
    """Regenerate ``root``; returns the paths written. Dropped ids are retired."""
    files = build_corpus() if files is None else files
    rendered = _render_all(files)
    new_ids = {c.id for f in files for c in f.cases}
    retired = _retired(root)
    reused = sorted(new_ids & retired)
    if reused:
        raise CorpusError(f"retired ids may not be reused: {', '.join(reused[:10])}")
    dropped = _ids_on_disk(root) - new_ids
    (root / "schema").mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in rendered.items():
        path = root / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(str(path))
    for stale in root.glob("*.json"):
        if stale.name not in rendered:
            stale.unlink()
            written.append(f"{stale} (removed)")
    if dropped or not (root / "retired-ids.txt").exists():
        lines = sorted(retired | dropped)
        (root / "retired-ids.txt").write_text(
            "# Case ids that existed once; they are never reused for another case.\n"
            + "".join(f"{i}\n" for i in lines),
            encoding="utf-8",
        )
        written.append(str(root / "retired-ids.txt"))
    return written


def check_corpus(root: Path, files: list[FileSpec] | None = None) -> list[str]:
    """Problems with the committed corpus (empty when it is current)."""
    files = build_corpus() if files is None else files
    rendered = _render_all(files)
    problems: list[str] = []
    retired = _retired(root)
    for f in files:
        for case in f.cases:
            if case.id in retired:
                problems.append(f"{f.name}.json: case {case.id} reuses a retired id")
    for name, text in rendered.items():
        path = root / name
        if not path.exists():
            problems.append(f"{name}: missing (run `lash-spec fill`)")
            continue
        on_disk = path.read_text(encoding="utf-8")
        if on_disk == text:
            continue
        problems.extend(_explain(name, on_disk, text))
    for path in sorted(root.glob("*.json")):
        if path.name not in rendered:
            problems.append(f"{path.name}: not produced by `lash-spec fill` (unexpected file)")
    return problems


def _explain(name: str, on_disk: str, expected: str) -> Iterable[str]:
    """Say which cases of a differing file are hand-edited, stale or missing."""
    try:
        disk_doc = json.loads(on_disk)
        new_doc = json.loads(expected)
    except ValueError:
        yield f"{name}: not valid JSON (hand-edited?)"
        return
    if name == "index.json" or name.startswith("schema/"):
        yield f"{name}: stale (run `lash-spec fill`)"
        return
    disk_cases = {c.get("id"): c for c in disk_doc.get("cases", []) if isinstance(c, dict)}
    new_cases = {c["id"]: c for c in new_doc["cases"]}
    reported = False
    for cid, case in disk_cases.items():
        if "body" in case and case.get("hash") != body_hash(case["body"]):
            yield f"{name}: case {cid} was hand-edited (hash does not match its body)"
            reported = True
        elif cid not in new_cases:
            yield f"{name}: case {cid} is no longer generated (stale)"
            reported = True
        elif case != new_cases[cid]:
            yield f"{name}: case {cid} is stale (the model now gives a different body)"
            reported = True
    for cid in new_cases.keys() - disk_cases.keys():
        yield f"{name}: case {cid} is missing (run `lash-spec fill`)"
        reported = True
    if not reported:
        yield f"{name}: stale layout or header (run `lash-spec fill`)"
