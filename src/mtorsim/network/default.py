"""The default PI3K/AKT/mTOR network of the review (Fig. 1) with mTORC2 and MAPK cross-talk.

Source: "mTOR inhibitors in cancer: promising results and challenges in predicting patient
outcome" (review; copy in ``shared/reference``), Figure 1 and its text, with the primary
literature it cites for each edge. Every protein is tracked as its active fraction (0-1);
time is in hours. Rate constants set the time scales of minutes seen in signalling studies
(e.g. insulin -> pAKT within 5-15 min, Dalle Pezze et al. 2012) but were not fitted: they are
marked ``assumed``. Inputs (``GF``, ``AA``, ``ENERGY_STRESS``) and genotype levels
(``PTEN_level``, ``TSC_level``, ``PIK3CA_gain`` ...) are parameters, so conditions and
genotypes change values, never the model's structure.
"""

from __future__ import annotations

from functools import lru_cache

from mtorsim.network.components import Observable, Parameter, Reaction, Species
from mtorsim.network.model import Network
from mtorsim.network.motifs import activation, deactivation, degradation, synthesis

__all__ = ["GENOTYPE_PARAMETERS", "INPUTS", "default_network"]

REVIEW = "mTOR inhibitors in cancer review (shared/reference), Fig. 1"

#: Condition inputs: name -> (default, meaning).
INPUTS = {
    "GF": (1.0, "growth factor / insulin / IGF stimulus (1 = full serum, 0 = starved)"),
    "AA": (1.0, "amino acids (1 = replete, 0 = withdrawn)"),
    "ENERGY_STRESS": (0.0, "energy stress (AMP/ATP), e.g. glucose deprivation, 0-1"),
}

#: Genotype levels and gains: name -> (wild-type value, meaning).
GENOTYPE_PARAMETERS = {
    "PTEN_level": (1.0, "PTEN lipid-phosphatase activity (0 = loss)"),
    "TSC_level": (1.0, "TSC1/TSC2 complex amount (0 = TSC1 or TSC2 loss)"),
    "LKB1_level": (1.0, "LKB1/STK11 kinase amount (0 = loss)"),
    "PPP2R2B_level": (1.0, "PP2A-B55beta amount (0 = PPP2R2B silencing)"),
    "NF1_level": (1.0, "NF1 RAS-GAP amount (0 = loss)"),
    "PIK3CA_gain": (0.0, "ligand-independent PI3K activation (H1047R/E545K > 0)"),
    "AKT_gain": (0.0, "PIP3-independent AKT membrane activity (AKT1 E17K > 0)"),
    "KRAS_gain": (0.0, "GAP-insensitive RAS-GTP loading (KRAS/NRAS G12/G13/Q61 > 0)"),
    "BRAF_gain": (0.0, "RAS-independent RAF activity (BRAF V600E > 0)"),
    "MTOR_gain": (0.0, "RHEB-independent mTORC1 activity (MTOR S2215Y, L1460P ... > 0)"),
    "GRB10_level": (1.0, "GRB10 amount (0 = loss; removes the GRB10 feedback)"),
    "IRS1_feedback": (1.0, "strength of the S6K1 -> IRS1 serine feedback (0 = removed)"),
}


def _p(name: str, value: float, unit: str, description: str, source: str = "assumed") -> Parameter:
    return Parameter(name, value, unit, source=source, description=description)


