"""Shared test set-up: Hypothesis profiles and paths to the reference material.

``CI=true`` selects the deterministic ``ci`` profile (derandomized, fixed
example counts, no deadline) so CI runs are reproducible; locally the
``dev`` profile explores randomly.
"""

from __future__ import annotations

import os
import shutil
import sysconfig
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=100,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") == "true" else "dev")
)

ROOT = Path(__file__).resolve().parent.parent
RECORDED = ROOT / "tests" / "fixtures" / "recorded"


def compiled_or_skip(loaded: tuple[ModuleType | None, str]) -> ModuleType:
    """A C extension of the codec (``plan.load_writer()``, ``readplan.load_reader()``):
    a test of the compiled path fails if it is not built where a compiler exists,
    and is skipped on a machine without one."""
    module, why = loaded
    if module is not None:
        return module
    cc = (sysconfig.get_config_var("CC") or "").split()
    if cc and shutil.which(cc[0]):  # a compiler exists: a missing build is a failure
        pytest.fail(f"{why}: reinstall with `pip install -e .` to test the compiled path")
    pytest.skip(f"no C compiler on this machine: {why}")
