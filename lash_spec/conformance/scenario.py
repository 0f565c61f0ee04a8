"""Run-admission scenarios (seed 004): reading, running and writing them.

A scenario body (docs/case-bodies.md, "Run-admission scenario"; schema
``conformance/schema/run-admission-scenario.schema.json``) is::

    {"scenario": "run_admission",
     "runtime": RUNTIME,                      # what the builder was given
     "build":   {"err": {"code": CODE}},      # optional: build() must fail so
     "steps":   [STEP, ...]}

and each STEP names one ``AgentRuntime`` method with its argument and the
expected ``ok`` value or ``err`` code::

    {"start_run": REQUEST, "ok": RUN_ID}          {"cancel_run": RUN_ID, "ok": null}
    {"resolve_effective_package": REQUEST, "ok": {"package_id": ID, "fingerprint": FP}}
    {"run_snapshot": RUN_ID, "ok": SNAPSHOT}      {"registered_run_count": null, "ok": N}
    {"events": null, "ok": null}                  {..., "err": {"code": "<kind>:<retry>"}}

:func:`check_body` builds the runtime, runs the steps in order against one
registry and reports the first failing step with its index and JSON path.
:class:`ScenarioRecorder` runs the same operations while recording them, and
:func:`scenario_body` writes the record as a body: one run is both an
assertion and a fixture.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from lash_spec.conformance.check import CaseResult
from lash_spec.conformance.diff import first_difference
from lash_spec.model.runs import (
    AgentError,
    EffectiveRuntimePackage,
    HookSpec,
    HostPackageResolver,
    PackageFailures,
    PolicyDecision,
    PolicyDecisionKind,
    PolicyOutcome,
    ProviderRoute,
    RunHandle,
    RunRegistry,
    RunRequest,
    RunSnapshot,
    RuntimeConfig,
    RuntimePackage,
    RuntimePolicy,
    parse_code,
)
from lash_spec.wire.errors import PathItem, WireError, render_path
from lash_spec.wire.types import Err, Ok

__all__ = [
    "KIND",
    "STEP_OPS",
    "ScenarioRecorder",
    "check_body",
    "config_json",
    "decision_json",
    "error_json",
    "is_scenario",
    "read_config",
    "read_decision",
    "read_error",
    "read_request",
    "request_json",
    "scenario_body",
    "snapshot_json",
]

KIND = "run_admission"
STEP_OPS = (
    "start_run",
    "resolve_effective_package",
    "cancel_run",
    "run_snapshot",
    "registered_run_count",
    "events",
)

Path = tuple[PathItem, ...]


def is_scenario(body: Mapping[str, Any]) -> bool:
    """The recogniser ``check.py`` routes by: ``"scenario": "run_admission"``."""
    return body.get("scenario") == KIND


# ---------------------------------------------------------------------------
# Reading (every rejection names its JSON path)
# ---------------------------------------------------------------------------


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "boolean", int: "integer", float: "number", str: "string", list: "array"}.get(
        type(value), "object" if isinstance(value, dict) else type(value).__name__
    )


def _object(value: Any, path: Path, known: Sequence[str] | None = None) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise WireError(f"expected an object, got {_type_name(value)}", path)
    if known is not None:
        for key in value:
            if key not in known:
                raise WireError(f"unknown key `{key}`, expected one of {list(known)}", path)
    return value


def _str(value: Any, path: Path) -> str:
    if not isinstance(value, str):
        raise WireError(f"expected a string, got {_type_name(value)}", path)
    return value


def _opt_str(value: Any, path: Path) -> str | None:
    return None if value is None else _str(value, path)


def _bool(value: Any, path: Path) -> bool:
    if not isinstance(value, bool):
        raise WireError(f"expected a boolean, got {_type_name(value)}", path)
    return value


def _array(value: Any, path: Path) -> list[Any]:
    if not isinstance(value, list):
        raise WireError(f"expected an array, got {_type_name(value)}", path)
    return value


def _required(obj: Mapping[str, Any], key: str, path: Path) -> Any:
    if key not in obj:
        raise WireError(f"missing key `{key}`", path)
    return obj[key]


def read_error(value: Any, path: Path = ()) -> AgentError:
    """ERR ``{"code": "<kind>:<retry>", "message"?: STRING}``: an error a
    configured port or package method answers with."""
    obj = _object(value, path, ("code", "message"))
    code = _str(_required(obj, "code", path), (*path, "code"))
    try:
        parse_code(code)
    except ValueError as err:
        raise WireError(str(err), (*path, "code")) from None
    message = _str(obj.get("message", ""), (*path, "message"))
    return AgentError.from_code(code, message)


def _read_reason(value: Any, path: Path) -> str:
    obj = _object(value, path)
    code = _str(_required(obj, "code", path), (*path, "code"))
    _opt_str(obj.get("redacted_summary"), (*path, "redacted_summary"))
    if "policy_refs" in obj:
        _array(obj["policy_refs"], (*path, "policy_refs"))
    return code


_DECISIONS = {kind.value: kind for kind in PolicyDecisionKind}


def read_decision(value: Any, path: Path = ()) -> PolicyDecision:
    """DECISION: ``PolicyDecision`` in its serde form (externally tagged).

    Reads the variant and the reason code; ``redacted_summary`` and
    ``policy_refs`` of a reason may be left out, and the ``Ask``/``Modify``
    payloads (and every ``PolicyRef``) are kept opaque.
    """
    obj = _object(value, path)
    if len(obj) != 1:
        raise WireError("expected an object with exactly one variant key", path)
    ((name, payload),) = obj.items()
    kind = _DECISIONS.get(name)
    if kind is None:
        raise WireError(f"unknown variant `{name}`, expected one of {list(_DECISIONS)}", path)
    here = (*path, name)
    body = _object(payload, here)
    if kind is PolicyDecisionKind.DEFER:
        resume = _object(_required(body, "resume_policy", here), (*here, "resume_policy"))
        after = resume.get("resume_after_ms")
        if after is not None and (type(after) is not int or after < 0):
            raise WireError("expected u64 or null", (*here, "resume_policy", "resume_after_ms"))
        reason = _read_reason(
            _required(resume, "reason", (*here, "resume_policy")),
            (*here, "resume_policy", "reason"),
        )
        return PolicyDecision(kind=kind, reason_code=reason, payload=payload)
    if kind is PolicyDecisionKind.ASK:
        _required(body, "approval", here)
        return PolicyDecision(kind=kind, payload=payload)
    if kind is PolicyDecisionKind.MODIFY:
        _required(body, "modification", here)
        return PolicyDecision(kind=kind, payload=payload)
    reason = _read_reason(_required(body, "reason", here), (*here, "reason"))
    return PolicyDecision(kind=kind, reason_code=reason, payload=payload)


def _read_outcome(value: Any, path: Path) -> PolicyOutcome:
    obj = _object(value, path)  # a full serde PolicyOutcome may be given
    decision = read_decision(_required(obj, "decision", path), (*path, "decision"))
    refs = _array(obj.get("policy_refs", []), (*path, "policy_refs"))
    return PolicyOutcome(decision=decision, policy_refs=tuple(refs))


def _read_answer(value: Any, path: Path, read_ok: Any) -> Any:
    obj = _object(value, path, ("ok", "err"))
    if len(obj) != 1:
        raise WireError("expected exactly one of `ok` / `err`", path)
    if "ok" in obj:
        return Ok(read_ok(obj["ok"], (*path, "ok")))
    return Err(read_error(obj["err"], (*path, "err")))


def _read_policy(value: Any, path: Path) -> RuntimePolicy:
    obj = _object(value, path, ("answer", "by_run_id"))
    answer = _read_answer(_required(obj, "answer", path), (*path, "answer"), _read_outcome)
    by_run = _object(obj.get("by_run_id", {}), (*path, "by_run_id"))
    return RuntimePolicy(
        answer=answer,
        by_run_id={
            run_id: _read_answer(v, (*path, "by_run_id", run_id), _read_outcome)
            for run_id, v in by_run.items()
        },
    )


_PACKAGE_KEYS = ("package_id", "agent_id", "provider_route", "hooks", "fingerprint", "fails")
_FAIL_KEYS = ("with_output_contract", "validate", "hook_specs", "fingerprint")


def _read_package(value: Any, path: Path) -> RuntimePackage:
    obj = _object(value, path, _PACKAGE_KEYS)
    route_path = (*path, "provider_route")
    route = _object(_required(obj, "provider_route", path), route_path, ("route_id", "model_id"))
    hooks = []
    for i, hook in enumerate(_array(obj.get("hooks", []), (*path, "hooks"))):
        hook_obj = _object(hook, (*path, "hooks", i))  # a full HookSpec may be given
        ref = _str(_required(hook_obj, "executor_ref", (*path, "hooks", i)), (*path, "hooks", i))
        hooks.append(HookSpec(executor_ref=ref))
    fails_obj = _object(obj.get("fails", {}), (*path, "fails"), _FAIL_KEYS)
    fails = PackageFailures(
        **{key: read_error(v, (*path, "fails", key)) for key, v in fails_obj.items()}
    )
    return RuntimePackage(
        package_id=_str(_required(obj, "package_id", path), (*path, "package_id")),
        agent_id=_str(_required(obj, "agent_id", path), (*path, "agent_id")),
        provider_route=ProviderRoute(
            route_id=_str(_required(route, "route_id", route_path), (*route_path, "route_id")),
            model_id=_str(_required(route, "model_id", route_path), (*route_path, "model_id")),
        ),
        hooks=tuple(hooks),
        fingerprint=_str(_required(obj, "fingerprint", path), (*path, "fingerprint")),
        fails=fails,
    )


def _read_resolver(value: Any, path: Path) -> HostPackageResolver:
    obj = _object(value, path, ("answers",))
    answers = _object(obj.get("answers", {}), (*path, "answers"))
    return HostPackageResolver(
        answers={
            package_id: _read_answer(v, (*path, "answers", package_id), _read_package)
            for package_id, v in answers.items()
        }
    )


_RUNTIME_KEYS = (
    "journal",
    "event_bus",
    "content",
    "policy",
    "providers",
    "package_resolver",
    "packages",
    "default_package_id",
    "hook_executors",
)


def read_config(value: Any, path: Path = ()) -> RuntimeConfig:
    """RUNTIME: every key optional; missing means what ``AgentRuntime::default()`` has."""
    obj = _object(value, path, _RUNTIME_KEYS)

    def strings(key: str) -> tuple[str, ...]:
        items = _array(obj.get(key, []), (*path, key))
        return tuple(_str(v, (*path, key, i)) for i, v in enumerate(items))

    policy = obj.get("policy")
    resolver = obj.get("package_resolver")
    packages = _array(obj.get("packages", []), (*path, "packages"))
    return RuntimeConfig(
        journal=_bool(obj.get("journal", False), (*path, "journal")),
        event_bus=_bool(obj.get("event_bus", False), (*path, "event_bus")),
        content=_bool(obj.get("content", False), (*path, "content")),
        policy=None if policy is None else _read_policy(policy, (*path, "policy")),
        providers=strings("providers"),
        package_resolver=(
            None if resolver is None else _read_resolver(resolver, (*path, "package_resolver"))
        ),
        packages=tuple(_read_package(p, (*path, "packages", i)) for i, p in enumerate(packages)),
        default_package_id=_opt_str(obj.get("default_package_id"), (*path, "default_package_id")),
        hook_executors=strings("hook_executors"),
    )


def read_request(value: Any, path: Path = ()) -> RunRequest:
    """REQUEST: the ``RunRequest`` fields the runtime reads; other keys are ignored."""
    obj = _object(value, path)
    return RunRequest(
        run_id=_str(_required(obj, "run_id", path), (*path, "run_id")),
        agent_id=_str(_required(obj, "agent_id", path), (*path, "agent_id")),
        session_id=_opt_str(obj.get("session_id"), (*path, "session_id")),
        turn_id=_opt_str(obj.get("turn_id"), (*path, "turn_id")),
        source=obj.get("source"),
        output_contract=obj.get("output_contract"),
    )


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def error_json(error: AgentError, *, message: bool = False) -> dict[str, Any]:
    """ERR: the code, and the message when asked (port answers only)."""
    out: dict[str, Any] = {"code": error.code}
    if message and error.message:
        out["message"] = error.message
    return out


def _reason_json(code: str | None) -> dict[str, Any]:
    return {"code": code or "", "redacted_summary": None, "policy_refs": []}


def decision_json(decision: PolicyDecision) -> dict[str, Any]:
    """DECISION in serde form; a decision read from a case keeps its payload."""
    kind = decision.kind
    payload = decision.payload
    if payload is None:
        if kind is PolicyDecisionKind.DEFER:
            payload = {
                "resume_policy": {
                    "resume_after_ms": None,
                    "reason": _reason_json(decision.reason_code),
                }
            }
        elif kind is PolicyDecisionKind.ASK:
            payload = {"approval": {}}
        elif kind is PolicyDecisionKind.MODIFY:
            payload = {"modification": {"redacted_summary": "", "policy_refs": []}}
        else:
            payload = {"reason": _reason_json(decision.reason_code)}
    return {kind.value: payload}


def _answer_json(answer: Ok[Any] | Err[AgentError], write_ok: Any) -> dict[str, Any]:
    if isinstance(answer, Err):
        return {"err": error_json(answer.error, message=True)}
    return {"ok": write_ok(answer.value)}


def _outcome_json(outcome: PolicyOutcome) -> dict[str, Any]:
    return {"decision": decision_json(outcome.decision), "policy_refs": list(outcome.policy_refs)}


def _package_json(package: RuntimePackage) -> dict[str, Any]:
    out: dict[str, Any] = {
        "package_id": package.package_id,
        "agent_id": package.agent_id,
        "provider_route": {
            "route_id": package.provider_route.route_id,
            "model_id": package.provider_route.model_id,
        },
        "fingerprint": package.fingerprint,
    }
    if package.hooks:
        out["hooks"] = [{"executor_ref": h.executor_ref} for h in package.hooks]
    fails = {
        key: error_json(err, message=True)
        for key in _FAIL_KEYS
        if (err := getattr(package.fails, key)) is not None
    }
    if fails:
        out["fails"] = fails
    return out


def config_json(config: RuntimeConfig) -> dict[str, Any]:
    """RUNTIME for a configuration (every key written)."""
    policy = config.policy
    resolver = config.package_resolver
    return {
        "journal": config.journal,
        "event_bus": config.event_bus,
        "content": config.content,
        "policy": None
        if policy is None
        else {
            "answer": _answer_json(policy.answer, _outcome_json),
            "by_run_id": {
                run_id: _answer_json(a, _outcome_json) for run_id, a in policy.by_run_id.items()
            },
        },
        "providers": list(config.providers),
        "package_resolver": None
        if resolver is None
        else {
            "answers": {
                package_id: _answer_json(a, _package_json)
                for package_id, a in resolver.answers.items()
            }
        },
        "packages": [_package_json(p) for p in config.packages],
        "default_package_id": config.default_package_id,
        "hook_executors": list(config.hook_executors),
    }


def request_json(request: RunRequest) -> dict[str, Any]:
    """REQUEST for a request."""
    return {
        "run_id": request.run_id,
        "agent_id": request.agent_id,
        "session_id": request.session_id,
        "turn_id": request.turn_id,
        "source": request.source,
        "output_contract": request.output_contract,
    }


def snapshot_json(snapshot: RunSnapshot) -> dict[str, Any]:
    """SNAPSHOT: ``RunSnapshot`` as serde would write it if it derived
    Serialize (fields in declaration order, the status by variant name)."""
    return {
        "run_id": snapshot.run_id,
        "session_id": snapshot.session_id,
        "turn_id": snapshot.turn_id,
        "agent_id": snapshot.agent_id,
        "source": snapshot.source,
        "status": snapshot.status.value,
        "runtime_package_id": snapshot.runtime_package_id,
        "runtime_package_fingerprint": snapshot.runtime_package_fingerprint,
        "provider_route_id": snapshot.provider_route_id,
        "provider_model_id": snapshot.provider_model_id,
        "cancellation_requested": snapshot.cancellation_requested,
    }


def _ok_json(op: str, value: Any) -> Any:
    if op == "start_run":
        assert isinstance(value, RunHandle)
        return value.run_id
    if op == "resolve_effective_package":
        assert isinstance(value, EffectiveRuntimePackage)
        return {"package_id": value.package.package_id, "fingerprint": value.fingerprint}
    if op == "run_snapshot":
        assert isinstance(value, RunSnapshot)
        return snapshot_json(value)
    return value  # cancel_run / events: null; registered_run_count: an integer


def scenario_body(
    config: RuntimeConfig,
    steps: Sequence[Mapping[str, Any]],
    *,
    build_error: AgentError | None = None,
) -> dict[str, Any]:
    """A scenario body from a configuration and recorded steps."""
    body: dict[str, Any] = {"scenario": KIND, "runtime": config_json(config)}
    if build_error is not None:
        body["build"] = {"err": error_json(build_error)}
    body["steps"] = [dict(step) for step in steps]
    return body


# ---------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------


def _apply(
    registry: RunRegistry, op: str, arg: Any, path: Path
) -> tuple[RunRegistry, Ok[Any] | Err[AgentError]]:
    """Run one step's operation (its argument still in JSON form)."""
    if op == "start_run":
        return registry.start_run(read_request(arg, path))
    if op == "resolve_effective_package":
        return registry, registry.resolve_effective_package(read_request(arg, path))
    if op == "cancel_run":
        return registry.cancel_run(_str(arg, path))
    if op == "run_snapshot":
        return registry, registry.run_snapshot(_str(arg, path))
    if arg is not None:
        raise WireError(f"`{op}` takes no argument: expected null", path)
    if op == "registered_run_count":
        return registry, Ok(registry.registered_run_count())
    return registry, registry.events()