def _parameters() -> list[Parameter]:
    inputs = [_p(n, v, "1", d, "input") for n, (v, d) in INPUTS.items()]
    genotype = [
        _p(n, v, "1", d, "genotype input (wild type)") for n, (v, d) in GENOTYPE_PARAMETERS.items()
    ]
    kinetic = [
        # receptor and IRS1
        _p("k_rtk_on", 30.0, "1/h", "RTK activation by ligand"),
        _p("k_rtk_off", 12.0, "1/h", "RTK inactivation/internalisation"),
        _p(
            "K_grb10",
            0.4,
            "1",
            "GRB10 level halving receptor signalling",
            "assumed; mechanism Hsu 2011, Yu 2011 (review refs)",
        ),
        _p("k_irs_on", 12.0, "1/h", "IRS1 tyrosine phosphorylation by active RTK"),
        _p("k_irs_off", 12.0, "1/h", "IRS1 tyrosine dephosphorylation"),
        _p(
            "k_irs_ser",
            80.0,
            "1/h",
            "IRS1 serine (S636/S1101) phosphorylation by S6K1",
            "assumed; mechanism Harrington 2004, Um 2004 (review refs)",
        ),
        _p("k_irs_ser_off", 6.0, "1/h", "IRS1 serine dephosphorylation/re-synthesis"),
        # PI3K / PIP3 / PDK1 / AKT
        _p("k_pi3k_on", 8.0, "1/h", "PI3K recruitment by pY-IRS1"),
        _p("w_ras_pi3k", 0.3, "1", "RAS-GTP contribution to p110 activation"),
        _p("k_pi3k_off", 15.0, "1/h", "PI3K release"),
        _p("k_pip3_on", 20.0, "1/h", "PIP2 -> PIP3 by active PI3K"),
        _p("k_pten", 25.0, "1/h", "PIP3 -> PIP2 by PTEN"),
        _p("k_pip3_basal_off", 5.0, "1/h", "PTEN-independent PIP3 turnover (SHIP)"),
        _p("PDK1_level", 1.0, "1", "PDK1 amount (constitutively active kinase)"),
        _p("PDK1_basal", 0.02, "1", "PIP3-independent (cytosolic) PDK1 activity"),
        _p("k_t308", 30.0, "1/h", "AKT T308 phosphorylation by PIP3-bound PDK1"),
        _p("k_akt_off", 12.0, "1/h", "AKT dephosphorylation (PP2A, PHLPP)"),
        _p("k_s473", 15.0, "1/h", "AKT S473 phosphorylation by mTORC2"),
        # TSC / RHEB / PRAS40 / Rag / AMPK
        _p("k_tsc_akt", 200.0, "1/h", "TSC2 T1462 phosphorylation by AKT"),
        _p("k_tsc_erk", 4.0, "1/h", "TSC2 S664 phosphorylation by ERK", "assumed; Ma 2005"),
        _p("k_tsc_rsk", 4.0, "1/h", "TSC2 S1798 phosphorylation by RSK", "assumed; Roux 2004"),
        _p("k_tsc_off", 8.0, "1/h", "TSC2 dephosphorylation"),
        _p("w_ampk_tsc", 2.0, "1", "activation of TSC2 by AMPK (S1387)", "assumed; Inoki 2003"),
        _p("k_rheb_gef", 3.0, "1/h", "RHEB GTP loading"),
        _p("k_rheb_gap", 60.0, "1/h", "RHEB GTP hydrolysis stimulated by TSC2"),
        _p("k_pras_on", 25.0, "1/h", "PRAS40 T246 phosphorylation by AKT"),
        _p("k_pras_off", 10.0, "1/h", "PRAS40 dephosphorylation"),
        _p("PRAS40_level", 1.0, "1", "PRAS40 amount"),
        _p(
            "K_pras40",
            0.15,
            "1",
            "free PRAS40 halving mTORC1 activity",
            "assumed; Sancak 2007, Vander Haar 2007",
        ),
        _p("k_rag_on", 20.0, "1/h", "Rag GTPase activation by amino acids (Ragulator)"),
        _p("k_rag_off", 10.0, "1/h", "Rag inactivation (GATOR1)"),
        _p("k_ampk_basal", 1.0, "1/h", "basal AMPK T172 phosphorylation by LKB1"),
        _p("k_ampk_stress", 40.0, "1/h", "AMPK T172 phosphorylation under energy stress"),
        _p("k_ampk_off", 10.0, "1/h", "AMPK dephosphorylation"),
        _p(
            "k_raptor_on", 20.0, "1/h", "RAPTOR S792 phosphorylation by AMPK", "assumed; Gwinn 2008"
        ),
        _p("k_raptor_off", 5.0, "1/h", "RAPTOR dephosphorylation"),
        _p("K_raptor", 0.3, "1", "pS792-RAPTOR halving mTORC1 activity"),
        # mTORC1 / mTORC2
        _p("k_mtorc1_on", 80.0, "1/h", "mTORC1 activation at the lysosome (RHEB x Rag)"),
        _p("k_mtorc1_off", 8.0, "1/h", "mTORC1 inactivation"),
        _p(
            "w_rsk_raptor",
            0.5,
            "1",
            "activation via RAPTOR phosphorylation by ERK/RSK",
            "assumed; Carriere 2008, Carriere 2011",
        ),
        _p(
            "k_mtorc2_on",
            15.0,
            "1/h",
            "mTORC2 activation by PIP3 (SIN1 PH domain)",
            "assumed; Dalle Pezze 2012, Liu 2015",
        ),
        _p("k_mtorc2_off", 10.0, "1/h", "mTORC2 inactivation"),
        # mTORC1 outputs
        _p("k_s6k_on", 25.0, "1/h", "S6K1 T389 phosphorylation by mTORC1"),
        _p("k_s6k_off", 10.0, "1/h", "S6K1 T389 dephosphorylation"),
        _p("k_rps6_s6k", 25.0, "1/h", "rpS6 S235/236 phosphorylation by S6K1"),
        _p("k_rps6_rsk", 6.0, "1/h", "rpS6 S235/236 phosphorylation by RSK", "assumed; Roux 2007"),
        _p("k_rps6_off", 10.0, "1/h", "rpS6 dephosphorylation"),
        _p("k_4ebp1_on", 30.0, "1/h", "4E-BP1 phosphorylation by mTORC1 (T37/46, S65)"),
        _p(
            "K_4ebp1",
            0.2,
            "1",
            "mTORC1 activity giving half-maximal 4E-BP1 rate "
            "(4E-BP1 is a strong, saturating substrate)",
            "assumed; Kang 2013",
        ),
        _p("k_4ebp1_off", 15.0, "1/h", "4E-BP1 dephosphorylation"),
        _p("BP1_level", 1.0, "1", "4E-BP1 amount relative to eIF4E"),
        _p("K_bp1_eif4e", 0.1, "1", "dissociation of 4E-BP1 from eIF4E (relative)"),
        _p("k_hif_syn", 2.0, "1/h", "HIF-1alpha cap-dependent synthesis"),
        _p("k_hif_deg", 2.0, "1/h", "HIF-1alpha degradation (normoxia, VHL)"),
        _p("k_vegf_syn", 0.5, "1/h", "VEGF-A expression driven by HIF-1alpha"),
        _p("k_vegf_deg", 0.5, "1/h", "VEGF turnover"),
        _p("k_srebp_on", 6.0, "1/h", "SREBP-1 processing driven by mTORC1 (lipin-1, S6K1)"),
        _p("k_srebp_off", 6.0, "1/h", "SREBP-1 inactivation"),
        _p("k_ulk1_on", 6.0, "1/h", "ULK1 activation (basal and by AMPK S555)"),
        _p("w_ampk_ulk1", 4.0, "1", "AMPK contribution to ULK1 activation", "assumed; Kim 2011"),
        _p("k_ulk1_off", 3.0, "1/h", "ULK1 inactivation"),
        _p(
            "w_mtorc1_ulk1",
            6.0,
            "1",
            "inhibitory ULK1 S757 phosphorylation by mTORC1",
            "assumed; Kim 2011",
        ),
        _p("k_autophagy_on", 2.0, "1/h", "autophagic flux driven by ULK1"),
        _p("k_autophagy_off", 2.0, "1/h", "autophagosome turnover"),
        _p("k_stat3_on", 10.0, "1/h", "STAT3 S727 phosphorylation by mTORC1"),
        _p("k_stat3_off", 10.0, "1/h", "STAT3 dephosphorylation"),
        _p(
            "k_grb10_on",
            3.0,
            "1/h",
            "GRB10 phosphorylation/stabilisation by mTORC1",
            "assumed; Hsu 2011, Yu 2011",
        ),
        _p("k_grb10_off", 1.5, "1/h", "GRB10 dephosphorylation/degradation"),
        _p("k_sgk1_on", 20.0, "1/h", "SGK1 S422 phosphorylation by mTORC2"),
        _p("k_sgk1_off", 10.0, "1/h", "SGK1 dephosphorylation"),
        _p("k_pkc_on", 10.0, "1/h", "PKCalpha S657 phosphorylation by mTORC2"),
        _p("k_pkc_off", 5.0, "1/h", "PKCalpha dephosphorylation"),
        # MAPK
        _p("k_ras_on", 6.0, "1/h", "RAS GTP loading by RTK-GRB2-SOS"),
        _p(
            "w_pi3k_ras",
            1.5,
            "1",
            "RAS activation via the IRS1/PI3K arm",
            "assumed; Carracedo 2008",
        ),
        _p("k_ras_off", 20.0, "1/h", "RAS GTP hydrolysis by GAPs (NF1)"),
        _p("k_ras_gap_basal", 5.0, "1/h", "NF1-independent RAS-GAP activity"),
        _p("k_raf_on", 10.0, "1/h", "RAF activation by RAS-GTP"),
        _p("k_raf_off", 10.0, "1/h", "RAF inactivation"),
        _p("w_erk_raf", 2.0, "1", "ERK negative feedback on RAF/SOS", "assumed; Dougherty 2005"),
        _p("k_mek_on", 10.0, "1/h", "MEK S218/222 phosphorylation by RAF"),
        _p("k_mek_off", 10.0, "1/h", "MEK dephosphorylation"),
        _p("k_erk_on", 12.0, "1/h", "ERK T202/Y204 phosphorylation by MEK"),
        _p("k_erk_off", 10.0, "1/h", "ERK dephosphorylation (DUSPs)"),
        _p("k_rsk_on", 25.0, "1/h", "RSK activation by ERK"),
        _p("k_rsk_off", 10.0, "1/h", "RSK inactivation"),
        # MYC / PP2A-B55beta
        _p(
            "k_myc_pdk1",
            15.0,
            "1/h",
            "MYC S62 phosphorylation by PDK1",
            "assumed; Tan 2011 (review ref. PPP2R2B)",
        ),
        _p("k_myc_erk", 5.0, "1/h", "MYC S62 phosphorylation by ERK"),
        _p(
            "k_myc_pp2a",
            40.0,
            "1/h",
            "MYC S62 dephosphorylation by PP2A-B55beta",
            "assumed; Tan 2011",
        ),
        _p("k_myc_basal_off", 5.0, "1/h", "PP2A-B55beta-independent MYC turnover"),
        # growth drive weights (sum to 1)
        _p("w_growth_translation", 0.3, "1", "weight of cap-dependent translation (eIF4F)"),
        _p("w_growth_ribosome", 0.2, "1", "weight of ribosome biogenesis (p-rpS6)"),
        _p("w_growth_myc", 0.2, "1", "weight of MYC-driven proliferation"),
        _p("w_growth_erk", 0.1, "1", "weight of ERK-driven cyclin D1"),
        _p("w_growth_lipid", 0.1, "1", "weight of SREBP-1 lipogenesis"),
        _p("w_growth_stat3", 0.1, "1", "weight of STAT3"),
    ]
    return inputs + genotype + kinetic


