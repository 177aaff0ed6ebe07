"""Evidence: the review's claims as checks, and the scorecard."""

from mtorsim.evidence.claims import CLAIMS, TITLES, ClaimResult, evaluate_claim, scorecard

__all__ = ["CLAIMS", "TITLES", "ClaimResult", "evaluate_claim", "scorecard"]
