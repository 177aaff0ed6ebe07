"""Which kernel runs a job: interpreted, the generic one (compiled once) or a specialised one.

Three tiers run the same solver text (``_kernel_template.py``), bit for bit alike:

* the **interpreted tier** (:mod:`mtorsim.engine.interpreted`): the specialised module's
  text run by CPython, no numba at all; it takes small serial jobs (one time course, one
  steady state) while they stay cheap, so a first run or a warm command-line run costs
  neither numba's import (~0.5 s) nor its compile (~9 s);
* the **generic module**, compiled once per machine, interprets a network handed to it as
  data (``md``: a register-machine tape and the sparse LU plan's index arrays);
* a **specialised module** per network structure, with right-hand side, Jacobian and LU
  printed as straight-line code: fastest per step, but numba needs seconds to compile it.

Rule between the two compiled tiers (:func:`choose`): the specialised module runs when its
numba cache for the entry point is already on disk (free to load), or once this process has
spent (or, for a batch of time courses, is about to spend) :data:`STEP_BUDGET` integration
steps of the structure in the generic kernel; a batch of steady states also goes specialised
from :data:`LARGE_JOB` members. Otherwise the generic module runs, so a new network costs
no numba compile at all. A batch of time courses gauges its work on its first rows
(:data:`mtorsim.engine.simulate.PROBE_ROWS`, run generic): their mean step count times
the remaining rows is what it is about to spend. ``MTORSIM_KERNEL=generic`` or
``specialized`` sends every job to that tier, ``interpreted`` every serial job to CPython
(batches then follow the rule); ``auto`` is the default. A network the tape cannot express
always runs specialised when compiled.

Why these numbers (measured on this project's 2-core machine, BENCHMARKS.md "Cold and warm
start"): a specialised module costs ~5-15 s of numba compile (~15 s CPU for the default
network), once per machine; the generic kernel is ~5-9x slower per run (~15 µs more per
step on the default network), so ~1,000,000 steps of interpretation overhead cost what a
compile costs: the budget is spent "renting" before "buying", as in the ski-rental rule,
which never pays more than twice the better choice. That is ~50,000 runs of 24 h of the
default network or a few hundred 28-day treatments: large cohorts and benchmarks go
specialised, the demo (~600,000 generic steps) does not. Newton solves take ~10
iterations, far less than a time course, hence only very large steady-state batches
compile.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import importlib.util
import os
import sys
import tempfile
import threading
from functools import lru_cache
from pathlib import Path
from types import ModuleType

import numpy as np

from mtorsim.errors import MtorsimError

__all__ = [
    "KERNEL_ENV",
    "LARGE_JOB",
    "MODES",
    "NEWTON_STEP_EQUIVALENT",
    "STEP_BUDGET",
    "WorkCounter",
    "cache_dir",
    "choose",
    "generic_cached",
    "generic_module",
    "kernel_mode",
    "load_module",
    "loaded_generic",
    "specialized_cached",
    "write_atomic",
]

KERNEL_ENV = "MTORSIM_KERNEL"
#: Values of ``MTORSIM_KERNEL``: the rule, or one tier for every job it can run.
MODES = ("auto", "interpreted", "generic", "specialized")
#: Members of one job from which the specialised module is compiled in-process, by entry
#: point (time courses: by :data:`STEP_BUDGET` instead).
LARGE_JOB = {"newton_steady_batch": 20_000}
#: Generic-kernel integration steps of one structure, in one process, after which its
#: specialised module is compiled (~15 s of interpretation overhead, about a compile).
STEP_BUDGET = 1_000_000
#: Generic-kernel cost of one Newton steady state in integration steps (~10 iterations, each
#: a Jacobian, an LU and one solve: about half a RODAS4 step's interpreted work).
NEWTON_STEP_EQUIVALENT = 5
#: Unsaved generic steps after which a structure's work counter is written to disk.
_FLUSH_STEPS = 20_000
#: The model data handed to specialised modules, which ignore it (numba drops it).
SPECIALIZED_MD = (np.zeros(0, dtype=np.int64),)

_LOCK = threading.Lock()
_GENERIC: dict[str, ModuleType] = {}


def cache_dir() -> Path:
    """Folder for generated model modules (``MTORSIM_CACHE_DIR`` or ``~/.cache/mtorsim``)."""
    return _cache_dir(os.environ.get("MTORSIM_CACHE_DIR", ""))


@lru_cache(maxsize=8)
def _cache_dir(root: str) -> Path:
    # probed once per folder and process: every kernel choice asks for it
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


@lru_cache(maxsize=1)
def generic_source() -> tuple[str, str]:
    """Interpreter + index-array sparse LU + the solver template as one module text, and
    its key (read once per process: every generic run asks for the module)."""
    from mtorsim.engine.sparse_lu import GENERIC_LU_SOURCE

    files = importlib.resources.files("mtorsim.engine")
    head = files.joinpath("_generic_template.py").read_text()
    solver = files.joinpath("_kernel_template.py").read_text()
    sens = files.joinpath("_sens_template.py").read_text()
    text = "\n".join([head, GENERIC_LU_SOURCE, solver, sens])
    return text, hashlib.sha256(text.encode()).hexdigest()[:20]


def loaded_generic() -> ModuleType | None:
    """The generic module if this process has loaded it (loading it imports numba)."""
    return _GENERIC.get(generic_source()[1])


def generic_module() -> ModuleType:
    """The generic kernel module, written once per cache folder (key: its own source)."""
    text, key = generic_source()
    mod = _GENERIC.get(key)
    if mod is not None:
        return mod
    with _LOCK:
        mod = _GENERIC.get(key)
        if mod is None:
            path = cache_dir() / f"mtorsim_generic_{key}.py"
            if not path.exists():
                write_atomic(path, text.encode())
            mod = load_module(path, f"mtorsim_generic_{key}")
            _GENERIC[key] = mod
    return mod


@lru_cache(maxsize=256)
def _first_lines(path: Path, mtime_ns: int) -> dict[str, int]:
    """Line of each top-level function's first decorator (numba names cache files by it)."""
    lines = path.read_text().splitlines()
    out: dict[str, int] = {}
    for i, line in enumerate(lines):
        if line.startswith("def "):
            j = i
            while j > 0 and lines[j - 1].startswith("@"):
                j -= 1
            out[line[4:].split("(", 1)[0]] = j + 1
    return out


