"""Genotypes: mutation files in, network perturbations and predicted drug response out."""
