"""Compile a network once into fast callables, with every symbolic step cached on disk.

The rate laws are differentiated symbolically (sympy) to get an exact Jacobian; right-hand
side, Jacobian and observables are printed as straight-line Python after common
subexpression elimination. The printed code is kept two ways, both in the cache folder:
a specialised module (the code + the solver, compiled by numba on demand) and a tape of the
same operations for the generic kernel (:mod:`mtorsim.engine.kernels`), saved with the
sparse LU plan and the conservation laws in an ``.npz`` file, so a warm process never runs
sympy. Parameter values, inputs and inhibition hooks are arguments, so conditions and
genotypes never trigger a recompile.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib.resources
import io
import threading
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np

from mtorsim.engine import interpreted, kernels
from mtorsim.engine.kernels import cache_dir, load_module, write_atomic
from mtorsim.network.hooks import with_inhibition_hooks
from mtorsim.network.model import Network

if TYPE_CHECKING:
    import sympy as sp

__all__ = ["CompiledNetwork", "cache_dir", "compile_network"]

_KERNEL_VERSION = "4"
_LOCK = threading.Lock()
_MEMO: dict[str, CompiledNetwork] = {}
_TAPE_KEYS = ("code", "consts", "meta", "rhs_store", "jac_store", "obs_store")
_PLAN_KEYS = ("sp_order", "sp_row_ptr", "sp_rows", "sp_col_ptr", "sp_cols")
#: model data after the plan: md[11] (every tape), md[12:15] (sensitivity tapes only)
_EXTRA_KEYS = ("dfdt_store",)
_SENS_KEYS = ("dfdt_store", "dfdp_store", "obsy_store", "obsp_store")


class _Kernels:
    """Both tiers of one structure, shared by every :class:`CompiledNetwork` copy of it."""

    def __init__(self, key: str, net: Network, arrays: dict[str, np.ndarray]) -> None:
        self.key = key
        self.net = net  # to print the specialised module again if its file went missing
        self.generic_md: tuple[np.ndarray, ...] | None = None
        if bool(arrays["generic_ok"]):
            # writable C arrays: numba types them alike, so the generic kernel never recompiles
            self.generic_md = tuple(
                np.ascontiguousarray(arrays[k]).copy()
                for k in (*_TAPE_KEYS, *_PLAN_KEYS, *_EXTRA_KEYS)
            )
        self.generic_error = str(arrays.get("generic_error", ""))
        # steps run by the generic kernel, in this and earlier processes (kernels.choose)
        self.work = kernels.WorkCounter(key)
        atexit.register(self.work.flush)
        self._special: ModuleType | None = None
        self._interp: interpreted.Interpreted | None = None
        self._cached: set[str] = set()
        self._lock = threading.Lock()
        self._sens: tuple[dict[str, np.ndarray], tuple[np.ndarray, ...] | None] | None = None

    @property
    def generic_steps(self) -> int:
        """Generic-kernel steps of this structure run by this process."""
        return self.work.session

    @property
    def special_loaded(self) -> bool:
        return self._special is not None

    def _module_path(self) -> Path:
        """The specialised module's file (printed again if it went missing)."""
        path = cache_dir() / f"mtorsim_model_{self.key}.py"
        if not path.exists():
            text, _ = generate(self.net)
            write_atomic(path, text.encode())
        return path

    def specialized(self) -> ModuleType:
        """The specialised module (imported now; numba compiles or loads it on first call)."""
        with self._lock:
            if self._special is None:
                path = self._module_path()
                self._special = load_module(path, f"mtorsim_model_{self.key}")
            return self._special

    def interpreted(self) -> interpreted.Interpreted:
        """The specialised module's text run by CPython (no numba), with compiled fallback."""
        with self._lock:
            if self._interp is None:
                path = self._module_path()
                module = interpreted.load_text(path, f"mtorsim_py_{self.key}")
                self._interp = interpreted.Interpreted(
                    module,
                    path.stat().st_size,
                    lambda entry: self.compiled(entry, 1),
                    self.note_steps,
                )
            return self._interp

    def _compiled_here(self, entry: str) -> bool:
        """Whether a compiled module of this process already holds ``entry`` compiled."""
        mods = [self._special, kernels.loaded_generic()]
        return any(m is not None and getattr(m, entry).signatures for m in mods)

    def interprets(self, entry: str, size: int) -> bool:
        """The interpreted tier's rule (:mod:`mtorsim.engine.interpreted`)."""
        if entry not in interpreted.ENTRIES or size != 1:
            return False
        mode = kernels.kernel_mode()
        if mode == "interpreted":
            return True
        if mode != "auto" or self._compiled_here(entry):
            return False
        on_disk = kernels.specialized_cached(self.key, entry) or (
            self.generic_md is not None and kernels.generic_cached(entry)
        )
        return interpreted.Interpreted.wanted(on_disk)

    def choose(self, entry: str, size: int) -> str:
        cached = entry in self._cached
        if not cached and kernels.specialized_cached(self.key, entry):
            self._cached.add(entry)
            cached = True
        kind = kernels.choose(
            kernels.kernel_mode(),
            generic_ok=self.generic_md is not None,
            cached=cached,
            size=size,
            generic_steps=self.work.steps,
            entry=entry,
        )
        return kind

    def may_promote(self, module: ModuleType) -> bool:
        """Whether ``module`` is the generic kernel chosen by the ``auto`` rule."""
        return module is not self._special and kernels.kernel_mode() == "auto"

    def promotes(self, expected_steps: float) -> bool:
        """Whether ``expected_steps`` more generic steps would pass the step budget."""
        return self.work.steps + expected_steps >= kernels.STEP_BUDGET

    def note_steps(self, module: ModuleType | interpreted.Interpreted, steps: int) -> None:
        """Count steps the generic kernel ran (thread races only blur a heuristic)."""
        if module is not self._special and module is not self._interp:
            self.work.add(int(steps))

    def sensitivity(self) -> tuple[ModuleType, tuple[np.ndarray, ...], np.ndarray]:
        """Module, model data and Jacobian pattern for sensitivity runs.

        Their code (∂f/∂p, ∂obs/∂y, ∂obs/∂p) is printed on first use only, so plain
        simulations never pay for it: the generic kernel runs it unless
        ``MTORSIM_KERNEL=specialized`` (or the tape cannot express the model) asks for the
        structure's sensitivity module, compiled by numba on its first call.
        """
        with self._lock:
            if self._sens is None:
                arrays = _artifacts(self.net, f"{self.key}_{_sens_key()}", prefix="mtorsim_sens")
                md = None
                if bool(arrays["generic_ok"]):
                    md = tuple(
                        np.ascontiguousarray(arrays[k]).copy()
                        for k in (*_TAPE_KEYS, *_PLAN_KEYS, *_SENS_KEYS)
                    )
                self._sens = (arrays, md)
        arrays, md = self._sens
        pattern = np.ascontiguousarray(arrays["jac_pattern"], dtype=np.int64)
        if md is None or kernels.kernel_mode() == "specialized":
            name = f"mtorsim_sens_{self.key}_{_sens_key()}"
            path = cache_dir() / f"{name}.py"
            if not path.exists():
                text, _ = generate(self.net, sensitivities=True)
                write_atomic(path, text.encode())
            return load_module(path, name), kernels.SPECIALIZED_MD, pattern
        return kernels.generic_module(), md, pattern

    def get(self, entry: str, size: int) -> tuple[ModuleType, tuple[np.ndarray, ...]]:
        if self.interprets(entry, size):
            return self.interpreted(), kernels.SPECIALIZED_MD  # type: ignore[return-value]
        return self.compiled(entry, size)

    def compiled(self, entry: str, size: int) -> tuple[ModuleType, tuple[np.ndarray, ...]]:
        """The numba module (generic or specialised, by :func:`kernels.choose`) for a job."""
        if self.choose(entry, size) == "specialized":
            return self.specialized(), kernels.SPECIALIZED_MD
        assert self.generic_md is not None
        return kernels.generic_module(), self.generic_md


