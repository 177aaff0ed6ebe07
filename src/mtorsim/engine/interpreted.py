"""The interpreted tier: a structure's specialised module run by CPython, without numba.

A first ``mtorsim simulate`` used to spend ~9 s of CPU compiling the generic kernel (and,
once compiled, ~0.5 s importing numba and loading it) for a run that takes 70 RODAS4 steps.
The specialised module's text is plain Python that numba happens to compile: run by the
interpreter, the same 24 h run of the default network takes ~50 ms and a Newton steady
state ~2 ms, with **bit-identical** results (same operations in the same order on IEEE
doubles; ``tests/test_interpreted_kernel.py`` checks it on several models).

So small serial jobs (one time course, one steady state, one right-hand-side evaluation)
run here until they would cost more than a compiled kernel: a job stops after
:data:`JOB_SECONDS` of estimated work and reruns compiled, and a process that has spent
:data:`PROCESS_SECONDS` here (:data:`CACHED_SECONDS` when the job's compiled kernel is on
disk already) stops choosing this tier. CPython raises where numba's numpy
error model returns inf or NaN (``math.exp`` overflow, ``log(0)``, a negative base to a
fractional power): such a job also reruns compiled, whose answer is the one it would have
given anyway.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np

from mtorsim.engine.kernels import kernel_mode

__all__ = [
    "CACHED_SECONDS",
    "ENTRIES",
    "JOB_SECONDS",
    "PROCESS_SECONDS",
    "Interpreted",
    "load_text",
    "njit",
    "prange",
]

#: Entry points this tier runs (serial ones; batches go to the compiled tiers).
ENTRIES = frozenset({"simulate_one", "newton_steady"})
#: Estimated interpreted work after which one time course stops and reruns compiled.
JOB_SECONDS = 0.5
#: Interpreted work of one process after which its jobs go to the compiled tiers: what a
#: compile of the generic kernel costs, within a factor of three (~9 s CPU), or, when a
#: compiled kernel for the job is on disk already, what importing numba and loading it
#: costs (~0.5 s). Renting until the rent equals the price never pays more than twice the
#: better choice (the ski-rental rule, as between the compiled tiers).
PROCESS_SECONDS = 3.0
CACHED_SECONDS = 0.5
#: Seconds per RODAS4 step per byte of module text before a structure's first run is timed
#: (measured: 0.75 ms a step for the default network's 49 kB module, ~1.5e-8 s/byte).
_SECONDS_PER_BYTE = 2e-8
#: Exceptions CPython raises where numba's numpy error model returns inf or NaN.
_NUMERIC_ERRORS = (ArithmeticError, ValueError, TypeError)

_LOCK = threading.Lock()
_MODULES: dict[str, ModuleType] = {}
_spent = 0.0  # interpreted seconds in this process


def njit(*args, **kwargs):
    """Stands in for ``numba.njit`` when the module text runs interpreted."""
    if args and callable(args[0]):
        return args[0]
    return lambda f: f


prange = range


def load_text(path: Path, name: str) -> ModuleType:
    """Execute a generated module file with this module standing in for numba."""
    with _LOCK:
        mod = _MODULES.get(name)
        if mod is None:
            text = path.read_text()
            shimmed = text.replace("from numba import", f"from {__name__} import")
            mod = ModuleType(name)
            mod.__file__ = str(path)
            exec(compile(shimmed, str(path), "exec"), mod.__dict__)  # our own generated text
            _MODULES[name] = mod
    return mod


def _add(seconds: float) -> None:
    global _spent
    _spent += seconds


class Interpreted:
    """One structure's interpreted entry points, with the compiled tiers as fallback.

    Call like the compiled modules (``simulate_one(..., md)``, ``newton_steady(..., md)``);
    ``md`` is ignored. ``compiled(entry)`` gives the (module, md) a fallback runs and
    ``note(module, steps)`` counts its steps (the compiled tiers' rule uses them).
    """

    def __init__(
        self,
        module: ModuleType,
        text_bytes: int,
        compiled: Callable[[str], tuple[ModuleType, tuple[np.ndarray, ...]]],
        note: Callable[[ModuleType, int], None],
    ) -> None:
        self.module = module
        self._compiled = compiled
        self._note = note
        self.step_seconds = _SECONDS_PER_BYTE * text_bytes  # refined by each timed run
        self.fallbacks = 0  # jobs that reran compiled (tests and benchmarks read it)

    @staticmethod
    def wanted(compiled_on_disk: bool) -> bool:
        """Whether this process may still choose the tier (its budget is not spent)."""
        return _spent < (CACHED_SECONDS if compiled_on_disk else PROCESS_SECONDS)

    def simulate_one(
        self, y0, p_seg, seg_t, seg_jump, t_out, rtol, atol, max_steps, y_out, obs_out, md
    ):
        cap = max_steps
        if kernel_mode() == "auto":  # MTORSIM_KERNEL=interpreted: no cap, as asked
            cap = min(max_steps, max(20, int(JOB_SECONDS / self.step_seconds)))
        start = time.perf_counter()
        try:
            with np.errstate(all="ignore"):
                status, steps = self.module.simulate_one(
                    y0, p_seg, seg_t, seg_jump, t_out, rtol, atol, cap, y_out, obs_out, md
                )
        except _NUMERIC_ERRORS:
            status, steps = None, 0
        elapsed = time.perf_counter() - start
        _add(elapsed)
        if steps:
            self.step_seconds = elapsed / int(steps)
        if status is None or (status == 1 and cap < max_steps):  # 1: the step limit
            self.fallbacks += 1
            module, data = self._compiled("simulate_one")
            status, steps = module.simulate_one(
                y0, p_seg, seg_t, seg_jump, t_out, rtol, atol, max_steps, y_out, obs_out, data
            )
            self._note(module, steps)
        return int(status), int(steps)

    def newton_steady(self, y, p, cons, dep_rows, totals, tol, max_iter, md):
        work = y.copy()  # Newton updates in place: a fallback must start from y
        start = time.perf_counter()
        try:
            with np.errstate(all="ignore"):
                status, it, res = self.module.newton_steady(
                    work, p, cons, dep_rows, totals, tol, max_iter, md
                )
        except _NUMERIC_ERRORS:
            status = None
        _add(time.perf_counter() - start)
        if status is None:
            self.fallbacks += 1
            module, data = self._compiled("newton_steady")
            return module.newton_steady(y, p, cons, dep_rows, totals, tol, max_iter, data)
        y[:] = work
        return int(status), int(it), float(res)

    def point(self, name: str, t: float, y: np.ndarray, p: np.ndarray, out: np.ndarray) -> bool:
        """One ``_rhs``/``_jac``/``_obs`` evaluation into ``out``; False: run it compiled."""
        try:
            with np.errstate(all="ignore"):
                getattr(self.module, name)(t, y, p, out, None)
        except _NUMERIC_ERRORS:
            return False
        return True
