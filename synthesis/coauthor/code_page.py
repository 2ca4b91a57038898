"""The coding page's HTML: the codebook grouped by question, the protocol's vocabularies offered, every value
escaped. Its script (static/code.js) fills in the source's text and the sheet's rows."""

from __future__ import annotations

from html import escape

from .code_sheet import Sheet


def _options(values: list[str], blank: str = "") -> str:
    first = f'<option value="">{escape(blank)}</option>' if blank is not None else ""
    return first + "".join(f'<option value="{escape(v)}">{escape(v)}</option>' for v in values)


def _codebook(protocol: dict) -> str:
    out = []
    for question in protocol["questions"]:
        codes = [c for c in protocol["codes"] if question["id"] in c["questions"]]
        items = "".join(
            f'<label class="code"><input type="checkbox" name="codes" value="{escape(c["id"])}"> '
            f'<span class="label">{escape(c.get("label") or c["id"])}</span> <code>{escape(c["id"])}</code>'
            f'<span class="definition">{escape(c.get("definition") or "")}</span></label>' for c in codes)
        short = question.get("short") or question["text"]
        out.append(f'<fieldset><legend>{escape(question["id"])}: {escape(short)}</legend>{items}</fieldset>')
    return "".join(out)


def _select(name: str, label: str, values: list[str], multiple: bool = False) -> str:
    many = " multiple size=\"5\"" if multiple else ""
    blank = None if multiple else "(none)"
    return (f'<label for="f-{name}">{escape(label)}</label>'
            f'<select id="f-{name}" name="{name}"{many}>{_options(values, blank)}</select>')


def page_html(sheet: Sheet, protocol: dict, bib_keys: list[str], token: str) -> str:
    vocab = protocol.get("vocabularies", {})
    coders = [c["id"] for c in protocol.get("coders") or []]
    coder = (f'<label for="f-coder">Coder</label><select id="f-coder" name="coder">'
             f'{_options(coders, "(none)")}</select>') if coders else ""
    title = f"Coding {sheet.citekey}" + (f" as {sheet.coder}" if sheet.coder else "")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="review-token" content="{escape(token)}"><meta name="review-coder" content="{escape(sheet.coder or '')}">
<title>{escape(title)}</title><link rel="stylesheet" href="/app.css?token={escape(token)}"></head>
<body>
<header><h1>{escape(title)}</h1><p>Sheet <code>{escape(sheet.path)}</code>, source <code>{escape(sheet.source)}</code>.
Select a passage in the text, choose its codes, write its finding, and add it: the quote is the source's own text.</p>
<p id="status" role="status" aria-live="polite"></p></header>
<main>
<article id="text" tabindex="0" aria-label="The source's text"><p>Loading…</p></article>
<aside>
<form id="row" novalidate>
<h2 id="form-title">New excerpt</h2>
<p class="quote-label">Quote (from your selection)</p>
<blockquote id="quote" aria-live="polite">Select a passage in the text.</blockquote>
{_codebook(protocol)}
<label for="f-finding">Finding (what the excerpt says, in your words)</label>
<textarea id="f-finding" name="finding" rows="3"></textarea>
{_select("evidence_type", "Evidence type", vocab.get("evidence_type", []))}
{_select("countries", "Countries", vocab.get("countries", []), multiple=True)}
<label for="f-study">Study (its bibliography key)</label>
<input id="f-study" name="study" list="bib-keys" autocomplete="off">
{_select("study_design", "Study design", vocab.get("study_design", []))}
<label for="f-cites">Cites (bibliography keys, separated by ;)</label>
<input id="f-cites" name="cites" list="bib-keys" autocomplete="off">
<label for="f-locator">Locator (empty: the located page or paragraph)</label>
<input id="f-locator" name="locator" autocomplete="off">
{coder}
<label for="f-notes">Notes</label>
<textarea id="f-notes" name="notes" rows="2"></textarea>
<datalist id="bib-keys">{_options(bib_keys, None)}</datalist>
<div class="buttons"><button type="submit" id="save">Add excerpt</button>
<button type="button" id="cancel" hidden>Cancel editing</button>
<button type="button" id="reload" hidden>Reload the sheet (your form is kept)</button></div>
<ul id="messages" aria-live="assertive"></ul>
</form>
<h2>Rows of the sheet</h2>
<ol id="rows"></ol>
</aside>
</main>
<script src="/app.js?token={escape(token)}"></script>
</body></html>
"""


__all__ = ["page_html"]