def specialized_cached(key: str, entry: str) -> bool:
    """Whether numba's on-disk cache holds ``entry`` of the specialised module ``key``.

    Checks for the index file numba writes (``<module>.<function>-<line>.pyXY.nbi``) with
    one ``stat``; callers remember a True answer.
    """
    return _numba_cached(f"mtorsim_model_{key}", entry)


def generic_cached(entry: str) -> bool:
    """Whether numba's on-disk cache holds ``entry`` of the generic module."""
    return _numba_cached(f"mtorsim_generic_{generic_source()[1]}", entry)


def _numba_cached(name: str, entry: str) -> bool:
    path = cache_dir() / f"{name}.py"
    try:
        line = _first_lines(path, path.stat().st_mtime_ns).get(entry)
    except OSError:
        return False
    if line is None:
        return False
    tag = f"py{sys.version_info.major}{sys.version_info.minor}{getattr(sys, 'abiflags', '')}"
    return (cache_dir() / "__pycache__" / f"{name}.{entry}-{line}.{tag}.nbi").exists()


def kernel_mode() -> str:
    """``auto`` (default), ``interpreted``, ``generic`` or ``specialized`` from
    ``MTORSIM_KERNEL``."""
    mode = os.environ.get(KERNEL_ENV, "auto").strip().lower() or "auto"
    if mode == "specialised":
        mode = "specialized"
    if mode not in MODES:
        raise MtorsimError(f"{KERNEL_ENV}={mode!r} is unknown; use {', '.join(MODES)}")
    return mode


def choose(
    mode: str, *, generic_ok: bool, cached: bool, size: int, generic_steps: int, entry: str
) -> str:
    """``"generic"`` or ``"specialized"`` for one job (the rule in the module docstring)."""
    if not generic_ok or mode == "specialized":
        return "specialized"
    if mode == "generic":
        return "generic"
    large = size >= LARGE_JOB.get(entry, sys.maxsize)
    if cached or large or generic_steps >= STEP_BUDGET:
        return "specialized"
    return "generic"


class WorkCounter:
    """Generic-kernel steps a structure has run, kept on disk across processes.

    The compile a specialised module costs is paid once per machine, but every command-line
    run is a new process: counting only this process's steps would let a repeated
    ``mtorsim trial`` interpret forever. The count lives in ``<cache>/work/<key>`` and is
    written every :data:`_FLUSH_STEPS` steps and at exit (races between processes only blur
    a heuristic).
    """

    def __init__(self, key: str) -> None:
        self.path = cache_dir() / "work" / key
        try:
            self.steps = int(self.path.read_text().strip() or 0)
        except (OSError, ValueError):
            self.steps = 0
        self._saved = self.steps
        self.session = 0  # of which this process ran

    def add(self, steps: int) -> None:
        self.steps += int(steps)
        self.session += int(steps)
        if self.steps - self._saved >= _FLUSH_STEPS:
            self.flush()

    def forget(self) -> None:
        """Start from no history (tests of the rule); the file is rewritten at the next flush."""
        self.steps = self._saved = self.session = 0

    def flush(self) -> None:
        if self.steps == self._saved:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, str(self.steps).encode())
            self._saved = self.steps
        except OSError:
            pass  # a read-only cache only loses the memory of past runs
