"""Generate a synthetic review of N sources for benchmarking the pipeline.

Each source has about 30 KB of text in headed sections, each sheet about 20
excerpts whose quotes are drawn verbatim from the text (some with curly quotes
in the source and straight ones in the sheet, some with a [...] elision), and
the codebook is shaped like a real one (5 questions, 20 codes). One sheet in
twenty is an Excel workbook. With ``--pdf-share`` that share of the sources
are PDFs (written with reportlab, the test extra): single column, a running
header and page numbers, words hyphenated at some line ends, front matter in a
sidecar file. With ``--appraisals`` every source is appraised with AACODS
(appraisal/<citekey>.yaml: an explanation and a note per item, two items of
concern in three sources out of four), as a review that appraises its sources
is. Output is deterministic for a given N, share, seed and appraisals.

    python benchmarks/generate.py 1000 /tmp/review-1000
    python benchmarks/generate.py 1000 /tmp/review-1000 --pdf-share 0.05
    python benchmarks/generate.py 1000 /tmp/review-1000 --appraisals
"""

from __future__ import annotations

import argparse
import csv
import random
import string
from pathlib import Path

QUESTIONS = 5
CODES = 20
COUNTRIES = ["GB", "US", "AU", "DE", "DK", "FR", "NL", "SE", "NO", "FI", "AT", "CH", "IE", "ES", "IT", "BE", "CA", "NZ", "JP", "KR"]
TYPES = ["statistic", "rct_evaluation", "programme_evaluation", "qualitative_research", "literature_review", "policy_document", "commentary"]
SOURCE_BYTES = 30_000
EXCERPTS = 20


def words(rng: random.Random, n: int = 3000) -> list[str]:
    """A pseudo-vocabulary of pronounceable words."""
    consonants, vowels = "bcdfghjklmnprstvwz", "aeiou"
    found = set()
    while len(found) < n:
        found.add("".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(rng.randint(1, 4))))
    return sorted(found)


def sentence(rng: random.Random, vocabulary: list[str]) -> str:
    body = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(10, 24)))
    if rng.random() < 0.15:
        body = body.replace(" ", " \u201c", 1) + "\u201d"  # curly quotes, matched by straight ones in sheets
    if rng.random() < 0.1:
        body = body.replace(" ", " \u2013 ", 1)  # an en dash
    return body[0].upper() + body[1:] + "."


