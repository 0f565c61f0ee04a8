"""docs/golden-fixtures.md is produced by a real run, so it cannot go stale.

The page marks its code blocks: ``<!-- file: NAME -->`` (written to a fresh
folder), ``<!-- run -->`` (a console transcript: every ``$ lash-spec …``
command is run there, and what it prints must be what follows it) and
``<!-- output: NAME -->`` (the file the commands left must be this). After a
deliberate change, regenerate the page with
``LASH_SPEC_UPDATE_DOCS=1 pytest tests/test_golden_fixtures_page.py``.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
from pathlib import Path

import pytest

from lash_spec.cli import main

PAGE = Path(__file__).resolve().parent.parent / "docs" / "golden-fixtures.md"
BLOCK = re.compile(r"<!-- (file|run|output)(?:: (\S+))? -->\n```(\w+)\n(.*?)```", re.S)


def _transcript(text: str) -> str:
    """Run every ``$ lash-spec`` line of ``text``; the transcript of what they print."""
    out = []
    for line in text.splitlines():
        if not line.startswith("$ "):
            continue
        argv = shlex.split(line[2:])
        assert argv[0] == "lash-spec", line
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            main(argv[1:])
        out.append(line + "\n" + printed.getvalue())
    return "".join(out)


def render(page: str) -> str:
    """``page`` with every run and output block replaced by what a real run gives."""
    pieces = []
    last = 0
    for match in BLOCK.finditer(page):
        kind, name, lang, body = match.groups()
        if kind == "file":
            Path(name).write_text(body, encoding="utf-8")
            fresh = body
        elif kind == "run":
            fresh = _transcript(body)
        else:
            fresh = Path(name).read_text(encoding="utf-8")
        head = f"<!-- {kind}{f': {name}' if name else ''} -->\n```{lang}\n"
        pieces += [page[last : match.start()], head, fresh, "```"]
        last = match.end()
    pieces.append(page[last:])
    return "".join(pieces)


def test_the_page_shows_what_a_real_run_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = PAGE.read_text(encoding="utf-8")
    assert len(BLOCK.findall(page)) >= 6
    monkeypatch.chdir(tmp_path)
    fresh = render(page)
    if os.environ.get("LASH_SPEC_UPDATE_DOCS") == "1":
        PAGE.write_text(fresh, encoding="utf-8")
    assert fresh == page, (
        "docs/golden-fixtures.md is stale: "
        "LASH_SPEC_UPDATE_DOCS=1 pytest tests/test_golden_fixtures_page.py"
    )


def test_the_example_fixture_passes_the_reference_adapter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    render(PAGE.read_text(encoding="utf-8"))
    assert main(["run", "--adapter", "lash-spec adapter", "golden.json"]) == 0
    assert "5 passed, 0 failed, 0 skipped, 0 errored" in capsys.readouterr().out
