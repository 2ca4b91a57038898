"""The PRISMA 2020 flow diagram (SVG and PNG), its CSV for the PRISMA2020 R package, the records
tables and the report's method section, all from ``output/build/records.json``.

An arm with no records (e.g. no database searches) is left out of the diagram. Output is
deterministic: no dates in the files and a fixed SVG id salt.
"""

from __future__ import annotations


import csv
import io
import textwrap
from pathlib import Path
from typing import Any

from ..common.textio import csv_text, write_atomic
from .drawings import drawing_key, write_drawn

KIND_LABELS = {"database": "Databases", "register": "Registers", "website": "Websites", "organisation": "Organisations",
               "citation_searching": "Citation searching", "provided": "Provided by the review team"}
ARM_TITLES = {"databases": "Identification via databases and registers", "other": "Identification via other methods"}


def _n(n: int) -> str:
    return f"(n = {n})"


def _reason_lines(reasons: list[list]) -> list[str]:
    return [f"{reason.replace('_', ' ')} {_n(n)}" for reason, n in reasons if reason != "no reason given"]


def arm_boxes(arm: dict) -> list[tuple[list[str], list[str]]]:
    """One arm as rows of (main box lines, side box lines); an empty side means no side box."""
    identified = ["Records identified from:"] + [f"{KIND_LABELS[k]} {_n(n)}" for k, n in arm["identified"].items()]
    screened = [f"Records screened {_n(arm['screened'])}"]
    if arm["screened_title_only"]:
        screened.append(f"on the title alone (no abstract): {arm['screened_title_only']}")
    if arm["screened_no_title"]:
        screened.append(f"no title either (authors, year, citing sentence): {arm['screened_no_title']}")
    if arm["awaiting_screening"]:
        screened.append(f"Awaiting screening {_n(arm['awaiting_screening'])}")
    sought = [f"Reports sought for retrieval {_n(arm['sought'])}"]
    if arm["awaiting_retrieval"]:
        sought.append(f"not yet sought {_n(arm['awaiting_retrieval'])}")
    assessed = [f"Reports assessed for eligibility {_n(arm['assessed'])}"]
    if arm["awaiting_classification"]:
        assessed.append(f"awaiting classification {_n(arm['awaiting_classification'])}")
    return [
        (identified, ["Records removed before screening:", f"Duplicate records {_n(arm['duplicates'])}"]),
        (screened, [f"Records excluded {_n(arm['excluded'])}"] + _reason_lines(arm["excluded_reasons"])),
        (sought, [f"Reports not retrieved {_n(arm['not_retrieved'])}"] + _reason_lines(arm["not_retrieved_reasons"])),
        (assessed, ["Reports excluded:" if arm["assessed_reasons"] else f"Reports excluded {_n(0)}"] + _reason_lines(arm["assessed_reasons"])),
    ]


def included_lines(flow: dict) -> list[str]:
    lines = [f"Sources included in review {_n(flow['total_sources'])}", f"Reports of included records {_n(flow['included_reports'])}"]
    if flow["added_otherwise"]:
        lines.append(f"Sources added another way {_n(len(flow['added_otherwise']))}")
    return lines


def _wrap(lines: list[str], width: int = 44) -> str:
    return "\n".join(part for line in lines for part in textwrap.wrap(line, width) or [""])


