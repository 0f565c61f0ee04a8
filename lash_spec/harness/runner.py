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
  ``errored`` as not run; a command that has never completed a handshake
  is not retried at all (it is broken, not flaky).

With ``jobs`` > 1 (``lash-spec run -j N``), :func:`run_adapter` starts N
adapter processes, each driven by its own :class:`Runner` on a thread, and
the cases are handed out from one shared queue as instances free up. Each
instance keeps its own deadlines, restarts and give-up count, so a hung or
crashed instance holds back only its own cases in flight (they go back to
the queue, the blamed one excepted); the cases of an instance that gives up
are taken by the others, and are ``errored`` only when every instance has
given up. Outcomes are stored by case index, so every report lists them in
case order, exactly as with one instance. Threads suffice: the work that
scales is in the adapter processes, and the runner mostly waits on them.
"""

from __future__ import annotations

import os
import threading
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

__all__ = [
    "AdapterEvent",
    "CaseOutcome",
    "RunOptions",
    "RunResult",
    "Runner",
    "resolve_jobs",
    "run_adapter",
]


@attrs.frozen(kw_only=True)
class RunOptions:
    """Limits of one run (see ``lash-spec run --help``)."""

    timeout: float = 10.0  # seconds per request
    start_timeout: float = 30.0  # seconds for the handshake
    pipeline: int = 16  # requests in flight
    max_reply_bytes: int = 16 * 1024 * 1024
    give_up_after: int = 5  # adapter failures in a row
    jobs: int = 1  # adapter processes (run_adapter only; a Runner is one process)
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
    adapter_cases: int = 0  # cases that reached the adapter (not skipped up front, not unrun)


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
_NEVER_STARTED: Final = "not run: the adapter never completed its handshake; last: {last}"


def resolve_jobs(jobs: str | int) -> int:
    """``-j`` as given: a positive count, or ``auto`` (the cores this process may use)."""
    if jobs == "auto":
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except AttributeError:  # pragma: no cover - not Linux
            return max(1, os.cpu_count() or 1)
    count = int(jobs)
    if count < 1:
        raise ValueError(f"jobs must be at least 1 (or auto), got {jobs}")
    return count


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
            if self.hello is None:  # never worked: retrying would only repeat the wait
                self._failures = max(self._failures, self.options.give_up_after)
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

        queue = _Queue(len(cases))
        interrupted = False
        try:
            _Schedule(self, cases, record, queue).run()
        except KeyboardInterrupt:
            interrupted = True
            self.close()
        _finish(results, record, interrupted)
        return RunResult(
            outcomes=[o for o in results if o is not None],
            hello=self.hello,
            events=self.events[events_before:],
            seconds=time.monotonic() - began,
            startup_seconds=self.startup_seconds - startup_before,
            interrupted=interrupted,
            adapter_cases=len(queue.reached),
        )


def _finish(
    results: list[CaseOutcome | None],
    record: Callable[[int, Verdict], None],
    interrupted: bool,
) -> None:
    """Error the cases left without an outcome (interrupted, or never handed out)."""
    for index, outcome in enumerate(results):
        if outcome is None:
            record(index, Verdict("errored", "not run: interrupted" if interrupted else "not run"))


class _Queue:
    """The cases not handed out yet, shared by the instances of one run.

    ``active`` counts the instances still working: the last one to give up
    errors what is left, and one leaves only when nothing is left to take
    (under the lock, so a case put back by a failing instance is never lost).
    """

    def __init__(self, n: int, workers: int = 1) -> None:
        self.waiting: deque[int] = deque(range(n))
        self.lock = threading.Lock()
        self.active = workers
        self.stop = False  # interrupted: every instance leaves at once
        self.reached: set[int] = set()  # cases at least one request of which was sent

    def take(self) -> int | None:
        with self.lock:
            return self.waiting.popleft() if self.waiting else None

    def put_back(self, indices: list[int]) -> None:
        with self.lock:
            self.waiting.extendleft(reversed(indices))

    def leave_if_done(self) -> bool:
        """Leave (True) when no case is waiting; else stay."""
        with self.lock:
            if self.waiting:
                return False
            self.active -= 1
            return True

    def leave_giving_up(self) -> list[int]:
        """Leave after giving up; the waiting cases if no instance is left to run them."""
        with self.lock:
            self.active -= 1
            if self.active > 0 or self.stop:
                return []
            left = list(self.waiting)
            self.waiting.clear()
            return left


class _Schedule:
    """One instance's share of a run: it takes cases from the queue and keeps
    its cases in flight (in request order)."""

    def __init__(
        self,
        runner: Runner,
        cases: Sequence[HarnessCase],
        record: Callable[[int, Verdict], None],
        queue: _Queue,
    ) -> None:
        self.runner = runner
        self.cases = cases
        self.record = record
        self.queue = queue
        self.inflight: deque[_Task] = deque()
        self.sent_at: dict[int, float] = {}
        self.last_reply = time.monotonic()

    def run(self) -> None:
        runner, opts, queue = self.runner, self.runner.options, self.queue
        window = max(1, opts.pipeline)
        while not queue.stop:
            if not self.inflight and queue.leave_if_done():
                return
            if runner._proc is None:
                if runner._failures >= opts.give_up_after:
                    self._give_up()
                    return
                runner._proc = runner._start()
                self.last_reply = time.monotonic()
                continue
            while len(self.inflight) < window:
                index = queue.take()
                if index is None:
                    break
                self._start_task(index)
            if self.inflight:
                self._next_reply(runner._proc)

    def _give_up(self) -> None:
        runner = self.runner
        template = _GIVE_UP if runner.hello is not None else _NEVER_STARTED
        why = template.format(n=runner._failures, last=runner._last_failure)
        for index in self.queue.leave_giving_up():
            self.record(index, Verdict("errored", why))

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
        self.queue.reached.add(task.index)
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
        if self.queue.stop:  # killed because the run was interrupted: blame no case
            for task in self.inflight:
                task.driver.close()
            self.inflight.clear()
            runner._proc = None
            proc.close(grace=0)
            return
        blamed = self.inflight.popleft()
        blamed.driver.close()
        full = runner._fail_process(proc, reason, self.cases[blamed.index].id)
        runner._proc = None
        self.record(blamed.index, Verdict("errored", full))
        for task in self.inflight:
            task.driver.close()
        self.queue.put_back([task.index for task in self.inflight])
        self.inflight.clear()
        self.sent_at.clear()


def run_adapter(
    command: str | Sequence[str],
    cases: Sequence[HarnessCase],
    options: RunOptions | None = None,
    progress: Callable[[CaseOutcome], None] | None = None,
) -> RunResult:
    """Start the adapter (``options.jobs`` instances), run every case, stop it."""
    options = options or RunOptions()
    if options.jobs > 1 and len(cases) > 1:
        return _run_instances(command, cases, options, progress)
    with Runner(command, options) as runner:
        return runner.run(cases, progress)


def _run_instances(
    command: str | Sequence[str],
    cases: Sequence[HarnessCase],
    options: RunOptions,
    progress: Callable[[CaseOutcome], None] | None,
) -> RunResult:
    """:func:`run_adapter` over ``options.jobs`` adapter processes, one thread each."""
    began = time.monotonic()
    results: list[CaseOutcome | None] = [None] * len(cases)
    lock = threading.Lock()

    def record(index: int, verdict: Verdict) -> None:
        outcome = CaseOutcome(
            case=cases[index], status=verdict.status, detail=verdict.detail, path=verdict.path
        )
        with lock:
            results[index] = outcome
            if progress is not None:
                progress(outcome)

    count = min(options.jobs, len(cases))
    queue = _Queue(len(cases), count)
    runners = [Runner(command, options) for _ in range(count)]
    threads = [
        threading.Thread(
            target=_Schedule(runner, cases, record, queue).run,
            name=f"lash-spec-adapter-{i}",
            daemon=True,
        )
        for i, runner in enumerate(runners)
    ]
    interrupted = False
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            while thread.is_alive():
                thread.join(0.1)
    except KeyboardInterrupt:
        interrupted = queue.stop = True
        for runner in runners:
            proc = runner._proc
            if proc is not None:
                proc.kill()
        for thread in threads:
            thread.join(10)
    finally:
        for runner in runners:
            runner.close()
    _finish(results, record, interrupted)
    return RunResult(
        outcomes=[o for o in results if o is not None],
        hello=next((r.hello for r in runners if r.hello is not None), None),
        events=[event for runner in runners for event in runner.events],
        seconds=time.monotonic() - began,
        startup_seconds=max(r.startup_seconds for r in runners),
        interrupted=interrupted,
        adapter_cases=len(queue.reached),
    )


def iter_failures(result: RunResult) -> Iterator[CaseOutcome]:
    """Failed and errored outcomes, in case order."""
    return (o for o in result.outcomes if o.status in ("failed", "errored"))
