"""The typed boundary of a trial design: JSON/YAML text -> validated fields, or one error
that lists every problem (field, value, what is allowed).

A design file is user input, so it is parsed here before any :class:`TrialDesign` is
built: nesting depth is bounded before the parser runs (no RecursionError), unknown keys
are errors with a "did you mean", numbers are never booleans, drugs must be known and have
clinical PK (a trial doses patients), cancer-type codes are matched case-insensitively. The
same pydantic model publishes the JSON Schema (:func:`design_schema`), so editors and this
check agree. Cross-field rules (accrual before the end of follow-up, one allocation ratio
per arm) stay in :class:`TrialDesign` itself, so designs built in code are checked too.
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
    model_validator,
)

from mtorsim.errors import MtorsimError, RecordError, not_bool

__all__ = [
    "MAX_DEPTH",
    "ArmSpec",
    "DesignError",
    "DesignSpec",
    "check_depth",
    "design_schema",
    "parse_design_text",
    "validate_design",
]

ENDPOINTS = ("PFS", "OS", "TTP", "ORR", "volume_response")
#: Deepest nesting a design can need is 4 (design > crossover > arm > drug); 32 is generous
#: and far below the parsers' recursion limits.
MAX_DEPTH = 32
#: A design file is a few kB; anything this large is not a design.
MAX_BYTES = 1_000_000


class DesignError(RecordError):
    """A design is invalid; ``problems`` lists one message per problem."""

    record = "trial design"


# ----------------------------------------------------------------- field types


def _finite(v: float) -> float:
    if math.isnan(v) or math.isinf(v):
        raise ValueError("must be a finite number")
    return v


Num = Annotated[float, BeforeValidator(not_bool), AfterValidator(_finite)]
Positive = Annotated[Num, Field(gt=0)]
NonNegative = Annotated[Num, Field(ge=0)]
Text = Annotated[StrictStr, Field(max_length=10_000)]
Name = Annotated[StrictStr, Field(min_length=1, max_length=200, pattern=r"\S")]


@cache
def _cancer_types() -> dict[str, str]:
    from mtorsim.trials.population import cancer_types

    return {k.lower(): k for k in cancer_types()}


@cache
def _genes() -> frozenset[str]:
    from mtorsim.genomics.knowledge import knowledge_base

    return frozenset(knowledge_base().gene)


def _drugs(value: dict[str, float]) -> dict[str, float]:
    """Known drugs with clinical PK, by their canonical names."""
    from mtorsim.pharmacology.catalogue import get_drug

    out: dict[str, float] = {}
    for name, dose in value.items():
        drug = get_drug(name)  # UnknownNameError: turned into a ValueError below
        if drug.pk is None:
            raise ValueError(
                f"{drug.name} has no clinical PK (cells only); a trial arm needs a drug "
                "with PK (see 'mtorsim drugs list', or give one with a pk block)"
            )
        if drug.name in out:  # caught here, before the names are merged into one key
            from mtorsim.trials.design import given_twice

            raise ValueError(given_twice(name, drug.name, out[drug.name]))
        out[drug.name] = dose
    return out


def _checked_drugs(value: dict[str, float]) -> dict[str, float]:
    try:
        return _drugs(value)
    except MtorsimError as exc:  # unknown drug: the message suggests close names
        raise ValueError(str(exc)) from None


def _endpoint(v: Any) -> Any:
    """Endpoints match whatever the case (``pfs`` is PFS)."""
    by_lower = {e.lower(): e for e in ENDPOINTS}
    return by_lower.get(v.lower(), v) if isinstance(v, str) else v


Endpoint = Annotated[Literal[ENDPOINTS], BeforeValidator(_endpoint)]  # type: ignore[valid-type]
Drugs = Annotated[dict[Name, Positive], AfterValidator(_checked_drugs)]


def _schedule(v: str) -> str:
    """Repeating schedules, whatever the case (``BID`` is bid)."""
    from mtorsim.pharmacology.exposure import schedule_name

    try:
        return schedule_name("everolimus", v)  # the drug only picks a default, unused here
    except MtorsimError as exc:
        raise ValueError(str(exc)) from None


Schedule = Annotated[StrictStr, AfterValidator(_schedule)]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class ArmSpec(_Record):
    """One arm: drugs given together at a daily-average dose (mg/day); ``{}`` is placebo."""

    name: Name = Field(description="arm label, unique within the trial")
    drugs: Drugs = Field(default_factory=dict, description="drug name -> mg/day")
    schedules: dict[Name, Schedule] = Field(
        default_factory=dict,
        description="drug name -> schedule where not the drug's usual one (e.g. bid2on5off);"
        " the dose stays mg/day averaged over the schedule's cycle",
    )

    @model_validator(mode="after")
    def _scheduled_drugs_are_given(self) -> ArmSpec:
        from mtorsim.pharmacology.catalogue import get_drug

        for name in self.schedules:
            try:
                drug = get_drug(name).name
            except MtorsimError as exc:
                raise ValueError(str(exc)) from None
            if drug not in self.drugs:
                raise ValueError(
                    f"schedules.{name}: the arm does not give {drug}; add it to drugs or "
                    "drop its schedule"
                )
        return self


class DesignSpec(_Record):
    """A trial design file (the same fields as :class:`mtorsim.trials.TrialDesign`)."""

    name: Name = Field(description="trial name")
    cancer_type: StrictStr = Field(description="cancer-type code, e.g. RCC (any case)")
    arms: list[ArmSpec] = Field(
        min_length=1, max_length=20, description="experimental arm(s) first (at most 20)"
    )
    n_patients: StrictInt = Field(
        ge=1, le=2**63 - 1, description="patients enrolled (a whole number)"
    )
    follow_up_months: Annotated[Positive, Field(le=1200)] = 24.0
    allocation: list[Positive] = Field(default_factory=list, description="ratio per arm")
    accrual_months: Annotated[NonNegative, Field(le=1200)] = 12.0
    assessment_weeks: Positive = 8.0
    confirm_weeks: Positive = 4.0
    primary_endpoint: Endpoint = "PFS"
    crossover: dict[Name, Drugs] = Field(
        default_factory=dict, description="arm -> drugs given after progression"
    )
    crossover_fraction: Annotated[NonNegative, Field(le=1)] = Field(
        default=1.0, description="share of progressing patients who cross over (0-1)"
    )
    prior_therapy: list[Name] = Field(
        default_factory=list,
        description="the setting, e.g. VEGFR-TKI or aromatase inhibitor (its biology is "
        "data: cancer_biology.csv)",
    )
    select_genes: list[Name] = Field(default_factory=list, description="biomarker genes")
    setting: Text = ""
    reference: Text = ""
    note: Text = ""

    @field_validator("cancer_type")
    @classmethod
    def _known_type(cls, v: str) -> str:
        known = _cancer_types()
        if v.strip().lower() in known:
            return known[v.strip().lower()]
        raise ValueError(_unknown("cancer type", v, sorted(known.values())))

    @field_validator("select_genes")
    @classmethod
    def _known_genes(cls, v: list[str]) -> list[str]:
        genes = _genes()
        for g in v:
            if g.strip().upper() not in genes:
                raise ValueError(_unknown("gene", g, sorted(genes)))
        return [g.strip().upper() for g in v]

    def fields(self) -> dict[str, Any]:
        """Keyword arguments of :class:`TrialDesign` (tuples where it keeps tuples)."""
        data = self.model_dump()
        data["arms"] = tuple(data["arms"])
        data["allocation"] = tuple(self.allocation)
        data["select_genes"] = tuple(self.select_genes)
        data["prior_therapy"] = tuple(self.prior_therapy)
        return data


def _unknown(kind: str, name: str, known: list[str]) -> str:
    """The message of :class:`UnknownNameError` (one ranking of close names everywhere)."""
    from mtorsim.errors import UnknownNameError

    return str(UnknownNameError(kind, name, known))


#: pydantic writes a bound it cannot attach to the number type under its own name
_BOUND_KEYWORDS = {
    "gt": "exclusiveMinimum",
    "ge": "minimum",
    "lt": "exclusiveMaximum",
    "le": "maximum",
}


def _standard_bounds(node: Any) -> Any:
    """The schema with pydantic's ``gt``/``ge``/``lt``/``le`` as JSON Schema keywords, which
    validators and editors read (they ignore unknown keywords)."""
    if isinstance(node, dict):
        return {_BOUND_KEYWORDS.get(k, k): _standard_bounds(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_standard_bounds(v) for v in node]
    return node


def design_schema() -> dict[str, Any]:
    """JSON Schema of a design file, from the model that validates every file."""
    schema = _standard_bounds(DesignSpec.model_json_schema())
    schema["title"] = "mtorsim trial design"
    schema["properties"]["$schema"] = {"type": "string", "description": "schema pointer"}
    return schema


# ----------------------------------------------------------------- error messages


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


_ARM_HINT = (
    " (an arm gives each drug its daily-average dose in mg/day, and a schedule other than "
    'the usual one under "schedules": "drugs": {"vistusertib": 71.4}, '
    '"schedules": {"vistusertib": "bid2on5off"})'
)


def _hint(value: object, choices: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(str(value), list(choices), n=1, cutoff=0.4)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _problem(err: Mapping[str, Any]) -> str:
    """A pydantic error as 'field = value: what is allowed'."""
    loc = tuple(err["loc"])
    kind, value, ctx = err["type"], err.get("input"), err.get("ctx") or {}
    if loc and loc[-1] == "[key]":  # a bad key of a mapping (drugs)
        loc, value = loc[:-2], loc[-2]
        where = f"{_loc(loc)} key"
    else:
        where = _loc(loc)
    names = [p for p in loc if isinstance(p, str)]
    field = names[-1] if names else ""
    if kind == "extra_forbidden":
        in_arm = len(loc) >= 2 and loc[0] == "arms"
        keys = list((ArmSpec if in_arm else DesignSpec).model_fields)
        what = "arm field" if in_arm else "design fields:"
        head = f"{_loc(loc[:-1])}: " if in_arm else ""
        extra = _ARM_HINT if in_arm and loc[-1] in ("dose", "doses", "schedule") else ""
        if loc[-1] == "modifiers":
            extra = (
                " (per-design modifiers are gone: give the setting as prior_therapy, its "
                "biology is data in cancer_biology.csv)"
            )
        hint = "" if loc[-1] == "modifiers" else _hint(loc[-1], keys)
        return f"{head}unknown {what} {loc[-1]!r}{hint}; allowed: {', '.join(keys)}{extra}"
    if kind == "missing":
        return f"{where}: required field missing"
    shown = f"{where} = {_short(value)}"
    if kind == "value_error":
        return f"{shown}: {ctx.get('error', err['msg'])}"
    if kind == "literal_error":
        choices = ENDPOINTS
        what = "not a primary endpoint"
        return f"{shown}: {what}{_hint(value, choices)}; use one of {', '.join(choices)}"
    if kind == "too_short" and field == "arms":
        return f"{where}: the trial has no arms; give at least one"
    if kind == "too_long" and field == "arms":
        return f"{where}: {len(value)} arms; a design has at most 20"
    bounds = {
        "greater_than": "> {gt}",
        "greater_than_equal": ">= {ge}",
        "less_than_equal": "<= {le} (a century)",
    }
    if kind in bounds:
        text = bounds[kind].format(**ctx)
        if kind == "less_than_equal" and ctx.get("le") != 1200:
            text = text.replace(" (a century)", "")
        return f"{shown}: must be {text}"
    plain = {
        "finite_number": "must be a finite number",
        "float_parsing": "must be a number",
        "float_type": "must be a number",
        "int_type": "must be a whole number (not true/false, not text)",
        "int_from_float": "must be a whole number",
        "string_type": "must be a text string",
        "string_too_short": "must not be empty",
        "string_pattern_mismatch": "must not be blank",
        "string_too_long": "is too long (at most {max_length} characters)",
        "list_type": "must be a list",
        "model_type": "must be a mapping of keys to values (an object)",
        "model_attributes_type": "must be a mapping of keys to values (an object)",
        "dict_type": "must be a mapping of keys to values (an object, {{}} for none)",
    }
    if kind in plain:
        return f"{shown}: {plain[kind].format(**ctx)}"
    return f"{shown}: {err['msg']}"


# ----------------------------------------------------------------- entry points


def validate_design(data: object, label: str = "design") -> DesignSpec:
    """Validate a parsed design (a mapping); every problem in one :class:`DesignError`."""
    if not isinstance(data, Mapping):
        raise DesignError(label, [f"a design is one object (mapping), not {type(data).__name__}"])
    check_depth(data, label)
    data = {k: v for k, v in data.items() if k != "$schema"}  # editors' schema pointer
    try:
        return DesignSpec.model_validate(data)
    except ValidationError as exc:
        raise DesignError(label, [_problem(e) for e in exc.errors()]) from None


def check_depth(data: object, label: str, limit: int = MAX_DEPTH) -> None:
    """Parsed data nested deeper than ``limit`` is rejected (iteratively: no recursion)."""
    stack: list[tuple[object, int]] = [(data, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            raise DesignError(label, [f"nested deeper than {limit} levels; not a design"])
        if isinstance(item, Mapping):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list | tuple):
            stack.extend((v, depth + 1) for v in item)


def _text_depth(text: str) -> int:
    """Deepest bracket nesting of JSON/YAML flow text, outside strings (cheap, no parse)."""
    depth = deepest = 0
    quote = ""
    escaped = False
    for ch in text:
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\" and quote == '"':
                escaped = True
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise ValueError(f"key {k!r} given twice")
        out[k] = v
    return out


def parse_design_text(text: str, label: str, *, yaml_text: bool = False) -> object:
    """JSON (or YAML) text -> data, the depth bounded before parsing."""
    if len(text) > MAX_BYTES:
        raise DesignError(label, [f"{len(text):,} characters; a design is a few kB"])
    if _text_depth(text) > MAX_DEPTH:
        raise DesignError(label, [f"nested deeper than {MAX_DEPTH} levels; not a design"])
    if yaml_text:
        from mtorsim.io import parse_yaml

        return parse_yaml(text, label)  # aliases refused: no alias-bomb expansion
    try:
        return json.loads(text, object_pairs_hook=_unique_pairs)
    except json.JSONDecodeError as exc:
        raise MtorsimError(
            f"{label}: not valid JSON (line {exc.lineno} column {exc.colno}: {exc.msg})"
        ) from None
    except ValueError as exc:  # a duplicate key
        raise MtorsimError(f"{label}: not valid JSON ({exc})") from None
    except RecursionError:
        raise DesignError(label, ["nested too deeply; not a design"]) from None


def read_design_file(path: Path) -> DesignSpec:
    """A design file (.json, .yaml, .yml) read and validated."""
    label = str(path)
    if not path.is_file():
        raise MtorsimError(f"{path}: design file not found")
    raw = path.read_bytes()
    if len(raw) > MAX_BYTES:
        raise DesignError(label, [f"{len(raw):,} bytes; a design is a few kB"])
    from mtorsim.io import decode_text

    text = decode_text(path, raw, "JSON/YAML design", scan=len(raw))
    yaml_text = path.suffix.lower() in (".yaml", ".yml")
    return validate_design(parse_design_text(text, label, yaml_text=yaml_text), label)