def flow_figure(flow: dict):
    """A matplotlib figure of the PRISMA 2020 flow diagram."""
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = "synthesis-prisma"
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    arms = [a for a in ("databases", "other") if flow[f"uses_{a}"]]
    box_w, box_h, gap_x, gap_y = 3.0, 1.0, 0.5, 0.45
    col_w = 2 * box_w + gap_x
    width = len(arms) * col_w + (len(arms) - 1) * 0.8
    rows = 5
    height = 0.6 + rows * (box_h + gap_y)
    figure = Figure(figsize=(width * 0.95 + 0.4, height * 0.95), dpi=150)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(-0.2, width + 0.2)
    axes.set_ylim(height, 0)
    axes.axis("off")

    def box(x: float, y: float, text: str, fill: str = "white") -> None:
        axes.add_patch(Rectangle((x, y), box_w, box_h, facecolor=fill, edgecolor="#333333", linewidth=0.8))
        axes.text(x + box_w / 2, y + box_h / 2, text, ha="center", va="center", fontsize=6.5, wrap=False)

    def arrow(x0: float, y0: float, x1: float, y1: float) -> None:
        axes.annotate("", xy=(x1, y1), xytext=(x0, y0), arrowprops={"arrowstyle": "->", "color": "#333333", "linewidth": 0.8})

    bottom_y = 0.6 + 4 * (box_h + gap_y)
    for n, arm in enumerate(arms):
        x = n * (col_w + 0.8)
        axes.text(x + col_w / 2, 0.3, ARM_TITLES[arm], ha="center", va="center", fontsize=8, fontweight="bold")
        for row, (main, side) in enumerate(arm_boxes(flow["arms"][arm])):
            y = 0.6 + row * (box_h + gap_y)
            box(x, y, _wrap(main))
            box(x + box_w + gap_x, y, _wrap(side), "#f2f2f2")
            arrow(x + box_w, y + box_h / 2, x + box_w + gap_x, y + box_h / 2)
            if row < 3:
                arrow(x + box_w / 2, y + box_h, x + box_w / 2, y + box_h + gap_y)
    # Both arms lead into one "included" box, centred under the arms.
    included_x = 0 if len(arms) == 1 else width / 2 - box_w / 2
    last_y = 0.6 + 3 * (box_h + gap_y) + box_h
    for n, _arm in enumerate(arms):
        x = n * (col_w + 0.8) + box_w / 2
        target = included_x + box_w / 2 if len(arms) == 1 else included_x + box_w * (0.25 + 0.5 * n)
        arrow(x, last_y, target, bottom_y)
    box(included_x, bottom_y, _wrap(included_lines(flow)), "#dbe9f6")
    return figure


def write_flow(flow: dict, svg: str | Path, png: str | Path) -> None:
    """Write the flow diagram as SVG and PNG, atomically and without timestamps."""
    figure = flow_figure(flow)
    for path, fmt, metadata in ((svg, "svg", {"Date": None, "Creator": None}), (png, "png", {"Software": None})):
        buffer = io.BytesIO()
        figure.savefig(buffer, format=fmt, metadata=metadata)
        write_atomic(path, buffer.getvalue())


