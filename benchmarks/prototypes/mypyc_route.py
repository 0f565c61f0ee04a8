"""Measure route (a): ``python benchmarks/prototypes/mypyc_route.py``.

Compiles ``mypyc_walker.py`` with mypyc (from the test extra's mypy) into a
temporary folder, checks that it writes the pure path's bytes on the
benchmark envelopes, and times it interpreted and compiled next to the C
writer and the orjson + sha256 yardstick (CPU time, same run).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from run import race, realistic_envelopes, recorded_envelopes  # noqa: E402


def main() -> int:
    import orjson

    from lash_spec import from_wire, to_wire
    from lash_spec.model.envelope import RuntimeEffectEnvelope
    from lash_spec.wire import plan
    from lash_spec.wire.codec import pure_json

    writer, why = plan.load_writer()
    if writer is None:
        print(why)
        return 1
    tmp = Path(tempfile.mkdtemp(prefix="mypyc-route-"))
    shutil.copy(HERE / "mypyc_walker.py", tmp / "mypyc_walker.py")
    subprocess.run([sys.executable, "-m", "mypyc", "mypyc_walker.py"], cwd=tmp, check=True,
                   capture_output=True, env={**os.environ, "MYPYC_OPT_LEVEL": "3"})
    import mypyc_walker as interpreted  # this folder's source

    sys.path.insert(0, str(tmp))
    del sys.modules["mypyc_walker"]
    compiled = importlib.import_module("mypyc_walker")
    assert compiled.__file__ is not None and compiled.__file__.endswith(".so"), compiled.__file__
    wires = [to_wire(e) for e in realistic_envelopes()] + recorded_envelopes()
    objects = [from_wire(RuntimeEffectEnvelope, w) for w in wires]
    plans = [plan._top_plan(o, None, writer) for o in objects]
    for p, o in zip(plans, objects, strict=True):
        want = pure_json(o).encode()
        assert compiled.dumps(p, o) == want == writer.dumps(p, o)

    pairs = list(zip(plans, objects, strict=True))

    def run(dumps):  # type: ignore[no-untyped-def]
        return lambda: [hashlib.sha256(dumps(p, o)).hexdigest() for p, o in pairs]

    best = race({
        "orjson+sha256 (yardstick)": lambda: [hashlib.sha256(orjson.dumps(w)).hexdigest()
                                              for w in wires],
        "C writer": run(writer.dumps),
        "mypyc walker + orjson": run(compiled.dumps),
        "same walker, interpreted": run(interpreted.dumps),
    }, 2.0)
    base = best["orjson+sha256 (yardstick)"]
    print(json.dumps({k: {"us_per_envelope": round(v / len(wires) * 1e6, 2),
                          "ratio": round(v / base, 2)} for k, v in best.items()}, indent=2))
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
