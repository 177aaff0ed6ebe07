"""``python -m mtorsim`` runs the command line."""

from mtorsim.cli import main

main()