def _failed(detail: str, path: Path) -> CaseResult:
    return CaseResult("failed", detail, kind=KIND, path=render_path(path))


def _split_step(step: Any, index: int) -> tuple[str, Any, str, Any]:
    path: Path = ("steps", index)
    obj = _object(step, path)
    ops = [key for key in obj if key in STEP_OPS]
    outcomes = [key for key in obj if key in ("ok", "err")]
    extra = [key for key in obj if key not in STEP_OPS and key not in ("ok", "err")]
    if extra:
        known = [*STEP_OPS, "ok", "err"]
        raise WireError(f"unknown key `{extra[0]}`, expected one of {known}", path)
    if len(ops) != 1:
        raise WireError(f"a step names exactly one operation of {list(STEP_OPS)}", path)
    if len(outcomes) != 1:
        raise WireError("a step holds exactly one of `ok` / `err`", path)
    expected = obj[outcomes[0]]
    if outcomes[0] == "err":
        err_obj = _object(expected, (*path, "err"), ("code",))
        _str(_required(err_obj, "code", (*path, "err")), (*path, "err", "code"))
    return ops[0], obj[ops[0]], outcomes[0], expected


def _compare(
    index: int, op: str, outcome: str, expected: Any, actual: Ok[Any] | Err[AgentError]
) -> CaseResult | None:
    path: Path = ("steps", index, outcome)
    label = f"step {index} ({op})"
    if outcome == "err":
        want = expected["code"]
        if isinstance(actual, Ok):
            got = _ok_json(op, actual.value)
            return _failed(f"{label}: expected error {want!r}, got ok {got!r}", path)
        if actual.error.code != want:
            error = actual.error
            return _failed(
                f"{label}: expected error code {want!r}, got {error.code!r} ({error.message})",
                (*path, "code"),
            )
        return None
    if isinstance(actual, Err):
        error = actual.error
        return _failed(f"{label}: expected ok, got error {error.code!r} ({error.message})", path)
    diff = first_difference(expected, _ok_json(op, actual.value))
    if diff is None:
        return None
    full = attrs.evolve(diff, path=(*path, *diff.path))
    return _failed(f"{label}: {full}", full.path)