@dataclass(frozen=True)
class CompiledNetwork:
    """A network compiled to numba kernels, with the symbolic system kept for reference.

    Attributes
    ----------
    network : Network
        The hooked network (with ``inhibit_<node>`` parameters) that was compiled.
    species, parameters, observables : tuple of str
        Order of the state, parameter and observable vectors.
    y0, p0 : numpy.ndarray
        Initial state and parameter values from the network.
    conservation : numpy.ndarray
        Rows of conserved linear combinations of species (left null space of N).
    dependent_rows : numpy.ndarray
        One equation index per conservation law, replaced by it in Newton's method.
    """

    network: Network
    species: tuple[str, ...]
    parameters: tuple[str, ...]
    observables: tuple[str, ...]
    y0: np.ndarray
    p0: np.ndarray
    conservation: np.ndarray
    dependent_rows: np.ndarray
    key: str
    kernels: _Kernels = field(repr=False, compare=False)

    @property
    def module(self) -> ModuleType:
        """The specialised module of this structure (compiled by numba on first call)."""
        return self.kernels.specialized()

    def kernel(
        self, entry: str = "simulate_one", size: int = 1
    ) -> tuple[ModuleType, tuple[np.ndarray, ...]]:
        """Module and model data ``md`` to run ``entry`` for ``size`` members.

        Call as ``module.<entry>(..., md)``; which module it is follows the rule in
        :mod:`mtorsim.engine.kernels` (``MTORSIM_KERNEL`` overrides it).
        """
        return self.kernels.get(entry, size)

    @property
    def n_species(self) -> int:
        return len(self.species)

    def parameter_index(self, name: str) -> int:
        try:
            return self.parameters.index(name)
        except ValueError:
            from mtorsim.errors import UnknownNameError

            raise UnknownNameError("parameter", name, self.parameters) from None

    def species_index(self, name: str) -> int:
        try:
            return self.species.index(name)
        except ValueError:
            from mtorsim.errors import UnknownNameError

            raise UnknownNameError("species", name, self.species) from None

    def parameter_vector(self, values: dict[str, float] | None = None) -> np.ndarray:
        """``p0`` with named values replaced."""
        p = self.p0.copy()
        for name, v in (values or {}).items():
            p[self.parameter_index(name)] = float(v)
        return p

    def _point(self, name: str, y: np.ndarray, p: np.ndarray, t: float, out: np.ndarray):
        # one-off evaluations never compile a specialised module that is not loaded yet
        k = self.kernels
        interpretable = not k.special_loaded and kernels.kernel_mode() in ("auto", "interpreted")
        if interpretable and k.interpreted().point(name, float(t), y, p, out):
            return out
        if k.special_loaded or k.generic_md is None or kernels.kernel_mode() == "specialized":
            getattr(k.specialized(), name)(float(t), y, p, out, kernels.SPECIALIZED_MD)
        else:
            getattr(kernels.generic_module(), name)(float(t), y, p, out, k.generic_md)
        return out

    # copies: writable C arrays, one numba signature whatever the caller passes
    def rhs(self, y: np.ndarray, p: np.ndarray, t: float = 0.0) -> np.ndarray:
        y, p = np.array(y, dtype=float), np.array(p, dtype=float)
        return self._point("_rhs", y, p, t, np.empty(self.n_species))

    def jac(self, y: np.ndarray, p: np.ndarray, t: float = 0.0) -> np.ndarray:
        y, p = np.array(y, dtype=float), np.array(p, dtype=float)
        return self._point("_jac", y, p, t, np.zeros((self.n_species, self.n_species)))

    def observe(self, y: np.ndarray, p: np.ndarray, t: float = 0.0) -> np.ndarray:
        y, p = np.array(y, dtype=float), np.array(p, dtype=float)
        return self._point("_obs", y, p, t, np.empty(len(self.observables)))


