"""Imports flow one way: network -> engine -> ... -> cli (STYLE.md rule 2)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "mtorsim"
LAYERS = [
    "network",
    "engine",
    "pharmacology",
    "genomics",
    "tumour",
    "trials",
    "evidence",
    "report",
    "cli",
]
FORBIDDEN = {
    "network": LAYERS[1:],
    "engine": LAYERS[2:],
    "pharmacology": LAYERS[3:],
    "genomics": LAYERS[4:],
    "tumour": LAYERS[5:],
    "trials": LAYERS[6:],
}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_lower_layers_do_not_import_higher_ones(layer: str) -> None:
    for path in (SRC / layer).glob("*.py"):
        for mod in _imports(path):
            for higher in FORBIDDEN[layer]:
                assert not mod.startswith(f"mtorsim.{higher}"), f"{path.name} imports {mod}"


def test_modules_stay_small() -> None:
    for path in SRC.rglob("*.py"):
        assert len(path.read_text().splitlines()) < 800, path
