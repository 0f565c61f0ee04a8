"""Running one conformance case body against the model.

Body kinds (the contract is docs/case-bodies.md):

* call case — ``{"call": OP, "args": [...], "ok": RESULT}``, ``"ok_any":
  [RESULT, ...]`` (where upstream's result depends on HashMap order) or ``"err"``;
* turn trace — ``{"config", "start", "driver", "steps"}`` (seed 003);
* run-admission scenario — ``{"scenario": "run_admission", ...}`` (seed 004);
* anything else — an unknown kind, reported ``skipped``.

A body holds only the keys its kind defines (:data:`BODY_KEYS`): any other
key is a malformed body, so a misspelt key cannot silently weaken a case.

Results are compared as values with :func:`first_difference` (strict about
``int``/``float``/``bool``), except ``stable_json`` whose result is text and
is compared byte for byte. An ``ok_any`` list must hold exactly the results
upstream may give (:meth:`~lash_spec.conformance.ops.Op.results`), and an
``ok`` where there are several fails: such a case would pass only by luck.
An op the registry does not know is ``skipped``, never passed.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any, Literal

import attrs

from lash_spec.conformance.diff import first_difference
from lash_spec.conformance.ops import op_at, registry
from lash_spec.eras import era_of_seed
from lash_spec.wire.errors import LashError, OrderLimitError, WireError
from lash_spec.wire.text import canonical_value, write_json

__all__ = ["BODY_KEYS", "CaseResult", "body_kind", "check_case", "unknown_key"]

Status = Literal["passed", "failed", "skipped"]


@attrs.frozen
class CaseResult:
    """The outcome of one case: ``status`` and, unless passed, a ``detail``."""

    status: Status
    detail: str = ""
    kind: str = "call"
    op: str | None = None
    path: str | None = None  # JSON path of the first difference, when failed

    @property
    def passed(self) -> bool:
        return self.status == "passed"


BODY_KEYS: dict[str, tuple[str, ...]] = {
    "call": ("call", "args", "ok", "err", "ok_any"),
    "turn_trace": ("config", "start", "driver", "steps"),
    "run_admission": ("scenario", "runtime", "build", "steps"),
}
"""The keys each body kind defines (docs/case-bodies.md)."""


def unknown_key(body: Mapping[str, Any], kind: str) -> str | None:
    """The first key of ``body`` that its kind does not define, if any."""
    known = BODY_KEYS[kind]
    return next((key for key in body if key not in known), None)


def body_kind(body: Any) -> str:
    """``call``, ``turn_trace``, a registered extra kind, or ``unknown``."""
    if not isinstance(body, Mapping):
        return "unknown"
    if "call" in body:
        return "call"
    for kind, (predicate, _) in _EXTRA_KINDS.items():
        if predicate(body):
            return kind
    return "unknown"


# Body kinds added by later seeds (e.g. a run-admission scenario): name →
# (recogniser, runner). Registered by the module that models them.
_EXTRA_KINDS: dict[str, tuple[Callable[[Mapping[str, Any]], bool], str]] = {
    "turn_trace": (lambda b: "steps" in b and "config" in b, "lash_spec.turn_machine.trace"),
    "run_admission": (
        lambda b: b.get("scenario") == "run_admission",
        "lash_spec.conformance.scenario",
    ),
}


def check_case(body: Any, era: str | None = None) -> CaseResult:
    """Run one case body at ``era`` (a name from :mod:`lash_spec.eras`; by
    default the era of the seed that defines the op); never raises for a
    malformed or failing case."""
    kind = body_kind(body)
    if kind == "call":
        return _check_call(body, era)
    if kind in _EXTRA_KINDS:
        from lash_spec.conformance.coverage import KIND_CONCEPTS  # kind → (seed, concept)

        declared = era_of_seed(KIND_CONCEPTS[kind][0])
        if era is not None and era != declared:
            return CaseResult("failed", f"a {kind} is declared at era {declared}", kind=kind)
        module_name = _EXTRA_KINDS[kind][1]
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            return CaseResult("skipped", f"body kind {kind!r} is not modelled yet", kind=kind)
        result: CaseResult = module.check_body(body)
        return result
    return CaseResult("skipped", "unknown body kind", kind="unknown")


def _check_call(body: Mapping[str, Any], era: str | None = None) -> CaseResult:
    name = body.get("call")
    if not isinstance(name, str):
        return CaseResult("failed", "malformed call case: `call` must be a string")
    extra = unknown_key(body, "call")
    if extra is not None:
        return CaseResult("failed", f"malformed call case: unknown key `{extra}`", op=name)
    if registry().get(name) is None:
        return CaseResult("skipped", f"unknown op {name}", op=name)
    try:
        op = op_at(name, era)
    except ValueError as err:  # an unknown era name
        return CaseResult("failed", str(err), op=name)
    if op is None:
        missing = name.split(":", 1)[-1]
        return CaseResult("failed", f"type {missing} does not exist at era {era}", op=name)
    declared = era_of_seed(op.seed)
    if era is not None and declared is not None and era != declared:
        return CaseResult(
            "failed", f"{name} is a seed {op.seed} function, declared at era {declared}", op=name
        )
    era = era or declared
    args = body.get("args")
    has_ok, has_err, has_any = "ok" in body, "err" in body, "ok_any" in body
    if not isinstance(args, list) or has_ok + has_err + has_any != 1:
        return CaseResult(
            "failed",
            "malformed call case: needs `args` (array) and one of `ok`/`ok_any`/`err`",
            op=name,
        )
    if has_any and not (isinstance(body["ok_any"], list) and body["ok_any"]):
        return CaseResult(
            "failed", "malformed call case: `ok_any` must be a non-empty array", op=name
        )
    try:
        decoded = op.decode_args(args, era)
    except WireError as err:
        return CaseResult("failed", f"argument does not decode: {err}", op=name, path=err.json_path)
    try:
        results = op.results(decoded, era)  # a decode op reads the case era's forms
    except LashError as err:
        return _compare_err(body, name, err.code, str(err))
    except WireError as err:
        return _compare_err(body, name, err.code, str(err))
    except OrderLimitError as err:
        return CaseResult("skipped", f"not checkable: {err}", op=name)
    if has_err:
        return CaseResult(
            "failed",
            f"expected error {body['err']!r}, got ok {_brief(results[0])}",
            op=name,
            path="$",
        )
    if has_any:
        return _compare_any(body["ok_any"], results, name)
    if len(results) > 1:
        return CaseResult(
            "failed",
            f"upstream's result depends on HashMap order ({len(results)} possible results):"
            " the case must list them all in `ok_any`",
            op=name,
            path="$",
        )
    actual = results[0]
    expected = body["ok"]
    if name == "stable_json":
        if actual == expected:
            return CaseResult("passed", op=name)
        return CaseResult(
            "failed", f"text differs: expected {expected!r}, actual {actual!r}", op=name, path="$"
        )
    diff = first_difference(expected, actual)
    if diff is None:
        return CaseResult("passed", op=name)
    return CaseResult("failed", str(diff), op=name, path=diff.json_path)


def _compare_any(listed: list[Any], results: list[Any], name: str) -> CaseResult:
    """An ``ok_any`` list must be exactly the results upstream may give."""
    possible = {_key(r) for r in results}
    for i, value in enumerate(listed):
        if _key(value) not in possible:
            return CaseResult(
                "failed",
                f"ok_any[{i}] is no result upstream can give ({len(results)} possible):"
                f" {_brief(value)}",
                op=name,
                path="$",
            )
    missing = possible - {_key(v) for v in listed}
    if missing:
        example = next(r for r in results if _key(r) in missing)
        return CaseResult(
            "failed",
            f"ok_any lacks {len(missing)} of the {len(results)} results upstream may give"
            f" (every HashMap order), e.g. {_brief(example)}",
            op=name,
            path="$",
        )
    return CaseResult("passed", op=name)


def _key(value: Any) -> str:
    """A value's identity as serde writes it (strict about ``1`` vs ``1.0``)."""
    try:
        return write_json(canonical_value(value))
    except (TypeError, ValueError):
        return repr(value)


def _compare_err(body: Mapping[str, Any], name: str, code: str, message: str) -> CaseResult:
    if "err" not in body:
        return CaseResult("failed", f"expected ok, got error {message}", op=name, path="$")
    expected = body["err"].get("code") if isinstance(body["err"], Mapping) else None
    if expected == code:
        return CaseResult("passed", op=name)
    return CaseResult(
        "failed", f"expected error code {expected!r}, got {code!r} ({message})", op=name, path="$"
    )


def _brief(value: Any) -> str:
    from lash_spec.conformance.diff import _excerpt

    return _excerpt(value)
