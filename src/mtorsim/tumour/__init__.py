"""Tumours: clones and lesions whose growth follows the signalling growth drive.

Signalling settles within hours, tumours change over weeks, so each clone's growth rate is
read from the pathway's steady state at the patient's average drug exposure
(:func:`clone_signals`) and burden is integrated exactly between treatment changes
(:class:`Tumour`). :func:`with_tumour` couples the same growth law to the full ODE model
(PK + signalling + burden) and is used to check that shortcut.
"""

from mtorsim.tumour.growth import TumourParameters, net_growth_rate
from mtorsim.tumour.lesions import Tumour, cells_from_diameter, diameter_mm
from mtorsim.tumour.ode import with_tumour
from mtorsim.tumour.signals import SIGNALS, clone_signals

__all__ = [
    "SIGNALS",
    "Tumour",
    "TumourParameters",
    "cells_from_diameter",
    "clone_signals",
    "diameter_mm",
    "net_growth_rate",
    "with_tumour",
]