def symbolic_system(
    network: Network,
) -> tuple[list[sp.Symbol], list[sp.Symbol], list[sp.Expr], list[sp.Expr]]:
    """Species symbols, parameter symbols, dy/dt and observables with observables inlined."""
    import sympy as sp

    sym = {
        n: sp.Symbol(n, real=True)
        for n in (
            *network.species_names,
            *network.parameter_names,
            *network.observable_names,
            "time",
        )
    }
    obs_parsed = network.parsed_observables()
    inlined: dict[sp.Symbol, sp.Expr] = {}
    obs_exprs: list[sp.Expr] = []
    for name in network.observable_names:
        e = obs_parsed[name].xreplace(inlined)
        inlined[sym[name]] = e
        obs_exprs.append(e)
    rates = {k: v.xreplace(inlined) for k, v in network.parsed_rates().items()}
    dydt: list[sp.Expr] = []
    for s in network.species_names:
        terms = [
            c * rates[r.name]
            for r in network.reactions
            for sname, c in r.stoichiometry.items()
            if sname == s
        ]
        dydt.append(sp.Add(*terms))
    ys = [sym[n] for n in network.species_names]
    ps = [sym[n] for n in network.parameter_names]
    return ys, ps, dydt, obs_exprs


def _conservation(network: Network) -> tuple[np.ndarray, np.ndarray]:
    import sympy as sp

    n = network.stoichiometry_matrix().to_numpy()
    if n.size == 0:
        return np.zeros((0, n.shape[0])), np.zeros(0, dtype=np.int64)
    mat = sp.Matrix(n.astype(int)).T
    null = mat.nullspace()
    if not null:
        return np.zeros((0, n.shape[0])), np.zeros(0, dtype=np.int64)
    cons = np.array([[float(x) for x in v] for v in null])
    # dependent rows: a species in each law, chosen greedily by pivoted elimination
    rows: list[int] = []
    work = cons.copy()
    for i in range(work.shape[0]):
        candidates = [j for j in np.argsort(-np.abs(work[i])) if j not in rows]
        j = int(candidates[0])
        rows.append(j)
        for k in range(i + 1, work.shape[0]):
            if work[i, j] != 0:
                work[k] -= work[k, j] / work[i, j] * work[i]
    return cons, np.array(rows, dtype=np.int64)


