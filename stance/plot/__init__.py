"""Charts of a results table. Each function returns the matplotlib Axes and never shows it.

Label order and colours are each scheme's own (``display_order`` and ``colour`` in its TOML
file, recorded in the table's provenance: see :mod:`stance.look`); labels without a colour get the
Okabe-Ito palette, safe for colour-blind readers.
"""
from __future__ import annotations

from stance.plot.quality import plot_agreement, plot_confidence, plot_confusion, plot_fewshot, plot_timeline
from stance.plot.shares import (device_counts, label_shares, plot_label_shares, plot_rhetoric_by_source,
                                plot_stance_by_source, plot_stance_tone_heatmap, plot_target_across_sources,
                                plot_tone_by_source, shares_title)
from stance.plot.style import FONT, OKABE_ITO, label_colours, percent_labels, require_columns, text_colour

__all__ = ["FONT", "OKABE_ITO", "device_counts", "label_colours", "label_shares", "percent_labels", "plot_agreement",
           "plot_confidence", "plot_confusion", "plot_fewshot", "plot_label_shares", "plot_rhetoric_by_source",
           "plot_stance_by_source", "plot_stance_tone_heatmap", "plot_target_across_sources", "plot_timeline",
           "plot_tone_by_source", "require_columns", "shares_title", "text_colour"]
