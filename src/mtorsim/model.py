"""The front door: ``m = mtorsim.load()``, then ``m.simulate(...)``, ``m.steady_state(...)``,
``m.dose_response(...)`` and ``m.to_sbml(...)``.

One object per model (the default network or an imported SBML file), one exposure
vocabulary (:mod:`mtorsim.exposure`), one duration keyword per unit (``hours=``, ``days=``,
or ``until=`` in the model's own unit) and one result shape (:class:`mtorsim.Result`).
Underneath, every run is one call of the engine's compiled solver (a cohort is its
batched form); compiled kernels are memoised per structure, so a model object is cheap.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mtorsim.errors import MtorsimError, UnknownNameError
from mtorsim.exposure import ExposurePlan, Medium, plan_exposure
from mtorsim.result import Result, make_result
from mtorsim.time_units import hours_per

if TYPE_CHECKING:
    from mtorsim.engine.codegen import CompiledNetwork
    from mtorsim.network.model import Network
    from mtorsim.network.sbml_import import SBMLModel
    from mtorsim.pharmacology.doseresponse import DoseResponse

__all__ = ["Model", "load"]

_GENOTYPE = "dict of parameter values or a list like ['PIK3CA H1047R', 'PTEN truncating']"


def load(source: str | os.PathLike[str] | Network | None = None, **options: Any) -> Model:
    """The default mTOR network (no argument), an SBML file, or a :class:`Network`.

    ``node_map={"mTORC1": "pmTORC1", ...}`` tells drugs which species of an imported model
    are their target nodes (mTORC1, mTORC2, PI3K, AKT, MEK, AUTOPHAGY); another node or a
    species the model lacks is an error. A drug none of whose targets the model's rate laws
    read (as named, or mapped) is an error when it is used, not a run without effect.

    >>> import mtorsim
    >>> m = mtorsim.load()
    >>> m.simulate(hours=2, points=3, exposure=mtorsim.Inhibition(mTORC1=0.9))["time"].tolist()
    [0.0, 1.0, 2.0]
    """
    from mtorsim.network.model import Network

    if source is None:
        from mtorsim.network.default import default_network

        return Model(default_network(), **options)
    if isinstance(source, Network):
        return Model(source, **options)
    from mtorsim.network.sbml_import import read_sbml

    sbml = read_sbml(source)
    return Model(sbml.network, sbml=sbml, **options)


class Model:
    """A pathway model ready to run: its network, and for SBML files, their events.

    Parameters
    ----------
    network : Network
        The model as data (species, parameters with sources, reactions).
    sbml : SBMLModel, optional
        The import it came from (events, species ids), if any.
    node_map : dict, optional
        Drug target node -> this model's species (imported models).
    """

    def __init__(
        self,
        network: Network,
        *,
        sbml: SBMLModel | None = None,
        node_map: Mapping[str, str] | None = None,
    ) -> None:
        self.network = network
        self.sbml = sbml
        self.node_map = _checked_node_map(network, node_map)

    def __repr__(self) -> str:
        n = self.network
        return (
            f"<mtorsim.Model {n.name!r}: {len(n.species)} species, {len(n.parameters)} "
            f"parameters, {len(n.reactions)} reactions, time in {self.time_unit!r}>"
        )

    # ------------------------------------------------------------------ the model as data
    @property
    def name(self) -> str:
        return self.network.name

    @property
    def time_unit(self) -> str:
        return self.network.time_unit

    @property
    def is_default(self) -> bool:
        """Whether this is mtorsim's own network (drug PK, medium inputs, genotypes)."""
        return self.sbml is None and "GF" in self.network.parameter_names

    def table(self, kind: str = "parameters") -> pd.DataFrame:
        """``species``, ``parameters``, ``observables`` or ``reactions`` with units, sources."""
        return self.network.table(kind)

    def with_parameters(self, **values: float) -> Model:
        """A new model whose parameter defaults are changed (the network is immutable)."""
        return Model(self.network.with_parameters(**values), sbml=self.sbml, node_map=self.node_map)

    def to_sbml(
        self, path: str | os.PathLike[str] | None = None, *, start: str | None = None
    ) -> str:
        """SBML Level 3 text (units, sources, inhibition hooks); written if ``path`` given.

        ``start``: the initial state written. ``"steady_state"`` (the default for mtorsim's
        own network) is the rest state under this model's parameters, where mtorsim's runs
        start, so a genotype model (``with_parameters(PTEN_level=0)``) does not open with a
        transient in another tool; ``"initial"`` (the default for other models) is the
        network's own initial values.
        """
        from mtorsim.network.sbml_export import to_sbml

        if path is not None and Path(path).suffix.lower() not in (".xml", ".sbml"):
            raise MtorsimError(f"SBML file {str(path)!r} should end in .xml or .sbml")
        network = self.network
        start = _start_state(start or ("steady_state" if self.is_default else "initial"))
        if start == "steady_state":
            rest = self.steady_state()
            network = network.with_initials(
                {s: float(rest[s].iloc[0]) for s in network.species_names},
                source="steady state of this model in full medium (GF = 1, AA = 1), "
                "computed at export",
            )
        text = to_sbml(network)
        if path is not None:
            from mtorsim.io import write_text

            write_text(path, text)  # atomic, as write_sbml does
        return text

    # ------------------------------------------------------------------ runs
    def simulate(
        self,
        *,
        hours: float | None = None,
        days: float | None = None,
        until: float | None = None,
        points: int | None = None,
        exposure: Any = None,
        baseline: Any = None,
        genotype: Mapping[str, float] | Sequence[str] | None = None,
        parameters: Mapping[str, float] | None = None,
        patients: int | None = None,
        seed: int = 0,
        readouts: Sequence[str] | None = None,
        start: str | None = None,
        chunk_size: int = 250,
        out: str | os.PathLike[str] | None = None,
        on_chunk: Callable[[Result], None] | None = None,
        progress: Callable[[int], None] | None = None,
        rtol: float = 1e-6,
        atol: float = 1e-9,
    ) -> Result:
        """Simulate cells or patients from t = 0.

        Parameters
        ----------
        hours, days, until :
            Duration: one of them (``until`` in the model's own time unit). The ``time``
            column is in the unit given.
        points :
            Output times, evenly spaced (default: every 15 min for ``hours``, hourly for
            ``days``, daily for cohorts, 101 for ``until``).
        exposure :
            ``Medium``, ``Inhibition``, ``{drug: nM}`` (cells), ``Regimen`` or ``Dose``
            records (a patient), or a list of these; applies from t = 0.
        baseline :
            What held before t = 0 (default: full medium, no drug), for the start state.
        genotype :
            Parameter values (``{"PTEN_level": 0}``) or variants (``["PIK3CA H1047R"]``,
            via the knowledge base); holds before and after t = 0.
        parameters :
            Any other parameter values for the run (rate constants, PK, SBML ids). For SBML
            models also compartment sizes and species start values (amount or concentration,
            in the model's units); initial assignments that use them follow, and an id whose
            setting would have no effect (an assignment-rule target, an unused parameter) is
            an error.
        patients, seed :
            A cohort of N patients on the regimens, each with their own clearance and
            volume per drug, drawn from ``seed``; one row per patient and time.
        readouts :
            Cohorts only: columns kept in addition to the defaults (each drug's levels and
            occupancies, and the pathway read-outs); a single run keeps every column.
        start :
            ``"steady_state"`` (default for mtorsim's network: cells at rest under
            ``baseline``) or ``"initial"`` (default for SBML models: their initial state).
        chunk_size, out, on_chunk, progress :
            Cohorts: patients integrated together; a file (.parquet/.csv) the chunks are
            streamed to, appearing whole or not at all; a callback receiving each finished
            chunk; a callback receiving the number of patients just finished. With ``out``
            or ``on_chunk`` nothing is kept in memory and the result is empty (memory grows
            with the chunk, not the cohort).
        """
        from mtorsim import guard  # sizes checked before any array is made

        guard.check_simulation(
            hours=hours, days=days, until=until, points=points, patients=patients,
            chunk_size=chunk_size, seed=seed, cli=False, time_unit=self.time_unit,
            columns=len(self.network.species) + len(self.network.observables) + 2
            if readouts is None else 16 + len(readouts),
            kept_patients=None if out is None and on_chunk is None else 0,
        )  # fmt: skip
        t_end, unit, scale = self._duration(hours, days, until)
        plan = plan_exposure(exposure)
        fixed = self._fixed_parameters(genotype, parameters)
        sbml_state: dict[str, float] = {}
        if self.sbml is not None:  # species set for a run are start values, not parameters
            fixed, sbml_state = self.sbml.split(fixed)
        if out is not None and patients is None:
            raise MtorsimError("out= streams cohorts (patients=); save other results with .save()")
        if readouts is not None and patients is None:
            raise MtorsimError(
                "readouts= adds columns to a cohort (patients=); a single run keeps every "
                "column: select them from the result, e.g. r[['time', 'S6K1']]"
            )
        if patients is not None:
            cohort = (plan, fixed, t_end, unit, patients, seed, points, readouts, chunk_size)
            if out is None:
                return self._cohort(*cohort, on_chunk, progress, rtol, atol)
            from mtorsim.io import table_writer

            with table_writer(out) as write:  # the file appears whole, or not at all

                def both(chunk: Result) -> None:
                    write(chunk)
                    if on_chunk is not None:
                        on_chunk(chunk)

                return self._cohort(*cohort, both, progress, rtol, atol)
        if plan.dosed:
            return self._patient(plan, fixed, t_end, unit, scale, points, rtol, atol)
        compiled = self._compiled(list(plan.concentrations_nM), pk=False)
        after = self._exposure_parameters(compiled, plan, fixed)
        before_plan = plan_exposure(baseline)
        if before_plan.dosed or before_plan.concentrations_nM:
            raise MtorsimError("baseline is what held before t = 0: give Medium or Inhibition")
        before = self._exposure_parameters(compiled, before_plan, fixed)
        for name in plan.concentrations_nM:
            before[self._medium_parameter(name)] = 0.0
        for name in after:
            before.setdefault(name, float(compiled.p0[compiled.parameter_index(name)]))
        start = start or ("initial" if self.sbml is not None else "steady_state")
        t_out = np.linspace(0.0, t_end, self._points(points, t_end * scale, unit))
        from mtorsim.engine.simulate import simulate

        steps: dict[str, list[tuple[float, float]]] = {}
        if self.sbml is not None and _start_state(start) == "initial":
            df, after, steps = self._sbml_course(
                compiled, after, sbml_state, t_end, t_out, rtol, atol
            )
        else:
            if sbml_state:
                raise MtorsimError("species start values apply to start='initial' runs")
            df = simulate(
                compiled,
                t_end,
                t_out=t_out,
                parameters=after,
                initial=_start_state(start),
                equilibrate=before if start == "steady_state" else None,
                events=self.sbml.events(after) if self.sbml is not None else [],
                rtol=rtol,
                atol=atol,
            )
        df = self._tidy(df, compiled, after, unit, scale)
        result = make_result(df, unit, kind="cells", model=self.name)
        if self.sbml is not None:  # parameters at t = 0 and the events' changes, for checks
            result.attrs["sbml_parameters"] = dict(after)
            result.attrs["sbml_parameter_steps"] = steps
        return result

    def _sbml_course(
        self,
        compiled: CompiledNetwork,
        values: dict[str, float],
        state: dict[str, float],
        t_end: float,
        t_out: np.ndarray,
        rtol: float,
        atol: float,
    ) -> tuple[pd.DataFrame, dict[str, float], dict[str, list[tuple[float, float]]]]:
        """An SBML run from its initial state: initial assignments evaluated for this run's
        values, events applied (resets from the state when they fire); constant species an
        event sets become step columns."""
        import math

        from mtorsim.engine.simulate import simulate
        from mtorsim.errors import SBMLError

        assert self.sbml is not None
        params, y0, env = self.sbml.start({**values, **state})
        for k, v in {**params, **y0}.items():
            if not math.isfinite(v):
                raise SBMLError(
                    f"{self.sbml.path}: the start value of {k!r} is {v} for this run; "
                    "mtorsim integrates finite values only"
                )

        def run(end: float, **kw: Any) -> pd.DataFrame:
            return simulate(compiled, end, **kw)

        df, events = self.sbml.run(run, t_end, t_out, params, y0, env, rtol=rtol, atol=atol)
        steps: dict[str, list[tuple[float, float]]] = {}
        for e in events:
            for k, v in e.parameters.items():
                steps.setdefault(k, []).append((e.time, v))
        time = df[df.columns[0]].to_numpy()
        for sid in self.sbml.species_ids:
            if sid in steps and sid not in df.columns:
                col = np.full(len(df), params[sid])
                for t, v in steps[sid]:
                    col[time >= t] = v
                df[sid] = col
        return df, params, steps

    def simulate_dosing_table(
        self,
        table: str | os.PathLike[str] | pd.DataFrame,
        *,
        drug: str,
        hours: float | None = None,
        days: float | None = None,
        points: int | None = None,
        ids: Sequence[int | str] | None = None,
        genotype: Mapping[str, float] | Sequence[str] | None = None,
        parameters: Mapping[str, float] | None = None,
    ) -> Result:
        """Each subject of a NONMEM-style event table (ID, TIME h, AMT mg, CMT, EVID, II,
        ADDL, RATE) on their own recorded doses of ``drug``, stacked with an ``ID`` column
        first; ``ids`` picks subjects (default: every ID with doses)."""
        from mtorsim.pharmacology.nonmem import read_dosing_table

        records = read_dosing_table(table, drug=drug)
        chosen = list(records) if ids is None else list(ids)
        unknown = [i for i in chosen if i not in records]
        if unknown:
            raise MtorsimError(f"ID(s) {unknown} have no doses; IDs with doses: {list(records)}")
        if not chosen:
            raise MtorsimError("the dosing table has no dose rows (EVID 1)")
        horizon_h = hours if hours is not None else (days * 24.0 if days is not None else None)
        late = [str(sid) for sid in chosen if horizon_h and records[sid][0].time_h >= horizon_h]
        if late:
            import warnings

            warnings.warn(
                f"ID(s) {', '.join(late[:5])} get their first dose at or after the end of the "
                f"run ({horizon_h:g} h): simulated untreated; run longer to see it",
                UserWarning,
                stacklevel=2,
            )
        runs = [
            self.simulate(
                hours=hours,
                days=days,
                points=points,
                exposure=list(records[sid]),
                genotype=genotype,
                parameters=parameters,
            ).assign(ID=sid)
            for sid in chosen
        ]
        df = pd.concat(runs, ignore_index=True)
        df = df[["ID", *(c for c in df.columns if c != "ID")]]
        return make_result(df, runs[0].time_unit, kind="dosing_table", model=self.name)

    def steady_state(
        self,
        *,
        exposure: Any = None,
        genotype: Mapping[str, float] | Sequence[str] | None = None,
        parameters: Mapping[str, float] | None = None,
    ) -> Result:
        """Steady state under ``exposure`` (cells): one row of every species and observable,
        with ``attrs["method"]`` (Newton or integration) and ``attrs["residual"]``."""
        plan = plan_exposure(exposure)
        if plan.dosed:
            raise MtorsimError(
                "a patient on a regimen is not at a steady state; use simulate(days=...)"
            )
        fixed = self._fixed_parameters(genotype, parameters)
        if self.sbml is not None:  # the engine's steady state starts from the model's y0
            fixed, state = self.sbml.split(fixed)
            moved = sorted(self.sbml.start({**fixed, **state})[1])
            if moved:
                raise MtorsimError(
                    f"these settings move the start value of {', '.join(moved)}, which "
                    "steady_state does not take (it starts from the model's own initial "
                    "state); use simulate(...) for a long time instead"
                )
        compiled = self._compiled(list(plan.concentrations_nM), pk=False)
        from mtorsim.engine.steady import steady_state

        ss = steady_state(compiled, self._exposure_parameters(compiled, plan, fixed))
        values = pd.DataFrame([ss.values.to_numpy()], columns=list(ss.values.index))
        out = make_result(_tidy_drugs(values), None, kind="steady_state", model=self.name)
        out.attrs.update(method=ss.method, residual=float(ss.residual))
        return out

    def dose_response(
        self,
        drug: str,
        readout: str = "S6K1",
        *,
        hours: float = 24.0,
        concentrations: Sequence[float] | None = None,
        combine: str | None = None,
        genotype: Mapping[str, float] | Sequence[str] | None = None,
        parameters: Mapping[str, float] | None = None,
    ) -> DoseResponse | pd.DataFrame:
        """Cells exposed for ``hours`` to a range of concentrations (nM): a Hill fit
        (IC50, Emax, slope), or with ``combine=`` a two-drug matrix with Bliss excess and
        Loewe combination index."""
        if not self.is_default:
            raise MtorsimError("dose_response runs on mtorsim's own network; use mtorsim.load()")
        fixed = self._fixed_parameters(genotype, parameters)
        from mtorsim.pharmacology import doseresponse

        if combine is not None:
            from mtorsim.pharmacology.catalogue import get_drug

            for name in (drug, combine):  # both names checked before any simulation
                get_drug(name)
            return doseresponse.combination_matrix(
                drug, combine, readout, hours=hours, parameters=fixed
            )
        kwargs = {} if concentrations is None else {"concentrations_nM": concentrations}
        return doseresponse.dose_response(drug, readout, hours=hours, parameters=fixed, **kwargs)

    # ------------------------------------------------------------------ internals
    def _duration(
        self, hours: float | None, days: float | None, until: float | None
    ) -> tuple[float, str, float]:
        """(end time in model units, unit of the time column, column units per model unit)."""
        from mtorsim.events import check_time

        given = {
            k: v for k, v in (("hours", hours), ("days", days), ("until", until)) if v is not None
        }
        if len(given) != 1:
            raise MtorsimError("give the duration once: hours=, days= or until= (model time)")
        ((key, value),) = given.items()
        value = check_time(key, value, positive=True)
        if key == "until":
            return value, self.time_unit, 1.0
        unit = "h" if key == "hours" else "d"
        model_hours = hours_per(self.time_unit)
        if model_hours is None:
            raise MtorsimError(
                f"{self.name} has time unit {self.time_unit!r}, which mtorsim cannot convert "
                f"from {key}; give until= in the model's time unit"
            )
        per_model = model_hours / hours_per(unit)
        return value / per_model, unit, per_model

    @staticmethod
    def _points(points: int | None, span: float, unit: str) -> int:
        if points is not None:
            n = int(points)
            if n < 2:
                raise MtorsimError(f"points is {points}; ask for at least 2 output times")
            return n
        per_unit = {"h": 4.0, "d": 24.0}.get(unit)
        return 101 if per_unit is None else max(2, round(span * per_unit) + 1)

    def _fixed_parameters(
        self, genotype: Mapping[str, float] | Sequence[str] | None, parameters: Any
    ) -> dict[str, float]:
        """Genotype and parameter values that hold before and after t = 0."""
        from mtorsim.events import validate_values

        out: dict[str, float] = {}
        if isinstance(genotype, Mapping):
            out.update(validate_values("genotype parameter", dict(genotype)))
        elif isinstance(genotype, str):
            raise MtorsimError(f"genotype {genotype!r}: give a {_GENOTYPE}")
        elif genotype is not None:
            if not self.is_default:
                raise MtorsimError("variants act on mtorsim's own network; give parameters")
            from mtorsim.genomics.profile import genotype_parameters

            out.update(genotype_parameters(list(genotype)))
        out.update(validate_values("parameter", dict(parameters or {})))
        for name, value in out.items():  # a negative level or rate makes the run blow up
            signed = name in self.network.parameter_names and (
                self.network.parameter(name).allow_negative
            )
            if value < 0 and not signed:
                raise MtorsimError(
                    f"parameter {name!r} is {value:g}: it is a rate, level or constant and "
                    "must be >= 0"
                )
        return out

    def _compiled(self, drugs: Sequence[str], *, pk: bool) -> CompiledNetwork:
        from mtorsim.engine.codegen import compile_network

        if not drugs:
            return compile_network(self.network)
        from mtorsim.pharmacology.mechanism import with_drugs

        if self.network is _default_network() and not self.node_map:
            from mtorsim.pharmacology.treatment import compiled_with_drugs

            return compiled_with_drugs(drugs, pk=pk)  # memoised by drug set
        if pk and not self.is_default:
            raise MtorsimError("patients on regimens run on mtorsim's own network")
        if not self.is_default:
            from mtorsim.pharmacology.mechanism import TARGET_NODES, drug_targets

            for name in drugs:  # partner drugs act only through mtorsim's tumour layer
                if not drug_targets(name):
                    raise MtorsimError(
                        f"{name} acts on none of the nodes drugs act on in an imported model "
                        f"({', '.join(TARGET_NODES)}), so it would have no effect here"
                    )
        return compile_network(with_drugs(self.network, list(drugs), pk=pk, node_map=self.node_map))

    @staticmethod
    def _medium_parameter(drug: str) -> str:
        from mtorsim.pharmacology.mechanism import drug_id

        return f"{drug_id(drug)}__medium_nM"

    def _exposure_parameters(
        self, compiled: CompiledNetwork, plan: ExposurePlan, fixed: Mapping[str, float]
    ) -> dict[str, float]:
        """Parameter values of ``compiled`` for a plan's medium, inhibitions and drugs."""
        from mtorsim.network.hooks import hook_parameter, inhibitable_nodes

        names = set(compiled.parameters)
        out: dict[str, float] = {}
        for k, v in fixed.items():
            compiled.parameter_index(k)
            out[k] = v
        medium = plan.medium or Medium()
        for pname, value in medium.parameters().items():
            if pname in names:
                out[pname] = value
            elif value != Medium().parameters()[pname]:
                raise MtorsimError(
                    f"{self.name} has no input {pname!r}; set its own parameters instead"
                )
        for node, frac in plan.inhibition.items():
            if hook_parameter(node) in names:
                out[hook_parameter(node)] = frac
            elif node in names and not self.is_default:  # imported models: scale a parameter
                base = out.get(node, compiled.p0[compiled.parameter_index(node)])
                if float(base) == 0.0 and frac > 0:  # 0 x (1 - f) = 0: no effect at all
                    hooked = node.removeprefix("inhibit_")
                    hint = (
                        f"it is the inhibition hook of {hooked}: give {hooked}={frac:g}, or set "
                        f"it with parameters/--set {node}={frac:g}"
                        if node.startswith("inhibit_")
                        and hooked in inhibitable_nodes(compiled.network)
                        else "inhibit a rate constant or level that is not zero"
                    )
                    raise MtorsimError(
                        f"inhibiting {node}, whose value is 0, has no effect; {hint}"
                    )
                out[node] = float(base) * (1.0 - frac)
            else:
                known = inhibitable_nodes(compiled.network)
                raise UnknownNameError("node", node, known)
        for drug, conc in plan.concentrations_nM.items():
            out[self._medium_parameter(drug)] = conc
        return out

    def _patient(
        self,
        plan: ExposurePlan,
        fixed: dict[str, float],
        t_end: float,
        unit: str,
        scale: float,
        points: int | None,
        rtol: float,
        atol: float,
    ) -> Result:
        if not self.is_default:
            raise MtorsimError("patients on regimens run on mtorsim's own network")
        if plan.inhibition or plan.medium is not None:
            raise MtorsimError("a patient's exposure is its regimens; drop Medium/Inhibition")
        from mtorsim.engine.simulate import simulate
        from mtorsim.pharmacology.treatment import dose_events, dosing_events

        compiled = self._compiled(plan.drugs, pk=True)
        params = self._exposure_parameters(compiled, ExposurePlan(), fixed)
        df = simulate(
            compiled,
            t_end,
            t_out=np.linspace(0.0, t_end, self._points(points, t_end * scale, unit)),
            parameters=params,
            equilibrate=params,
            events=sorted(
                [*dosing_events(plan.regimens, t_end), *dose_events(plan.doses, t_end)],
                key=lambda e: e.time,
            ),
            rtol=rtol,
            atol=atol,
        )
        df = self._tidy(df, compiled, params, unit, scale)
        return make_result(df, unit, kind="patient", model=self.name)

    def _cohort(
        self,
        plan: ExposurePlan,
        fixed: dict[str, float],
        t_end: float,
        unit: str,
        patients: int,
        seed: int,
        points: int | None,
        readouts: Sequence[str] | None,
        chunk_size: int,
        on_chunk: Callable[[Result], None] | None,
        progress: Callable[[int], None] | None,
        rtol: float,
        atol: float,
    ) -> Result:
        from mtorsim.pharmacology.cohort import default_readouts, simulate_treatment_cohort
        from mtorsim.pharmacology.treatment import tidy_drug_name

        if not plan.regimens or plan.doses or plan.inhibition or plan.medium is not None:
            raise MtorsimError("patients= simulates a cohort on regimens: give Regimen(...)")
        if not self.is_default:
            raise MtorsimError("patients on regimens run on mtorsim's own network")
        if int(patients) < 1:
            raise MtorsimError(f"patients is {patients}; give at least 1")
        if int(chunk_size) < 1:
            raise MtorsimError(f"chunk_size is {chunk_size}; give at least 1")
        compiled = self._compiled([r.drug for r in plan.regimens], pk=True)
        internal = [*compiled.species, *compiled.observables]
        keep = default_readouts(compiled)
        by_tidy = {tidy_drug_name(n): n for n in internal}
        for name in readouts or []:
            if name not in by_tidy and name not in internal:
                raise UnknownNameError("read-out", name, sorted(by_tidy))
            raw = by_tidy.get(name, name)
            if raw not in keep:
                keep.append(raw)
        days = t_end * hours_per(self.time_unit) / 24.0
        n_out = self._points(points, days, "cohort") if points is not None else round(days) + 1
        params = self._exposure_parameters(compiled, ExposurePlan(), fixed)
        kept: list[Result] = []

        def tidy(chunk: pd.DataFrame) -> Result:
            time = chunk.pop("time_d") if unit == "d" else chunk.pop("time_h")
            chunk = chunk.drop(columns=[c for c in ("time_h", "time_d") if c in chunk])
            chunk.insert(1, "time", time.to_numpy())
            return make_result(chunk, unit, kind="cohort", model=self.name, seed=int(seed))

        def chunk_done(chunk: pd.DataFrame) -> None:
            (on_chunk or kept.append)(tidy(chunk))
            if progress is not None:
                progress(int(chunk["patient"].nunique()))

        simulate_treatment_cohort(
            plan.regimens,
            int(patients),
            days,
            seed=int(seed),
            parameters=params,
            readouts=keep,
            points_per_day=(n_out - 1) / days,
            chunk_size=int(chunk_size),
            rtol=rtol,
            atol=atol,
            on_chunk=chunk_done,
        )
        if on_chunk is not None:
            return make_result(pd.DataFrame(), unit, kind="cohort", model=self.name)
        return make_result(
            pd.concat(kept, ignore_index=True), unit, kind="cohort", model=self.name, seed=int(seed)
        )

    def _tidy(
        self,
        df: pd.DataFrame,
        compiled: CompiledNetwork,
        params: Mapping[str, float],
        unit: str,
        scale: float,
    ) -> pd.DataFrame:
        """Engine output -> ``time`` in the asked unit, then read-outs with tidy names."""
        tcol = "time_h" if "time_h" in df.columns else "time"
        time = df[tcol].to_numpy() * scale
        df = df.drop(columns=[c for c in ("time_h", "time_d", "time") if c in df.columns])
        if self.sbml is not None:  # species ids in SBML order; boundary species held
            from mtorsim.network.sbml_model import CLOCK

            cols: dict[str, Any] = {}
            for sid in self.sbml.species_ids:
                if sid in df.columns:
                    cols[sid] = df[sid].to_numpy()
                else:
                    value = params.get(sid, compiled.p0[compiled.parameter_index(sid)])
                    cols[sid] = np.full(len(df), float(value))
            rest = {c: df[c].to_numpy() for c in df.columns if c not in cols and c != CLOCK}
            df = pd.DataFrame({**cols, **rest})
        df.insert(0, "time", time)
        return _tidy_drugs(df)


