"""Users' own drugs: a YAML or JSON record, validated, registered beside the library.

A file holds the same fields as a built-in :class:`~mtorsim.pharmacology.drug.Drug`
(mechanism, potency per site, PK, dose range, tolerability) and every number carries its
source, a citation or the word ``assumed``. The file is checked at the boundary with a
pydantic model, so that a typo or an impossible value is reported with the field, the
value and what is allowed, before anything is simulated; the model also publishes the
format as a JSON Schema (:func:`drug_schema`) for editors. A registered drug is found by
:func:`~mtorsim.pharmacology.catalogue.get_drug` and so works everywhere a built-in does.

Example file: ``src/mtorsim/data/drugs/example_torki.yaml`` (:func:`example_drug_file`).
"""

from __future__ import annotations

import difflib
import importlib.resources
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from mtorsim.errors import MtorsimError, RecordError, UnknownNameError, not_bool
from mtorsim.pharmacology import catalogue
from mtorsim.pharmacology.drug import MECHANISMS, SITES, Drug, PKModel, Potency
from mtorsim.pharmacology.regimen import SCHEDULES

__all__ = [
    "DrugFileError",
    "DrugSpec",
    "drug_from_dict",
    "drug_schema",
    "drug_to_dict",
    "example_drug_file",
    "library_clashes",
    "load_drug_file",
    "register_drug",
    "registered_drugs",
    "save_drug_file",
    "unregister_drug",
]

_NAME = r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$"  # drug_id() of it is a valid identifier
_PK_NUMBERS = (
    "F",
    "ka_per_h",
    "cl_L_h",
    "v1_L",
    "q_L_h",
    "v2_L",
    "fu_blood",
    "cv_cl",
    "cv_v",
    "infusion_h",
    "fraction_to_metabolite",
)


class DrugFileError(RecordError):
    """A drug record is invalid; ``problems`` lists one message per problem."""

    record = "drug record"


Num = Annotated[float, BeforeValidator(not_bool)]
Source = Annotated[
    str,
    Field(
        min_length=1,
        pattern=r"\S",
        description="a citation (author year, label) or the word 'assumed' with why",
    ),
]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class PotencySpec(_Record):
    """Affinity for one binding site."""

    site: Literal[tuple(SITES)] = Field(description="binding site")  # type: ignore[valid-type]
    kd_nM: Num = Field(gt=0, le=1e7, description="Kd or IC50 (nM)")
    source: Source


class PKSpec(_Record):
    """Population PK (typical values); defaults as in :class:`PKModel`."""

    route: Literal["oral", "iv", "im"]
    F: Num = Field(gt=0, le=1, description="bioavailability (fraction)")
    ka_per_h: Num = Field(gt=0, le=100, description="absorption rate constant (1/h)")
    cl_L_h: Num = Field(gt=0, le=1e4, description="clearance (L/h; CL/F if apparent)")
    v1_L: Num = Field(gt=0, le=1e6, description="central volume (L; V/F if apparent)")
    q_L_h: Num = Field(0.0, ge=0, le=1e5, description="inter-compartmental clearance (L/h)")
    v2_L: Num = Field(0.0, ge=0, le=1e6, description="peripheral volume (L)")
    fu_blood: Num = Field(0.05, gt=0, le=1, description="unbound fraction of blood conc.")
    cv_cl: Num = Field(0.3, ge=0, le=5, description="inter-individual CV of CL")
    cv_v: Num = Field(0.3, ge=0, le=5, description="inter-individual CV of V1")
    infusion_h: Num = Field(0.5, gt=0, le=168, description="IV infusion duration (h)")
    prodrug_of: str | None = Field(None, description="active metabolite (a known drug)")
    fraction_to_metabolite: Num = Field(0.0, ge=0, le=1, description="fraction of CL")
    apparent: bool = Field(True, description="CL and V are apparent (CL/F, V/F) values")
    source: Source | None = Field(None, description="source of every value without its own")
    sources: dict[Literal[_PK_NUMBERS], Source] = Field(  # type: ignore[valid-type]
        default_factory=dict, description="per-value sources, e.g. {cl_L_h: 'Kovarik 2001'}"
    )

    @model_validator(mode="after")
    def _consistent(self) -> PKSpec:
        problems = []  # one line each; reported as separate problems
        if (self.q_L_h > 0) != (self.v2_L > 0):
            problems.append(
                f"q_L_h = {self.q_L_h:g} and v2_L = {self.v2_L:g}: a 2-compartment model "
                "needs both > 0 (a 1-compartment model both 0)"
            )
        if self.fraction_to_metabolite > 0 and not self.prodrug_of:
            problems.append(
                f"fraction_to_metabolite = {self.fraction_to_metabolite:g} needs prodrug_of "
                "(the active metabolite formed)"
            )
        given = [n for n in _PK_NUMBERS if n in self.model_fields_set]
        unsourced = [n for n in given if n not in self.sources]
        if self.source is None and unsourced:
            problems.append(
                f"{', '.join(unsourced)} have no source; give pk.source (a citation or "
                "'assumed') or one per value in pk.sources"
            )
        if problems:
            raise ValueError("\n".join(problems))
        return self


