"""PEtab v1 in and out: read, check and lint a problem; write one back.

Our own checks run first because they can name the table, row and column of a mistake
(PEtab's linter logs problems without rows); ``petab``'s linter then runs on what passed.
Rows are counted as data rows from 1 (row 1 is the file's line 2, under the header).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from math import inf
from pathlib import Path
from tokenize import TokenError
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mtorsim.errors import MtorsimError
from mtorsim.io import atomic_folder, check_dataset_folder, read_yaml

if TYPE_CHECKING:
    from mtorsim.calibration.problem import CalibrationProblem

__all__ = ["PEtabError", "check_measurements", "lint", "read_petab", "write_petab"]

REQUIRED = {
    "condition": ["conditionId"],
    "measurement": ["observableId", "simulationConditionId", "measurement", "time"],
    "observable": ["observableId", "observableFormula", "noiseFormula"],
    "parameter": [
        "parameterId",
        "parameterScale",
        "lowerBound",
        "upperBound",
        "nominalValue",
        "estimate",
    ],
}
_FILE_KEYS = {
    "condition": "condition_files",
    "measurement": "measurement_files",
    "observable": "observable_files",
}
_PLACEHOLDER = re.compile(r"^(observableParameter|noiseParameter)\d+_")


class PEtabError(MtorsimError):
    """A PEtab problem is missing, malformed or inconsistent; names table, row and column."""


def _where(table: str, path: Any, row: int | None = None, column: str | None = None) -> str:
    out = f"{table} table {Path(str(path)).name}"
    if row is not None:
        out += f" row {row}"
    if column is not None:
        out += f", column {column!r}"
    return out


def _read_table(path: Path, table: str) -> pd.DataFrame:
    if not path.is_file():
        raise PEtabError(f"{table} table {path}: file not found")
    try:
        df = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    except pd.errors.ParserError as exc:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if m:
            n_head, line, saw = m.groups()
            raise PEtabError(
                f"{_where(table, path, int(line) - 1)}: {saw} tab-separated fields, the header"
                f" has {n_head}"
            ) from None
        raise PEtabError(f"{table} table {path.name}: not a tab-separated table ({exc})") from None
    except (UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise PEtabError(f"{table} table {path.name}: cannot be read ({exc})") from None
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in REQUIRED[table] if c not in df.columns]
    if missing and len(df.columns) == 1 and "," in df.columns[0]:
        raise PEtabError(
            f"{table} table {path.name}: looks comma-separated, but PEtab tables are "
            "tab-separated; save it with tabs between the columns"
        )
    if missing:
        raise PEtabError(
            f"{table} table {path.name}: missing column {missing[0]!r} (PEtab v1 requires"
            f" {', '.join(REQUIRED[table])}; this file has {', '.join(df.columns) or 'none'})"
        )
    df.attrs["path"] = str(path)
    return df


def _number(table: str, path: Any, row: int, column: str, text: str) -> float:
    try:
        value = float(str(text).strip())
    except ValueError:
        raise PEtabError(f"{_where(table, path, row, column)}: {text!r} is not a number") from None
    if not np.isfinite(value):
        raise PEtabError(f"{_where(table, path, row, column)}: {text!r}; give a finite number")
    return value


def _check_parameters(df: pd.DataFrame) -> pd.DataFrame:
    path = df.attrs.get("path", "parameters.tsv")
    out = df.copy()
    seen: dict[str, int] = {}
    for i, rec in enumerate(df.to_dict("records"), start=1):
        pid = rec["parameterId"].strip()
        if not re.fullmatch(r"[A-Za-z_]\w*", pid):
            raise PEtabError(f"{_where('parameter', path, i, 'parameterId')}: {pid!r} is no id")
        if pid in seen:
            raise PEtabError(
                f"{_where('parameter', path, i, 'parameterId')}: {pid!r} repeats row {seen[pid]}"
            )
        seen[pid] = i
        scale = rec["parameterScale"].strip()
        if scale not in ("lin", "log", "log10"):
            raise PEtabError(
                f"{_where('parameter', path, i, 'parameterScale')}: {scale!r}; use lin, log "
                f"or log10"
            )
        lo = _number("parameter", path, i, "lowerBound", rec["lowerBound"])
        hi = _number("parameter", path, i, "upperBound", rec["upperBound"])
        nominal = _number("parameter", path, i, "nominalValue", rec["nominalValue"])
        if rec["estimate"].strip() not in ("0", "1"):
            raise PEtabError(
                f"{_where('parameter', path, i, 'estimate')}: {rec['estimate']!r}; use 0 or 1"
            )
        if lo > hi:
            raise PEtabError(
                f"{_where('parameter', path, i, 'lowerBound')}: lower bound {lo:g} of {pid!r}"
                f" is above its upper bound {hi:g}"
            )
        if scale != "lin" and lo <= 0 and rec["estimate"].strip() == "1":
            raise PEtabError(
                f"{_where('parameter', path, i, 'lowerBound')}: {pid!r} is on {scale} scale,"
                f" so its lower bound must be > 0 (it is {lo:g})"
            )
        if rec["estimate"].strip() == "1" and not lo <= nominal <= hi:
            raise PEtabError(
                f"{_where('parameter', path, i, 'nominalValue')}: {nominal:g} of {pid!r} is"
                f" outside its bounds [{lo:g}, {hi:g}]; move it inside or widen the bounds"
            )
        out.loc[i - 1, ["lowerBound", "upperBound", "nominalValue"]] = [lo, hi, nominal]
    out["parameterId"] = out["parameterId"].str.strip()
    out["parameterScale"] = out["parameterScale"].str.strip()
    for col in ("lowerBound", "upperBound", "nominalValue"):
        out[col] = out[col].astype(float)
    out["estimate"] = out["estimate"].astype(int)
    return out.set_index("parameterId")


def check_measurements(
    df: pd.DataFrame,
    conditions: pd.DataFrame,
    observables: pd.DataFrame,
    parameters: pd.DataFrame,
    table: str = "measurement",
) -> pd.DataFrame:
    """Numbers, known observables/conditions/parameters in a measurement table."""
    from mtorsim.calibration.problem import split_overrides

    path = df.attrs.get("path", "measurements.tsv")
    missing = [c for c in REQUIRED["measurement"] if c not in df.columns]
    if missing:
        raise PEtabError(
            f"{table} table {Path(str(path)).name}: missing column(s) {', '.join(missing)} "
            f"(a PEtab measurement table has {', '.join(REQUIRED['measurement'])}; this file "
            f"has {', '.join(map(str, df.columns)) or 'none'})"
        )
    out = df.copy()
    if len(df) == 0:
        raise PEtabError(f"{table} table {Path(str(path)).name}: no measurements")
    for i, rec in enumerate(df.to_dict("records"), start=1):
        for col in ("measurement", "time"):
            text = rec[col]
            if str(text).strip().lower() in ("nan", "", "na", "null"):
                raise PEtabError(
                    f"{_where(table, path, i, col)}: no value ({str(text)!r}); give a finite "
                    f"number or drop the row"
                )
            value = _number(table, path, i, col, text)
            if col == "time" and value < 0:
                raise PEtabError(f"{_where(table, path, i, col)}: time {value:g} is negative")
            out.loc[out.index[i - 1], col] = value
        if str(rec["observableId"]).strip() not in observables.index:
            raise PEtabError(
                f"{_where(table, path, i, 'observableId')}: unknown observable "
                f"{rec['observableId']!r} (observable table has {', '.join(observables.index)})"
            )
        if str(rec["simulationConditionId"]).strip() not in conditions.index:
            raise PEtabError(
                f"{_where(table, path, i, 'simulationConditionId')}: unknown condition "
                f"{rec['simulationConditionId']!r}"
            )
        pre = str(rec.get("preequilibrationConditionId", "") or "").strip()
        if pre and pre.lower() != "nan" and pre not in conditions.index:
            raise PEtabError(
                f"{_where(table, path, i, 'preequilibrationConditionId')}: unknown condition"
                f" {pre!r}"
            )
        for col in ("observableParameters", "noiseParameters"):
            for item in split_overrides(rec.get(col, "")):
                if isinstance(item, str) and item not in parameters.index:
                    raise PEtabError(
                        f"{_where(table, path, i, col)}: unknown parameter id {item!r}; add it"
                        f" to the parameter table"
                    )
                if col == "noiseParameters" and not isinstance(item, str) and not 0 < item < inf:
                    raise PEtabError(
                        f"{_where(table, path, i, col)}: noise sigma {item:g} must be finite "
                        "and > 0 (a standard deviation of the measurement)"
                    )
    for col in ("observableId", "simulationConditionId"):
        out[col] = out[col].astype(str).str.strip()
    if "preequilibrationConditionId" in out:
        pre = out["preequilibrationConditionId"].astype(str).str.strip()
        out["preequilibrationConditionId"] = pre.where(pre.str.lower() != "nan", "")
    out["measurement"] = out["measurement"].astype(float)
    out["time"] = out["time"].astype(float)
    return out.reset_index(drop=True)


def _check_conditions(df: pd.DataFrame, model_names: set[str], params: pd.DataFrame) -> Any:
    path = df.attrs.get("path", "conditions.tsv")
    for col in df.columns:
        if col in ("conditionId", "conditionName"):
            continue
        if col not in model_names:
            raise PEtabError(
                f"{_where('condition', path, None, col)}: {col!r} is neither a parameter nor a"
                f" species of the model"
            )
    out = df.copy().astype(object)
    for i, rec in enumerate(df.to_dict("records"), start=1):
        for col, text in rec.items():
            if col in ("conditionId", "conditionName"):
                continue
            text = str(text).strip()
            if text == "" or text.lower() == "nan":
                out.loc[i - 1, col] = np.nan
                continue
            try:
                out.loc[i - 1, col] = _number("condition", path, i, col, text)
            except PEtabError:
                if text not in params.index:
                    raise PEtabError(
                        f"{_where('condition', path, i, col)}: {text!r} is neither a number nor"
                        f" a parameter id of the parameter table"
                    ) from None
                out.loc[i - 1, col] = text
    out["conditionId"] = out["conditionId"].astype(str).str.strip()
    dup = out["conditionId"].duplicated()
    if dup.any():
        row = int(np.flatnonzero(dup)[0]) + 1
        raise PEtabError(f"{_where('condition', path, row, 'conditionId')}: repeated id")
    return out.set_index("conditionId")


#: A PEtab formula is a short expression; longer text or huge constant powers are refused
#: before sympy, which would evaluate ``10**10**10`` exactly (and never finish).
_MAX_FORMULA = 4000
_MAX_EXPONENT = 1000


def _formula_problem(text: str) -> str | None:
    """Why ``text`` is refused before sympy sees it (too long, a huge constant power)."""
    import ast

    if len(text) > _MAX_FORMULA:
        return f"{len(text):,} characters; a formula is at most {_MAX_FORMULA:,}"
    try:
        tree = ast.parse(text.replace("^", "**").strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None  # sympy reports the syntax error
    for node in ast.walk(tree):
        if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow)):
            continue
        exp = node.right
        names = any(isinstance(n, ast.Name) for n in ast.walk(exp))
        nested = any(isinstance(n, ast.BinOp) and isinstance(n.op, ast.Pow) for n in ast.walk(exp))
        value = exp.value if isinstance(exp, ast.Constant) else None
        big = isinstance(value, int | float) and abs(value) > _MAX_EXPONENT
        if big or (nested and not names):
            return f"constant power {ast.unparse(node)[:60]} is too large (exponent above 1000)"
    return None


def _parse_problem(exc: Exception) -> str:
    """What sympy's error says, without its wrapper text ("Sympify of expression ...")."""
    inner = getattr(exc, "base_exc", None) or exc
    text = str(inner).strip().splitlines()[0] if str(inner).strip() else ""
    if isinstance(inner, SyntaxError | TokenError) or "Sympify of expression" in text:
        return "check the brackets and operators"
    return text or type(inner).__name__


