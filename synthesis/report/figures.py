"""The evidence gap map as a figure (SVG and PNG, matplotlib).

Rows are codes, columns questions; each cell shows the number of distinct
sources and is shaded by the theme's strength rating. Cells the codebook does
not pair and coders did not use are left blank. Output is deterministic:
no dates in the files and a fixed SVG id salt.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ..analysis.strength import scale
from ..common.textio import write_atomic

# Light to dark blues for ratings, weakest first; white for "no evidence".
SHADES = ["#dbe9f6", "#9ecae1", "#4292c6", "#2171b5", "#08519c", "#08306b"]
GAP, BLANK = "#ffffff", "#f2f2f2"


def shade_of(protocol: dict) -> dict[str, str]:
    """Rating -> colour, strongest darkest; 'none' (a gap) white."""
    ratings = [r for r in scale(protocol) if r != "unrated"]
    colours = {rating: SHADES[min(len(ratings) - 1 - i, len(SHADES) - 1)] for i, rating in enumerate(ratings)}
    return colours | {"unrated": SHADES[0], "none": GAP}


def gap_map_figure(protocol: dict, cells: list[dict[str, Any]]):
    """A matplotlib figure of the gap map."""
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = "synthesis-gap-map"
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch, Rectangle

    questions = [q["id"] for q in protocol["questions"]]
    used = {c["code"] for c in cells}
    codes = [c for c in protocol["codes"] if c["id"] in used]
    by_pair = {(c["question"], c["code"]): c for c in cells}
    colours = shade_of(protocol)
    width = 3.2 + 0.9 * len(questions)
    height = 1.4 + 0.42 * len(codes)
    figure = Figure(figsize=(width, height), dpi=150)
    axes = figure.add_axes((0.38, 0.18, 0.6, 0.72))
    for row, code in enumerate(codes):
        for col, question in enumerate(questions):
            cell = by_pair.get((question, code["id"]))
            if cell is None:
                axes.add_patch(Rectangle((col, row), 1, 1, facecolor=BLANK, edgecolor="white"))
                continue
            rating = cell["strength"]["rating"]
            fill = colours.get(rating, SHADES[0])
            axes.add_patch(Rectangle((col, row), 1, 1, facecolor=fill, edgecolor="#999999", linewidth=0.5, clip_on=False))
            dark = fill in SHADES[2:]
            axes.text(col + 0.5, row + 0.5, str(cell["sources"]), ha="center", va="center", fontsize=8,
                      color="white" if dark else "black", fontweight="bold" if cell["sources"] else "normal")
    axes.set_xlim(0, len(questions))
    axes.set_ylim(len(codes), 0)
    axes.set_xticks([i + 0.5 for i in range(len(questions))], questions, fontsize=8)
    axes.xaxis.tick_top()
    axes.set_yticks([i + 0.5 for i in range(len(codes))], [c["label"] for c in codes], fontsize=7)
    axes.tick_params(length=0)
    for side in axes.spines.values():
        side.set_visible(False)
    legend = [Patch(facecolor=colours[r], edgecolor="#999999", label=r) for r in scale(protocol) if r != "unrated"]
    legend.append(Patch(facecolor=GAP, edgecolor="#999999", label="no evidence (gap)"))
    figure.legend(handles=legend, loc="lower center", ncol=min(len(legend), 4), fontsize=7, frameon=False,
                  title="Cell: number of sources; shade: strength of evidence", title_fontsize=7)
    return figure


def write_gap_map(protocol: dict, cells: list[dict[str, Any]], svg: str | Path, png: str | Path) -> None:
    """Write the gap map as SVG and PNG, atomically and without timestamps."""
    figure = gap_map_figure(protocol, cells)
    for path, fmt, metadata in ((svg, "svg", {"Date": None, "Creator": None}), (png, "png", {"Software": None})):
        buffer = io.BytesIO()
        figure.savefig(buffer, format=fmt, metadata=metadata)
        write_atomic(path, buffer.getvalue())


__all__ = ["gap_map_figure", "shade_of", "write_gap_map"]
