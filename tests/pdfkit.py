"""PDF fixtures written by the tests (reportlab, deterministic): a report with roman then
arabic page labels, a running header and footer, a two-column page whose columns are
drawn right first, a word hyphenated at a line end and a sentence across a page break;
and a "scanned" PDF with no text layer."""

from __future__ import annotations

from pathlib import Path

import reviewkit

HEADER = "Community Energy Review 2024"
# (label, left column lines, right column lines or None): one entry per page.
PAGES = [
    ("i", ["Foreword", "", "This review was commissioned by the Energy Trust."], None),
    ("ii", ["Summary", "", "Schemes cut bills for members but rarely", "reached renters."], None),
    ("1", ["Members of the cooperative saw", "their bills fall by twelve per", "cent. The cooperative's commu-",
           "nity fund paid dividends to all", "members every year."],
     ["Renters rarely joined the scheme", "because landlords owned the roofs.", "In the second phase the scheme", "was"]),
    ("2", ["extended to tenants of housing", "associations in 2021.", "", "Trust in the operator rose after", "the first annual meeting."], None),
]

SIDECAR = """\
citekey: trust2024
type: report
role: primary
tags: [energy, renters]
countries: [GB]
"""

BIB_ENTRY = """
@report{trust2024,
  author = {{Energy Trust}},
  title = {Community energy review},
  year = {2024},
  institution = {Energy Trust}
}
"""

SHEET_ROWS = [
    ["id", "quote", "codes", "finding", "locator"],
    ["1", "saw their bills fall by twelve per cent", "bill_savings", "Bills fell by 12%.", ""],
    ["2", "The cooperative's community fund paid dividends", "bill_savings", "The fund paid dividends.", ""],
    ["3", "paid dividends to all members every year. Renters rarely joined the scheme because landlords owned the roofs.", "uptake", "Renters rarely joined.", ""],
    ["4", "In the second phase the scheme was extended to tenants of housing associations", "uptake", "The scheme reached tenants.", ""],
    ["5", "Schemes cut bills for members but rarely reached renters.", "bill_savings", "Summary.", "p. 7"],
]


def report_pdf(path: Path, labels: bool = True) -> Path:
    """The report PDF (4 pages); with ``labels`` its pages are labelled i, ii, 1, 2."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    width, height = A4
    pdf = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    if labels:
        pdf.addPageLabel(0, "ROMAN_LOWER")
        pdf.addPageLabel(2, "ARABIC", 1)
    for label, left, right in PAGES:
        shown = label if labels else str(PAGES.index((label, left, right)) + 1)
        pdf.setFont("Helvetica", 11)
        # The right column is drawn first: the file's order is not the reading order.
        for x, lines in ((310, right or []), (72, left)):
            y = height - 100
            for line in lines:
                pdf.drawString(x, y, line)
                y -= 14 if line else 28
        pdf.setFont("Helvetica", 9)
        pdf.drawString(72, height - 50, HEADER)
        pdf.drawCentredString(width / 2, 40, f"Energy Trust | page {shown}")
        pdf.showPage()
    pdf.save()
    return path


def scanned_pdf(path: Path) -> Path:
    """A PDF whose page holds only vector drawing: no text layer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    pdf.rect(72, 400, 300, 200, fill=1)
    pdf.line(72, 380, 372, 380)
    pdf.showPage()
    pdf.save()
    return path


def add_pdf_source(root: Path, rows: list[list] | None = None) -> Path:
    """Add the report as PDF source ``trust2024`` (PDF, sidecar, bibliography entry, sheet) to a review."""
    report_pdf(root / "sources" / "trust2024.pdf")
    (root / "sources" / "trust2024.yaml").write_text(SIDECAR, encoding="utf-8")
    with open(root / "sources" / "references.bib", "a", encoding="utf-8") as bib:
        bib.write(BIB_ENTRY)
    (root / "extraction" / "trust2024.csv").write_text(reviewkit.csv_text(rows or SHEET_ROWS), encoding="utf-8")
    return root


def type3_pdf(path: Path, lines: list[bytes], size: float = 10.0) -> Path:
    """A one-page PDF set in a Type 3 font as dvips and Ghostscript write TeX's bitmap fonts: no ToUnicode,
    glyph names that are their codes (so code 11, OT1's ff ligature, reads as U+000B), and a FontBBox that bounds
    nothing, so PDFium boxes each glyph by its ink (x-height letters shorter than ascenders), as it does such a
    preprint's. ``lines`` are byte strings in that font."""
    letters = sorted({c for line in lines for c in line if c != 32} | {32})
    tall = set(b"bdfhklt0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ\x0b\x0c")

    def glyph(code: int) -> tuple[int, bytes]:
        if code == 32:
            return 333, b"333 0 d0"
        top = 690 if code in tall else 450
        width = 560 if code in (11, 12) else 500
        return width, f"{width} 0 30 0 {width - 30} {top} d1 30 0 {width - 60} {top} re f".encode()

    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
    ]
    content = b"BT /F1 %g Tf 14 TL 72 700 Td " % size + b" ".join(
        b"(" + line.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b") '" for line in lines) + b" ET"
    objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    widths = b" ".join(b"%d" % (glyph(c)[0] if c in letters else 0) for c in range(letters[0], letters[-1] + 1))
    differences = b" ".join(b"%d /g%d" % (c, c) for c in letters)
    procs = b" ".join(b"/g%d %d 0 R" % (c, 7 + n) for n, c in enumerate(letters))
    objects.append(b"<< /Type /Font /Subtype /Type3 /FontBBox [0 0 1 1] /FontMatrix [0.001 0 0 0.001 0 0] "
                   b"/Encoding 6 0 R /CharProcs << " + procs + b" >> /FirstChar %d /LastChar %d /Widths [%s] /Resources << >> >>"
                   % (letters[0], letters[-1], widths))
    objects.append(b"<< /Type /Encoding /Differences [" + differences + b"] >>")
    for c in letters:
        stream = glyph(c)[1]
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path
