"""``lash_spec.strategies`` without Hypothesis: a clear message, not a bare traceback."""

from __future__ import annotations

import subprocess
import sys


def test_strategies_without_hypothesis_names_the_extra() -> None:
    code = (
        "import sys; sys.modules['hypothesis'] = None\n"  # as if not installed
        "try:\n"
        "    import lash_spec.strategies\n"
        "except ImportError as err:\n"
        "    print(type(err).__name__, err)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "ModuleNotFoundError" in done.stdout
    assert "pip install 'lash-spec[strategies]'" in done.stdout


def test_the_extra_pins_the_hypothesis_of_the_test_extra() -> None:
    import tomllib
    from pathlib import Path

    project = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())
    extras = project["project"]["optional-dependencies"]
    pinned = [d for d in extras["test"] if d.startswith("hypothesis")]
    assert extras["strategies"] == pinned
