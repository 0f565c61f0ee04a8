"""Build hook: compile lash_spec's C writer when a C compiler is at hand.

``pip install -e .`` / ``pip install .`` stay one command: with a C compiler
(the one Python was built with, or ``$CC``) the wheel gains
``lash_spec/wire/_writer*.so`` (encoding) and ``_reader*.so`` (decoding); without one — or with
``LASH_SPEC_NO_COMPILE=1`` — it is a pure-Python wheel that works the same,
only slower. A failed compile is reported as a warning, never an error.
Nothing is downloaded: the extensions are built from ``_writer.c`` and ``_reader.c`` here.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import subprocess
import sysconfig
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SOURCES = (Path("lash_spec") / "wire" / "_writer.c", Path("lash_spec") / "wire" / "_reader.c")


def _compile(source: Path, target: Path) -> str | None:
    """Compile ``source`` into the extension ``target``; ``None`` on success, else why not."""
    cc = os.environ.get("CC") or sysconfig.get_config_var("CC")
    ldshared = sysconfig.get_config_var("LDSHARED")
    include = sysconfig.get_paths().get("include")
    if not cc or not ldshared or not include or not (Path(include) / "Python.h").exists():
        return "no C toolchain configured for this Python"
    compiler = shlex.split(cc)
    if shutil.which(compiler[0]) is None and "CC" not in os.environ and shutil.which("cc"):
        compiler = ["cc", *compiler[1:]]  # e.g. a distro's x86_64-linux-gnu-gcc not installed
    if shutil.which(compiler[0]) is None:
        return f"no C compiler ({compiler[0]})"
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    command = [
        *compiler,
        *shlex.split(sysconfig.get_config_var("CCSHARED") or ""),
        "-O2",
        f"-I{include}",
        f'-DLASH_WRITER_SOURCE_SHA="{digest}"',
        str(source),
        "-o",
        str(target),
        *shlex.split(ldshared)[1:],
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    except OSError as err:
        return str(err)
    if done.returncode != 0:
        return (done.stderr or done.stdout).strip()[-2000:] or f"exit status {done.returncode}"
    return None


class CompiledWriterHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        root = Path(self.root)
        editable = version == "editable"
        suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
        if editable:  # an editable install imports from the tree: drop an old build
            for source in SOURCES:
                for old in (root / source.parent).glob(f"{source.stem}*.so"):
                    old.unlink()
        if os.environ.get("LASH_SPEC_NO_COMPILE", "") not in ("", "0"):
            self.app.display_info("lash_spec: LASH_SPEC_NO_COMPILE set, pure-Python codec")
            return
        self._tmp = tempfile.mkdtemp(prefix="lash-spec-build-")
        for source in SOURCES:
            name = source.stem + suffix
            target = root / source.parent / name if editable else Path(self._tmp) / name
            why = _compile(root / source, target)
            if why is not None:
                self.app.display_warning(
                    f"lash_spec: {source.name} not built, that path stays pure Python ({why})"
                )
                continue
            if not editable:
                build_data["force_include"][str(target)] = str(source.parent / name)
                build_data["pure_python"] = False
                build_data["infer_tag"] = True

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        tmp = getattr(self, "_tmp", None)
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
