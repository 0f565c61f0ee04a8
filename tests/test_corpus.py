"""The committed corpus: current, schema-valid, large enough, hashes intact.

``check_corpus`` regenerates everything in memory, so this also proves that
generation is deterministic (the committed bytes were produced by an earlier
run of the same code).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from lash_spec.conformance.corpus import FileSpec, body_hash, build_corpus, check_corpus

ROOT = Path(__file__).resolve().parent.parent / "conformance"
FILES = sorted(p for p in ROOT.glob("*.json") if p.name != "index.json")


def _registry() -> Any:
    referencing = pytest.importorskip("referencing")
    resources = []
    for path in sorted((ROOT / "schema").glob("*.schema.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        resources.append((doc["$id"], referencing.Resource.from_contents(doc)))
    return referencing.Registry().with_resources(resources)


def _validator(name: str) -> Any:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((ROOT / "schema" / name).read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema, registry=_registry())


@pytest.fixture(scope="module")
def generated() -> list[FileSpec]:
    return build_corpus()


def test_corpus_is_current() -> None:
    # As CI and users run it: the CLI in a plain process (generation must not
    # depend on running inside pytest).
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    done = subprocess.run(
        [sys.executable, "-m", "lash_spec.cli", "fill", "--check", "--root", str(ROOT)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def test_corpus_size() -> None:
    index = json.loads((ROOT / "index.json").read_text(encoding="utf-8"))
    assert index["total_cases"] >= 2000
    assert sum(f["cases"] for f in index["files"]) == index["total_cases"]
    for path in FILES:
        assert path.stat().st_size < 5 * 2**20, path.name


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_file_matches_its_schema_and_hashes(path: Path) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    errors = sorted(_validator("corpus-file.schema.json").iter_errors(doc), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
    for case in doc["cases"]:
        assert case["hash"] == body_hash(case["body"]), case["id"]


def test_index_matches_its_schema() -> None:
    doc = json.loads((ROOT / "index.json").read_text(encoding="utf-8"))
    _validator("index.schema.json").validate(doc)


def test_check_names_a_hand_edited_case(tmp_path: Path, generated: list[FileSpec]) -> None:
    import shutil

    shutil.copytree(ROOT, tmp_path / "c")
    target = tmp_path / "c" / "000-effect-id.json"
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("process:await:p", "process:await:q", 1), encoding="utf-8")
    (tmp_path / "c" / "002-turn-io.json").unlink()
    problems = check_corpus(tmp_path / "c", generated)
    assert any("000-effect-id.json" in p and "hand-edited" in p for p in problems)
    assert any(p.startswith("002-turn-io.json: missing") for p in problems)