def _check_observables(df: pd.DataFrame, known: set[str]) -> pd.DataFrame:
    from mtorsim.calibration.problem import parse_formula

    path = df.attrs.get("path", "observables.tsv")
    for i, rec in enumerate(df.to_dict("records"), start=1):
        obs = rec["observableId"].strip()
        for col in ("observableFormula", "noiseFormula"):
            why = _formula_problem(str(rec[col]))
            if why:
                raise PEtabError(f"{_where('observable', path, i, col)}: {why}; simplify it")
            try:
                expr = parse_formula(str(rec[col]))
            except Exception as exc:  # sympy raises many kinds on bad text
                raise PEtabError(
                    f"{_where('observable', path, i, col)}: cannot parse {rec[col]!r} as "
                    f"PEtab math ({_parse_problem(exc)})"
                ) from None
            for sym in sorted(s.name for s in expr.free_symbols):
                if sym in known or (_PLACEHOLDER.match(sym) and sym.endswith(f"_{obs}")):
                    continue
                raise PEtabError(
                    f"{_where('observable', path, i, col)}: unknown parameter id {sym!r} (not"
                    f" in the model or the parameter table)"
                )
            if col == "noiseFormula" and expr.is_number and not 0 < float(expr) < inf:
                raise PEtabError(
                    f"{_where('observable', path, i, col)}: noise sigma {float(expr):g} must "
                    "be finite and > 0 (a standard deviation of the measurement)"
                )
        for col, allowed in (("observableTransformation", "lin"), ("noiseDistribution", "normal")):
            value = str(rec.get(col, "") or "").strip()
            if value and value != allowed:
                raise PEtabError(
                    f"{_where('observable', path, i, col)}: {value!r} is not supported yet "
                    f"(only {allowed})"
                )
    out = df.copy()
    out["observableId"] = out["observableId"].str.strip()
    return out.set_index("observableId")


