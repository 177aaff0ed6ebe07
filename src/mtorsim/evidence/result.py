"""Claim results, titles and the helper that turns checks into a result."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["PENDING_ISSUE", "TITLES", "ClaimResult", "make_result"]


@dataclass(frozen=True)
class ClaimResult:
    """Outcome of one claim check.

    Attributes
    ----------
    claim : str
        Claim id (``"C8"``).
    title : str
        One-line statement.
    measured : str
        The numbers the model produced.
    target : str
        What the claim requires.
    status : str
        ``"pass"``, ``"fail"`` or ``"not implemented"``.
    values : dict
        Raw measurements, for tests and tables.
    """

    claim: str
    title: str
    measured: str
    target: str
    status: str
    values: dict[str, float] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.status == "pass"


#: Claim titles (all of spec/claims.md) and the issue that brings the pending ones.
TITLES: dict[str, str] = {
    "C1": "GF -> RTK/IRS1/PI3K/AKT -| TSC2 -> RHEB -> mTORC1; GF removal halves output",
    "C2": "amino acids required; energy stress lowers mTORC1 via LKB1/AMPK (TSC2, RAPTOR)",
    "C3": "AKT -> PRAS40 raises mTORC1 independently of TSC1/2",
    "C4": "TSC loss: GF-independent mTORC1; PTEN loss / PIK3CA raise PIP3, pAKT, mTORC1",
    "C5": "outputs: 4E-BP1/eIF4F, rpS6, HIF-1a/VEGF, SREBP-1, ULK1, STAT3, growth drive",
    "C6": "mTORC2 -> AKT S473/SGK1/PKC; GF-driven, not acutely rapamycin-sensitive",
    "C7": "MAPK cross-talk: ERK/RSK -| TSC2, -> RAPTOR; RSK -> rpS6 without mTORC1",
    "C8": "S6K1 -| IRS1 feedback: mTORC1 inhibition raises IRS1 and pAKT (S473 x1.3-2.0)",
    "C9": "mTORC1 -> MAPK feedback: mTORC1 inhibition raises pERK, dose-dependently",
    "C10": "GRB10: mTORC1 inhibition destabilises GRB10 and both arms rise",
    "C11": "autophagy partly re-activated by rapalogs; HCQ blocks it",
    "C12": "rapamycin-FKBP12 binds FRB; mTORC2 not acutely inhibited",
    "C13": "rapalogs: pS6K1 >90 % down, p4E-BP1 <50 %, 4E-BP1 recovers in ~6 h",
    "C14": "PK: bioavailability, everolimus trough 11-13 ng/mL, half-lives",
    "C15": "TORKi: pS6K1 and p4E-BP1 fully down, AKT S473 down",
    "C16": "dual PI3K/mTOR: pAKT down at both sites, rebound cancelled",
    "C17": "RapaLink-1 potent on WT, FRB and kinase-domain mutants",
    "C18": "MEKi + rapalog suppress pS6 and growth more than either",
    "C19": "rapalogs are cytostatic; regrowth after stopping",
    "C20": "TSC1/TSC2 loss: strongest rapalog sensitivity",
    "C21": "activating MTOR mutations hyperactivate mTORC1, stay rapalog-sensitive",
    "C22": "FRB mutants resist rapalogs; M2327I lowers TORKi sensitivity 3-30x",
    "C23": "PIK3CA H1047R: PI3K activation; longer PFS on everolimus",
    "C24": "PTEN loss: rapalog sensitivity (GDSC ln IC50 about -0.5)",
    "C25": "STK11/LKB1 loss removes the AMPK brake: everolimus sensitivity",
    "C26": "KRAS/BRAF: relative rapalog resistance (GDSC +0.45)",
    "C27": "PPP2R2B loss: PDK1-dependent MYC phosphorylation, rapamycin resistance",
    "C28": "genotype predicts imperfectly: probabilistic predictions",
    "C29": "heterogeneity: resistant lesions grow while others stabilise",
    "C30": "acquired resistance: FRB mutant clones emerge; TORKi/RapaLink-1 regain control",
    "C31": "trial record of Table 1: PFS benefit with low ORR in approved indications",
    "C32": "second line after VEGF-TKI: RECORD-1, INTORSECT, lenvatinib + everolimus",
    "C33": "newer agents: MANTA, BEZ235 tolerability, LY3023414",
}

PENDING_ISSUE = {}


def make_result(
    claim: str, checks: dict[str, bool], values: dict[str, float], measured: str, target: str
) -> ClaimResult:
    """A result that fails if any check fails, naming the failed checks."""
    failed = [k for k, ok in checks.items() if not ok]
    if failed:
        measured = f"{measured}; failed: {', '.join(failed)}"
    return ClaimResult(claim, TITLES[claim], measured, target, "fail" if failed else "pass", values)
