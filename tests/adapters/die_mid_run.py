"""Dies on the trigger case (exit status 7, a panic message on stderr).

With a flag file argument, every later start dies at once, so the runner
gives up: the outcomes it already has must survive that.
"""

import os
import sys
from pathlib import Path
from typing import IO, Any

from _mini import is_trigger, serve

FLAG = Path(sys.argv[1]) if len(sys.argv) > 1 else None
if FLAG is not None and FLAG.exists():
    sys.stderr.write("still broken\n")
    sys.exit(5)


def hook(request: dict[str, Any], out: IO[bytes]) -> bool:
    if is_trigger(request):
        if FLAG is not None:
            FLAG.write_text("died")
        sys.stderr.write("panic: the trigger case\n")
        sys.stderr.flush()
        os._exit(7)
    return False


serve(hook)