def _checked_node_map(network: Network, node_map: Mapping[str, str] | None) -> dict[str, str]:
    """``node_map`` as given, once every key is a node drugs act on and every value a
    species (or assignment-rule variable) of ``network``."""
    from mtorsim.pharmacology.mechanism import TARGET_NODES

    if node_map is None:
        return {}
    if not isinstance(node_map, Mapping):
        raise MtorsimError(
            f"node_map is {node_map!r}; give a dict of node to species, e.g. "
            "{'mTORC1': 'pmTORC1'}"
        )
    import difflib

    def hint(name: object, known: Sequence[str]) -> str:
        same = [k for k in known if k.lower() == str(name).lower()]
        close = same or difflib.get_close_matches(str(name), list(known), n=1, cutoff=0.5)
        return f" (did you mean {close[0]!r}?)" if close else ""

    out: dict[str, str] = {}
    species = network.readout_names
    for node, target in node_map.items():
        if node not in TARGET_NODES:
            raise MtorsimError(
                f"node_map names {node!r}, which is not a node drugs act on"
                f"{hint(node, TARGET_NODES)}; known nodes: {', '.join(TARGET_NODES)}"
            )
        if not isinstance(target, str) or target not in species:
            raise MtorsimError(
                f"node_map maps {node} to {target!r}, which is no species of the model"
                f"{hint(target, species)}"
            )
        out[node] = target
    return out


def _start_state(start: str) -> str:
    if start not in ("steady_state", "initial"):
        raise MtorsimError(f"start {start!r} is unknown; use 'steady_state' or 'initial'")
    return start


def _tidy_drugs(df: pd.DataFrame) -> pd.DataFrame:
    from mtorsim.pharmacology.treatment import tidy_drug_columns

    return tidy_drug_columns(df) if any("__" in c for c in df.columns) else df


def _default_network() -> Network:
    from mtorsim.network.default import default_network

    return default_network()
