"""The drug library: the review's drugs with potency, PK, tolerability and sources.

Values marked ``assumed`` were not taken from a publication; their note says how they were
chosen (usually: clearance and volume set to reproduce the labelled half-life). Potencies
are biochemical IC50/Kd values; rapalogs bind FKBP12 first (Kd about 0.2 nM) and the
FKBP12-drug complex binds the FRB domain (Kd about 12 nM).
"""

from __future__ import annotations

import math

from mtorsim.errors import UnknownNameError
from mtorsim.pharmacology.drug import Drug, PKModel, Potency

__all__ = ["DRUGS", "USER_DRUGS", "drug_names", "get_drug"]

_RAPA_FKBP = Potency("FKBP12", 0.2, "Bierer 1990 / spec/claims.md C12 (rapamycin-FKBP12 Kd)")
_RAPA_FRB = Potency("FRB", 12.0, "Banaszynski 2005 / spec/claims.md C12 (FKBP12-rapamycin-FRB)")
_SHARED = "assumed equal to sirolimus (shared FKBP12/FRB mechanism; review)"


def _hl_volume(half_life_h: float, cl_L_h: float) -> float:
    """Volume giving ``half_life_h`` for a 1-compartment model with clearance ``cl_L_h``."""
    return half_life_h * cl_L_h / math.log(2)


def _oral_1cmt(
    half_life_h: float, cl: float, *, ka: float = 1.0, F: float = 0.5, fu: float = 0.05, source: str
) -> PKModel:
    return PKModel(
        "oral",
        F=F,
        ka_per_h=ka,
        cl_L_h=cl,
        v1_L=_hl_volume(half_life_h, cl),
        fu_blood=fu,
        source=source,
    )