class DrugSpec(_Record):
    """A drug record as written in a user's file (mirrors :class:`Drug`)."""

    name: str = Field(pattern=_NAME, max_length=40, description="lower-case generic name")
    drug_class: Literal[tuple(MECHANISMS)] = Field(  # type: ignore[valid-type]
        description="mechanism class"
    )
    potencies: list[PotencySpec] = Field(min_length=1, description="sites it binds")
    mw_g_mol: Num = Field(gt=30, le=2e5, description="molecular weight (g/mol)")
    pk: PKSpec | None = Field(None, description="clinical PK; omit for cell-only compounds")
    dose_range_mg: tuple[Num, Num] | None = Field(
        None, description="clinical range, mg/day averaged over the schedule (low, high)"
    )
    default_schedule: Literal[tuple(SCHEDULES)] = "daily"  # type: ignore[valid-type]
    mtd: str = Field(
        min_length=1, pattern=r"\S", description="tolerability: MTD / DLTs, with source"
    )
    aliases: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(default_factory=list)
    source: Source
    notes: str = Field("", max_length=10_000)

    @field_validator("potencies")
    @classmethod
    def _sites(cls, potencies: list[PotencySpec]) -> list[PotencySpec]:
        sites = [p.site for p in potencies]
        dup = sorted({s for s in sites if sites.count(s) > 1})
        if dup:
            raise ValueError(f"site(s) {', '.join(dup)} given twice; one potency per site")
        if "FRB" in sites and "FKBP12" not in sites:
            raise ValueError("an FRB binder needs an FKBP12 potency (its carrier)")
        return potencies

    @field_validator("dose_range_mg")
    @classmethod
    def _range(cls, rng: tuple[float, float] | None) -> tuple[float, float] | None:
        if rng is not None and not (0 < rng[0] <= rng[1] <= 1e5):
            raise ValueError("needs 0 < low <= high <= 100000 (mg/day)")
        return rng


# ----------------------------------------------------------------- error messages


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _allowed_keys(loc: tuple[int | str, ...]) -> list[str]:
    """Field names of the record at ``loc`` (the parent of an unknown key)."""
    model: type[BaseModel] = DrugSpec
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return []
        nxt = {"potencies": PotencySpec, "pk": PKSpec}.get(str(part))
        if nxt is None:
            return []
        model = nxt
    return list(model.model_fields)


def _choices(name: str) -> list[str]:
    return {
        "site": list(SITES),
        "drug_class": list(MECHANISMS),
        "route": ["oral", "iv", "im"],
        "default_schedule": list(SCHEDULES),
        "sources": list(_PK_NUMBERS),
    }.get(name, [])


def _hint(value: object, choices: list[str]) -> str:
    close = difflib.get_close_matches(str(value), choices, n=1, cutoff=0.5)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _problems(err: Mapping[str, Any]) -> list[str]:
    """A pydantic error as 'field = value: what is allowed' (a list: cross-checks give more)."""
    return _problem(err).split("\n")


