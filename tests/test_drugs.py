"""The drug library: complete for the review, validated, every number with a source."""

from __future__ import annotations

import pytest

from mtorsim import MtorsimError, UnknownNameError
from mtorsim.pharmacology.catalogue import DRUGS, get_drug
from mtorsim.pharmacology.drug import PKModel, Potency

REVIEW_DRUGS = [
    "sirolimus",
    "everolimus",
    "temsirolimus",
    "ridaforolimus",
    "azd8055",
    "osi-027",
    "vistusertib",
    "sapanisertib",
    "torin1",
    "dactolisib",
    "pf-04691502",
    "ly3023414",
    "apitolisib",
    "alpelisib",
    "mk-2206",
    "trametinib",
    "selumetinib",
    "rapalink-1",
    "hydroxychloroquine",
    "exemestane",
    "fulvestrant",
    "tamoxifen",
    "sunitinib",
    "sorafenib",
    "pazopanib",
    "lenvatinib",
]


def test_library_covers_the_review() -> None:
    assert not [d for d in REVIEW_DRUGS if d not in DRUGS]


@pytest.mark.parametrize("name", sorted(DRUGS))
def test_every_number_has_a_source(name: str) -> None:
    drug = DRUGS[name]
    assert drug.source and drug.mtd
    assert all(p.source for p in drug.potencies)
    if drug.pk is not None:
        assert drug.pk.source
        assert drug.dose_range_mg is not None


def test_aliases_and_suggestions() -> None:
    assert get_drug("RAD001").name == "everolimus"
    assert get_drug("Rapamycin").name == "sirolimus"
    assert get_drug("BEZ235").name == "dactolisib"
    with pytest.raises(UnknownNameError, match="Did you mean 'everolimus'"):
        get_drug("everolimu")


def test_mechanism_classes() -> None:
    assert get_drug("everolimus").sites == ("FKBP12", "FRB")
    assert set(get_drug("dactolisib").sites) == {"PI3K", "MTOR_KINASE"}
    assert set(get_drug("rapalink-1").sites) == {"FKBP12", "FRB", "MTOR_KINASE"}
    assert get_drug("temsirolimus").pk.prodrug_of == "sirolimus"


@pytest.mark.parametrize(
    "kwargs", [dict(F=1.5), dict(cl_L_h=-1.0), dict(q_L_h=5.0), dict(route="patch")]
)
def test_pk_model_validation(kwargs) -> None:
    base = dict(route="oral", F=0.5, ka_per_h=1.0, cl_L_h=10.0, v1_L=100.0)
    with pytest.raises(MtorsimError):
        PKModel(**{**base, **kwargs})


def test_potency_validation() -> None:
    with pytest.raises(MtorsimError, match="unknown site"):
        Potency("HER2", 1.0, "x")
    with pytest.raises(MtorsimError):
        Potency("MEK", 0.0, "x")


def test_half_life_from_micro_constants() -> None:
    assert get_drug("sirolimus").pk.half_life_h == pytest.approx(62.0)
    assert get_drug("temsirolimus").pk.half_life_h == pytest.approx(17.3)


def test_partners_and_comparators_of_the_trial_record() -> None:
    # issue #15: interferon-alpha (ARCC comparator), endocrine partners, VEGFR-TKIs, octreotide
    for name, site in (
        ("interferon-alpha", "VEGFR"),
        ("letrozole", "ER"),
        ("axitinib", "VEGFR"),
        ("octreotide", "PI3K"),
    ):
        drug = get_drug(name)
        assert site in drug.sites and drug.pk is not None and drug.pk.source
    assert get_drug("IFN-alpha").name == "interferon-alpha"
    # aromatase inactivation is near complete at the labelled doses (Geisler 1998, 2002)
    from mtorsim.pharmacology.pk import average_free_nM

    for name, dose, inhibition in (("exemestane", 25, 0.979), ("letrozole", 2.5, 0.989)):
        c = average_free_nM(name, dose)
        kd = get_drug(name).potencies[0].kd_nM
        assert c / (c + kd) == pytest.approx(inhibition, abs=0.005)