_INITIAL_SOURCE = "steady state of this network in full medium (GF = 1, AA = 1), 4 digits"

_SPECIES = [
    ("RTK", 0.6547, "active (ligand-bound, autophosphorylated) receptor tyrosine kinase"),
    ("IRS1", 0.1764, "tyrosine-phosphorylated IRS1 (docks PI3K)"),
    ("IRS1_pS", 0.6729, "IRS1 serine-phosphorylated by S6K1 (inhibited, degraded)"),
    ("PI3K", 0.1037, "active class I PI3K (p110alpha)"),
    ("PIP3", 0.0647, "PIP3 at the plasma membrane"),
    ("AKT_T308", 0.1725, "AKT phosphorylated at T308 (by PDK1)"),
    ("AKT_S473", 0.0995, "AKT phosphorylated at S473 (by mTORC2)"),
    ("TSC2_p", 0.7159, "TSC2 inactivated by AKT/ERK/RSK phosphorylation"),
    ("RHEB", 0.1296, "RHEB-GTP"),
    ("PRAS40_p", 0.1916, "PRAS40 T246 phosphorylated (released from RAPTOR)"),
    ("RAG", 0.6667, "active Rag GTPase heterodimer (amino-acid signal)"),
    ("AMPK", 0.0909, "AMPK T172 phosphorylated"),
    ("RAPTOR_p", 0.2667, "RAPTOR S792 phosphorylated by AMPK (inhibitory)"),
    ("mTORC1", 0.0730, "active mTORC1 at the lysosome"),
    ("mTORC2", 0.0884, "active mTORC2 (RICTOR)"),
    ("S6K1", 0.1543, "S6K1 phosphorylated at T389"),
    ("rpS6", 0.3357, "ribosomal protein S6 phosphorylated at S235/236"),
    ("EIF4EBP1", 0.3484, "4E-BP1 phosphorylated (T37/46, S65): releases eIF4E"),
    ("HIF1A", 0.2197, "HIF-1alpha protein (relative to full mTORC1 drive)"),
    ("VEGF", 0.2197, "VEGF-A (relative)"),
    ("SREBP1", 0.0680, "nuclear SREBP-1"),
    ("ULK1", 0.6548, "active ULK1 (autophagy initiation)"),
    ("AUTOPHAGY", 0.3957, "autophagic flux (relative)"),
    ("STAT3", 0.0680, "STAT3 phosphorylated at S727"),
    ("GRB10", 0.1274, "GRB10 phosphorylated/stabilised by mTORC1"),
    ("SGK1", 0.1503, "SGK1 phosphorylated at S422 by mTORC2"),
    ("PKC", 0.1503, "PKCalpha phosphorylated at S657 by mTORC2"),
    ("RAS", 0.1353, "RAS-GTP"),
    ("RAF", 0.1014, "active RAF"),
    ("MEK", 0.0921, "MEK1/2 phosphorylated (S218/222)"),
    ("ERK", 0.0995, "ERK1/2 phosphorylated (T202/Y204)"),
    ("RSK", 0.1992, "active p90RSK"),
    ("MYC", 0.0374, "MYC phosphorylated at S62 (stabilised)"),
]