def _shown(value: object) -> str:
    """A value as the message shows it: its repr, cut to 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}... ({len(text)} characters)"


def _problem(err: Mapping[str, Any]) -> str:
    loc = tuple(err["loc"])
    kind, value, ctx = err["type"], err.get("input"), err.get("ctx") or {}
    if loc and loc[-1] == "[key]":  # a bad key of a mapping (pk.sources)
        loc, value = loc[:-2], loc[-2]
        where = f"{_loc(loc)} key"
    else:
        where = _loc(loc)
    names = [p for p in loc if isinstance(p, str)]
    field = names[-1] if names else ""
    if kind == "extra_forbidden":
        keys = _allowed_keys(loc[:-1])
        return f"{where}: unknown key{_hint(loc[-1], keys)}; allowed keys: {', '.join(keys)}"
    if kind == "missing":
        return f"{where}: required field missing"
    if kind == "value_error":
        text = str(ctx.get("error", err["msg"]))
        records = isinstance(value, list) and any(isinstance(v, Mapping) for v in value)
        if isinstance(value, Mapping) or records:  # a record: the text names its fields
            return "\n".join(f"{where}: {line}" for line in text.split("\n"))
        return f"{where} = {_shown(value)}: {text}"
    shown = f"{where} = {_shown(value)}"
    if kind == "literal_error":
        choices = _choices(field)
        return f"{shown}: not allowed{_hint(value, choices)}; use one of {', '.join(choices)}"
    bounds = {
        "greater_than": "> {gt}",
        "greater_than_equal": ">= {ge}",
        "less_than": "< {lt}",
        "less_than_equal": "<= {le}",
    }
    if kind in bounds:
        bound = {k: f"{v:g}" if isinstance(v, float) else v for k, v in ctx.items()}
        return f"{shown}: must be {bounds[kind].format(**bound)}"
    plain = {
        "finite_number": "must be a finite number",
        "float_parsing": "must be a number",
        "float_type": "must be a number",
        "string_type": "must be a text string",
        "string_too_short": "must not be empty",
        "string_pattern_mismatch": (
            "must be lower-case letters and digits, words joined by '-' or '_'"
            if field == "name"
            else "must not be blank"
        ),
        "string_too_long": "is too long (at most {max_length} characters)",
        "bool_type": "must be true or false",
        "bool_parsing": "must be true or false",
        "list_type": "must be a list",
        "tuple_type": "must be a list [low, high]",
        "too_short": "needs at least {min_length} item(s)",
        "too_long": "needs at most {max_length} item(s)",
        "model_type": "must be a mapping of keys to values",
        "model_attributes_type": "must be a mapping of keys to values",
        "dict_type": "must be a mapping of keys to values",
    }
    if kind in plain:
        return f"{shown}: {plain[kind].format(**ctx)}"
    return f"{shown}: {err['msg']}"


# ----------------------------------------------------------------- records <-> drugs


def _validate(data: object, label: str) -> DrugSpec:
    if not isinstance(data, Mapping):
        raise DrugFileError(label, [f"the record must be a mapping, not {type(data).__name__}"])
    data = {k: v for k, v in data.items() if k != "$schema"}  # editors' schema pointer
    try:
        spec = DrugSpec.model_validate(data)
    except ValidationError as exc:
        raise DrugFileError(label, [p for e in exc.errors() for p in _problems(e)]) from None
    if spec.pk is not None and spec.pk.prodrug_of is not None:
        try:
            met = catalogue.get_drug(spec.pk.prodrug_of)
        except UnknownNameError as exc:
            raise DrugFileError(label, [f"pk.prodrug_of: {exc}"]) from None
        if met.name == spec.name:
            raise DrugFileError(label, ["pk.prodrug_of: a drug cannot be its own metabolite"])
        if met.pk is None:
            raise DrugFileError(label, [f"pk.prodrug_of: {met.name} has no clinical PK"])
    return spec


def _pk_source(pk: PKSpec) -> str:
    """One source string for :class:`PKModel`: the block's, per-value ones, defaults."""
    parts = [pk.source] if pk.source else []
    parts += [f"{name}: {src}" for name, src in pk.sources.items()]
    assumed = ("fu_blood", "cv_cl", "cv_v", *(("infusion_h",) if pk.route == "iv" else ()))
    defaults = [f"{n} {getattr(pk, n):g}" for n in assumed if n not in pk.model_fields_set]
    if defaults:
        parts.append("library defaults (assumed): " + ", ".join(defaults))
    return "; ".join(parts)


