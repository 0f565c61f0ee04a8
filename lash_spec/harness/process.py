"""One adapter child process: non-blocking line I/O with deadlines (POSIX).

The runner must finish in bounded time whatever the adapter does, so nothing
here blocks without a deadline: stdin is written, and stdout/stderr are read,
through one ``selectors`` loop. stdout is split into lines with a size limit
(an oversized line is an error, not a memory blow-up); stderr is drained all
the time (an adapter blocked on a full stderr pipe would look hung) into a
bounded tail kept for reports, and optionally copied to a sink.

The adapter runs in its own process group so a stuck adapter and any
children it spawned (``sh -c …``) are killed together.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import IO, Final

__all__ = [
    "AdapterDiedError",
    "AdapterProcess",
    "LineTooLongError",
    "ReplyTimeoutError",
    "split_command",
]

_READ_SIZE: Final = 1 << 18
STDERR_TAIL: Final = 8192


class AdapterDiedError(Exception):
    """stdout reached EOF: the adapter exited (or closed its stdout)."""


class ReplyTimeoutError(Exception):
    """No complete line before the deadline."""


class LineTooLongError(Exception):
    """A reply line longer than the limit; ``head`` holds its first bytes."""

    def __init__(self, size: int, head: bytes) -> None:
        super().__init__(size)
        self.size = size
        self.head = head


def split_command(command: str | Sequence[str]) -> list[str]:
    """``"node adapter.js --x"`` → argv (POSIX shell words, no shell).

    ``lash-spec …`` runs this interpreter's lash_spec when no ``lash-spec``
    is on ``PATH`` (e.g. a virtualenv used without activating it).
    """
    argv = shlex.split(command) if isinstance(command, str) else list(command)
    if argv and argv[0] == "lash-spec" and shutil.which("lash-spec") is None:
        argv = [sys.executable, "-m", "lash_spec.cli", *argv[1:]]
    return argv


class AdapterProcess:
    """A started adapter. Use :meth:`send` and :meth:`read_line`; always :meth:`close`."""

    def __init__(
        self,
        argv: list[str],
        *,
        max_line: int,
        stderr_sink: Callable[[bytes], object] | None = None,
        cwd: str | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.argv = argv
        self.max_line = max_line
        self._sink = stderr_sink
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            bufsize=0,
            cwd=cwd,
            env=env,
            start_new_session=True,
        )
        assert self.proc.stdin and self.proc.stdout and self.proc.stderr
        self._stdin: IO[bytes] | None = self.proc.stdin
        self._stdout = self.proc.stdout
        self._stderr: IO[bytes] | None = self.proc.stderr
        for stream in (self._stdin, self._stdout, self._stderr):
            os.set_blocking(stream.fileno(), False)
        self._sel = selectors.DefaultSelector()
        self._sel.register(self._stdout, selectors.EVENT_READ, "out")
        self._sel.register(self._stderr, selectors.EVENT_READ, "err")
        self._out = bytearray()  # pending request bytes
        self._partial = bytearray()  # stdout bytes after the last newline
        self._lines: deque[bytes] = deque()
        self._eof = False
        self._writing = False
        self.stderr_tail = bytearray()
        self.stdin_broken = False

    # -- writing -------------------------------------------------------------

    def send(self, data: bytes) -> None:
        """Queue ``data`` for stdin. Written before :meth:`read_line` waits (or
        once 64 KiB are queued), so requests queued together cost one write."""
        if self.stdin_broken:
            return
        self._out += data
        if len(self._out) >= 1 << 16:
            self._flush()

    def _flush(self) -> None:
        if self._stdin is None:
            return
        while self._out:
            try:
                n = os.write(self._stdin.fileno(), self._out)
            except BlockingIOError:
                break
            except (BrokenPipeError, OSError):
                self.stdin_broken = True
                self._out.clear()
                break
            del self._out[:n]
        want = bool(self._out)
        if want != self._writing:
            self._writing = want
            if want:
                self._sel.register(self._stdin, selectors.EVENT_WRITE, "in")
            else:
                self._sel.unregister(self._stdin)

    # -- reading -------------------------------------------------------------

    def read_line(self, deadline: float) -> bytes:
        """The next stdout line (without ``\\n``), waiting until ``deadline``
        (``time.monotonic()``). Raises :class:`ReplyTimeoutError`,
        :class:`AdapterDiedError` or :class:`LineTooLongError`."""
        while not self._lines:
            if self._out and not self._writing:
                self._flush()
            if self._eof:
                raise AdapterDiedError()
            timeout = deadline - time.monotonic()
            if timeout <= 0:
                raise ReplyTimeoutError()
            for key, _ in self._sel.select(timeout):
                if key.data == "out":
                    self._read_stdout()
                elif key.data == "err":
                    self._read_stderr()
                else:
                    self._flush()
        return self._lines.popleft()

    def _read_stdout(self) -> None:
        try:
            data = os.read(self._stdout.fileno(), _READ_SIZE)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._eof = True
            self._sel.unregister(self._stdout)
            return
        start = 0
        partial = self._partial
        while True:
            end = data.find(b"\n", start)
            if end < 0:
                partial += data[start:]
                break
            if partial:
                partial += data[start:end]
                line = bytes(partial)
                partial.clear()
            else:
                line = data[start:end]
            if len(line) > self.max_line:
                raise LineTooLongError(len(line), line[:512])
            self._lines.append(line)
            start = end + 1
        if len(partial) > self.max_line:
            raise LineTooLongError(len(partial), bytes(partial[:512]))

    def _read_stderr(self) -> None:
        assert self._stderr is not None
        try:
            data = os.read(self._stderr.fileno(), _READ_SIZE)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._sel.unregister(self._stderr)
            self._stderr = None
            return
        self.stderr_tail += data
        if len(self.stderr_tail) > STDERR_TAIL:
            del self.stderr_tail[: len(self.stderr_tail) - STDERR_TAIL]
        if self._sink is not None:
            self._sink(data)

    def drain_stderr(self, seconds: float = 0.2) -> None:
        """Collect what the adapter wrote to stderr while dying (bounded wait)."""
        deadline = time.monotonic() + seconds
        while self._stderr is not None:
            timeout = deadline - time.monotonic()
            if timeout <= 0:
                return
            ready = self._sel.select(timeout)
            if not ready:
                return
            for key, _ in ready:
                if key.data == "err":
                    self._read_stderr()
                elif key.data == "out":
                    with contextlib.suppress(LineTooLongError):
                        self._read_stdout()
                else:
                    self._flush()

    def stderr_text(self) -> str:
        return self.stderr_tail.decode("utf-8", errors="replace")

    # -- ending --------------------------------------------------------------

    def exit_status(self, wait: float = 0.5) -> int | None:
        """The exit status, waiting up to ``wait`` seconds; ``None`` if still running."""
        try:
            return self.proc.wait(wait)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        """Kill the adapter's whole process group now."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(5)

    def close(self, grace: float = 1.0) -> int | None:
        """End politely: EOF on stdin, ``grace`` seconds to exit, then kill."""
        if self._stdin is not None:
            if self._writing:
                self._sel.unregister(self._stdin)
                self._writing = False
            with contextlib.suppress(OSError):
                self._stdin.close()
            self._stdin = None
        status = self.exit_status(grace)
        self.kill()  # also reaps anything the adapter left in its group
        for stream in (self._stdout, self._stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        self._sel.close()
        return status if status is not None else self.proc.returncode
