"""Collecting cases for the harness: the same files and ids as ``lash-spec verify``.

Each case keeps the seed and concept of its corpus file (for the per-concept
summary) and its stable id ``<file id>/<case id>`` — the id ``verify``
reports, baselines list and the pytest plugin names its items by.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs

from lash_spec.conformance.check import body_kind
from lash_spec.conformance.runner import FixtureError, case_eras, load_fixture

__all__ = ["FixtureError", "HarnessCase", "collect", "json_files"]


@attrs.frozen(kw_only=True)
class HarnessCase:
    """One case: where it comes from, what it exercises, and its body."""

    id: str
    file: str
    file_id: str
    seed: str
    concept: str
    kind: str
    body: Any
    eras: tuple[str, ...] | None = None  # where the case holds; None: not stated

    @property
    def op(self) -> str | None:
        if self.kind == "call" and isinstance(self.body.get("call"), str):
            op: str = self.body["call"]
            return op
        return None


def json_files(paths: list[Path]) -> Iterator[Path]:
    """Corpus files under ``paths`` (folders recursively; not schemas or the index)."""
    for path in paths:
        if path.is_dir():
            yield from sorted(
                p
                for p in path.rglob("*.json")
                if "schema" not in p.relative_to(path).parts and p.name != "index.json"
            )
        elif not path.exists():
            raise FixtureError(f"{path}: no such file or directory")
        else:
            yield path


def _case(
    file: str,
    file_id: str,
    seed: str,
    concept: str,
    *,
    cid: str,
    body: Any,
    eras: tuple[str, ...] | None = None,
) -> HarnessCase:
    return HarnessCase(
        id=cid,
        file=file,
        file_id=file_id,
        seed=seed,
        concept=concept,
        kind=body_kind(body),
        body=body,
        eras=eras,
    )


def cases_in(doc: Any, file: str) -> Iterator[HarnessCase]:
    """The cases of one parsed file (ids as :mod:`lash_spec.conformance.runner` gives them)."""
    stem = Path(file).stem
    if isinstance(doc, dict) and isinstance(doc.get("cases"), list):
        prefix = str(doc.get("id", stem))
        seed = str(doc.get("seed", "-"))
        concept = str(doc.get("concept", prefix))
        file_eras = case_eras(doc, None)
        for i, case in enumerate(doc["cases"]):
            if isinstance(case, dict) and "body" in case:
                cid = f"{prefix}/{case.get('id', i)}"
                eras = case_eras(case, file_eras)
                yield _case(file, prefix, seed, concept, cid=cid, body=case["body"], eras=eras)
            else:
                yield _case(file, prefix, seed, concept, cid=f"{prefix}/{i}", body=case)
    elif isinstance(doc, dict) and "body" in doc:
        cid = str(doc.get("id", stem))
        yield _case(file, stem, "-", stem, cid=cid, body=doc["body"], eras=case_eras(doc, None))
    elif isinstance(doc, list):
        for i, item in enumerate(doc):
            if isinstance(item, dict) and "body" in item:
                cid = f"{stem}/{item.get('id', i)}"
                yield _case(file, stem, "-", stem, cid=cid, body=item["body"])
            else:
                yield _case(file, stem, "-", stem, cid=f"{stem}/{i}", body=item)
    else:
        yield _case(file, stem, "-", stem, cid=stem, body=doc)


def collect(paths: list[Path]) -> list[HarnessCase]:
    """Every case under ``paths``, in file order (raises :class:`FixtureError`)."""
    out: list[HarnessCase] = []
    for file in json_files(paths):
        out.extend(cases_in(load_fixture(file), str(file)))
    return out