def _to_drug(spec: DrugSpec, label: str) -> Drug:
    pk = None
    if spec.pk is not None:
        p = spec.pk
        pk = PKModel(
            p.route,
            F=p.F,
            ka_per_h=p.ka_per_h,
            cl_L_h=p.cl_L_h,
            v1_L=p.v1_L,
            q_L_h=p.q_L_h,
            v2_L=p.v2_L,
            fu_blood=p.fu_blood,
            cv_cl=p.cv_cl,
            cv_v=p.cv_v,
            infusion_h=p.infusion_h,
            prodrug_of=catalogue.get_drug(p.prodrug_of).name if p.prodrug_of else None,
            fraction_to_metabolite=p.fraction_to_metabolite,
            apparent=p.apparent,
            source=_pk_source(p),
        )
    try:
        return Drug(
            spec.name,
            spec.drug_class,
            tuple(Potency(q.site, q.kd_nM, q.source) for q in spec.potencies),
            spec.mw_g_mol,
            pk,
            dose_range_mg=spec.dose_range_mg,
            default_schedule=spec.default_schedule,
            mtd=spec.mtd,
            aliases=tuple(spec.aliases),
            source=spec.source,
            notes=spec.notes,
        )
    except MtorsimError as exc:  # the dataclass checks are a subset of the model's
        raise DrugFileError(label, [str(exc)]) from None


def drug_from_dict(data: Mapping[str, Any] | object, *, label: str = "<mapping>") -> Drug:
    """Validate a drug record (a parsed file) and build the :class:`Drug`; not registered."""
    return _to_drug(_validate(data, label), label)


def drug_to_dict(drug: Drug | str) -> dict[str, Any]:
    """A drug as a record for a file (every field written, so nothing falls to defaults)."""
    d = catalogue.get_drug(drug) if isinstance(drug, str) else drug
    out: dict[str, Any] = {
        "name": d.name,
        "drug_class": d.drug_class,
        "potencies": [{"site": p.site, "kd_nM": p.kd_nM, "source": p.source} for p in d.potencies],
        "mw_g_mol": d.mw_g_mol,
    }
    if d.pk is not None:
        pk: dict[str, Any] = {"route": d.pk.route}
        pk.update({n: float(getattr(d.pk, n)) for n in _PK_NUMBERS})
        if d.pk.prodrug_of:
            pk["prodrug_of"] = d.pk.prodrug_of
        pk["apparent"] = d.pk.apparent
        pk["source"] = d.pk.source
        out["pk"] = pk
    if d.dose_range_mg is not None:
        out["dose_range_mg"] = [float(x) for x in d.dose_range_mg]
    out.update(default_schedule=d.default_schedule, mtd=d.mtd, aliases=list(d.aliases))
    out.update(source=d.source, notes=d.notes)
    return out


def drug_schema() -> dict[str, Any]:
    """JSON Schema of a drug file (from the pydantic model), for editors and validators."""
    schema = DrugSpec.model_json_schema()
    schema["title"] = "mtorsim drug record"
    schema["properties"]["$schema"] = {"type": "string", "description": "schema pointer"}
    return schema


# ----------------------------------------------------------------- files


def _read(path: Path) -> object:
    if path.is_dir():
        raise MtorsimError(f"{path}: is a folder; give a drug file (.yaml/.json)")
    if not path.is_file():
        raise MtorsimError(f"{path}: drug file not found")
    suffix = path.suffix.lower()
    if suffix not in (".yaml", ".yml", ".json"):
        raise MtorsimError(f"{path}: unknown drug file type {suffix!r}; use .yaml, .yml or .json")
    from mtorsim.io import decode_text, read_yaml

    if suffix != ".json":
        return read_yaml(path, "drug file")
    text = decode_text(path, path.read_bytes(), "JSON drug file")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise MtorsimError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    except RecursionError:
        raise MtorsimError(f"{path}: nested too deeply; not a drug file") from None


def load_drug_file(path: str | Path) -> Drug:
    """Read and validate a YAML/JSON drug file; the drug is returned, not registered."""
    p = Path(path)
    return drug_from_dict(_read(p), label=str(p))


def save_drug_file(drug: Drug | str, path: str | Path) -> Path:
    """Write a drug record to YAML or JSON (by extension), to edit or share it."""
    p = Path(path)
    record = drug_to_dict(drug)
    if p.suffix.lower() == ".json":
        p.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    elif p.suffix.lower() in (".yaml", ".yml"):
        p.write_text(yaml.safe_dump(record, sort_keys=False, allow_unicode=True), "utf-8")
    else:
        raise MtorsimError(f"{p}: unknown drug file type; use .yaml, .yml or .json")
    return p