def _reactions() -> list[Reaction]:
    a, d = activation, deactivation
    return [
        a(
            "RTK",
            "GF/(1 + GRB10_level*GRB10/K_grb10)",
            "k_rtk_on",
            description="ligand binding; GRB10 restrains receptor signalling (C10)",
        ),
        d("RTK", "k_rtk_off"),
        a(
            "IRS1",
            "RTK*(1 - IRS1_pS)",
            "k_irs_on",
            description="RTK phosphorylates IRS1 unless it is serine-inhibited (C1, C8)",
        ),
        d("IRS1", "k_irs_off"),
        a(
            "IRS1_pS",
            "IRS1_feedback*S6K1",
            "k_irs_ser",
            description="S6K1 -> IRS1 negative feedback (C8)",
        ),
        d("IRS1_pS", "k_irs_ser_off"),
        a(
            "PI3K",
            "IRS1 + w_ras_pi3k*RAS + PIK3CA_gain",
            "k_pi3k_on",
            description="PI3K recruitment by IRS1 and RAS; PIK3CA mutants (C4)",
        ),
        d("PI3K", "k_pi3k_off"),
        a("PIP3", "PI3K", "k_pip3_on", description="PI3K makes PIP3"),
        d(
            "PIP3",
            "k_pten*PTEN_level + k_pip3_basal_off",
            factor=None,
            description="PTEN (and SHIP) remove PIP3 (C4)",
        ),
        a("AKT_T308", "PDK1 + AKT_gain", "k_t308", description="PDK1 phosphorylates AKT T308"),
        d("AKT_T308", "k_akt_off"),
        a("AKT_S473", "mTORC2", "k_s473", description="mTORC2 phosphorylates AKT S473 (C6)"),
        d("AKT_S473", "k_akt_off"),
        a(
            "TSC2_p",
            "k_tsc_akt*AKT + k_tsc_erk*ERK + k_tsc_rsk*RSK",
            "1",
            description="AKT, ERK and RSK phosphorylate and inhibit TSC2 (C1, C7)",
        ),
        d("TSC2_p", "k_tsc_off"),
        a("RHEB", "1", "k_rheb_gef", description="RHEB GTP loading"),
        d("RHEB", "k_rheb_gap", factor="TSC", description="TSC2 GAP activity on RHEB"),
        a("PRAS40_p", "AKT", "k_pras_on", description="AKT phosphorylates PRAS40 (C3)"),
        d("PRAS40_p", "k_pras_off"),
        a("RAG", "AA", "k_rag_on", description="amino acids activate Rag GTPases (C2)"),
        d("RAG", "k_rag_off"),
        a(
            "AMPK",
            "LKB1_level*(k_ampk_basal + k_ampk_stress*ENERGY_STRESS)",
            "1",
            description="LKB1 phosphorylates AMPK T172 under energy stress (C2, C25)",
        ),
        d("AMPK", "k_ampk_off"),
        a("RAPTOR_p", "AMPK", "k_raptor_on", description="AMPK phosphorylates RAPTOR S792 (C2)"),
        d("RAPTOR_p", "k_raptor_off"),
        a(
            "mTORC1",
            "RAG*(RHEB + MTOR_gain)*(1 + w_rsk_raptor*RSK)"
            "/((1 + PRAS40_level*(1 - PRAS40_p)/K_pras40)*(1 + RAPTOR_p/K_raptor))",
            "k_mtorc1_on",
            description="RHEB-GTP and Rag recruit/activate mTORC1; free PRAS40 and pS792-RAPTOR "
            "inhibit; ERK/RSK-phosphorylated RAPTOR activates (C1-C3, C7, C21)",
        ),
        d("mTORC1", "k_mtorc1_off"),
        a("mTORC2", "PIP3", "k_mtorc2_on", description="PI3K-dependent mTORC2 activation (C6)"),
        d("mTORC2", "k_mtorc2_off"),
        a("S6K1", "mTORC1", "k_s6k_on", description="mTORC1 phosphorylates S6K1 T389 (C5)"),
        d("S6K1", "k_s6k_off"),
        a(
            "rpS6",
            "k_rps6_s6k*S6K1 + k_rps6_rsk*RSK",
            "1",
            description="S6K1 and (mTORC1-independently) RSK phosphorylate rpS6 (C5, C7)",
        ),
        d("rpS6", "k_rps6_off"),
        a(
            "EIF4EBP1",
            "mTORC1/(K_4ebp1 + mTORC1)",
            "k_4ebp1_on",
            description="mTORC1 phosphorylates 4E-BP1, releasing eIF4E (C5)",
        ),
        d("EIF4EBP1", "k_4ebp1_off"),
        synthesis(
            "HIF1A",
            "0.1 + 0.9*translation",
            "k_hif_syn",
            description="cap-dependent HIF-1alpha translation (C5)",
        ),
        degradation("HIF1A", "k_hif_deg"),
        synthesis("VEGF", "HIF1A", "k_vegf_syn", description="HIF-1alpha drives VEGF (C5)"),
        degradation("VEGF", "k_vegf_deg"),
        a("SREBP1", "mTORC1", "k_srebp_on", description="mTORC1 drives SREBP-1 (C5)"),
        d("SREBP1", "k_srebp_off"),
        a("ULK1", "1 + w_ampk_ulk1*AMPK", "k_ulk1_on", description="AMPK activates ULK1"),
        d(
            "ULK1",
            "k_ulk1_off",
            factor="1 + w_mtorc1_ulk1*mTORC1",
            description="mTORC1 inhibits ULK1 (S757): autophagy off (C5, C11)",
        ),
        a("AUTOPHAGY", "ULK1", "k_autophagy_on", description="ULK1 initiates autophagy (C11)"),
        d("AUTOPHAGY", "k_autophagy_off"),
        a("STAT3", "mTORC1", "k_stat3_on", description="mTORC1 phosphorylates STAT3 S727 (C5)"),
        d("STAT3", "k_stat3_off"),
        a("GRB10", "mTORC1", "k_grb10_on", description="mTORC1 stabilises GRB10 (C10)"),
        d("GRB10", "k_grb10_off"),
        a("SGK1", "mTORC2", "k_sgk1_on", description="mTORC2 phosphorylates SGK1 (C6)"),
        d("SGK1", "k_sgk1_off"),
        a("PKC", "mTORC2", "k_pkc_on", description="mTORC2 phosphorylates PKCalpha (C6)"),
        d("PKC", "k_pkc_off"),
        a(
            "RAS",
            "RTK/(1 + GRB10_level*GRB10/K_grb10) + w_pi3k_ras*PI3K + KRAS_gain",
            "k_ras_on",
            description="RTK-SOS and the IRS1/PI3K arm load RAS; GRB10 restrains the receptor "
            "(C7, C9, C10); KRAS mutants (C26)",
        ),
        d("RAS", "k_ras_off*NF1_level + k_ras_gap_basal", factor=None),
        a("RAF", "RAS + BRAF_gain", "k_raf_on", description="RAS activates RAF; BRAF V600E"),
        d("RAF", "k_raf_off", factor="1 + w_erk_raf*ERK", description="ERK feedback on RAF"),
        a("MEK", "RAF", "k_mek_on"),
        d("MEK", "k_mek_off"),
        a("ERK", "MEK", "k_erk_on"),
        d("ERK", "k_erk_off"),
        a("RSK", "ERK", "k_rsk_on"),
        d("RSK", "k_rsk_off"),
        a(
            "MYC",
            "k_myc_pdk1*PDK1 + k_myc_erk*ERK",
            "1",
            description="PDK1 and ERK phosphorylate MYC S62 (C27)",
        ),
        d(
            "MYC",
            "k_myc_pp2a*PPP2R2B_level + k_myc_basal_off",
            factor=None,
            description="PP2A-B55beta dephosphorylates MYC (C27)",
        ),
    ]