def lint(petab_problem: Any) -> None:
    """Run petab's linter; raise with its first error message if it finds any."""
    import petab.v1 as petab

    records: list[logging.LogRecord] = []

    class _Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = logging.getLogger("petab")
    handler = _Keep(level=logging.ERROR)
    logger.addHandler(handler)
    try:
        failed = petab.lint_problem(petab_problem)
    finally:
        logger.removeHandler(handler)
    if failed:
        first = next((r.getMessage() for r in records), "see petab's log")
        # petab prints the offending row as a pandas Series over several lines: one line
        lines = [" ".join(ln.split()) for ln in first.splitlines()]
        text = "; ".join(ln for ln in lines if ln and not ln.startswith("Name:"))
        raise PEtabError(f"PEtab linter: {text.replace('in:;', 'in:')}")


def read_petab(path: str | os.PathLike[str], *, run_lint: bool = True) -> CalibrationProblem:
    """A PEtab v1 problem (YAML) as a checked, linted :class:`CalibrationProblem`."""
    import mtorsim
    from mtorsim.calibration.problem import CalibrationProblem

    path = Path(path)
    if not path.is_file():
        raise PEtabError(f"PEtab problem {path}: file not found")
    try:
        spec = read_yaml(path, "PEtab problem")
    except MtorsimError as exc:
        raise PEtabError(f"PEtab problem {exc}") from None
    if not isinstance(spec, dict) or str(spec.get("format_version", "")) not in ("1", "1.0.0"):
        raise PEtabError(f"PEtab problem {path.name}: give format_version: 1 (PEtab v1)")
    problems = spec.get("problems") or []
    if len(problems) != 1 or not isinstance(problems[0], dict):
        raise PEtabError(f"PEtab problem {path.name}: give exactly one entry under problems")
    sub, base = problems[0], path.parent

    def files(key: str) -> list[Path]:
        names = sub.get(key) or []
        if not names:
            raise PEtabError(f"PEtab problem {path.name}: {key} is empty")
        return [base / n for n in names]

    sbml_files = files("sbml_files")
    if len(sbml_files) != 1:
        raise PEtabError(f"PEtab problem {path.name}: give one SBML file")
    if not sbml_files[0].is_file():
        raise PEtabError(f"SBML model {sbml_files[0]}: file not found (named in {path.name})")
    raw = {"parameter": [_read_table(base / str(spec.get("parameter_file", "")), "parameter")]}
    for table, key in _FILE_KEYS.items():
        raw[table] = [_read_table(p, table) for p in files(key)]
    for table in ("condition", "observable", "parameter"):
        if len(raw[table]) != 1:
            raise PEtabError(f"PEtab problem {path.name}: give one {table} file")
    model = mtorsim.load(sbml_files[0])
    params = _check_parameters(raw["parameter"][0])
    species = {s.name for s in model.network.species}
    model_names = set(model.network.parameter_names) | species
    obs_names = set(model.network.observable_names)
    conditions = _check_conditions(raw["condition"][0], model_names, params)
    observables = _check_observables(
        raw["observable"][0], model_names | obs_names | set(params.index)
    )
    meas = [check_measurements(m, conditions, observables, params) for m in raw["measurement"]]
    measurements = pd.concat(meas, ignore_index=True)
    _check_parameter_ids(params, model_names, observables, measurements, conditions)
    problem = CalibrationProblem(
        model=model,
        sbml_path=sbml_files[0],
        conditions=conditions,
        measurements=measurements,
        observables=observables,
        parameters=params,
        name=path.stem,
        source=str(path),
        initial_assignments=_initial_assignments(sbml_files[0]),
    )
    if run_lint:
        import petab.v1 as petab

        try:
            lint(petab.Problem.from_yaml(str(path)))
        except PEtabError:
            raise
        except Exception as exc:  # petab raises assorted errors on odd input
            raise PEtabError(f"PEtab problem {path.name}: petab cannot load it ({exc})") from None
    return problem


