"""Mutant: ``start_run`` refuses a reused run id before climbing the ladder.

The seed checks the duplicate run id on the *last* rung, so a second request
for an admitted id that also fails an earlier rung (say, another agent id)
gets that rung's error; this mutant answers "duplicate" first.
"""

from __future__ import annotations

from typing import Any

from _mutant import Mutant, serve_adapter


class DuplicateCheckedFirst(Mutant):
    def _runtime_step(self, request: dict[str, Any]) -> dict[str, Any]:
        arg = request.get("arg")
        registry = self.runtimes.get(request.get("runtime"))
        if (
            request.get("op") == "start_run"
            and isinstance(arg, dict)
            and registry is not None
            and arg.get("run_id") in registry.runs
        ):
            code = "invalid_state_transition:not_retryable"
            return {"err": {"code": code, "message": "mutant: duplicate run id"}}
        return super()._runtime_step(request)


serve_adapter(DuplicateCheckedFirst())
