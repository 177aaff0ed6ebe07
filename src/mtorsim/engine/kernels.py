"""Which compiled kernel runs a job: the generic one (compiled once) or a specialised one.

Two tiers run the same solver text (``_kernel_template.py``):

* the **generic module**, compiled once per machine, interprets a network handed to it as
  data (``md``: a register-machine tape and the sparse LU plan's index arrays);
* a **specialised module** per network structure, with right-hand side, Jacobian and LU
  printed as straight-line code: fastest per step, but numba needs seconds to compile it.

Rule (:func:`choose`): the specialised module runs when its numba cache for the entry point
is already on disk (free to load), when the job has at least :data:`LARGE_JOB` members
(a batch or cohort, where the per-step speed pays back the compile), or once this process
has run :data:`LARGE_JOB` members of the structure in smaller jobs; otherwise the generic
module runs, so a new network costs no numba compile at all. ``MTORSIM_KERNEL=generic``
or ``specialized`` overrides the rule (``auto`` is the default); a network the tape cannot
express always runs specialised.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import importlib.util
import os
import sys
import tempfile
import threading
from pathlib import Path
from types import ModuleType

import numpy as np

from mtorsim.errors import MtorsimError

__all__ = [
    "KERNEL_ENV",
    "LARGE_JOB",
    "cache_dir",
    "choose",
    "generic_module",
    "kernel_mode",
    "load_module",
    "specialized_cached",
    "write_atomic",
]

KERNEL_ENV = "MTORSIM_KERNEL"
#: Members (batch rows, cohort patients, single runs in one process) from which the
#: specialised module is compiled in-process: a cold compile costs ~10 s, the generic
#: kernel is ~2-4x slower per step, and a 24 h run of the default network takes ~10 ms.
LARGE_JOB = 64
#: The model data handed to specialised modules, which ignore it (numba drops it).
SPECIALIZED_MD = (np.zeros(0, dtype=np.int64),)

_LOCK = threading.Lock()
_GENERIC: dict[str, ModuleType] = {}


def cache_dir() -> Path:
    """Folder for generated model modules (``MTORSIM_CACHE_DIR`` or ``~/.cache/mtorsim``)."""
    root = os.environ.get("MTORSIM_CACHE_DIR")
    path = Path(root) if root else Path.home() / ".cache" / "mtorsim"
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".write-test-{os.getpid()}"
        probe.touch()
        probe.unlink()
    except OSError:
        path = Path(tempfile.gettempdir()) / "mtorsim-cache"
        path.mkdir(parents=True, exist_ok=True)
    return path


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file and ``os.replace``: readers never see half a file."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def load_module(path: Path, modname: str) -> ModuleType:
    """Import a generated module file (its numba functions compile or load lazily)."""
    if modname in sys.modules:
        return sys.modules[modname]
    spec = importlib.util.spec_from_file_location(modname, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[modname] = module
    spec.loader.exec_module(module)
    return module


def generic_source() -> str:
    """Interpreter + index-array sparse LU + the solver template, as one module text."""
    from mtorsim.engine.sparse_lu import GENERIC_LU_SOURCE

    files = importlib.resources.files("mtorsim.engine")
    head = files.joinpath("_generic_template.py").read_text()
    solver = files.joinpath("_kernel_template.py").read_text()
    return "\n".join([head, GENERIC_LU_SOURCE, solver])


def generic_module() -> ModuleType:
    """The generic kernel module, written once per cache folder (key: its own source)."""
    text = generic_source()
    key = hashlib.sha256(text.encode()).hexdigest()[:20]
    with _LOCK:
        mod = _GENERIC.get(key)
        if mod is None:
            path = cache_dir() / f"mtorsim_generic_{key}.py"
            if not path.exists():
                write_atomic(path, text.encode())
            mod = load_module(path, f"mtorsim_generic_{key}")
            _GENERIC[key] = mod
    return mod


def specialized_cached(key: str, entry: str) -> bool:
    """Whether numba's on-disk cache holds ``entry`` of the specialised module ``key``."""
    folder = cache_dir() / "__pycache__"
    prefix = f"mtorsim_model_{key}.{entry}-"
    try:
        return any(name.startswith(prefix) and name.endswith(".nbc") for name in os.listdir(folder))
    except OSError:
        return False


def kernel_mode() -> str:
    """``auto`` (default), ``generic`` or ``specialized`` from ``MTORSIM_KERNEL``."""
    mode = os.environ.get(KERNEL_ENV, "auto").strip().lower() or "auto"
    if mode == "specialised":
        mode = "specialized"
    if mode not in ("auto", "generic", "specialized"):
        raise MtorsimError(f"{KERNEL_ENV}={mode!r} is unknown; use auto, generic or specialized")
    return mode


def choose(mode: str, *, generic_ok: bool, cached: bool, size: int, members_run: int) -> str:
    """``"generic"`` or ``"specialized"`` for one job (the rule in the module docstring)."""
    if not generic_ok or mode == "specialized":
        return "specialized"
    if mode == "generic":
        return "generic"
    if cached or size >= LARGE_JOB or members_run >= LARGE_JOB:
        return "specialized"
    return "generic"