def document(rng: random.Random, vocabulary: list[str]) -> tuple[str, list[list[str]]]:
    """Markdown text of about SOURCE_BYTES, and its paragraphs as lists of sentences."""
    parts, paragraphs, size, section = [], [], 0, 0
    while size < SOURCE_BYTES:
        if not paragraphs or rng.random() < 0.12:
            section += 1
            parts.append(f"## {section}) {sentence(rng, vocabulary)[:-1]}")
        sentences = [sentence(rng, vocabulary) for _ in range(rng.randint(3, 7))]
        paragraphs.append(sentences)
        text = " ".join(sentences)
        if rng.random() < 0.3:  # a hard line break inside the paragraph, as PDFs leave them
            cut = text.find(" ", len(text) // 2)
            text = text[:cut] + "\n" + text[cut + 1:]
        parts.append(text)
        size += len(text.encode("utf-8")) + 2
    return "\n\n".join(parts) + "\n", paragraphs


def plain(text: str) -> str:
    """How a coder might type a quote: straight quotes and hyphens."""
    return text.replace("\u201c", '"').replace("\u201d", '"').replace("\u2013", "-")


def excerpts(rng: random.Random, key: str, paragraphs: list[list[str]], cited: list[str], elide: bool = True) -> list[list[str]]:
    rows, used = [], set()
    while len(rows) < EXCERPTS:
        p = rng.randrange(len(paragraphs))
        s = rng.randrange(len(paragraphs[p]))
        if (p, s) in used:
            continue
        used.add((p, s))
        sentences = paragraphs[p]
        if rng.random() < 0.15 and s + 2 < len(sentences) and elide:
            quote = sentences[s] + " [...] " + sentences[s + 2]
        elif rng.random() < 0.4 and s + 1 < len(sentences):
            quote = sentences[s] + " " + sentences[s + 1]
        else:
            quote = sentences[s]
        codes = rng.sample(range(CODES), rng.choice([1, 1, 2]))
        rows.append([str(len(rows) + 1), plain(quote) if rng.random() < 0.5 else quote, "; ".join(f"code_{c:02d}" for c in codes),
                     f"Finding {len(rows) + 1} of {key}: " + " ".join(quote.split()[:8]).lower(),
                     "", f"p. {p + 1}", rng.choice(TYPES), "; ".join(rng.sample(COUNTRIES[:6], rng.choice([1, 1, 2]))),
                     "; ".join(rng.sample(cited, rng.choice([0, 0, 1, 2]))), "bench", ""])
    return rows


def pdf_document(text: str, path: Path, rng: random.Random) -> None:
    """The document as a PDF: wrapped lines, a running header, page numbers, some words
    hyphenated at line ends (the extractor joins them again)."""
    import textwrap

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    width, height = A4
    pdf = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    lines: list[str] = []
    for block in text.split("\n\n"):
        wrapped = textwrap.wrap(" ".join(block.lstrip("# ").split()), 95)
        for k in range(len(wrapped) - 1):
            first, _, rest = wrapped[k + 1].partition(" ")
            if len(first) >= 6 and first.isalpha() and rng.random() < 0.2:
                wrapped[k] += " " + first[:3] + "-"
                wrapped[k + 1] = first[3:] + (" " + rest if rest else "")
        lines += wrapped + [""]
    page, y = 0, 0.0
    for line in lines:
        if page == 0 or y < 60:
            if page:
                pdf.showPage()
            page, y = page + 1, height - 80
            pdf.setFont("Helvetica", 8)
            pdf.drawString(60, height - 40, "Synthetic benchmark report")
            pdf.drawCentredString(width / 2, 30, f"Page {page}")
            pdf.setFont("Helvetica", 10)
        if line:
            pdf.drawString(60, y, line)
        y -= 13
    pdf.showPage()
    pdf.save()


def protocol() -> str:
    lines = ["title: Synthetic benchmark review", "questions:"]
    for q in range(1, QUESTIONS + 1):
        lines += [f"  - id: Q{q}", f"    short: Question {q}", f"    text: What does the evidence say about topic {q}?"]
    lines.append("codes:")
    for c in range(CODES):
        lines += [f"  - id: code_{c:02d}", f"    label: Theme {c:02d}", f"    definition: Evidence about theme {c:02d}.",
                  f"    questions: [Q{c % QUESTIONS + 1}]"]
    lines += ["vocabularies:", f"  evidence_type: [{', '.join(TYPES)}]", f"  countries: [{', '.join(repr(c) for c in COUNTRIES)}]",
              "comparison:", "  home: GB", "  groups:", "    European: [DE, DK, FR, NL, SE, NO, FI, AT, CH, IE, ES, IT, BE]",
              "strength:", "  evaluation_types: [rct_evaluation, programme_evaluation]", "  ratings:",
              "    - rating: strong", "      min_sources: 5", "      requires_evaluation: true",
              "    - rating: moderate", "      min_sources: 3", "    - rating: weak", "      min_sources: 1"]
    return "\n".join(lines) + "\n"


def generate(n: int, root: Path, seed: int = 1, pdf_share: float = 0.0) -> Path:
    """Write a review of ``n`` sources into ``root``; every ``1 / pdf_share``-th source is a PDF."""
    rng = random.Random(seed)
    vocabulary = words(rng)
    (root / "sources").mkdir(parents=True, exist_ok=True)
    (root / "extraction").mkdir(exist_ok=True)
    (root / "review.yaml").write_text(protocol(), encoding="utf-8")
    cited = [f"cited{k:05d}" for k in range(max(10, n // 5))]
    bib = []
    for i in range(n):
        key = f"src{i:05d}"
        surname = "".join(rng.choice(string.ascii_lowercase) for _ in range(7)).capitalize()
        bib.append(f"@report{{{key},\n  author = {{{surname}, A.}},\n  title = {{Synthetic study {i}}},\n  year = {{{2000 + i % 25}}},\n  institution = {{Bench Institute}}\n}}\n")
        text, paragraphs = document(rng, vocabulary)
        role = "primary" if i % 3 == 0 else "secondary"
        front = f"citekey: {key}\ntype: report\nrole: {role}\ntags: [synthetic]\ncountries: [{rng.choice(COUNTRIES[:6])}]\n"
        is_pdf = pdf_share > 0 and i % round(1 / pdf_share) == round(1 / pdf_share) // 2
        if is_pdf:
            (root / "sources" / f"{key}.yaml").write_text(front, encoding="utf-8")
            pdf_document(text, root / "sources" / f"{key}.pdf", rng)
        else:
            (root / "sources" / f"{key}.md").write_text("---\n" + front + "---\n" + text, encoding="utf-8")
        rows = [["id", "quote", "codes", "finding", "questions", "locator", "evidence_type", "countries", "cites", "coder", "notes"]]
        # A [...] may not cross a paragraph break, and a PDF's page break reads as one: no elisions in PDF sources.
        rows += excerpts(rng, key, paragraphs, cited, elide=not is_pdf)
        if is_pdf:  # pages are located; a paragraph number as "p. N" would be a wrong page
            for row in rows[1:]:
                row[5] = ""
        if i % 20 == 19:
            from openpyxl import Workbook

            book = Workbook()
            for row in rows:
                book.active.append(row)
            book.save(root / "extraction" / f"{key}.xlsx")
        else:
            with open(root / "extraction" / f"{key}.csv", "w", encoding="utf-8", newline="") as handle:
                csv.writer(handle, lineterminator="\n").writerows(rows)
    for key in cited:
        bib.append(f"@article{{{key},\n  author = {{Cited, B.}},\n  title = {{Cited work {key}}},\n  journal = {{Journal}},\n  year = {{1999}}\n}}\n")
    (root / "sources" / "references.bib").write_text("\n".join(bib), encoding="utf-8")
    findings(root, n)
    return root


AACODS = ("authority", "accuracy", "coverage", "objectivity", "date", "significance")
APPRAISER = "coders:\n  - {id: bench, name: Benchmark appraiser}\nappraisal:\n  tools: [aacods]\n"


def appraisals(root: Path, n: int, seed: int) -> None:
    """An AACODS appraisal of each source, with notes as long as a coder's (a random generator of its own, so
    the rest of the review is the same with or without appraisals)."""
    rng = random.Random(seed + 1)
    vocabulary = words(rng, 500)
    (root / "appraisal").mkdir(exist_ok=True)
    with open(root / "review.yaml", "a", encoding="utf-8") as handle:
        handle.write(APPRAISER)
    for i in range(n):
        weak = set(rng.sample(AACODS, 2)) if i % 4 else set()
        items = "".join(f"  {k}:\n    answer: {'unclear' if k in weak else 'yes'}\n"
                        f"    note: {sentence(rng, vocabulary)} {sentence(rng, vocabulary)}\n" for k in AACODS)
        concern = "moderate" if weak else "minor"
        why = " ".join(sentence(rng, vocabulary) for _ in range(3))
        (root / "appraisal" / f"src{i:05d}.yaml").write_text(
            f"tool: aacods\nappraiser: bench\nitems:\n{items}overall:\n  concern: {concern}\n  explanation: {why}\n",
            encoding="utf-8")


def findings(root: Path, n: int) -> None:
    """Two review findings per question, each resting on excerpts from up to 8 sources."""
    (root / "findings").mkdir(exist_ok=True)
    levels = "{concern: moderate, explanation: Synthetic.}"
    for q in range(1, QUESTIONS + 1):
        lines = [f"question: Q{q}", "answer: A synthetic answer.", "findings:"]
        for f in (1, 2):
            evidence = ", ".join(f"src{i:05d}:1" for i in range(f - 1, min(n, 16), 2))
            lines += [f"  - id: Q{q}-F{f}", "    statement: A synthetic finding.", f"    evidence: [{evidence}]", "    authors: [bench]",
                      "    status: draft", "    cerqual:"]
            lines += [f"      {c}: {levels}" for c in ("methodological_limitations", "coherence", "adequacy", "relevance")]
            lines += ["      overall: {confidence: low, explanation: Synthetic.}"]
        (root / "findings" / f"Q{q}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, help="number of sources")
    parser.add_argument("output", type=Path, help="folder to write the review into (created)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pdf-share", type=float, default=0.0, help="share of the sources that are PDFs, e.g. 0.05")
    parser.add_argument("--appraisals", action="store_true", help="appraise every source (appraisal/<citekey>.yaml)")
    args = parser.parse_args()
    generate(args.n, args.output, args.seed, args.pdf_share)
    if args.appraisals:
        appraisals(args.output, args.n, args.seed)


if __name__ == "__main__":
    main()
