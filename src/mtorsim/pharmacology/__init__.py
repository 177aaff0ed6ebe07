"""Drugs: library, mechanisms as reactions, pharmacokinetics, regimens, dose-response."""
