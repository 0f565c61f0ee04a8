"""Hangs: ``start`` never answers the handshake; ``trigger`` never answers the trigger case."""

import sys
import time
from typing import IO, Any

from _mini import is_trigger, serve

MODE = sys.argv[1]

if MODE == "start":
    sys.stdin.buffer.readline()
    time.sleep(3600)


def hook(request: dict[str, Any], out: IO[bytes]) -> bool:
    if is_trigger(request):
        time.sleep(3600)
    return False


serve(hook)