def check_body(body: Mapping[str, Any]) -> CaseResult:
    """Run one run-admission scenario; never raises for a malformed or failing one."""
    try:
        _object(body, (), ("scenario", "runtime", "build", "steps"))
        config = read_config(body.get("runtime", {}), ("runtime",))
        build = body.get("build")
        build_err = None
        if build is not None:
            build_obj = _object(build, ("build",), ("ok", "err"))
            if len(build_obj) != 1:
                raise WireError("expected exactly one of `ok` / `err`", ("build",))
            if "ok" in build_obj and build_obj["ok"] is not None:
                raise WireError("expected null", ("build", "ok"))
            if "err" in build_obj:
                err_obj = _object(build_obj["err"], ("build", "err"), ("code",))
                build_err = _str(_required(err_obj, "code", ("build", "err")), ("build", "err"))
        steps = _array(_required(body, "steps", ()), ("steps",))
        split = [_split_step(step, i) for i, step in enumerate(steps)]
    except WireError as err:
        return _failed(f"malformed run-admission scenario: {err}", err.path)

    built = config.build()
    if build_err is not None:
        if isinstance(built, Ok):
            return _failed(f"expected build error {build_err!r}, got ok", ("build", "err"))
        if built.error.code != build_err:
            return _failed(
                f"expected build error code {build_err!r}, got {built.error.code!r} "
                f"({built.error.message})",
                ("build", "err", "code"),
            )
        if split:
            return _failed("a scenario whose build fails has no steps", ("steps",))
        return CaseResult("passed", kind=KIND)
    if isinstance(built, Err):
        error = built.error
        return _failed(f"build failed: {error.code!r} ({error.message})", ("runtime",))

    registry = built.value
    for index, (op, arg, outcome, expected) in enumerate(split):
        try:
            registry, actual = _apply(registry, op, arg, ("steps", index, op))
        except WireError as err:
            return _failed(f"step {index} ({op}): malformed argument: {err}", err.path)
        except Exception as exc:  # a model crash is a failed case, not a crashed run
            return _failed(
                f"step {index} ({op}): raised {type(exc).__name__}: {exc}", ("steps", index)
            )
        failure = _compare(index, op, outcome, expected, actual)
        if failure is not None:
            return failure
    return CaseResult("passed", kind=KIND)


