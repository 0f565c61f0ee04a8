"""Prints garbage for the trigger case: ``text`` (not JSON), ``binary``
(not UTF-8), ``array`` (JSON but not an object) or ``outcome`` (right seq,
two outcomes: errors the case without a restart)."""

import sys
from typing import IO, Any

from _mini import is_trigger, reply, serve

MODE = sys.argv[1]


def hook(request: dict[str, Any], out: IO[bytes]) -> bool:
    if not is_trigger(request):
        return False
    if MODE == "text":
        out.write(b"DEBUG: computing the hash now {\n")
    elif MODE == "binary":
        out.write(b"\x00\xff\xfe garbage\n")
    elif MODE == "array":
        out.write(b"[1, 2, 3]\n")
    else:
        reply(out, {"seq": request["seq"], "ok": "x", "err": {"code": "decode"}})
    out.flush()
    return True


serve(hook)
