"""Hostile inputs, one row each: how the fixture review is damaged, the command run, the exit
code and the exact ``path:line: message`` lines expected. Every case also checks that no input
file changed and that no traceback was printed (tests/hostile/test_hostile.py)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import recordskit
import reviewkit

BIB = "sources/references.bib"
SMITH = "sources/smith2020.md"
OKAFOR = "sources/okafor2021.txt"
SHEET = "extraction/smith2020.csv"
XLSX = "extraction/okafor2021.xlsx"
CHECK = ["check"]


def put(path: str, data: str | bytes):
    def setup(root: Path):
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return setup


def edit(path: str, old: str, new: str):
    def setup(root: Path):
        target = root / path
        text = target.read_bytes().decode("utf-8")
        assert old in text, f"{old!r} not in {path}"
        target.write_bytes(text.replace(old, new, 1).encode("utf-8"))
    return setup


def cells(changes: dict[tuple[int, int], str]):
    return lambda root: reviewkit.write_smith_sheet(root, changes)


def rows(extra: list[list[str]]):
    return lambda root: (root / SHEET).write_text(reviewkit.csv_text(reviewkit.SMITH_ROWS + extra), encoding="utf-8")


def workbook(table: list[list]):
    return lambda root: reviewkit.write_xlsx(root / XLSX, table)


def patched_workbook(old: str, new: str):
    """The fixture workbook with its worksheet XML edited (as a damaged or hand-made file would be)."""
    def setup(root: Path):
        path = root / XLSX
        with zipfile.ZipFile(path) as archive:
            parts = {name: archive.read(name) for name in archive.namelist()}
        xml = parts["xl/worksheets/sheet1.xml"].decode("utf-8")
        assert old in xml, f"{old!r} not in the worksheet"
        parts["xl/worksheets/sheet1.xml"] = xml.replace(old, new).encode("utf-8")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in parts.items():
                archive.writestr(name, data)
    return setup


def zip_bomb(root: Path):
    path = root / XLSX
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        with archive.open("xl/media/bomb.bin", "w", force_zip64=True) as member:
            block = b"\0" * (1 << 20)
            for _ in range(210):
                member.write(block)


def sparse(path: str, size: int):
    def setup(root: Path):
        with open(root / path, "r+b") as handle:
            handle.truncate(size)
    return setup


def symlink(path: str, target_text: str):
    def setup(root: Path):
        outside = root.parent / "outside-secret.md"
        outside.write_text(target_text, encoding="utf-8")
        (root / path).unlink()
        (root / path).symlink_to(outside)
    return setup


# Nine entities, each ten of the one before: 10**9 characters if expanded.
ENTITY_BOMB = ('<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
               + "".join(f'<!ENTITY {c} "{("&" + b + ";") * 10}">' for b, c in zip("abcdefgh", "bcdefghi")) + "]>")


def both(*steps):
    def setup(root: Path):
        for step in steps:
            step(root)
    return setup


def chdir(folder: str):
    """Marks a case to run from a sub-folder of the review (handled by the runner)."""
    def setup(root: Path):
        (root / folder).mkdir(exist_ok=True)
    setup.cwd = folder
    return setup


SMITH_TEXT = reviewkit.SMITH
FRONT = SMITH_TEXT.split("# Findings")[0]
ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(8))

# (id, setup, argv, exit code, exact lines expected in the output)
CASES = [
    # --- review.yaml ---
    ("protocol-duplicate-key", edit("review.yaml", "subtitle: A fixture review\n", "subtitle: A fixture review\ntitle: Another\n"), CHECK, 1,
     ["review.yaml:3: duplicate key 'title' (first on line 1): YAML would keep only the last"]),
    ("protocol-duplicate-nested-key", edit("review.yaml", "    short: Savings\n", "    short: Savings\n    short: Bills\n"), CHECK, 1,
     ["review.yaml:9: duplicate key 'short' (first on line 8): YAML would keep only the last"]),
    ("protocol-alias", edit("review.yaml", "  countries: [DE, GB, \"NO\"]\n", "  countries: &c [DE, GB, \"NO\"]\n  other: *c\n"), CHECK, 1,
     ["review.yaml:33: YAML aliases (*name) are not accepted: write the value out"]),
    ("protocol-alias-bomb", put("review.yaml", ALIAS_BOMB), CHECK, 1,
     ["review.yaml:2: YAML aliases (*name) are not accepted: write the value out"]),
    ("protocol-too-large", put("review.yaml", "title: x\n# " + "y" * 1_000_000 + "\n"), CHECK, 1,
     ["review.yaml:1: YAML too large: 1,000,012 characters; at most 1,000,000 are accepted"]),
    ("protocol-control-character", edit("review.yaml", "Community energy", "Community\x1b[31m energy"), CHECK, 1,
     ["review.yaml:1: control character U+001B (ESC) at column 17: remove it; only tab and line breaks are accepted"]),
    ("protocol-nul", edit("review.yaml", "Ada Tester", "Ada\x00Tester"), CHECK, 1,
     ["review.yaml:4: control character U+0000 (NUL) at column 14: remove it; only tab and line breaks are accepted"]),
    ("protocol-latin1", put("review.yaml", reviewkit.PROTOCOL.replace("Ada", "Ad\xe9").encode("latin-1")), CHECK, 1,
     ["review.yaml:4: not valid UTF-8: byte 0xe9 at byte offset 80; save the file as UTF-8"]),
    ("protocol-missing", lambda root: (root / "review.yaml").unlink(), CHECK, 1,
     ["review.yaml:1: no review protocol here: {root}/review.yaml does not exist; run this in the review's folder (the one holding review.yaml)"]),
    ("protocol-not-yaml", put("review.yaml", "title: [unclosed\n"), CHECK, 1,
     ["review.yaml:2: invalid YAML: expected ',' or ']', but got '<stream end>'"]),
    ("protocol-a-list", put("review.yaml", "- a\n- b\n"), CHECK, 1,
     ["review.yaml:1: top level: expected a mapping, got [\"a\", \"b\"]"]),
    ("protocol-empty", put("review.yaml", ""), CHECK, 1,
     ["review.yaml:1: top level: expected a mapping, got null"]),
    ("protocol-reserved-question", edit("review.yaml", "id: RQb", "id: evidence"), CHECK, 1,
     ["review.yaml:10: questions[1].id: 'evidence' is reserved for an output table; choose another id"]),
    ("protocol-question-id-case", edit("review.yaml", "id: RQb", "id: rqa"), CHECK, 1,
     ["review.yaml:10: questions[1].id: duplicate id 'rqa' (first used in questions[0]; ids must differ in more than case)"]),
    ("protocol-unknown-key", edit("review.yaml", "title: Community", "titel: x\ntitle: Community"), CHECK, 1,
     ["review.yaml:1: unknown key 'titel' in top level: did you mean 'title'? allowed: appraisal, authors, coders, codes, comparison, questions, report, screening, strength, subtitle, title, vocabularies"]),
    ("protocol-duplicate-vocabulary-value", edit("review.yaml", "[survey, case_study]", "[survey, case_study, survey]"), CHECK, 1,
     ["review.yaml:31: vocabularies.evidence_type: 'survey' is listed twice"]),
    # --- references.bib ---
    ("bib-empty-key", lambda root: (root / BIB).open("a").write("\n@book{,\n  title = {No key},\n  year = {2020}\n}\n"), CHECK, 1,
     ["sources/references.bib:22: @book entry without a key: write one after the brace, e.g. @book{smith2024,"]),
    ("bib-undefined-macro", edit(BIB, "institution = {Energy Trust}", "institution = energytrust"), CHECK, 1,
     ["sources/references.bib:1: smith2020: field institution = energytrust: 'energytrust' is not a defined @string macro; put the text in braces: institution = {...}"]),
    ("bib-concatenation-is-joined", edit(BIB, "title = {Owning the grid}", "title = {Owning} # { the grid}"), CHECK, 0,
     ["ok: 2 sources, 6 excerpts, every quote located"]),
    ("bib-defined-macro-is-fine", both(edit(BIB, "@report{smith2020,", "@string{et = {Energy Trust}}\n@report{smith2020,"), edit(BIB, "institution = {Energy Trust}", "institution = et")), CHECK, 0,
     ["ok: 2 sources, 6 excerpts, every quote located"]),
    ("bib-duplicate-key", lambda root: (root / BIB).open("a").write("\n@book{lee2019,\n  title = {Again},\n  year = {2019}\n}\n"), CHECK, 1,
     ["sources/references.bib:22: duplicate key 'lee2019' (first defined on line 15); keys must be unique"]),
    ("bib-control-character", edit(BIB, "Smith, Jane", "Smith,\x07 Jane"), CHECK, 1,
     ["sources/references.bib:2: control character U+0007 (BEL) at column 19: remove it; only tab and line breaks are accepted"]),
    ("bib-latin1", put(BIB, reviewkit.BIBLIOGRAPHY.replace("Lena", "L\xe9na").encode("latin-1")), CHECK, 1,
     ["sources/references.bib:9: not valid UTF-8: byte 0xe9 at byte offset 197; save the file as UTF-8"]),
    ("bib-missing", lambda root: (root / BIB).unlink(), CHECK, 1,
     ["sources/references.bib:1: bibliography not found: every source needs an entry in this BibTeX file"]),
    # --- sources ---
    ("source-empty-body", put(SMITH, FRONT), CHECK, 1,
     ["sources/smith2020.md:8: the source has no text after its front matter: paste the document's text below the closing '---'"]),
    ("source-whitespace-body", put(SMITH, FRONT + "\n   \n\t\n"), CHECK, 1,
     ["sources/smith2020.md:8: the source has no text after its front matter: paste the document's text below the closing '---'"]),
    ("source-esc", edit(SMITH, "renters rarely", "renters \x1b]0;owned\x07rarely"), CHECK, 1,
     ["sources/smith2020.md:13: control character U+001B (ESC) at column 46: remove it; only tab and line breaks are accepted",
      "sources/smith2020.md:13: control character U+0007 (BEL) at column 55: remove it; only tab and line breaks are accepted"]),
    ("source-nul", edit(SMITH, "Members of", "Members\x00of"), CHECK, 1,
     ["sources/smith2020.md:10: control character U+0000 (NUL) at column 8: remove it; only tab and line breaks are accepted"]),
    ("source-c1-csi", edit(SMITH, "Members of", "Members\x9b31mof"), CHECK, 1,
     ["sources/smith2020.md:10: control character U+009B (CSI) at column 8: remove it; only tab and line breaks are accepted"]),
    ("source-del", edit(SMITH, "Members of", "Members\x7fof"), CHECK, 1,
     ["sources/smith2020.md:10: control character U+007F (DEL) at column 8: remove it; only tab and line breaks are accepted"]),
    ("source-symlink-outside", symlink(SMITH, SMITH_TEXT), CHECK, 1,
     ["sources/smith2020.md:1: a link to {outside}/outside-secret.md, outside the review folder {root}: copy the file into the review instead"]),
    ("source-duplicate-front-matter-key", edit(SMITH, "type: report\n", "type: report\ntype: book\n"), CHECK, 1,
     ["sources/smith2020.md:4: duplicate key 'type' (first on line 3): YAML would keep only the last"]),
    ("source-front-matter-alias", edit(SMITH, "tags: [energy, cooperatives]\n", "tags: &t [energy, cooperatives]\nnotes: *t\n"), CHECK, 1,
     ["sources/smith2020.md:6: YAML aliases (*name) are not accepted: write the value out"]),
    ("source-no-front-matter", put(SMITH, "Just text.\n"), CHECK, 1,
     ["sources/smith2020.md:1: missing front matter: the file must start with a '---' line, then YAML (citekey, type, tags), then '---'"]),
    ("source-unclosed-front-matter", put(SMITH, "---\ncitekey: smith2020\n"), CHECK, 1,
     ["sources/smith2020.md:1: front matter is not closed: add a '---' line after the YAML"]),
    ("source-front-matter-list", put(SMITH, "---\n- a\n---\ntext\n"), CHECK, 1,
     ["sources/smith2020.md:2: front matter must be a mapping with citekey, type and tags"]),
    ("source-citekey-mismatch", edit(SMITH, "citekey: smith2020", "citekey: smith2021"), CHECK, 1,
     ["sources/smith2020.md:2: citekey 'smith2021' differs from the file name: rename the file to smith2021.md or set citekey: smith2020"]),
    ("source-unknown-country", edit(SMITH, "countries: [GB]", "countries: [UK]"), CHECK, 1,
     ["sources/smith2020.md:6: countries: unknown value 'UK': did you mean 'GB'? allowed: DE, GB, NO"]),
    ("source-latin1", put(OKAFOR, reviewkit.OKAFOR.replace("Trust rose", "Tr\xfcst rose").encode("utf-8").replace("\xfc".encode("utf-8"), b"\xfc")), CHECK, 1,
     ["sources/okafor2021.txt:10: not valid UTF-8: byte 0xfc at byte offset 203; save the file as UTF-8"]),
    ("source-placeholder", edit(SMITH, "# Caveats", "<!-- Paste the document's text here, replacing this line. -->\n\n# Caveats"), CHECK, 1,
     ["sources/smith2020.md:17: the document's text is missing: replace the placeholder line with the document's text"]),
    ("source-two-files", put("sources/smith2020.txt", SMITH_TEXT), CHECK, 1,
     ["sources/smith2020.txt:1: two source files for 'smith2020': keep one of sources/smith2020.md and sources/smith2020.txt"]),
    # --- CSV sheets ---
    ("sheet-ragged-row", rows([["5", "renters rarely joined", "uptake", "f", "", "", "", "", "", "", "lost cell"]]), CHECK, 1,
     ["extraction/smith2020.csv:6: row 6 (id 5): K6: a cell under no column heading; name its column in row 1 or move it"]),
    ("sheet-cell-under-empty-heading", put(SHEET, "id,quote,codes,finding,\n1,renters rarely joined,uptake,f,kept?\n"), CHECK, 1,
     ["extraction/smith2020.csv:2: row 2 (id 1): E2: a cell under no column heading; name its column in row 1 or move it"]),
    ("sheet-code-twice", cells({(1, 2): "bill_savings; bill_savings"}), CHECK, 1,
     ["extraction/smith2020.csv:2: C2 (id 1): 'bill_savings' is listed twice"]),
    ("sheet-country-twice", cells({(1, 6): "GB;GB"}), CHECK, 1,
     ["extraction/smith2020.csv:2: G2 (id 1): 'GB' is listed twice"]),
    ("sheet-id-with-space", cells({(1, 0): "a b"}), CHECK, 1,
     ["extraction/smith2020.csv:2: A2 (id a b): id 'a b' does not match the pattern ^[A-Za-z0-9][A-Za-z0-9_.-]*$ (letters, digits, '_', '.', '-'; e.g. 12)"]),
    ("sheet-id-anchor-collision", cells({(1, 0): "a_20_b", (2, 0): "a b"}), CHECK, 1,
     ["extraction/smith2020.csv:3: A3 (id a b): id 'a b' does not match the pattern ^[A-Za-z0-9][A-Za-z0-9_.-]*$ (letters, digits, '_', '.', '-'; e.g. 12)"]),
    ("sheet-id-formula", cells({(1, 0): "=1+1"}), CHECK, 1,
     ["extraction/smith2020.csv:2: A2 (id =1+1): id '=1+1' does not match the pattern ^[A-Za-z0-9][A-Za-z0-9_.-]*$ (letters, digits, '_', '.', '-'; e.g. 12)"]),
    ("sheet-period-not-years", put(SHEET, "id,quote,codes,finding,period\n1,renters rarely joined,uptake,f,soon\n2,Uptake was highest,uptake,f,2011-1999\n"), CHECK, 1,
     ["extraction/smith2020.csv:2: row 2 (id 1): period 'soon': write the year (e.g. 2011) or the span of years (e.g. 1999-2003) the evidence covers",
      "extraction/smith2020.csv:3: row 3 (id 2): period '2011-1999' ends before it starts"]),
    ("findings-gap-with-cerqual", put("findings/RQa.yaml", "question: RQa\nanswer: No answer yet.\nfindings:\n  - id: G1\n    kind: gap\n"
                                      "    statement: Nothing on renters.\n    evidence: [smith2020:2]\n    authors: [AT]\n    status: draft\n"
                                      "    cerqual:\n      methodological_limitations: {concern: minor, explanation: x}\n      coherence: {concern: minor, explanation: x}\n"
                                      "      adequacy: {concern: minor, explanation: x}\n      relevance: {concern: minor, explanation: x}\n"
                                      "      overall: {confidence: high, explanation: x}\n"), CHECK, 1,
     ["findings/RQa.yaml:10: finding G1 is an evidence gap (kind: gap), which has no confidence rating: CERQual assesses what evidence shows, not its absence; remove cerqual"]),
    ("findings-unknown-kind", put("findings/RQa.yaml", "question: RQa\nanswer: No answer yet.\nfindings:\n  - id: F1\n    kind: absence\n    statement: x\n"
                                  "    evidence: [smith2020:2]\n    authors: [AT]\n    status: draft\n"), CHECK, 1,
     ["findings/RQa.yaml:5: findings[0].kind: \"absence\" is not allowed: allowed: finding, gap"]),
    ("sheet-control-character", cells({(1, 3): "bills \x1b[2J fell"}), CHECK, 1,
     ["extraction/smith2020.csv:2: control character U+001B (ESC) at column 70: remove it; only tab and line breaks are accepted"]),
    ("sheet-quote-repeated", both(edit(SMITH, "# Caveats", "Uptake was highest among homeowners.\n\n# Caveats"), cells({(4, 1): "Uptake was highest among homeowners"})), CHECK, 1,
     ["extraction/smith2020.csv:5: B5 (smith2020:4): quote occurs 2 times in sources/smith2020.md, at line 13 (para. 2), line 17 (para. 4): lengthen it until it is unique, or name its paragraph in the locator column (e.g. para. 2)"]),
    ("sheet-quote-repeated-locator-picks", both(edit(SMITH, "# Caveats", "Uptake was highest among homeowners.\n\n# Caveats"), cells({(4, 1): "Uptake was highest among homeowners", (4, 4): "para. 4"})), CHECK, 0,
     ["ok: 2 sources, 6 excerpts, every quote located"]),
    ("sheet-quote-repeated-locator-wrong", both(edit(SMITH, "# Caveats", "Uptake was highest among homeowners.\n\n# Caveats"), cells({(4, 1): "Uptake was highest among homeowners", (4, 4): "para. 3"})), CHECK, 1,
     ["extraction/smith2020.csv:5: B5 (smith2020:4): quote occurs 2 times in sources/smith2020.md, at line 13 (para. 2), line 17 (para. 4): lengthen it until it is unique, or name its paragraph in the locator column (e.g. para. 2)"]),
    ("sheet-elision-across-paragraphs", cells({(1, 1): "saw bills fall [...] renters rarely joined."}), CHECK, 1,
     ['extraction/smith2020.csv:2: B2 (smith2020:1): quote not found in sources/smith2020.md; closest passage, line 10 (similarity 0.51) (a [...] may cut at most 1,000 characters, within one paragraph), differs at: "saw bills fall [source: by 12 per cent in the first year. Uptake was highest among homeowners; | quote: -] renters rarely joined."']),
    ("sheet-elision-across-heading", cells({(4, 1): "renters rarely joined. [...] Savings depended"}), CHECK, 1,
     ['extraction/smith2020.csv:5: B5 (smith2020:4): quote not found in sources/smith2020.md; closest passage, line 13 (similarity 0.71) (a [...] may cut at most 1,000 characters, within one paragraph), differs at: "renters rarely joined. [source: Costs (£ | quote: Savings depended]"']),
    ("sheet-elision-too-long", both(edit(SMITH, "renters rarely joined.", "renters " + "very " * 250 + "rarely joined."), cells({(2, 1): "Uptake was highest among homeowners; renters [...] rarely joined."})), CHECK, 1,
     []),
    ("sheet-elided-negation-warns", both(edit(SMITH, "renters rarely joined.", "renters did not join."), cells({(2, 1): "Uptake was highest among homeowners; renters did [...] join."})), CHECK, 0,
     ['extraction/smith2020.csv:3: warning [ELIDED_NEGATION]: B3 (smith2020:2): the [...] cuts \'not\' from the source (cut: "not"): check the quote keeps the source\'s meaning']),
    ("sheet-elided-negation-strict", both(edit(SMITH, "renters rarely joined.", "renters did not join."), cells({(2, 1): "Uptake was highest among homeowners; renters did [...] join."})), CHECK + ["--strict"], 1,
     ['extraction/smith2020.csv:3: warning [ELIDED_NEGATION]: B3 (smith2020:2): the [...] cuts \'not\' from the source (cut: "not"): check the quote keeps the source\'s meaning']),
    ("sheet-quote-one-word-changed", cells({(1, 1): "saw bills rise by 12 per cent in the first year"}), CHECK, 1,
     ['extraction/smith2020.csv:2: B2 (smith2020:1): quote not found in sources/smith2020.md; closest passage, line 10 (similarity 0.91), differs at: "saw bills [source: fall | quote: rise] by 12 per cent ..."']),
    ("sheet-quote-nowhere", cells({(1, 1): "zzzz qqqq xxxx"}), CHECK, 1,
     ["extraction/smith2020.csv:2: B2 (smith2020:1): quote not found in sources/smith2020.md; no similar passage"]),
    ("sheet-quote-only-elision", cells({(1, 1): "[...]"}), CHECK, 1,
     ["extraction/smith2020.csv:2: B2 (id 1): the quote is only an elision mark"]),
    ("sheet-empty-required", cells({(1, 3): ""}), CHECK, 1,
     ["extraction/smith2020.csv:2: D2 (id 1): empty finding"]),
    ("sheet-duplicate-id", cells({(2, 0): "1"}), CHECK, 1,
     ["extraction/smith2020.csv:3: A3 (id 1): duplicate id '1' (first used on line 2)"]),
    ("sheet-unknown-code", cells({(1, 2): "bill_saving"}), CHECK, 1,
     ["extraction/smith2020.csv:2: C2 (id 1): unknown code 'bill_saving': did you mean 'bill_savings'? allowed: bill_savings, uptake, local_trust, grid_access"]),
    ("sheet-unknown-cite", cells({(1, 7): "nobody1999"}), CHECK, 1,
     ["extraction/smith2020.csv:2: H2 (id 1): cites 'nobody1999', which has no entry in references.bib: allowed: lee2019, okafor2021, smith2020"]),
    ("sheet-multiline-cell-rows", put(SHEET, 'id,quote,codes,finding\n1,"saw bills fall by 12 per cent\nin the first year",bill_savings,"two\nlines"\n2,renters rarely joined,uptak,f\n'), CHECK, 1,
     ["extraction/smith2020.csv:5: C3 (id 2): unknown code 'uptak': did you mean 'uptake'? allowed: bill_savings, uptake, local_trust, grid_access"]),
    ("sheet-missing-column", put(SHEET, "id,quote,finding\n1,x,f\n"), CHECK, 1,
     ["extraction/smith2020.csv:1: missing required column 'codes': a sheet needs id, quote, codes, finding; it has id, quote, finding"]),
    ("sheet-duplicate-column", put(SHEET, "id,quote,codes,finding,Quote\n1,x,uptake,f,y\n"), CHECK, 1,
     ["extraction/smith2020.csv:1: column 'quote' appears twice (columns 2 and 5)"]),
    ("sheet-empty", put(SHEET, ""), CHECK, 1,
     ["extraction/smith2020.csv:1: empty sheet: the first row must name the columns id, quote, codes, finding"]),
    ("sheet-malformed-csv", put(SHEET, 'id,quote,codes,finding\n1,"x\0",uptake,f\n'), CHECK, 1,
     ["extraction/smith2020.csv:2: control character U+0000 (NUL) at column 5: remove it; only tab and line breaks are accepted"]),
    ("sheet-latin1", put(SHEET, "id,quote,codes,finding\n1,caf\xe9,uptake,f\n".encode("latin-1")), CHECK, 1,
     ["extraction/smith2020.csv:2: not valid UTF-8: byte 0xe9 at byte offset 28; save the file as UTF-8"]),
    ("sheet-without-source", put("extraction/nobody2000.csv", "id,quote,codes,finding\n"), CHECK, 1,
     ["extraction/nobody2000.csv:1: no source for this sheet: expected sources/nobody2000.md, sources/nobody2000.txt or sources/nobody2000.pdf"]),
    ("sheet-symlink-outside", symlink(SHEET, "id,quote,codes,finding\n"), CHECK, 1,
     ["extraction/smith2020.csv:1: a link to {outside}/outside-secret.md, outside the review folder {root}: copy the file into the review instead"]),
    ("sheet-too-many-rows", put(SHEET, "id,quote,codes,finding\n" + "x,y,z,w\n" * 100_001), CHECK, 1,
     ["extraction/smith2020.csv:100001: too many rows: at most 100,000 are accepted; split the source's sheet"]),
    ("sheet-two-sheets", put("extraction/smith2020.xlsx", b""), CHECK, 1,
     ["extraction/smith2020.xlsx:1: two sheets for 'smith2020': keep one of extraction/smith2020.csv and extraction/smith2020.xlsx"]),
    # --- XLSX sheets ---
    ("xlsx-wrong-dimension", both(workbook(reviewkit.OKAFOR_ROWS + [[3, "Trust rose", "trust_x", "f", "", "DE"]]), patched_workbook('<dimension ref="A1:F5"/>', '<dimension ref="A1:B2"/>')), CHECK, 1,
     ["extraction/okafor2021.xlsx:5: C5 (id 3): unknown code 'trust_x': allowed: bill_savings, uptake, local_trust, grid_access"]),
    ("xlsx-formula-no-cached-value", both(workbook(reviewkit.OKAFOR_ROWS), patched_workbook('<c r="D2" t="inlineStr"><is><t>Ownership with votes builds trust.</t></is></c>', '<c r="D2"><f>CONCAT("a","b")</f></c>')), CHECK, 1,
     ['extraction/okafor2021.xlsx:2: D2: a formula (=CONCAT("a","b")); type the value itself (Paste Special > Values)']),
    ("xlsx-formula-cached-value", both(workbook(reviewkit.OKAFOR_ROWS), patched_workbook('<c r="D2" t="inlineStr"><is><t>Ownership with votes builds trust.</t></is></c>', '<c r="D2" t="str"><f>CONCAT("a","b")</f><v>ab</v></c>')), CHECK, 1,
     ['extraction/okafor2021.xlsx:2: D2: a formula (=CONCAT("a","b")); type the value itself (Paste Special > Values)']),
    ("xlsx-zip-bomb", zip_bomb, CHECK, 1,
     ["extraction/okafor2021.xlsx:1: workbook too large once decompressed: 220,XXX,XXX bytes; at most 200,000,000 are accepted"]),
    ("xlsx-too-large", sparse(XLSX, 20_000_001), CHECK, 1,
     ["extraction/okafor2021.xlsx:1: workbook too large: 20,000,001 bytes; at most 20,000,000 are accepted"]),
    ("xlsx-not-a-zip", put(XLSX, b"PK\x03\x04 not really"), CHECK, 1,
     ["extraction/okafor2021.xlsx:1: cannot read as an Excel workbook: File is not a zip file"]),
    ("xlsx-ragged-cells", workbook(reviewkit.OKAFOR_ROWS + [[3, "Trust rose", "local_trust", "f", "", "DE", "", "stray"]]), CHECK, 1,
     ["extraction/okafor2021.xlsx:5: row 5 (id 3): H5: a cell under no column heading; name its column in row 1 or move it"]),
    ("xlsx-formula-looking-text-is-text", both(workbook(reviewkit.OKAFOR_ROWS), patched_workbook("<t>Ownership with votes", "<t>=SUM(1,2) Ownership with votes")), CHECK, 0,
     ["ok: 2 sources, 6 excerpts, every quote located"]),
    # Entities declared in the worksheet (a billion-laughs DTD): not plain (inputs/plain_workbook.py), and
    # openpyxl's parser refuses to expand them.
    ("xlsx-entity-expansion", both(workbook(reviewkit.OKAFOR_ROWS), patched_workbook("<worksheet ", ENTITY_BOMB + "<worksheet "),
                                   patched_workbook("<t>Ownership with votes", "<t>&i; Ownership with votes")), CHECK, 1,
     ["extraction/okafor2021.xlsx:1: cannot read as an Excel workbook: limit on input amplification factor (from DTD and "
      "entities) breached: line 1, column 1295"]),
    ("xlsx-code-twice", workbook([reviewkit.OKAFOR_ROWS[0], [1, "Trust rose", "local_trust; local_trust", "f", "", "DE"]]), CHECK, 1,
     ["extraction/okafor2021.xlsx:2: C2 (id 1): 'local_trust' is listed twice"]),
    # --- review check FILES ---
    ("check-file-not-in-review", put("notes.txt", "x"), CHECK + ["notes.txt"], 1,
     ["notes.txt:1: not a file review check checks: give review.yaml, sources/references.bib, sources/*.md, *.txt, *.pdf or *.yaml, extraction/*.csv or *.xlsx, extraction/coders/<coder>/*.csv or *.xlsx, findings/*.yaml, appraisal/*.yaml, releases/*.json, or a file in records/ (*.csv, *.ris, *.bib, *.xlsx)"]),
    ("check-file-missing", lambda root: None, CHECK + ["sources/nobody.md"], 1,
     ["sources/nobody.md:1: no such file"]),
    ("check-readme-md", put("README.md", "# x\n"), CHECK + ["README.md"], 1,
     ["README.md:1: not a file review check checks: give review.yaml, sources/references.bib, sources/*.md, *.txt, *.pdf or *.yaml, extraction/*.csv or *.xlsx, extraction/coders/<coder>/*.csv or *.xlsx, findings/*.yaml, appraisal/*.yaml, releases/*.json, or a file in records/ (*.csv, *.ris, *.bib, *.xlsx)"]),
    ("check-json-outside-review", lambda root: (root / "review.yaml").unlink(), CHECK + ["--format", "json"], 1,
     ['      "message": "no review protocol here: {root}/review.yaml does not exist; run this in the review\'s folder (the one holding review.yaml)",']),
    # --- add-source ---
    ("add-source-latin1-stdin", lambda root: None, ["add-source", "-"], 1,
     ["<stdin>:2: not valid UTF-8: byte 0xe9 at byte offset 26; save the file as UTF-8"]),
    ("add-source-extraction-is-a-file", lambda root: (__import__("shutil").rmtree(root / "extraction"), (root / "extraction").write_text("x")), ["add-source", "../entry.bib"], 1,
     ["extraction:1: is a file, but must be a folder: rename it and run again"]),
    ("add-source-from-sub-folder", chdir("sources"), ["add-source", "../../entry.bib"], 1,
     ["review.yaml:1: no review protocol in {root}/sources; the review is in {root}: cd there first"]),
    ("add-source-existing-key", lambda root: None, ["add-source", "../existing.bib"], 1,
     ["../existing.bib:1: key 'smith2020' already exists in sources/references.bib (line 1): choose another key"]),
    ("add-source-two-entries", lambda root: None, ["add-source", "../two.bib"], 1,
     ["../two.bib:1: expected exactly one BibTeX entry, found 2"]),
    ("add-source-empty-key", lambda root: None, ["add-source", "../nokey.bib"], 1,
     ["../nokey.bib:1: @report entry without a key: write one after the brace, e.g. @report{smith2024,"]),
    ("add-source-bad-key", lambda root: None, ["add-source", "../badkey.bib"], 1,
     ["../badkey.bib:1: citekey 'a/b' cannot name a file: use letters, digits, '_', '.' and '-' (^[A-Za-z0-9][A-Za-z0-9_.-]*$)"]),
    ("add-source-missing-file", lambda root: None, ["add-source", "../nothing.bib"], 1,
     ["../nothing.bib:1: no such file or folder"]),
    ("add-source-coder-without-coders", lambda root: None, ["add-source", "--add-coder", "jn", "../entry.bib"], 1,
     ["review.yaml:1: review.yaml declares no coders, so every coder id is accepted as it is: leave out --add-coder (declaring one coder would make every other coder named in the sheets unknown)"]),
    ("add-source-coder-escape", edit("review.yaml", "vocabularies:", "coders:\n  - {id: AT, name: Ada}\nvocabularies:"), ["add-source", "--add-coder", "j\x1b[2J", "../entry.bib"], 1,
     ["review.yaml:1: coder id 'j\\x1b[2J' must start with a letter or digit and hold only letters, digits, '_', '.' or '-'"]),
    ("add-source-unknown-record", lambda root: recordskit.add_records(root), ["add-source", "--record", "scopus:S9", "../entry.bib"], 1,
     ["records:1: no record 'scopus:S9': did you mean 'scopus:S4'? allowed: scopus:S1, scopus:S2, scopus:S3, scopus:S4, wos:smithdup, wos:okafordup, wos:greensolar, hand:lee2019, hand:lee-b"]),
    ("add-source-excluded-record", lambda root: recordskit.add_records(root), ["add-source", "--record", "scopus:S3", "../entry.bib"], 1,
     ["records/screening.csv:4: record 'scopus:S3' was excluded at title_abstract: change that decision first if the document belongs in the review"]),
    ("add-source-broken-records", lambda root: (recordskit.add_records(root), (root / "records/screening.csv").write_text("record,stage\nx,y\n")), ["add-source", "--search", "hand", "../entry.bib"], 1,
     ["records/screening.csv:1: missing column 'decision'; columns needed: record, stage, decision, screener"]),
    ("add-source-two-ways", lambda root: recordskit.add_records(root), ["add-source", "--search", "hand", "--added-otherwise", "../entry.bib"], 1,
     ["records:1: give one of --search, --record and --added-otherwise: they are three ways a document comes in"]),
    ("add-source-no-records-folder", lambda root: None, ["add-source", "--search", "hand", "../entry.bib"], 1,
     ["records:1: this review keeps no records/ folder, so there is no search or screening to record the source in: leave out --search, --record and --added-otherwise"]),
    # --- review slurm-check: the SLURM profile is read before the cluster is asked anything ---
    ("slurm-check-no-profile", lambda root: None, ["slurm-check"], 1,
     ["profiles/slurm:1: no Snakemake profile here: give the folder holding its config.yaml with --profile"]),
    ("slurm-check-profile-not-yaml", put("profiles/slurm/config.yaml", "executor: [slurm\n"), ["slurm-check"], 1,
     ["profiles/slurm/config.yaml:2: invalid YAML: expected ',' or ']', but got '<stream end>'"]),
    ("slurm-check-profile-a-list", put("profiles/slurm/config.yaml", "- executor: slurm\n"), ["slurm-check"], 1,
     ["profiles/slurm/config.yaml:1: not a Snakemake profile: expected keys such as executor: slurm"]),
    ("slurm-check-profile-wrong-types", put("profiles/slurm/config.yaml", "executor: slurm\ncores: two\ndefault-resources: [mem_mb=2000]\n"), ["slurm-check"], 1,
     ["profiles/slurm/config.yaml:2: cores must be a whole number of at least 1, not 'two'",
      "profiles/slurm/config.yaml:3: default-resources must be a mapping (resource: value), not ['mem_mb=2000']"]),
    ("slurm-check-profile-duplicate-key", put("profiles/slurm/config.yaml", "executor: slurm\ncores: 2\ncores: 8\n"), ["slurm-check"], 1,
     ["profiles/slurm/config.yaml:3: duplicate key 'cores' (first on line 2): YAML would keep only the last"]),
    ("slurm-check-profile-latin1", put("profiles/slurm/config.yaml", "executor: slurm\n# caf\xe9\n".encode("latin-1")), ["slurm-check"], 1,
     ["profiles/slurm/config.yaml:2: not valid UTF-8: byte 0xe9 at byte offset 21; save the file as UTF-8"]),
    # --- review sheet ---
    ("sheet-command-unknown-source", lambda root: None, ["sheet", "smith2021", "--xlsx"], 1,
     ["sources:1: no source 'smith2021': did you mean 'smith2020'? allowed: okafor2021, smith2020"]),
    ("sheet-command-existing", lambda root: None, ["sheet", "smith2020"], 1,
     ["extraction/smith2020.csv:1: already exists; `review sheet` never overwrites a file"]),
    ("sheet-command-replace-ragged", rows([["5", "saw bills", "bill_savings", "Bills.", "", "", "", "", "", "", "stray"]]), ["sheet", "smith2020", "--xlsx", "--replace"], 1,
     ["extraction/smith2020.csv:6: a cell under no column heading: give its column a heading (or remove the cell) before copying the sheet"]),
    ("sheet-command-coder-name-alone", lambda root: None, ["sheet", "smith2020", "--coder-name", "Ann"], 1,
     ["review.yaml:1: --coder-name declares the coder given with --coder in review.yaml's coders: give --coder ID too"]),
    ("sheet-command-control-character", cells({(1, 9): "note \x1b[31m"}), ["sheet", "smith2020", "--xlsx", "--output", "../copy.xlsx"], 1,
     ["extraction/smith2020.csv:2: control character U+001B (ESC) at column 128: remove it; only tab and line breaks are accepted"]),
    # --- trace and audit without a good build ---
    ("trace-no-provenance", lambda root: None, ["trace", "smith2020:1"], 1,
     ["output/provenance.json:1: no provenance record: build the review first (snakemake --cores 2)"]),
    ("trace-truncated-provenance", put("output/provenance.json", '{"claims": [{"id": "Q'), ["trace", "smith2020:1"], 1,
     ["output/provenance.json:1: not a valid provenance record (unexpected end of data: line 1 column 22 (char 21)): build the review again"]),
    ("trace-wrong-shape", put("output/provenance.json", '{"claims": {}, "evidence": [], "inputs": {}}'), ["trace", "smith2020:1"], 1,
     ["output/provenance.json:1: not a provenance record (it needs claims, evidence and inputs): build the review again"]),
    ("trace-damaged-record", put("output/provenance.json", '{"claims": [{"x": 1}], "evidence": [], "inputs": {"bibliography": {"path": "sources/references.bib"}}}'), ["trace", "smith2020:1"], 1,
     ["output/provenance.json:1: the provenance record is damaged (KeyError: 'id'): build the review again"]),
    ("trace-empty-file", put("output/provenance.json", ""), ["trace", "smith2020:1"], 1,
     ["output/provenance.json:1: not a valid provenance record (Input is a zero-length, empty document: line 1 column 1 (char 0)): build the review again"]),
    ("audit-truncated-provenance", put("output/provenance.json", "[1, 2"), ["audit"], 1,
     ["output/provenance.json:1: not a valid provenance record (unexpected end of data: line 1 column 6 (char 5)): build the review again"]),
    ("audit-damaged-record", put("output/provenance.json", '{"claims": [], "evidence": [], "inputs": {"protocol": 3}}'), ["audit"], 1,
     ["output/provenance.json:1: the provenance record is damaged (TypeError: 'int' object is not subscriptable): build the review again"]),
    ("trace-after-failed-build", both(put("output/provenance.json", "{}"), put("output/build-status.json", '{"state": "failed"}')), ["trace", "smith2020:1"], 1,
     ["output/build-status.json:1: the last build failed: the outputs are from an earlier build and not current; fix the problems and build again (snakemake --cores 2)"]),
    ("audit-after-killed-build", both(put("output/provenance.json", "{}"), put("output/build-status.json", '{"state": "building"}')), ["audit"], 1,
     ["output/build-status.json:1: the last build did not finish (it is running, or was stopped): the outputs are from an earlier build and not current; fix the problems and build again (snakemake --cores 2)"]),
    ("trace-damaged-status", both(put("output/provenance.json", "{}"), put("output/build-status.json", "{")), ["trace", "x"], 1,
     ["output/build-status.json:1: the last build failed: the outputs are from an earlier build and not current; fix the problems and build again (snakemake --cores 2)"]),
]