class ScenarioRecorder:
    """Drive a registry through the scenario operations and record each one
    as a step (with the result it actually gave).

    If the configuration does not build, :attr:`registry` is ``None``,
    :attr:`build_error` holds the error and the body has no steps.
    """

    def __init__(self, config: RuntimeConfig) -> None:
        self.config = config
        self.steps: list[dict[str, Any]] = []
        built = config.build()
        self.build_error: AgentError | None = built.error if isinstance(built, Err) else None
        self.registry: RunRegistry | None = built.value if isinstance(built, Ok) else None

    def _live(self) -> RunRegistry:
        if self.registry is None:
            raise RuntimeError("the runtime did not build")
        return self.registry

    def _record(self, op: str, arg: Any, result: Ok[Any] | Err[AgentError]) -> None:
        if isinstance(result, Err):
            self.steps.append({op: arg, "err": error_json(result.error)})
        else:
            self.steps.append({op: arg, "ok": _ok_json(op, result.value)})

    def start_run(self, request: RunRequest) -> Ok[RunHandle] | Err[AgentError]:
        self.registry, result = self._live().start_run(request)
        self._record("start_run", request_json(request), result)
        return result

    def resolve_effective_package(
        self, request: RunRequest
    ) -> Ok[EffectiveRuntimePackage] | Err[AgentError]:
        result = self._live().resolve_effective_package(request)
        self._record("resolve_effective_package", request_json(request), result)
        return result

    def cancel_run(self, run_id: str) -> Ok[None] | Err[AgentError]:
        self.registry, result = self._live().cancel_run(run_id)
        self._record("cancel_run", run_id, result)
        return result

    def run_snapshot(self, run_id: str) -> Ok[RunSnapshot] | Err[AgentError]:
        result = self._live().run_snapshot(run_id)
        self._record("run_snapshot", run_id, result)
        return result

    def apply(self, op: str, arg: Any, path: Path = ()) -> Ok[Any] | Err[AgentError]:
        """Run step ``op`` with its argument as a body holds it (JSON), recorded as given.

        Raises :class:`WireError` (at ``path``) for an argument that does not read.
        """
        self.registry, result = _apply(self._live(), op, arg, path)
        self._record(op, arg, result)
        return result

    def registered_run_count(self) -> int:
        count = self._live().registered_run_count()
        self._record("registered_run_count", None, Ok(count))
        return count

    def events(self) -> Ok[None] | Err[AgentError]:
        result = self._live().events()
        self._record("events", None, result)
        return result

    def body(self) -> dict[str, Any]:
        """This run as a scenario body."""
        return scenario_body(self.config, self.steps, build_error=self.build_error)
