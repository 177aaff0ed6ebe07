"""Trial designs as validated data: arms, allocation, follow-up, assessments, eligibility.

A design is plain data (``designs.json`` in the package, or the user's own JSON) checked
when built, so an impossible trial (no patients, follow-up shorter than the assessment
interval, an unknown drug) fails before anything runs.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from mtorsim.errors import MtorsimError, UnknownNameError
from mtorsim.genomics.knowledge import knowledge_base
from mtorsim.pharmacology.catalogue import get_drug
from mtorsim.pharmacology.exposure import schedule_name
from mtorsim.pharmacology.regimen import check_daily_dose
from mtorsim.trials.population import cancer_type

__all__ = ["ENDPOINTS", "Arm", "TrialDesign", "load_design", "trial_designs"]

ENDPOINTS = ("PFS", "OS", "TTP", "ORR", "volume_response")


def _number(label: str, value: Any, *, positive: bool = True) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise MtorsimError(f"{label} is {value!r}; give a number") from None
    if math.isnan(v) or math.isinf(v) or v < 0 or (positive and v == 0):
        raise MtorsimError(f"{label} is {value!r}; give a number {'>' if positive else '>='} 0")
    return v


def given_twice(given: str, name: str, dose: float) -> str:
    """Why an arm that names a drug twice (an alias, another case) is refused: one of the
    two doses would otherwise be dropped without a word."""
    return (
        f"{given!r} is {name}, which the arm already gives ({dose:g} mg/day); give each drug once"
    )


@dataclass(frozen=True)
class Arm:
    """One arm: drugs given together, each at a daily-average dose (mg/day); {} = placebo.

    ``schedules`` gives a drug's schedule where it is not the drug's usual one (e.g.
    ``{"vistusertib": "bid2on5off"}``): the dose stays the daily average, the schedule shapes
    the exposure over the cycle (:mod:`mtorsim.pharmacology.exposure`).
    """

    name: str
    drugs: dict[str, float] = field(default_factory=dict)
    schedules: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.name:
            raise MtorsimError("every arm needs a name")
        drugs: dict[str, float] = {}
        for d, dose in self.drugs.items():
            name = get_drug(d).name
            if name in drugs:
                raise MtorsimError(f"arm {self.name!r}: {given_twice(d, name, drugs[name])}")
            drugs[name] = _number(f"arm {self.name!r}: dose of {d} (mg/day)", dose)
        object.__setattr__(self, "drugs", drugs)
        schedules = {}
        for d, sched in self.schedules.items():
            name = get_drug(d).name
            if name not in drugs:
                raise MtorsimError(
                    f"arm {self.name!r}: a schedule for {name}, which the arm does not give; "
                    f"give it in drugs too, or drop the schedule"
                )
            chosen = schedule_name(name, sched)
            if chosen != get_drug(name).default_schedule:
                schedules[name] = chosen
        object.__setattr__(self, "schedules", schedules)
        for d, dose in drugs.items():  # as simulate does: warn, then run
            check_daily_dose(d, dose, f"arm {self.name!r}: {d} {dose:g} mg/day")

    def schedule(self, drug: str) -> str:
        """The schedule ``drug`` is given on in this arm."""
        name = get_drug(drug).name
        return self.schedules.get(name, get_drug(name).default_schedule)

    @property
    def label(self) -> str:
        if not self.drugs:
            return "placebo"
        return " + ".join(
            f"{d} {v:g} mg/day" + (f" ({self.schedules[d]})" if d in self.schedules else "")
            for d, v in self.drugs.items()
        )


@dataclass(frozen=True)
class TrialDesign:
    """A randomised (or single-arm) trial. Times: months for follow-up, weeks for scans.

    The first arm is the experimental one, the last the control; hazard ratios compare each
    arm with the last. ``crossover`` maps an arm to the drugs its patients get after
    progression, ``crossover_fraction`` the share of that arm's progressing patients who
    actually cross over; ``prior_therapy`` names the setting (e.g. ``VEGFR-TKI``), whose
    biology comes from ``cancer_biology.csv`` (no per-design calibration knobs);
    ``select_genes`` keeps patients whose tumour carries any of these genes (biomarker
    trials).
    """

    name: str
    cancer_type: str
    arms: tuple[Arm, ...]
    n_patients: int
    follow_up_months: float = 24.0
    allocation: tuple[float, ...] = ()
    accrual_months: float = 12.0
    assessment_weeks: float = 8.0
    confirm_weeks: float = 4.0
    primary_endpoint: str = "PFS"
    crossover: dict[str, dict[str, float]] = field(default_factory=dict)
    crossover_fraction: float = 1.0
    prior_therapy: tuple[str, ...] = ()
    select_genes: tuple[str, ...] = ()
    setting: str = ""
    reference: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        cancer_type(self.cancer_type)  # validates the name
        if not self.arms:
            raise MtorsimError(f"trial {self.name!r} has no arms; give at least one")
        arms = tuple(a if isinstance(a, Arm) else Arm(**a) for a in self.arms)
        object.__setattr__(self, "arms", arms)
        names = [a.name for a in arms]
        if len(set(names)) != len(names):
            raise MtorsimError(f"trial {self.name!r}: arm names repeat ({names})")
        if not isinstance(self.n_patients, int) or self.n_patients < 1:
            raise MtorsimError(
                f"trial {self.name!r}: n_patients is {self.n_patients!r}; give a whole number >= 1"
            )
        alloc = tuple(self.allocation) or (1.0,) * len(arms)
        if len(alloc) != len(arms):
            raise MtorsimError(f"allocation {alloc} needs one ratio per arm ({len(arms)})")
        object.__setattr__(self, "allocation", tuple(_number("allocation", a) for a in alloc))
        for label in ("follow_up_months", "assessment_weeks", "confirm_weeks"):
            _number(f"{label} of {self.name!r}", getattr(self, label))
        _number(f"accrual_months of {self.name!r}", self.accrual_months, positive=False)
        if self.assessment_weeks / 4.345 > self.follow_up_months:
            raise MtorsimError(
                f"trial {self.name!r}: assessments every {self.assessment_weeks:g} weeks but "
                f"follow-up is {self.follow_up_months:g} months; shorten the interval or "
                "follow longer"
            )
        if self.accrual_months >= self.follow_up_months:
            raise MtorsimError(
                f"trial {self.name!r}: accrual lasts {self.accrual_months:g} months but "
                f"follow-up ends at {self.follow_up_months:g}; follow up for longer than "
                "accrual (--months, follow_up_months) or shorten accrual_months in a design "
                "file"
            )
        if self.primary_endpoint not in ENDPOINTS:
            raise MtorsimError(
                f"primary endpoint {self.primary_endpoint!r}; use one of {', '.join(ENDPOINTS)}"
            )
        for arm, drugs in self.crossover.items():
            if arm not in names:
                raise MtorsimError(f"crossover from unknown arm {arm!r}; arms: {names}")
            Arm(f"{arm} crossover", drugs)
        f = _number("crossover_fraction", self.crossover_fraction, positive=False)
        if f > 1:
            raise MtorsimError(f"crossover_fraction is {f:g}; give a fraction from 0 to 1")
        from mtorsim.trials.biology import prior_therapies

        for key in ("prior_therapy", "select_genes"):  # one name, not its letters
            if isinstance(getattr(self, key), str):
                object.__setattr__(self, key, (getattr(self, key),))
        known = prior_therapies().get(cancer_type(self.cancer_type).key, [])
        prior = []
        for p in self.prior_therapy:
            match = [k for k in known if k.lower() == str(p).lower()]
            if not match:
                raise MtorsimError(
                    f"prior_therapy {p!r} has no biology for {self.cancer_type} "
                    f"(cancer_biology.csv); known: {', '.join(known) or 'none'}"
                )
            prior.append(match[0])
        object.__setattr__(self, "prior_therapy", tuple(prior))
        genes = set(knowledge_base().gene)
        bad = [g for g in self.select_genes if g.upper() not in genes]
        if bad:
            raise UnknownNameError("gene", bad[0], sorted(genes))
        object.__setattr__(self, "select_genes", tuple(g.upper() for g in self.select_genes))

    @property
    def allocation_shares(self) -> tuple[float, ...]:
        """The share of patients randomised to each arm (ratios scaled by their largest
        first, so ratios near the float limit cannot overflow their sum)."""
        top = max(self.allocation)
        scaled = [a / top for a in self.allocation]
        total = sum(scaled)
        return tuple(a / total for a in scaled)

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, label: str = "design") -> TrialDesign:
        """A design from plain data, through the typed boundary (:mod:`.design_model`):
        every field problem reported at once, then the cross-field checks above."""
        from mtorsim.trials.design_model import validate_design

        return cls._from_fields(validate_design(data, label).fields(), label)

    @classmethod
    def _from_fields(cls, fields: dict[str, Any], label: str) -> TrialDesign:
        """Build from validated fields; a cross-field problem reads like a field problem."""
        from mtorsim.errors import RecordError
        from mtorsim.trials.design_model import DesignError

        try:
            return cls(**fields)
        except RecordError:
            raise
        except MtorsimError as exc:
            raise DesignError(label, [str(exc)]) from None

    def with_changes(self, **changes: Any) -> TrialDesign:
        """A copy with some fields changed (``None`` keeps a field); every check re-runs."""
        unknown = [k for k in changes if k not in self.__dataclass_fields__]
        if unknown:
            raise UnknownNameError("design field", unknown[0], list(self.__dataclass_fields__))
        data = {k: getattr(self, k) for k in self.__dataclass_fields__}
        data.update({k: v for k, v in changes.items() if v is not None})
        return TrialDesign(**data)

    def to_dict(self) -> dict[str, Any]:
        data = {k: getattr(self, k) for k in self.__dataclass_fields__}
        data["arms"] = [
            {"name": a.name, "drugs": dict(a.drugs)}
            | ({"schedules": dict(a.schedules)} if a.schedules else {})
            for a in self.arms
        ]
        data["allocation"] = list(self.allocation)
        data["select_genes"] = list(self.select_genes)
        data["prior_therapy"] = list(self.prior_therapy)
        return data


def trial_designs() -> dict[str, TrialDesign]:
    """The built-in designs (review Table 1, trials_calibration.csv, biomarker trials)."""
    text = resources.files("mtorsim.data").joinpath("trials/designs.json").read_text()
    return {d["name"]: TrialDesign.from_dict(d) for d in json.loads(text)}


def load_design(name_or_path: str) -> TrialDesign:
    """A built-in design by name (case-insensitive) or a design file (.json/.yaml/.yml)."""
    path = Path(name_or_path)
    if path.suffix.lower() in (".json", ".yaml", ".yml"):
        from mtorsim.trials.design_model import read_design_file

        return TrialDesign._from_fields(read_design_file(path).fields(), str(path))
    if path.suffix and path.is_file():
        raise MtorsimError(f"{path}: a design file ends in .json, .yaml or .yml")
    designs = trial_designs()
    by_lower = {k.lower(): v for k, v in designs.items()}
    if name_or_path.lower() in by_lower:
        return by_lower[name_or_path.lower()]
    raise UnknownNameError("trial", name_or_path, list(designs))
