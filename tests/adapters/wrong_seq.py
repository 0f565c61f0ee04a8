"""Wrong sequence numbers: ``trigger`` answers the trigger case with seq+7;
``always`` answers every call with seq+1 (the handshake is right)."""

import sys
from typing import IO, Any

from _mini import answer, is_trigger, reply, serve

MODE = sys.argv[1]


def hook(request: dict[str, Any], out: IO[bytes]) -> bool:
    if request["cmd"] == "start" or (MODE == "trigger" and not is_trigger(request)):
        return False
    shift = 7 if MODE == "trigger" else 1
    reply(out, {"seq": request["seq"] + shift, **answer(request)})
    return True


serve(hook)
