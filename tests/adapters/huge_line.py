"""Answers the trigger case with one huge line (``argv[1]`` bytes, default 3 MiB)."""

import sys
from typing import IO, Any

from _mini import is_trigger, serve

SIZE = int(sys.argv[1]) if len(sys.argv) > 1 else 3 * 1024 * 1024


def hook(request: dict[str, Any], out: IO[bytes]) -> bool:
    if not is_trigger(request):
        return False
    head = b'{"seq":%d,"ok":"' % request["seq"]
    out.write(head + b"x" * SIZE + b'"}\n')
    out.flush()
    return True


serve(hook)