def _check_parameter_ids(
    params: pd.DataFrame,
    model_names: set[str],
    observables: pd.DataFrame,
    measurements: pd.DataFrame,
    conditions: pd.DataFrame,
) -> None:
    """Every parameter-table id must be used: by the model, a formula, or an override."""
    from mtorsim.calibration.problem import _IDENT

    used = set(model_names)
    for col in ("observableFormula", "noiseFormula"):
        for text in observables[col]:
            used.update(_IDENT.findall(str(text)))
    for col in ("observableParameters", "noiseParameters"):
        if col in measurements:
            for text in measurements[col]:
                used.update(_IDENT.findall(str(text)))
    for col in conditions.columns:
        used.update(v for v in conditions[col] if isinstance(v, str))
    path = params.attrs.get("path", "parameters.tsv")
    for i, pid in enumerate(params.index, start=1):
        if pid not in used:
            raise PEtabError(
                f"{_where('parameter', path, i, 'parameterId')}: unknown parameter id {pid!r}"
                f" (not in the model, a formula or an override)"
            )


def _initial_assignments(sbml_path: Path) -> dict[str, str]:
    """Species initial assignments as formulas (re-evaluated per parameter set)."""
    import libsbml

    doc = libsbml.readSBMLFromFile(str(sbml_path))
    model = doc.getModel()
    out: dict[str, str] = {}
    if model is None:
        return out
    species = {s.getId() for s in model.getListOfSpecies()}
    for ia in model.getListOfInitialAssignments():
        if ia.getSymbol() in species and ia.getMath() is not None:
            out[ia.getSymbol()] = libsbml.formulaToL3String(ia.getMath())
    return out