_OBSERVABLES = [
    Observable(
        "PDK1",
        "PDK1_level*(PDK1_basal + (1 - PDK1_basal)*PIP3)",
        description="PIP3-recruited PDK1 activity",
    ),
    Observable(
        "AKT",
        "AKT_T308*(0.5 + 0.5*AKT_S473)",
        description="AKT kinase activity (T308 needed, S473 doubles it)",
    ),
    Observable(
        "TSC",
        "TSC_level*(1 - TSC2_p)*(1 + w_ampk_tsc*AMPK)",
        description="RHEB-GAP activity of the TSC1/TSC2 complex",
    ),
    Observable(
        "eIF4F",
        "1/(1 + BP1_level*(1 - EIF4EBP1)/K_bp1_eif4e)",
        description="eIF4E free of 4E-BP1, i.e. eIF4F (cap complex) assembly",
    ),
    Observable("translation", "eIF4F", description="cap-dependent translation (relative)"),
    Observable(
        "autophagic_flux",
        "AUTOPHAGY",
        description="autophagic flux completed in lysosomes (blocked by HCQ, C11)",
    ),
    Observable(
        "GROWTH_DRIVE",
        "w_growth_translation*translation + w_growth_ribosome*rpS6 + w_growth_myc*MYC"
        " + w_growth_erk*ERK + w_growth_lipid*SREBP1 + w_growth_stat3*STAT3",
        description="proliferation signal derived from the pathway outputs (C5)",
    ),
]


@lru_cache(maxsize=1)
def default_network() -> Network:
    """The default mTOR network (review Fig. 1 + mTORC2 + MAPK/RSK + feedbacks).

    Returns
    -------
    Network
        33 species (active fractions, unit 1), ~110 parameters with sources, hours.
    """
    species = [Species(n, v, "1", desc, source=_INITIAL_SOURCE) for n, v, desc in _SPECIES]
    return Network(
        name="mtorsim_default",
        species=species,
        parameters=_parameters(),
        reactions=_reactions(),
        observables=_OBSERVABLES,
        time_unit="h",
        source=REVIEW,
    )