def example_drug_file() -> Path:
    """The shipped worked example (a hypothetical ATP-site mTOR inhibitor)."""
    return Path(str(importlib.resources.files("mtorsim.data") / "drugs" / "example_torki.yaml"))


# ----------------------------------------------------------------- registry


def _owner(key: str) -> str | None:
    """Which drug a name or alias already denotes (users' first), if any."""
    key = key.lower()
    for names, aliases in (
        (catalogue.USER_DRUGS, catalogue.USER_ALIASES),
        (catalogue.DRUGS, catalogue._ALIASES),
    ):
        if key in names:
            return key
        if key in aliases:
            return aliases[key]
    return None


def library_clashes(drug: Drug) -> list[str]:
    """Names or aliases of ``drug`` that a built-in drug already uses: a file that shadows
    the library must say so (``--replace-drug``), not silently change a run's drug."""
    out = []
    for key in (drug.name, *drug.aliases):
        k = key.lower()
        owner = k if k in catalogue.DRUGS else catalogue._ALIASES.get(k)
        if owner is not None:
            out.append(f"{key!r} already names the built-in drug {owner!r}")
    return out


def _clear_compiled() -> None:
    """Compiled networks are memoised by drug names; a replaced record must not reuse them."""
    from mtorsim.pharmacology import treatment

    treatment._compiled.cache_clear()


def register_drug(source: str | Path | Mapping[str, Any] | Drug, *, replace: bool = False) -> Drug:
    """Register a user's drug (a file path, a parsed record or a :class:`Drug`).

    The drug is then found by ``get_drug`` (name and aliases, case-insensitive) and works
    in ``with_drugs``, the model object's runs, ``dose_response`` and the
    PK functions. A name or alias already in use (built-in or registered) is an error
    unless ``replace=True``; registering an identical record again is a no-op.
    """
    if isinstance(source, Drug):
        drug, label = source, f"drug {source.name!r}"
    elif isinstance(source, Mapping):
        label = "<mapping>"
        drug = drug_from_dict(source, label=label)
    else:
        label = str(source)
        drug = load_drug_file(source)
    if catalogue.USER_DRUGS.get(drug.name) == drug:
        return drug
    ident = drug.name.replace("-", "_")
    clashes = []
    for key in (drug.name, *drug.aliases):
        owner = _owner(key)
        if owner is not None and owner != drug.name:
            clashes.append(f"{key!r} already names {owner!r}")
    for other in (*catalogue.DRUGS, *catalogue.USER_DRUGS):
        if other != drug.name and other.replace("-", "_") == ident:
            clashes.append(f"name {drug.name!r} has the same identifier as {other!r}")
    if clashes:
        raise MtorsimError(f"{label}: {'; '.join(clashes)}; choose another name or alias")
    if not replace and _owner(drug.name) is not None:
        kind = "a built-in" if drug.name in catalogue.DRUGS else "a registered"
        raise MtorsimError(
            f"{label}: name {drug.name!r} is {kind} drug; choose another name, or pass "
            "replace=True to use this record instead"
        )
    old = catalogue.USER_DRUGS.get(drug.name)
    if old is not None:
        _drop(old)
    catalogue.USER_DRUGS[drug.name] = drug
    for alias in drug.aliases:
        catalogue.USER_ALIASES[alias.lower()] = drug.name
    if old is not None or drug.name in catalogue.DRUGS:
        _clear_compiled()
    return drug


def _drop(drug: Drug) -> None:
    catalogue.USER_DRUGS.pop(drug.name, None)
    for alias in drug.aliases:
        if catalogue.USER_ALIASES.get(alias.lower()) == drug.name:
            del catalogue.USER_ALIASES[alias.lower()]


def unregister_drug(name: str) -> None:
    """Remove a registered drug (a replaced built-in comes back)."""
    key = name.strip().lower()
    key = catalogue.USER_ALIASES.get(key, key)
    drug = catalogue.USER_DRUGS.get(key)
    if drug is None:
        raise UnknownNameError("registered drug", name, list(catalogue.USER_DRUGS))
    _drop(drug)
    _clear_compiled()


def registered_drugs() -> dict[str, Drug]:
    """Users' registered drugs by name (a copy)."""
    return dict(catalogue.USER_DRUGS)