_CATALOGUE: list[Drug] = [
    # ----------------------------------------------------------------- rapalogs
    Drug(
        "everolimus",
        "rapalog",
        (_RAPA_FKBP, _RAPA_FRB),
        958.2,
        PKModel(
            "oral",
            F=0.16,
            ka_per_h=0.647,
            cl_L_h=17.4,
            v1_L=25.2,
            q_L_h=51.1,
            v2_L=400.0,
            fu_blood=0.05,
            cv_cl=0.27,
            cv_v=0.36,
            source="2-cmt apparent oral parameters: spec/claims.md C14 (lit.); F 16 %: "
            "review (in vivo model); fu_blood = plasma fraction ~0.2 (label: 17-73 %) x "
            "unbound 0.26 (label: 74 % bound); IIV CL 27 %, V 36 %: Kovarik 2001",
        ),
        dose_range_mg=(2.5, 10.0),
        default_schedule="daily",
        mtd="10 mg daily (Afinitor label; stomatitis, pneumonitis, hyperglycaemia)",
        aliases=("RAD001", "afinitor", "certican"),
        source="review; Afinitor label; Kirchner 2004 (t1/2 ~30 h)",
    ),
    Drug(
        "sirolimus",
        "rapalog",
        (_RAPA_FKBP, _RAPA_FRB),
        914.2,
        PKModel(
            "oral",
            F=0.10,
            ka_per_h=1.5,
            cl_L_h=13.0,
            v1_L=_hl_volume(62.0, 13.0),
            fu_blood=0.0022,
            source="F 10 %: review (in vivo model); t1/2 62 h (Rapamune label) with "
            "CL/F 13 L/h assumed; fu_blood = 1/36 (blood:plasma 36) x 0.08 unbound "
            "(label 92 % bound)",
        ),
        dose_range_mg=(1.0, 20.0),
        default_schedule="daily",
        mtd="immunosuppressive doses 2-5 mg/day; oncology up to ~20 mg (assumed range)",
        aliases=("rapamycin", "rapamune"),
        source="review; Rapamune label",
    ),
    Drug(
        "temsirolimus",
        "rapalog",
        (Potency("FKBP12", 0.2, _SHARED), Potency("FRB", 12.0, _SHARED)),
        1030.3,
        PKModel(
            "iv",
            F=1.0,
            ka_per_h=1.0,
            cl_L_h=16.2,
            v1_L=_hl_volume(17.3, 16.2),
            fu_blood=0.05,
            infusion_h=0.5,
            prodrug_of="sirolimus",
            fraction_to_metabolite=0.4,
            source="CL 16.2 L/h, t1/2 17.3 h, 30-60 min infusion, converted to "
            "sirolimus (Torisel label); 1-cmt volume set to the half-life (assumed); "
            "fraction to sirolimus 0.4 and fu_blood 0.05 assumed",
        ),
        dose_range_mg=(2.0, 3.6),
        default_schedule="weekly",
        mtd="25 mg IV weekly (Torisel label)",
        aliases=("CCI-779", "torisel"),
        source="review (Table 1); Torisel label",
    ),
    Drug(
        "ridaforolimus",
        "rapalog",
        (Potency("FKBP12", 0.2, _SHARED), Potency("FRB", 12.0, _SHARED)),
        990.2,
        _oral_1cmt(56.0, 20.0, F=0.2, source="assumed: t1/2 ~56 h, CL/F 20 L/h"),
        dose_range_mg=(7.0, 28.6),
        default_schedule="5on2off",
        mtd="40 mg daily x5 per week (assumed from phase III regimen)",
        aliases=("deforolimus", "AP23573", "MK-8669"),
        source="review",
    ),
    # ----------------------------------------------------------------- TORKi
    Drug(
        "azd8055",
        "TORKi",
        (Potency("MTOR_KINASE", 0.8, "Chresta 2010 / spec/claims.md C15 (IC50)"),),
        465.5,
        _oral_1cmt(4.0, 40.0, source="assumed: short t1/2 ~4 h"),
        dose_range_mg=(20.0, 240.0),
        default_schedule="bid",
        mtd="90 mg bid (Naing 2012; transaminase rises)",
        aliases=("AZD-8055",),
        source="review",
    ),
    Drug(
        "sapanisertib",
        "TORKi",
        (Potency("MTOR_KINASE", 1.0, "Hsieh 2012 (IC50 ~1 nM)"),),
        309.3,
        _oral_1cmt(8.0, 20.0, source="assumed: t1/2 ~8 h"),
        dose_range_mg=(2.0, 6.0),
        default_schedule="daily",
        mtd="5 mg daily or 30-40 mg weekly (assumed from phase I)",
        aliases=("MLN0128", "INK128", "TAK-228"),
        source="review",
    ),
    Drug(
        "vistusertib",
        "TORKi",
        (Potency("MTOR_KINASE", 2.8, "Pike 2013 (IC50)"),),
        462.5,
        _oral_1cmt(3.0, 40.0, source="assumed: t1/2 ~3 h"),
        dose_range_mg=(50.0, 100.0),
        default_schedule="bid",
        mtd="50 mg bid continuous / 125 mg bid intermittent (MANTA arms)",
        aliases=("AZD2014",),
        source="review (MANTA)",
    ),
    Drug(
        "osi-027",
        "TORKi",
        (Potency("MTOR_KINASE", 22.0, "Bhagwat 2011 (mTORC1 IC50 22 nM)"),),
        406.4,
        _oral_1cmt(12.0, 20.0, source="assumed"),
        dose_range_mg=(10.0, 150.0),
        default_schedule="daily",
        mtd="not established (assumed range)",
        aliases=("OSI027", "ASP4786"),
        source="review",
    ),
    Drug(
        "torin1",
        "TORKi",
        (Potency("MTOR_KINASE", 2.0, "Thoreen 2009 (IC50 2-10 nM)"),),
        607.6,
        None,
        mtd="tool compound (no clinical use)",
        source="review",
        notes="cell experiments only (no PK)",
    ),
    # ----------------------------------------------------------------- dual PI3K/mTOR
    Drug(
        "dactolisib",
        "dual PI3K/mTOR",
        (
            Potency("PI3K", 4.0, "Maira 2008 (p110alpha)"),
            Potency("MTOR_KINASE", 20.7, "Maira 2008"),
        ),
        469.5,
        _oral_1cmt(6.0, 60.0, F=0.3, source="assumed"),
        dose_range_mg=(400.0, 1600.0),
        default_schedule="bid",
        mtd="poorly tolerated: 300-400 mg bid in PNET (Salazar 2018; review C33)",
        aliases=("BEZ235", "NVP-BEZ235"),
        source="review",
    ),
    Drug(
        "pf-04691502",
        "dual PI3K/mTOR",
        (
            Potency("PI3K", 1.8, "Yuan 2011 (Ki PI3Kalpha)"),
            Potency("MTOR_KINASE", 16.0, "Yuan 2011 (Ki)"),
        ),
        425.5,
        _oral_1cmt(11.0, 10.0, source="assumed"),
        dose_range_mg=(2.0, 11.0),
        default_schedule="daily",
        mtd="8 mg daily (Britten 2014)",
        source="review",
    ),
    Drug(
        "ly3023414",
        "dual PI3K/mTOR",
        (
            Potency("PI3K", 6.07, "Smith 2016 (PI3Kalpha)"),
            Potency("MTOR_KINASE", 165.0, "Smith 2016"),
        ),
        406.5,
        _oral_1cmt(2.5, 60.0, source="assumed: short t1/2"),
        dose_range_mg=(40.0, 400.0),
        default_schedule="bid",
        mtd="200 mg bid (Bendell 2018; review C33)",
        aliases=("samotolisib",),
        source="review",
    ),
    Drug(
        "apitolisib",
        "dual PI3K/mTOR",
        (
            Potency("PI3K", 5.0, "Wallin 2011 (PI3Kalpha)"),
            Potency("MTOR_KINASE", 17.0, "Wallin 2011 (Ki)"),
        ),
        498.6,
        _oral_1cmt(13.0, 10.0, source="assumed"),
        dose_range_mg=(2.0, 70.0),
        default_schedule="daily",
        mtd="40 mg daily (Dolly 2016)",
        aliases=("GDC-0980",),
        source="review",
    ),
    # ----------------------------------------------------------------- PI3K / AKT / MEK
    Drug(
        "alpelisib",
        "PI3Kalpha",
        (Potency("PI3K", 5.0, "Fritsch 2014 (p110alpha IC50)"),),
        441.5,
        _oral_1cmt(
            8.5, 10.0, F=0.7, fu=0.11, source="t1/2 8-9 h, 89 % bound (Piqray label); CL/F assumed"
        ),
        dose_range_mg=(150.0, 350.0),
        default_schedule="daily",
        mtd="300 mg daily (Piqray label; hyperglycaemia)",
        aliases=("BYL719", "piqray"),
        source="review",
    ),
    Drug(
        "mk-2206",
        "AKT",
        (Potency("AKT", 8.0, "Hirai 2010 (AKT1 IC50)"),),
        407.5,
        _oral_1cmt(70.0, 10.0, source="t1/2 60-80 h (Yap 2011); CL/F assumed"),
        dose_range_mg=(15.0, 45.0),
        default_schedule="qod",
        mtd="60 mg every other day or 200 mg weekly (Yap 2011)",
        source="review",
    ),
    Drug(
        "trametinib",
        "MEK",
        (Potency("MEK", 0.92, "Gilmartin 2011 (MEK1 IC50)"),),
        615.4,
        _oral_1cmt(
            106.0,
            4.9,
            F=0.72,
            fu=0.026,
            source="CL/F 4.9 L/h, t1/2 3.9-4.8 d, F 72 %, 97.4 % bound (Mekinist "
            "label); 1-cmt volume set to the half-life (assumed)",
        ),
        dose_range_mg=(0.5, 3.0),
        default_schedule="daily",
        mtd="2 mg daily alone; lower with everolimus (Tolcher 2015)",
        aliases=("GSK1120212", "mekinist"),
        source="review (MEK + rapalog)",
    ),
    Drug(
        "selumetinib",
        "MEK",
        (Potency("MEK", 14.0, "Yeh 2007 (MEK1 IC50)"),),
        457.7,
        _oral_1cmt(
            6.2,
            15.9,
            F=0.62,
            fu=0.016,
            source="t1/2 6.2 h, CL/F 15.9 L/h, 98.4 % bound (Koselugo label)",
        ),
        dose_range_mg=(50.0, 200.0),
        default_schedule="bid",
        mtd="75 mg bid",
        aliases=("AZD6244", "ARRY-142886", "koselugo"),
        source="review",
    ),
    # ----------------------------------------------------------------- bivalent
    Drug(
        "rapalink-1",
        "bivalent mTOR",
        (
            Potency("FKBP12", 0.2, "assumed equal to rapamycin (its rapamycin half)"),
            Potency("FRB", 12.0, "assumed equal to rapamycin (its rapamycin half)"),
            Potency(
                "MTOR_KINASE",
                1.0,
                "assumed equal to sapanisertib (its kinase half); Rodrik-Outmezguine 2016",
            ),
        ),
        1784.2,
        None,
        mtd="preclinical (weekly i.p. in mice)",
        source="review; Rodrik-Outmezguine 2016",
        notes="cell experiments only (no clinical PK)",
    ),
    # ----------------------------------------------------------------- autophagy
    Drug(
        "hydroxychloroquine",
        "autophagy",
        (Potency("LYSOSOME", 1000.0, "assumed: µM blood levels, lysosomal accumulation"),),
        335.9,
        _oral_1cmt(
            960.0, 15.0, F=0.74, fu=0.5, source="t1/2 ~40 d, F 74 % (Plaquenil label); CL/F assumed"
        ),
        dose_range_mg=(400.0, 1200.0),
        default_schedule="bid",
        mtd="600 mg bid with temsirolimus (Rangwala 2014)",
        aliases=("HCQ", "plaquenil"),
        source="review (autophagy)",
    ),
    # ----------------------------------------------------------------- partners
    Drug(
        "exemestane",
        "endocrine",
        (
            Potency(
                "ER",
                0.25,
                "effective: 25 mg daily inhibits whole-body aromatisation by 97.9 % (Geisler "
                "et al. JCO 1998); exemestane inactivates aromatase irreversibly, so its "
                "in-vitro IC50 (27 nM) understates the block: Kd set so that the average free "
                "exposure of 25 mg (11.7 nM) blocks 0.979",
            ),
        ),
        296.4,
        _oral_1cmt(24.0, 30.0, fu=0.1, source="t1/2 24 h (Aromasin label); CL/F assumed"),
        dose_range_mg=(25.0, 25.0),
        mtd="25 mg daily",
        source="review (BOLERO-2)",
    ),
    Drug(
        "letrozole",
        "endocrine",
        (
            Potency(
                "ER",
                0.78,
                "effective: 2.5 mg daily inhibits whole-body aromatisation by 98.9 % (Geisler "
                "et al. JCO 2002): Kd set so that its average free exposure (70 nM) blocks 0.989",
            ),
        ),
        285.3,
        _oral_1cmt(
            48.0,
            2.1,
            F=0.999,
            fu=0.4,
            source="t1/2 ~2 d, CL/F 2.1 L/h, F 99.9 %, 60 % protein bound (Femara label)",
        ),
        dose_range_mg=(2.5, 2.5),
        mtd="2.5 mg daily",
        source="review (endocrine partners; aromatase inhibitor of BOLERO-2's prior therapy)",
    ),
    Drug(
        "fulvestrant",
        "endocrine",
        (Potency("ER", 0.29, "Wakeling 1991 (ER IC50)"),),
        606.8,
        PKModel(
            "im",
            F=1.0,
            ka_per_h=0.005,
            cl_L_h=28.0,
            v1_L=_hl_volume(960.0, 28.0),
            fu_blood=0.01,
            source="t1/2 ~40 d, 500 mg IM (Faslodex label); CL assumed",
        ),
        dose_range_mg=(8.0, 18.0),
        default_schedule="monthly",
        mtd="500 mg IM days 1, 15, 29 then monthly",
        source="review (PrE0102, MANTA)",
    ),
    Drug(
        "tamoxifen",
        "endocrine",
        (Potency("ER", 1.0, "4-OH-tamoxifen, assumed"),),
        371.5,
        _oral_1cmt(144.0, 5.0, fu=0.02, source="t1/2 5-7 d (label); CL/F assumed"),
        dose_range_mg=(20.0, 40.0),
        mtd="20 mg daily",
        source="review (TAMRAD)",
    ),
    Drug(
        "sunitinib",
        "VEGFR-TKI",
        (Potency("VEGFR", 9.0, "Mendel 2003 (VEGFR2 Ki)"),),
        398.5,
        _oral_1cmt(50.0, 34.0, fu=0.05, source="t1/2 40-60 h, CL/F 34 L/h (label)"),
        dose_range_mg=(25.0, 50.0),
        default_schedule="daily",
        mtd="50 mg daily 4 weeks on / 2 off",
        source="review (RCC)",
    ),
    Drug(
        "sorafenib",
        "VEGFR-TKI",
        (Potency("VEGFR", 90.0, "Wilhelm 2004 (VEGFR2 IC50)"),),
        464.8,
        _oral_1cmt(36.0, 8.0, fu=0.005, source="t1/2 25-48 h (label); CL/F assumed"),
        dose_range_mg=(400.0, 800.0),
        default_schedule="bid",
        mtd="400 mg bid",
        source="review (INTORSECT)",
    ),
    Drug(
        "pazopanib",
        "VEGFR-TKI",
        (Potency("VEGFR", 30.0, "Kumar 2007 (VEGFR2 IC50)"),),
        437.5,
        _oral_1cmt(30.9, 4.0, fu=0.001, source="t1/2 30.9 h (label); CL/F assumed"),
        dose_range_mg=(400.0, 800.0),
        mtd="800 mg daily",
        source="review (RCC)",
    ),
    Drug(
        "lenvatinib",
        "VEGFR-TKI",
        (Potency("VEGFR", 4.0, "Tohyama 2014 (VEGFR2 IC50)"),),
        426.9,
        _oral_1cmt(
            28.0, 6.6, fu=0.02, source="t1/2 28 h, CL/F 6.56 L/h, 98-99 % bound (Lenvima label)"
        ),
        dose_range_mg=(8.0, 24.0),
        mtd="18 mg daily with everolimus 5 mg (Motzer 2015)",
        source="review (lenvatinib + everolimus)",
    ),
    Drug(
        "axitinib",
        "VEGFR-TKI",
        (Potency("VEGFR", 0.2, "Hu-Lowe et al. Clin Cancer Res 2008 (VEGFR2 IC50 0.2 nM)"),),
        386.5,
        _oral_1cmt(
            4.0,
            38.0,
            F=0.58,
            fu=0.01,
            source="t1/2 2.5-6.1 h, CL/F 38 L/h, F 58 %, >99 % protein bound (Inlyta label)",
        ),
        dose_range_mg=(4.0, 20.0),
        default_schedule="bid",
        mtd="5 mg bid, titrated to 10 mg bid (Inlyta label; AXIS, Rini et al. Lancet 2011)",
        source="review (second-line RCC VEGFR-TKI)",
    ),
    Drug(
        "interferon-alpha",
        "interferon",
        (
            Potency(
                "VEGFR",
                0.01,
                "assumed: IFN-alpha lowers tumour VEGF/bFGF and microvessel density (Dinney "
                "et al. Cancer Res 1998; von Marschall et al. JNCI 2003), taken as a partial "
                "block of the angiogenic input; effective Kd ~10 pM (high-affinity "
                "IFNAR1/IFNAR2 complex) gives ~25 % at 9 MU three times a week",
            ),
        ),
        19241.0,
        PKModel(
            "im",
            F=0.8,
            ka_per_h=0.2,
            cl_L_h=14.0,
            v1_L=30.0,
            fu_blood=1.0,
            source="SC interferon alfa-2a: F ~80 %, Tmax ~7 h, t1/2 3.7-8.5 h, CL 2.1-3.6 "
            "mL/min/kg, V 0.22-0.75 L/kg (Roferon-A label; 70 kg); SC dosed as an IM-like "
            "depot; 1 MU = 5 ug (2e8 IU/mg)",
        ),
        dose_range_mg=(0.006, 0.04),
        default_schedule="daily",
        mtd="18 MU SC three times a week (ARCC, Hudes et al. NEJM 2007) = 0.039 mg/day",
        aliases=("IFN-alpha", "interferon alfa", "interferon alfa-2a", "roferon"),
        source="review (temsirolimus vs interferon-alpha, ARCC: Hudes et al. NEJM 2007)",
    ),
    Drug(
        "octreotide",
        "somatostatin analogue",
        (
            Potency(
                "PI3K",
                6.0,
                "assumed: SSTR2 (Ki ~0.6 nM) signals through SHP-1 to lower PI3K-AKT "
                "(Theodoropoulou & Stalla, Front Neuroendocrinol 2013); taken as a partial "
                "PI3K block, effective Kd set so that LAR 30 mg blocks ~20 %",
            ),
        ),
        1019.2,
        PKModel(
            "im",
            F=1.0,
            ka_per_h=0.003,
            cl_L_h=10.0,
            v1_L=13.6,
            fu_blood=0.35,
            source="CL 7-10 L/h, V 13.6 L, 65 % bound (Sandostatin label); LAR depot "
            "release over weeks (absorption half-life ~10 d, assumed)",
        ),
        dose_range_mg=(0.36, 1.07),
        default_schedule="monthly",
        mtd="LAR 30 mg IM every 4 weeks = 1.07 mg/day (RADIANT-2, Pavel et al. Lancet 2011)",
        aliases=("sandostatin", "octreotide LAR"),
        source="review (neuroendocrine tumours; RADIANT-2 partner)",
    ),
    Drug(
        "paclitaxel",
        "chemotherapy",
        (Potency("DNA", 10.0, "assumed: nM cytotoxicity"),),
        853.9,
        PKModel(
            "iv",
            F=1.0,
            ka_per_h=1.0,
            cl_L_h=21.0,
            v1_L=_hl_volume(20.0, 21.0),
            fu_blood=0.05,
            infusion_h=3.0,
            source="3 h infusion, t1/2 ~20 h (label); CL assumed",
        ),
        dose_range_mg=(5.0, 20.0),
        default_schedule="3weekly",
        mtd="175 mg/m2 every 3 weeks (~300 mg)",
        source="review (partners)",
    ),
]

DRUGS: dict[str, Drug] = {d.name: d for d in _CATALOGUE}
_ALIASES = {a.lower(): d.name for d in _CATALOGUE for a in d.aliases}

#: Users' drugs, filled by :mod:`mtorsim.pharmacology.registry` (never edit directly). They
#: are looked up before the built-in library, so ``replace=True`` there shadows a built-in.
USER_DRUGS: dict[str, Drug] = {}
USER_ALIASES: dict[str, str] = {}


def drug_names() -> list[str]:
    """Built-in drugs, then users' registered drugs."""
    return [*DRUGS, *(n for n in USER_DRUGS if n not in DRUGS)]


def get_drug(name: str) -> Drug:
    """Look a drug up by name or alias (case-insensitive); suggests close names."""
    key = name.strip().lower()
    key = USER_ALIASES.get(key) or _ALIASES.get(key, key)
    if key in USER_DRUGS:
        return USER_DRUGS[key]
    if key in DRUGS:
        return DRUGS[key]
    raise UnknownNameError("drug", name, [*DRUGS, *_ALIASES, *USER_DRUGS, *USER_ALIASES])