def _assignments(outputs: list[tuple[str, sp.Expr]]) -> tuple[list[tuple[str, str]], set]:
    """Printed ``target = source`` lines after CSE, and the model symbols they use."""
    import sympy as sp
    from sympy.printing.pycode import PythonCodePrinter

    class _Printer(PythonCodePrinter):
        """Prints ``math.`` calls that numba compiles."""

        def _print_Symbol(self, expr: sp.Symbol) -> str:
            # model names are prefixed so that no SBML id can shadow y, p, t, out or math
            return expr.name if expr.name.startswith("_cse") else f"v_{expr.name}"

    printer = _Printer({"fully_qualified_modules": True, "standard": "python3"})
    exprs = [e for _, e in outputs]
    subs, reduced = sp.cse(exprs, symbols=sp.numbered_symbols("_cse"), optimizations="basic")
    used: set[sp.Symbol] = set()
    for e in [*reduced, *(v for _, v in subs)]:
        used |= e.free_symbols
    lines = [(str(lhs), printer.doprint(rhs)) for lhs, rhs in subs]
    lines += [(target, printer.doprint(e)) for (target, _), e in zip(outputs, reduced, strict=True)]
    return lines, used


def _function_source(
    name: str,
    lines: list[tuple[str, str]],
    used: set,
    ys: list[sp.Symbol],
    ps: list[sp.Symbol],
) -> list[str]:
    """One specialised function; ``md`` (the generic kernel's model data) is ignored."""
    out = ["", "", '@njit(cache=True, error_model="numpy")', f"def {name}(t, y, p, out, md):"]
    out += [f"    v_{s.name} = y[{i}]" for i, s in enumerate(ys) if s in used]
    out += [f"    v_{s.name} = p[{i}]" for i, s in enumerate(ps) if s in used]
    if any(s.name == "time" for s in used):
        out.append("    v_time = t")
    out += [f"    {lhs} = {rhs}" for lhs, rhs in lines]
    if len(out) == 4:
        out.append("    pass")
    return out