# The PRISMA2020 R package's CSV template (inst/extdata/PRISMA.csv of prisma-flowdiagram/PRISMA2020, MIT
# licence; tests/prisma2020/ holds the file and checks these rows against it): every row, in its order, with
# its own text; ``n`` is the template's own value, replaced where this review has a number.
TEMPLATE_COLUMNS = ("data", "node", "box", "description", "boxtext", "tooltips", "url", "n")
_REASONS = "Reason1, xxx; Reason2, xxx; Reason3, xxx"
TEMPLATE = (
    ("NA", "node4", "prevstud", "Grey title box; Previous studies", "Previous studies", "Grey title box; Previous studies", "prevstud.html", "0"),
    ("previous_studies", "node5", "box1", "Studies included in previous version of review", "Studies included in previous version of review",
     "Studies included in previous version of review", "previous_studies.html", "0"),
    ("previous_reports", "NA", "box1", "Reports of studies included in previous version of review",
     "Reports of studies included in previous version of review", "NA", "previous_reports.html", "0"),
    ("NA", "node6", "newstud", "Yellow title box; Identification of new studies via databases and registers",
     "Identification of new studies via databases and registers",
     "Yellow title box; Identification of new studies via databases and registers", "newstud.html", "0"),
    ("database_results", "node7", "box2", "Records identified from: Databases", "Databases", "Records identified from: Databases and Registers",
     "database_results.html", "0"),
    ("database_specific_results", "NA", "box2", "Records identified from: specific databases", "Specific Databases", "NA",
     "database_results.html", "Database 1, xxx; Database 2, xxx; Database 3, xxx"),
    ("register_results", "NA", "box2", "Records identified from: Registers", "Registers", "NA", "NA", "0"),
    ("register_specific_results", "NA", "box2", "Records identified from: specific registers", "Specific Registers", "NA",
     "database_results.html", "Register 1, xxx; Register 2, xxx; Register 3, xxx"),
    ("NA", "node16", "othstud", "Grey title box; Identification of new studies via other methods", "Identification of new studies via other methods",
     "Grey title box; Identification of new studies via other methods", "othstud.html", "0"),
    ("website_results", "node17", "box11", "Records identified from: Websites", "Websites",
     "Records identified from: Websites, Organisations and Citation Searching", "website_results.html", "0"),
    ("organisation_results", "", "box11", "Records identified from: Organisations", "Organisations", "NA", "NA", "0"),
    ("citations_results", "NA", "box11", "Records identified from: Citation searching", "Citation searching", "NA", "NA", "0"),
    ("duplicates", "node8", "box3", "Duplicate records", "Duplicate records", "Duplicate records", "duplicates.html", "0"),
    ("excluded_automatic", "NA", "box3", "Records marked as ineligible by automation tools", "Records marked as ineligible by automation tools",
     "NA", "NA", "0"),
    ("excluded_other", "NA", "box3", "Records removed for other reasons", "Records removed for other reasons", "NA", "NA", "0"),
    ("records_screened", "node9", "box4", "Records screened (databases and registers)", "Records screened",
     "Records screened (databases and registers)", "records_screened.html", "0"),
    ("records_excluded", "node10", "box5", "Records excluded (databases and registers)", "Records excluded",
     "Records excluded (databases and registers)", "records_excluded.html", "0"),
    ("dbr_sought_reports", "node11", "box6", "Reports sought for retrieval (databases and registers)", "Reports sought for retrieval",
     "Reports sought for retrieval (databases and registers)", "dbr_sought_reports.html", "0"),
    ("dbr_notretrieved_reports", "node12", "box7", "Reports not retrieved (databases and registers)", "Reports not retrieved",
     "Reports not retrieved (databases and registers)", "dbr_notretrieved_reports.html", "0"),
    ("other_sought_reports", "node18", "box12", "Reports sought for retrieval (other)", "Reports sought for retrieval",
     "Reports sought for retrieval (other)", "other_sought_reports.html", "0"),
    ("other_notretrieved_reports", "node19", "box13", "Reports not retrieved (other)", "Reports not retrieved",
     "Reports not retrieved (other)", "other_notretrieved_reports.html", "0"),
    ("dbr_assessed", "node13", "box8", "Reports assessed for eligibility (databases and registers)", "Reports assessed for eligibility",
     "Reports assessed for eligibility (databases and registers)", "dbr_assessed.html", "0"),
    ("dbr_excluded", "node14", "box9", f"Reports excluded (databases and registers): [separate reasons and numbers using ; e.g. {_REASONS}]",
     "Reports excluded", "Reports excluded (databases and registers)", "dbrexcludedrecords.html", _REASONS),
    ("other_assessed", "node20", "box14", "Reports assessed for eligibility (other)", "Reports assessed for eligibility",
     "Reports assessed for eligibility (other)", "other_assessed.html", "0"),
    ("other_excluded", "node21", "box15", f"Reports excluded (other): [separate reasons and numbers using ; e.g. {_REASONS}]",
     "Reports excluded", "Reports excluded (other)", "other_excluded.html", _REASONS),
    ("new_studies", "node15", "box10", "New studies included in review", "New studies included in review", "New studies included in review",
     "new_studies.html", "0"),
    ("new_reports", "NA", "box10", "Reports of new included studies", "Reports of new included studies", "NA", "NA", "0"),
    ("total_studies", "node22", "box16", "Total studies included in review", "Total studies included in review",
     "Total studies included in review", "total_studies.html", "0"),
    ("total_reports", "NA", "box16", "Reports of total included studies", "Reports of total included studies", "NA", "NA", "0"),
    ("identification", "node1", "identification", "Blue identification box", "Identification", "Blue identification box",
     "identification.html", "0"),
    ("screening", "node2", "screening", "Blue screening box", "Screening", "Blue screening box", "screening.html", "0"),
    ("included", "node3", "included", "Blue included box", "Included", "Blue included box", "included.html", "0"),
    ("total_studies_ma", "node23", "box17", "Total studies included in meta-analysis", "Total studies included in meta-analysis",
     "Total studies included in meta-analysis", "total_studies_meta_analysis.html", "0"),
    ("total_reports_ma", "NA", "box17", "Reports of total included studies in meta-analysis",
     "Reports of total included studies in meta-analysis", "NA", "NA", "0"),
)


def _label(text: str) -> str:
    # The package splits a cell at ";" and a reason from its number at ",": neither may be in a name.
    return " ".join(text.replace("_", " ").replace(",", " ").replace(";", " ").split()) or "no reason given"