def write_petab(
    problem: CalibrationProblem,
    folder: str | os.PathLike[str],
    *,
    theta: np.ndarray | None = None,
    run_lint: bool = True,
) -> Path:
    """Write ``problem`` (nominal values from ``theta`` if given) as a PEtab v1 folder.

    The folder is built beside its target and renamed into place, so it appears whole or
    not at all; the written problem is linted. Returns the YAML path.
    """
    import yaml

    if theta is not None:
        problem = problem.with_nominal(theta)
    target = Path(folder)
    sbml_name = Path(problem.sbml_path).name
    yaml_name = f"{problem.name}.yaml"
    written = (sbml_name, "conditions.tsv", "measurements.tsv", "observables.tsv")
    # the folder is replaced whole: only one that is missing or holds nothing else
    check_dataset_folder(target, (*written, "parameters.tsv", yaml_name), what="PEtab problem")
    with atomic_folder(target) as tmp:
        shutil.copyfile(problem.sbml_path, tmp / sbml_name)
        problem.conditions.reset_index().to_csv(tmp / "conditions.tsv", sep="\t", index=False)
        meas = problem.measurements.drop(
            columns=[c for c in ("simulation", "sigma", "residual") if c in problem.measurements]
        )
        meas.to_csv(tmp / "measurements.tsv", sep="\t", index=False)
        problem.observables.reset_index().to_csv(tmp / "observables.tsv", sep="\t", index=False)
        params = problem.parameters.reset_index()
        params.to_csv(tmp / "parameters.tsv", sep="\t", index=False, float_format="%.17g")
        spec = {
            "format_version": 1,
            "parameter_file": "parameters.tsv",
            "problems": [
                {
                    "sbml_files": [sbml_name],
                    "condition_files": ["conditions.tsv"],
                    "measurement_files": ["measurements.tsv"],
                    "observable_files": ["observables.tsv"],
                }
            ],
        }
        (tmp / yaml_name).write_text(yaml.safe_dump(spec, sort_keys=False))
        if run_lint:
            import petab.v1 as petab

            lint(petab.Problem.from_yaml(str(tmp / yaml_name)))
    return target / yaml_name