def _matrix_outputs(mat: Any) -> list[tuple[str, sp.Expr]]:
    rows, cols = mat.shape
    return [
        (f"out[{i}, {j}]", mat[i, j]) for i in range(rows) for j in range(cols) if mat[i, j] != 0
    ]


def generate(network: Network, *, sensitivities: bool = False) -> tuple[str, dict[str, Any]]:
    """All symbolic work for a structure: the specialised module text and the arrays
    (tape, LU plan, conservation laws) that the ``.npz`` cache keeps.

    ``∂f/∂t`` is always printed (empty for autonomous models, whose solver then skips
    it); ``sensitivities`` adds ``∂f/∂p``, ``∂obs/∂y`` and ``∂obs/∂p`` and the
    sensitivity solver, for the separate module that only sensitivity runs load.
    """
    import sympy as sp

    from mtorsim.engine.sparse_lu import plan_lu
    from mtorsim.engine.tape import UnsupportedExpression, build_tape

    ys, ps, dydt, obs = symbolic_system(network)
    jac = sp.Matrix(dydt).jacobian(sp.Matrix(ys))
    n = len(ys)
    pattern = np.array([[jac[i, j] != 0 for j in range(n)] for i in range(n)], bool).reshape(n, n)
    t_sym = sp.Symbol("time", real=True)
    dfdt = [sp.diff(e, t_sym) for e in dydt]
    outputs = {
        "rhs": [(f"out[{i}]", e) for i, e in enumerate(dydt)],
        "jac": [(f"out[{i}, {j}]", jac[i, j]) for i, j in zip(*np.nonzero(pattern), strict=True)],
        "obs": [(f"out[{i}]", e) for i, e in enumerate(obs)],
        "dfdt": [(f"out[{i}]", e) for i, e in enumerate(dfdt) if e != 0],
    }
    if sensitivities:
        outputs["dfdp"] = _matrix_outputs(sp.Matrix(dydt).jacobian(sp.Matrix(ps)))
        obs_m = sp.Matrix(obs) if obs else sp.zeros(0, 1)
        outputs["obsy"] = _matrix_outputs(obs_m.jacobian(sp.Matrix(ys)) if obs else obs_m)
        outputs["obsp"] = _matrix_outputs(obs_m.jacobian(sp.Matrix(ps)) if obs else obs_m)
    printed = {k: _assignments(v) for k, v in outputs.items()}
    plan = plan_lu(pattern)
    uses_time = bool(outputs["dfdt"])
    header = [
        f'"""Generated by mtorsim for network {network.name!r}; do not edit."""',
        "import math",
        "from numba import njit",
        plan.source(),
        "",
        "",
        "@njit(cache=True)",
        "def _uses_time(md):",
        f"    return {uses_time}  # a constant: autonomous models compile the ∂f/∂t code away",
    ]
    body: list[str] = []
    for k, (lines, used) in printed.items():
        body += _function_source(f"_{k}", lines, used, ys, ps)
    files = importlib.resources.files("mtorsim.engine")
    names = ["_kernel_template.py", *(["_sens_template.py"] if sensitivities else [])]
    text = "\n".join(header + body) + "".join("\n\n" + files.joinpath(f).read_text() for f in names)
    cons, dep = _conservation(network)
    arrays: dict[str, Any] = {
        "conservation": cons,
        "dependent_rows": dep,
        "sp_order": plan.order,
        "sp_row_ptr": plan.row_ptr,
        "sp_rows": plan.rows,
        "sp_col_ptr": plan.col_ptr,
        "sp_cols": plan.cols,
        "jac_pattern": np.argwhere(pattern).astype(np.int64).reshape(-1, 2),
    }
    try:
        tape = build_tape(
            {k: v[0] for k, v in printed.items()}, network.species_names, network.parameter_names
        )
        arrays.update(tape, generic_ok=True, generic_error="")
    except UnsupportedExpression as exc:  # the specialised kernel runs this network
        empty = build_tape({k: [] for k in printed}, (), ())
        arrays.update(empty, generic_ok=False, generic_error=str(exc))
    # meta: [..., LU values, then (lo, hi) of each function after rhs, jac and obs]
    arrays["meta"] = np.concatenate([arrays["meta"], [plan.n_values], arrays.pop("xranges")])
    return text, arrays


