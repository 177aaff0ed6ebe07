"""Compile a network once into fast callables.

The rate laws are differentiated symbolically (sympy) to get an exact Jacobian; right-hand
side, Jacobian and observables are printed as straight-line Python after common
subexpression elimination, written with the numerical kernels to a module file in a cache
folder, and compiled by numba with on-disk caching. The same structure is compiled once per
process (and once per machine, thanks to numba's cache); parameter values, inputs and
inhibition hooks are arguments, so conditions and genotypes never trigger a recompile.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import importlib.util
import os
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np
import sympy as sp
from sympy.printing.pycode import PythonCodePrinter

from mtorsim.engine.sparse_lu import plan_lu
from mtorsim.network.hooks import with_inhibition_hooks
from mtorsim.network.model import Network

__all__ = ["CompiledNetwork", "cache_dir", "compile_network"]

_KERNEL_VERSION = "3"
_LOCK = threading.Lock()
_MEMO: dict[str, CompiledNetwork] = {}


def cache_dir() -> Path:
    """Folder for generated model modules (``MTORSIM_CACHE_DIR`` or ``~/.cache/mtorsim``)."""
    root = os.environ.get("MTORSIM_CACHE_DIR")
    path = Path(root) if root else Path.home() / ".cache" / "mtorsim"
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-test"
        probe.touch()
        probe.unlink()
    except OSError:
        path = Path(tempfile.gettempdir()) / "mtorsim-cache"
        path.mkdir(parents=True, exist_ok=True)
    return path


class _Printer(PythonCodePrinter):
    """Prints ``math.`` calls that numba compiles."""

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        # model names are prefixed so that no SBML id can shadow y, p, t, out or math
        return expr.name if expr.name.startswith("_cse") else f"v_{expr.name}"


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
    module: ModuleType
    conservation: np.ndarray
    dependent_rows: np.ndarray
    key: str

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

    def rhs(self, y: np.ndarray, p: np.ndarray, t: float = 0.0) -> np.ndarray:
        out = np.empty(self.n_species)
        self.module._rhs(float(t), np.asarray(y, float), np.asarray(p, float), out)
        return out

    def jac(self, y: np.ndarray, p: np.ndarray, t: float = 0.0) -> np.ndarray:
        out = np.zeros((self.n_species, self.n_species))
        self.module._jac(float(t), np.asarray(y, float), np.asarray(p, float), out)
        return out

    def observe(self, y: np.ndarray, p: np.ndarray, t: float = 0.0) -> np.ndarray:
        out = np.empty(len(self.observables))
        self.module._obs(float(t), np.asarray(y, float), np.asarray(p, float), out)
        return out


def symbolic_system(
    network: Network,
) -> tuple[list[sp.Symbol], list[sp.Symbol], list[sp.Expr], list[sp.Expr]]:
    """Species symbols, parameter symbols, dy/dt and observables with observables inlined."""
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


def _emit(
    name: str, outputs: list[tuple[str, sp.Expr]], ys: list[sp.Symbol], ps: list[sp.Symbol]
) -> list[str]:
    printer = _Printer({"fully_qualified_modules": True, "standard": "python3"})
    exprs = [e for _, e in outputs]
    subs, reduced = sp.cse(exprs, symbols=sp.numbered_symbols("_cse"), optimizations="basic")
    used: set[sp.Symbol] = set()
    for e in [*reduced, *(v for _, v in subs)]:
        used |= e.free_symbols
    lines = ["", "", '@njit(cache=True, error_model="numpy")', f"def {name}(t, y, p, out):"]
    for i, s in enumerate(ys):
        if s in used:
            lines.append(f"    v_{s.name} = y[{i}]")
    for i, s in enumerate(ps):
        if s in used:
            lines.append(f"    v_{s.name} = p[{i}]")
    if sp.Symbol("time", real=True) in used:
        lines.append("    v_time = t")
    for lhs, rhs in subs:
        lines.append(f"    {lhs} = {printer.doprint(rhs)}")
    for (target, _), e in zip(outputs, reduced, strict=True):
        lines.append(f"    {target} = {printer.doprint(e)}")
    if len(lines) == 4:
        lines.append("    pass")
    return lines


def generate_source(network: Network) -> tuple[str, list[sp.Expr], list[sp.Expr]]:
    ys, ps, dydt, obs = symbolic_system(network)
    jac = sp.Matrix(dydt).jacobian(sp.Matrix(ys))
    rhs_out = [(f"out[{i}]", e) for i, e in enumerate(dydt)]
    n = len(ys)
    pattern = np.array([[jac[i, j] != 0 for j in range(n)] for i in range(n)], bool).reshape(n, n)
    jac_out = [(f"out[{i}, {j}]", jac[i, j]) for i, j in zip(*np.nonzero(pattern), strict=True)]
    obs_out = [(f"out[{i}]", e) for i, e in enumerate(obs)]
    header = [
        f'"""Generated by mtorsim for network {network.name!r}; do not edit."""',
        "import math",
        "from numba import njit",
        plan_lu(pattern).source(),
    ]
    body = (
        _emit("_rhs", rhs_out, ys, ps)
        + _emit("_jac", jac_out, ys, ps)
        + _emit("_obs", obs_out, ys, ps)
    )
    kernels = importlib.resources.files("mtorsim.engine").joinpath("_kernel_template.py")
    text = "\n".join(header + body) + "\n\n" + kernels.read_text()
    return text, dydt, obs


def _load_module(path: Path, modname: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(modname, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[modname] = module
    spec.loader.exec_module(module)
    return module


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
    structure = repr(
        (
            net.species_names,
            net.parameter_names,
            [(r.rate, r.reactants, r.products) for r in net.reactions],
            [(o.name, o.expression) for o in net.observables],
            _KERNEL_VERSION,
        )
    )
    template = importlib.resources.files("mtorsim.engine").joinpath("_kernel_template.py")
    # code generation, the LU planner and the kernels all shape the module
    generator = Path(__file__).read_text() + (Path(__file__).parent / "sparse_lu.py").read_text()
    key = hashlib.sha256((structure + template.read_text() + generator).encode()).hexdigest()[:20]
    with _LOCK:
        base = _MEMO.get(key)
        if base is None:
            path = cache_dir() / f"mtorsim_model_{key}.py"
            if not path.exists():  # the key covers structure and kernel version
                text, _, _ = generate_source(net)
                tmp = path.with_suffix(f".{os.getpid()}.tmp")
                tmp.write_text(text)
                os.replace(tmp, path)
            module = _load_module(path, f"mtorsim_model_{key}")
            cons, dep = _conservation(net)
            base = CompiledNetwork(
                network=net,
                species=net.species_names,
                parameters=net.parameter_names,
                observables=net.observable_names,
                y0=np.zeros(0),
                p0=np.zeros(0),
                module=module,
                conservation=cons,
                dependent_rows=dep,
                key=key,
            )
            _MEMO[key] = base
    from dataclasses import replace

    return replace(
        base,
        network=net,
        y0=np.array([s.initial for s in net.species], dtype=float),
        p0=np.array([p.value for p in net.parameters], dtype=float),
    )
