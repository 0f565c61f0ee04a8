"""The cross-implementation harness: check any runtime against the corpus.

* :mod:`.protocol` — ``lash-spec-adapter/1``: newline-delimited JSON over an
  adapter's stdin/stdout, message shapes and their JSON Schemas;
* :mod:`.runner` — starts the adapter, pipelines requests, survives crashes,
  hangs and garbage, and records one outcome per case;
* :mod:`.drivers` — per body kind, the requests to send and the judgement
  (the runner decides pass/fail, never the adapter);
* :mod:`.adapter` — the reference adapter serving the Python model;
* :mod:`.baseline`, :mod:`.report` — expected failures; JSON/JUnit reports;
* :mod:`.pytest_plugin` — ``pytest --lash-adapter CMD``;
* :mod:`.fuzz`, :mod:`.fuzz_targets` — ``lash-spec fuzz``, and its targets as
  Hypothesis tests (``pytest --lash-adapter CMD --lash-fuzz``, HypoFuzz).

See ``docs/adapter-protocol.md`` and ``docs/write-your-adapter.md``. Names
below are imported on first use, so ``python -m lash_spec.harness.<module>``
and the adapter start without loading the rest.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "PROTOCOL",
    "CaseOutcome",
    "HarnessCase",
    "RunOptions",
    "RunResult",
    "Runner",
    "collect",
    "run_adapter",
]

_HOME = {
    "PROTOCOL": "protocol",
    "CaseOutcome": "runner",
    "HarnessCase": "cases",
    "RunOptions": "runner",
    "RunResult": "runner",
    "Runner": "runner",
    "collect": "cases",
    "run_adapter": "runner",
}


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(name)
    return getattr(importlib.import_module(f"lash_spec.harness.{module}"), name)