@lru_cache(maxsize=1)
def _generator_text() -> str:
    """Every file that shapes the generated module and arrays (part of the cache key)."""
    here = Path(__file__).parent
    names = ("codegen.py", "sparse_lu.py", "tape.py", "_kernel_template.py")
    return "".join((here / n).read_text() for n in names)


@lru_cache(maxsize=1)
def _sens_key() -> str:
    """Hash of the sensitivity solver: part of the sensitivity files' names only, so that
    changing it never invalidates the plain modules."""
    text = (Path(__file__).parent / "_sens_template.py").read_text()
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def structure_key(net: Network) -> str:
    """Hash of what the compiled code depends on: the structure and the generator."""
    structure = repr(
        (
            net.species_names,
            net.parameter_names,
            [(r.rate, r.reactants, r.products) for r in net.reactions],
            [(o.name, o.expression) for o in net.observables],
            _KERNEL_VERSION,
        )
    )
    return hashlib.sha256((structure + _generator_text()).encode()).hexdigest()[:20]


def _artifacts(net: Network, key: str, prefix: str = "mtorsim_model") -> dict[str, np.ndarray]:
    """The cached arrays of a structure, generated (sympy) and saved on a miss
    (``prefix`` ``mtorsim_sens``: with the sensitivity functions)."""
    folder = cache_dir()
    npz = folder / f"{prefix}_{key}.npz"
    if npz.exists():
        try:
            with np.load(npz, allow_pickle=False) as data:
                return {k: data[k] for k in data.files}
        except (OSError, ValueError):  # damaged file: make it again
            pass
    text, arrays = generate(net, sensitivities=prefix == "mtorsim_sens")
    py = folder / f"{prefix}_{key}.py"
    if not py.exists():  # the key covers structure and kernel version
        write_atomic(py, text.encode())
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    write_atomic(npz, buf.getvalue())
    return {k: np.asarray(v) for k, v in arrays.items()}


def compile_network(network: Network, *, hooks: bool = True) -> CompiledNetwork:
    """Compile ``network`` (with inhibition hooks) to numba kernels; memoised by structure.

    Parameters
    ----------
    network : Network
        The network; parameter values and initial amounts become defaults, not constants.
    hooks : bool
        Add the ``inhibit_<node>`` parameters (default True).

    Returns
    -------
    CompiledNetwork
    """
    net = with_inhibition_hooks(network) if hooks else network
    key = structure_key(net)
    with _LOCK:
        base = _MEMO.get(key)
        if base is None:
            arrays = _artifacts(net, key)
            base = CompiledNetwork(
                network=net,
                species=net.species_names,
                parameters=net.parameter_names,
                observables=net.observable_names,
                y0=np.zeros(0),
                p0=np.zeros(0),
                conservation=np.array(arrays["conservation"], dtype=float),
                dependent_rows=np.array(arrays["dependent_rows"], dtype=np.int64),
                key=key,
                kernels=_Kernels(key, net, arrays),
            )
            _MEMO[key] = base
    return replace(
        base,
        network=net,
        y0=np.array([s.initial for s in net.species], dtype=float),
        p0=np.array([p.value for p in net.parameters], dtype=float),
    )
