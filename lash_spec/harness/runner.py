"""The harness runner: corpus cases → an adapter process → one outcome per case.

:class:`Runner` keeps one adapter process alive, hands it requests from the
cases' drivers (:mod:`lash_spec.harness.drivers`) and records one
:class:`CaseOutcome` per case: ``passed``, ``failed`` (first difference and
its JSON path), ``skipped`` or ``errored``.

Requests are *pipelined*: up to ``pipeline`` requests (from as many cases)
are in flight, so process round trips overlap with work on both sides. The
adapter still answers every request on its own line, in order; each request
has its own deadline, counted from the moment the adapter could start on it
(its send time or the previous reply, whichever is later).

Whatever the adapter does, the run ends in bounded time and keeps every
outcome it has:

* a timeout, an exit, a reply that is not JSON, a wrong ``seq`` or an
  oversized line blames the case of the oldest unanswered request (adapters
  handle requests one at a time, in order) — it is ``errored`` with the
  reason, a reply excerpt and the adapter's stderr tail; the adapter is
  killed and restarted, and the other cases in flight start again from
  scratch on the new process;
* a well-framed reply with a malformed outcome errors its case only;
* after ``give_up_after`` adapter failures in a row (failed start-ups
  included) without one good reply in between, the remaining cases are
  ``errored`` as not run.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Final

import attrs

from lash_spec.harness.cases import HarnessCase
from lash_spec.harness.drivers import Driver, Verdict, driver_for
from lash_spec.harness.process import (
    AdapterDiedError,
    AdapterProcess,
    LineTooLongError,
    ReplyTimeoutError,
    split_command,
)
from lash_spec.harness.protocol import (
    PROTOCOL,
    Hello,
    ProtocolError,
    Reply,
    encode_request,
    excerpt,
    parse_hello,
    parse_reply,
)

__all__ = ["AdapterEvent", "CaseOutcome", "RunOptions", "RunResult", "Runner", "run_adapter"]


@attrs.frozen(kw_only=True)
class RunOptions:
    """Limits of one run (see ``lash-spec run --help``)."""

    timeout: float = 10.0  # seconds per request
    start_timeout: float = 30.0  # seconds for the handshake
    pipeline: int = 16  # requests in flight
    max_reply_bytes: int = 16 * 1024 * 1024
    give_up_after: int = 5  # adapter failures in a row
    cwd: str | None = None
    env: dict[str, str] | None = None
    stderr_sink: Callable[[bytes], object] | None = None


@attrs.frozen(kw_only=True)
class CaseOutcome:
    """What happened to one case."""

    case: HarnessCase
    status: str
    detail: str = ""
    path: str | None = None

    @property
    def id(self) -> str:
        return self.case.id


@attrs.frozen(kw_only=True)
class AdapterEvent:
    """A start-up failure, crash, hang or protocol break of the adapter."""

    reason: str
    case: str | None  # the blamed case, if any
    exit_status: int | None
    stderr: str


@attrs.define
class RunResult:
    """Outcomes in case order, plus what the adapter did along the way."""

    outcomes: list[CaseOutcome]
    hello: Hello | None
    events: list[AdapterEvent]
    seconds: float
    startup_seconds: float = 0.0
    interrupted: bool = False


class _Task:
    """A case in flight: its driver and the request it waits on."""

    __slots__ = ("driver", "index", "pending")

    def __init__(self, index: int, driver: Driver) -> None:
        self.index = index
        self.driver = driver
        self.pending: dict[str, Any] | None = None


class _AdapterFailureError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_GIVE_UP: Final = "not run: the adapter failed {n} time(s) in a row; last: {last}"


class Runner:
    """Runs cases through one adapter command; reusable across :meth:`run` calls
    (the adapter process stays up between them until :meth:`close`)."""

    def __init__(self, command: str | Sequence[str], options: RunOptions | None = None) -> None:
        self.argv = split_command(command)
        self.command = command if isinstance(command, str) else " ".join(command)
        self.options = options or RunOptions()
        self.hello: Hello | None = None
        self.events: list[AdapterEvent] = []
        self.startup_seconds = 0.0
        self._proc: AdapterProcess | None = None
        self._seq = 0
        self._handles = 0
        self._failures = 0  # adapter failures since the last good reply
        self._last_failure = ""

    # -- adapter life cycle -----------------------------------------------------

    def _start(self) -> AdapterProcess | None:
        """A started adapter that passed the handshake, or ``None`` (a failure)."""
        began = time.monotonic()
        try:
            proc = AdapterProcess(
                self.argv,
                max_line=self.options.max_reply_bytes,
                stderr_sink=self.options.stderr_sink,
                cwd=self.options.cwd,
                env=self.options.env,
            )
        except OSError as err:  # not retried: the command cannot run at all
            self._record_failure(f"cannot start `{self.command}`: {err}", None, None, "")
            self._failures = max(self._failures, self.options.give_up_after)
            return None
        seq = self._next_seq()
        proc.send(encode_request({"seq": seq, "cmd": "start", "protocol": PROTOCOL}))
        try:
            line = proc.read_line(time.monotonic() + self.options.start_timeout)
            reply = parse_reply(line, seq)
        except (AdapterDiedError, ReplyTimeoutError, LineTooLongError, ProtocolError) as err:
            reason = self._describe(err, "the handshake", self.options.start_timeout)
            self._fail_process(proc, f"adapter start-up failed: {reason}", None)
            return None
        try:
            if reply.tag != "ok":
                raise ProtocolError(f"the start request was answered {reply.tag}: {reply.value}")
            hello = parse_hello(reply.value)
        except ProtocolError as err:  # a well-framed refusal: restarting will not help
            self._fail_process(proc, f"adapter start-up failed: {err}", None)
            self._failures = max(self._failures, self.options.give_up_after)
            return None
        self.hello = hello
        self.startup_seconds += time.monotonic() - began
        return proc

    def _describe(self, err: Exception, what: str, limit: float) -> str:
        if isinstance(err, AdapterDiedError):
            return f"the adapter exited during {what}"
        if isinstance(err, ReplyTimeoutError):
            return f"no reply to {what} within {limit:g} s"
        if isinstance(err, LineTooLongError):
            return (
                f"reply line of {err.size} bytes or more exceeds the limit of "
                f"{self.options.max_reply_bytes} bytes: {excerpt(err.head)!r}"
            )
        return str(err)

    def _fail_process(self, proc: AdapterProcess, reason: str, case: str | None) -> str:
        """Kill ``proc`` and record why; returns the reason with exit status and stderr."""
        status = proc.exit_status(0.2)
        if status is None:
            proc.kill()
        proc.drain_stderr()
        status = proc.proc.returncode
        proc.close(grace=0)
        stderr = proc.stderr_text()
        return self._record_failure(reason, case, status, stderr)

    def _record_failure(
        self, reason: str, case: str | None, status: int | None, stderr: str
    ) -> str:
        self._failures += 1
        self.events.append(
            AdapterEvent(reason=reason, case=case, exit_status=status, stderr=stderr)
        )
        full = reason
        if status is not None:
            full += f" (exit status {status})"
        tail = stderr.strip()
        if tail:
            full += f"; stderr: {excerpt(tail[-600:], 600)}"
        self._last_failure = full
        return full

    def _next_seq(self) -> int:
        seq = self._seq
        self._seq += 1
        return seq

    def ensure_started(self) -> str | None:
        """Start the adapter and do the handshake now, unless it is already up.

        Returns ``None`` when it is ready (``hello`` is set), else why it is not
        usable. :meth:`run` starts the adapter on demand; call this first to
        tell an unusable adapter apart from failing cases (``lash-spec fuzz``).
        """
        if self._proc is None:
            self._proc = self._start()
        if self._proc is None or self.hello is None:
            return self._last_failure or "the adapter did not start"
        return None

    def close(self) -> None:
        """Stop the adapter (EOF on stdin, then kill after a grace period)."""
        if self._proc is not None:
            proc, self._proc = self._proc, None
            proc.close()

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- running ----------------------------------------------------------------

    def run(
        self,
        cases: Sequence[HarnessCase],
        progress: Callable[[CaseOutcome], None] | None = None,
    ) -> RunResult:
        """Run ``cases``; one outcome each, in the given order."""
        began = time.monotonic()
        events_before = len(self.events)
        startup_before = self.startup_seconds
        results: list[CaseOutcome | None] = [None] * len(cases)

        def record(index: int, verdict: Verdict) -> None:
            outcome = CaseOutcome(
                case=cases[index], status=verdict.status, detail=verdict.detail, path=verdict.path
            )
            results[index] = outcome
            if progress is not None:
                progress(outcome)

        interrupted = False
        try:
            self._schedule(cases, record)
        except KeyboardInterrupt:
            interrupted = True
            self.close()
        for index, outcome in enumerate(results):
            if outcome is None:
                why = "not run: interrupted" if interrupted else "not run"
                record(index, Verdict("errored", why))
        return RunResult(
            outcomes=[o for o in results if o is not None],
            hello=self.hello,
            events=self.events[events_before:],
            seconds=time.monotonic() - began,
            startup_seconds=self.startup_seconds - startup_before,
            interrupted=interrupted,
        )

    def _schedule(
        self, cases: Sequence[HarnessCase], record: Callable[[int, Verdict], None]
    ) -> None:
        _Schedule(self, cases, record).run()


class _Schedule:
    """One :meth:`Runner.run`: cases waiting, cases in flight (in request order)."""

    def __init__(
        self,
        runner: Runner,
        cases: Sequence[HarnessCase],
        record: Callable[[int, Verdict], None],
    ) -> None:
        self.runner = runner
        self.cases = cases
        self.record = record
        self.waiting: deque[int] = deque(range(len(cases)))
        self.inflight: deque[_Task] = deque()
        self.sent_at: dict[int, float] = {}
        self.last_reply = time.monotonic()

    def run(self) -> None:
        runner, opts = self.runner, self.runner.options
        window = max(1, opts.pipeline)
        while self.waiting or self.inflight:
            if runner._proc is None:
                if runner._failures >= opts.give_up_after:
                    self._give_up()
                    return
                runner._proc = runner._start()
                self.last_reply = time.monotonic()
                continue
            while len(self.inflight) < window and self.waiting:
                self._start_task(self.waiting.popleft())
            if self.inflight:
                self._next_reply(runner._proc)

    def _give_up(self) -> None:
        runner = self.runner
        why = _GIVE_UP.format(n=runner._failures, last=runner._last_failure)
        for index in self.waiting:
            self.record(index, Verdict("errored", why))
        self.waiting.clear()

    def _start_task(self, index: int) -> None:
        runner = self.runner
        assert runner.hello is not None
        runner._handles += 1
        driver = driver_for(self.cases[index], runner.hello, f"h{runner._handles}")
        task = _Task(index, driver)
        try:
            request = next(driver)
        except StopIteration as stop:
            self.record(index, stop.value)
            return
        self._send(task, request)

    def _send(self, task: _Task, request: dict[str, Any]) -> None:
        runner = self.runner
        assert runner._proc is not None
        seq = runner._next_seq()
        request["seq"] = seq
        try:
            data = encode_request(request)
        except ValueError as err:  # NaN/inf in a case: not sendable
            task.driver.close()
            self.record(task.index, Verdict("errored", f"case cannot be sent as JSON: {err}"))
            return
        task.pending = request
        self.sent_at[seq] = time.monotonic()
        runner._proc.send(data)
        self.inflight.append(task)

    def _read(self, proc: AdapterProcess, seq: int) -> Reply:
        """The reply to ``seq``, or :class:`_AdapterFailureError`."""
        opts = self.runner.options
        deadline = max(self.sent_at[seq], self.last_reply) + opts.timeout
        try:
            line = proc.read_line(deadline)
        except AdapterDiedError:
            raise _AdapterFailureError("the adapter exited") from None
        except ReplyTimeoutError:
            raise _AdapterFailureError(f"no reply within {opts.timeout:g} s") from None
        except LineTooLongError as err:
            raise _AdapterFailureError(self.runner._describe(err, "", 0)) from None
        try:
            return parse_reply(line, seq)
        except ProtocolError as err:
            if err.fatal:
                raise _AdapterFailureError(str(err)) from None
            return Reply("errored", f"protocol error: {err}")

    def _next_reply(self, proc: AdapterProcess) -> None:
        head = self.inflight[0]
        assert head.pending is not None
        seq = head.pending["seq"]
        try:
            reply = self._read(proc, seq)
        except _AdapterFailureError as failure:
            self._restart_after(proc, failure.reason)
            return
        self.last_reply = time.monotonic()
        del self.sent_at[seq]
        self.runner._failures = 0
        self.inflight.popleft()
        try:
            request = head.driver.send(reply)
        except StopIteration as stop:
            self.record(head.index, stop.value)
            return
        self._send(head, request)

    def _restart_after(self, proc: AdapterProcess, reason: str) -> None:
        """Blame the oldest request's case; the others start again on a new process."""
        runner = self.runner
        blamed = self.inflight.popleft()
        blamed.driver.close()
        full = runner._fail_process(proc, reason, self.cases[blamed.index].id)
        runner._proc = None
        self.record(blamed.index, Verdict("errored", full))
        for task in reversed(self.inflight):
            task.driver.close()
            self.waiting.appendleft(task.index)
        self.inflight.clear()
        self.sent_at.clear()


def run_adapter(
    command: str | Sequence[str],
    cases: Sequence[HarnessCase],
    options: RunOptions | None = None,
    progress: Callable[[CaseOutcome], None] | None = None,
) -> RunResult:
    """Start the adapter, run every case, stop the adapter."""
    with Runner(command, options) as runner:
        return runner.run(cases, progress)


def iter_failures(result: RunResult) -> Iterator[CaseOutcome]:
    """Failed and errored outcomes, in case order."""
    return (o for o in result.outcomes if o.status in ("failed", "errored"))
