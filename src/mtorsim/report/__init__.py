"""Figures and reports."""

from mtorsim.report.plots import plot_fold_changes, plot_timecourse, save_figure

__all__ = ["plot_fold_changes", "plot_timecourse", "save_figure"]