def _reasons_cell(reasons: list[list]) -> str:
    """The template's form for excluded reports, ``Reason1, xxx; Reason2, xxx``; "0" when none were."""
    return "; ".join(f"{_label(reason)}, {n}" for reason, n in reasons) if reasons else "0"


def _by_name(flow: dict, kinds: tuple[str, ...]) -> str:
    """``Scopus, 4; Web of Science, 3``: records per database (or register) as searches.csv names them."""
    named = flow["arms"]["databases"]["by_name"]
    cells = [f"{_label(name)}, {n}" for kind in kinds for name, n in named.get(kind, {}).items()]
    return "; ".join(cells)


def template_values(flow: dict) -> dict[str, str]:
    """The ``n`` of each template row this review has a number for (the other rows keep the template's).

    The template has no box for the other methods' duplicates or title screening, nor for records the
    team provided: team-provided records are counted with organisations (the row's label says so).
    """
    db, other = flow["arms"]["databases"], flow["arms"]["other"]
    ident = db["identified"] | other["identified"]
    values = {
        "database_results": ident.get("database", 0), "register_results": ident.get("register", 0),
        "database_specific_results": _by_name(flow, ("database",)), "register_specific_results": _by_name(flow, ("register",)),
        "website_results": ident.get("website", 0),
        "organisation_results": ident.get("organisation", 0) + ident.get("provided", 0),
        "citations_results": ident.get("citation_searching", 0),
        "duplicates": db["duplicates"], "excluded_automatic": 0, "excluded_other": 0,
        "records_screened": db["screened"], "records_excluded": db["excluded"],
        "dbr_sought_reports": db["sought"], "dbr_notretrieved_reports": db["not_retrieved"],
        "other_sought_reports": other["sought"], "other_notretrieved_reports": other["not_retrieved"],
        "dbr_assessed": db["assessed"], "dbr_excluded": _reasons_cell(db["assessed_reasons"]),
        "other_assessed": other["assessed"], "other_excluded": _reasons_cell(other["assessed_reasons"]),
        "new_studies": flow["total_sources"], "new_reports": flow["included_reports"],
        "total_studies": flow["total_sources"], "total_reports": flow["included_reports"],
    }
    return {key: str(value) for key, value in values.items() if value != ""}


def template_csv(flow: dict) -> str:
    """The flow in the PRISMA2020 package's CSV template: all its rows, in its order."""
    values = template_values(flow)
    provided = (flow["arms"]["other"]["identified"]).get("provided", 0)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(TEMPLATE_COLUMNS)
    for row in TEMPLATE:
        data, node, box, description, boxtext, tooltips, url, n = row
        if data == "organisation_results" and provided:
            boxtext = "Organisations and the review team"
        writer.writerow((data, node, box, description, boxtext, tooltips, url, values.get(data, n)))
    return out.getvalue()


def _table(rows: list[dict], columns: list[str]) -> str:
    # Titles and authors come from outside (search exports): never a live spreadsheet formula.
    return csv_text([columns, *(["; ".join(row[c]) if isinstance(row[c], list) else row[c] for c in columns] for row in rows)])


RECORD_TABLE = ["id", "search", "title", "authors", "year", "doi", "duplicate_of", "screened_on", "title_abstract",
                "title_abstract_reason", "full_text", "full_text_reason", "source"]


def write_outputs(summary: dict, folder: str | Path, svg: str | Path, png: str | Path,
                  cache: str | Path) -> None:
    """The records tables (records, duplicates, PRISMA2020 CSV) and the diagram, drawn only when the flow's
    numbers changed (``cache``: see drawings.py)."""
    folder = Path(folder)
    write_atomic(folder / "records.csv", _table(summary["records"], RECORD_TABLE))
    write_atomic(folder / "duplicates.csv", _table(summary["duplicates"], ["record", "kept", "reason"]))
    write_atomic(folder / "prisma.csv", template_csv(summary["flow"]))
    flow = summary["flow"]
    write_drawn(drawing_key(["prisma", flow]), lambda s, p: write_flow(flow, s, p), svg, png, cache)


__all__ = ["TEMPLATE", "TEMPLATE_COLUMNS", "arm_boxes", "flow_figure", "template_csv", "template_values", "write_flow", "write_outputs"]
