"""The evidence gap map as a figure (SVG and PNG, matplotlib): themes by country.

Rows are themes (codes, labelled with their names), columns countries (named), with an empty column for
each comparator group that has no evidence, so the gap is drawn. A circle's area grows with the number of
documents; the number in it counts them, independent studies in brackets; its shade says how direct the
best of that evidence is. Output is deterministic: no dates in the files and a fixed SVG id salt.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ..analysis.gapmap import DIRECTNESS
from ..common.textio import write_atomic
from . import words
from .drawings import drawing_key, write_drawn

SHADES = {"primary": "#08519c", "secondary": "#6baed6", "commentary": "#c6dbef"}
LEGEND = {"primary": "a primary study", "secondary": "secondary reports only", "commentary": "commentary only"}


def gap_map_figure(protocol: dict, cells: list[dict[str, Any]], columns: list[str]):
    """A matplotlib figure of the gap map."""
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = "synthesis-gap-map"
    from matplotlib.collections import PathCollection
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.markers import MarkerStyle
    from matplotlib.patches import Rectangle
    from matplotlib.transforms import IdentityTransform

    codes = protocol["codes"]
    by_pair = {(c["code"], c["country"]): c for c in cells}
    most = max([c["documents"] for c in cells] + [1])
    names = [words.country(c) for c in columns]
    width = 3.6 + 1.1 * max(len(columns), 1)
    height = 1.6 + 0.42 * len(codes)
    figure = Figure(figsize=(width, height), dpi=150)
    # Fixed margins in inches: labels on the left, column names on top, the legend below.
    axes = figure.add_axes((2.6 / width, 0.75 / height, 1 - 2.7 / width, 1 - 1.55 / height))
    # The limits are set below: no autoscaling after each of hundreds of artists (a fifth of the drawing).
    axes.set_autoscale_on(False)
    marker = MarkerStyle("o")
    dot = marker.get_path().transformed(marker.get_transform())
    for row, code in enumerate(codes):
        for col, column in enumerate(columns):
            empty_group = column.startswith("group:")
            # Added as add_patch adds it (clipped to the axes), without the data limits no one reads.
            axes.add_artist(Rectangle((col, row), 1, 1, facecolor="#fbeaea" if empty_group else "#f7f7f7",
                                      edgecolor="white"))
            cell = by_pair.get((code["id"], column))
            if not cell or not cell["documents"]:
                continue
            # A marker's area (points squared) grows with the documents; markers stay round at any aspect.
            area = 200 + 400 * cell["documents"] / most
            colour = SHADES[cell["directness"]]
            # The collection scatter() makes, made as it makes it, without its checks of its arguments and
            # without the data limits no one reads (a third of the figure's making).
            dots = PathCollection((dot,), [area], facecolors=colour, edgecolors="#555555", linewidths=0.4,
                                  offsets=[(col + 0.5, row + 0.5)], offset_transform=axes.transData, zorder=2)
            dots.set_transform(IdentityTransform())
            axes.add_collection(dots, autolim=False)
            label = f"{cell['documents']}" + (f" ({cell['studies']})" if cell["studies"] else "")
            axes.text(col + 0.5, row + 0.5, label, ha="center", va="center", fontsize=6, zorder=3,
                      color="white" if cell["directness"] == "primary" else "black")
    axes.set_xlim(0, max(len(columns), 1))
    axes.set_ylim(len(codes), 0)
    axes.set_xticks([i + 0.5 for i in range(len(columns))], [n.replace(" comparators", "\ncomparators\n(none coded)") if c.startswith("group:") else n
                                                             for c, n in zip(columns, names)], fontsize=7)
    axes.xaxis.tick_top()
    axes.set_yticks([i + 0.5 for i in range(len(codes))], [c["label"] for c in codes], fontsize=7)
    axes.tick_params(length=0)
    for side in axes.spines.values():
        side.set_visible(False)
    handles = [Line2D([], [], marker="o", linestyle="", markersize=8, markerfacecolor=SHADES[d], markeredgecolor="#555555", label=LEGEND[d])
               for d in DIRECTNESS]
    figure.legend(handles=handles, loc="lower center", ncol=3, fontsize=7, frameon=False,
                  title="Number: documents (independent studies); size: documents; shade: the most direct evidence", title_fontsize=7)
    return figure


def write_gap_map(protocol: dict, cells: list[dict[str, Any]], columns: list[str], svg: str | Path, png: str | Path) -> None:
    """Write the gap map as SVG and PNG, atomically and without timestamps."""
    figure = gap_map_figure(protocol, cells, columns)
    for path, fmt, metadata in ((svg, "svg", {"Date": None, "Creator": None}), (png, "png", {"Software": None})):
        buffer = io.BytesIO()
        figure.savefig(buffer, format=fmt, metadata=metadata)
        write_atomic(path, buffer.getvalue())


def figure_key(protocol: dict, cells: list[dict[str, Any]], columns: list[str]) -> str:
    """What the drawn gap map depends on: its cells, columns and codes (and the code, matplotlib's version)."""
    return drawing_key([[(c["id"], c["label"]) for c in protocol["codes"]], cells, columns])


def write_gap_map_cached(protocol: dict, cells: list[dict[str, Any]], columns: list[str], svg: str | Path, png: str | Path,
                         cache: str | Path) -> None:
    """:func:`write_gap_map`, drawn only when :func:`figure_key` changed (see drawings.py)."""
    key = figure_key(protocol, cells, columns)
    write_drawn(key, lambda s, p: write_gap_map(protocol, cells, columns, s, p), svg, png, cache)


__all__ = ["figure_key", "gap_map_figure", "write_gap_map", "write_gap_map_cached"]
