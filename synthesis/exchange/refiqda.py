"""REFI-QDA exchange (NVivo, ATLAS.ti, MAXQDA, QualCoder): a review as a ``.qdpx`` project, its codebook
as a ``.qdc`` file.

The project holds each source's text (as the build read it, so character positions agree), the codebook
with each code's definition, one set of codes per question, the coders as users, and every excerpt as a
coded text selection at the characters the build located it at (``startPosition`` inclusive,
``endPosition`` exclusive). GUIDs are derived from ids (UUID 5), the zip is written with fixed dates in
a fixed order: the same build gives the same bytes. Schemas: ``schema/`` (REFI-QDA 1.0, MIT).
"""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from xml.etree import ElementTree as ET

from ..common.problems import InputError, Problem
from ..common.textio import read_text

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
SCHEMAS = Path(__file__).parent / "schema"
# Tableau 10: distinct colours for the first ten codes, then repeated.
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
_GUIDS = uuid.UUID("6f1c1f9e-3d5b-5c3e-9a51-2f3d2b7c8e10")  # this exporter's namespace for UUID 5


def guid(kind: str, key: str) -> str:
    """A stable GUID for one thing of the review (a code, source, selection, coding or user)."""
    return str(uuid.uuid5(_GUIDS, f"{kind}:{key}"))


def _datetime(epoch: str) -> str:
    return datetime.fromtimestamp(int(epoch), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _codes(parent: ET.Element, ns: str, protocol: dict) -> None:
    codes = ET.SubElement(parent, f"{{{ns}}}Codes")
    for n, code in enumerate(protocol["codes"]):
        element = ET.SubElement(codes, f"{{{ns}}}Code", guid=guid("code", code["id"]), name=code["label"], isCodable="true", color=PALETTE[n % len(PALETTE)])
        ET.SubElement(element, f"{{{ns}}}Description").text = f"{code['id']}: {code.get('definition', '')}".rstrip(": ")


def _question_sets(parent: ET.Element, ns: str, protocol: dict, member: str, attribute: str) -> None:
    sets = ET.SubElement(parent, f"{{{ns}}}Sets")
    for question in protocol["questions"]:
        element = ET.SubElement(sets, f"{{{ns}}}Set", guid=guid("question", question["id"]), name=f"{question['id']}: {question.get('short', question['text'])}")
        ET.SubElement(element, f"{{{ns}}}Description").text = question["text"]
        for code in protocol["codes"]:
            if question["id"] in code["questions"]:
                ET.SubElement(element, f"{{{ns}}}{member}", {attribute: guid("code", code["id"])})


def codebook_xml(protocol: dict, origin: str) -> bytes:
    """The codebook alone (``.qdc``): codes with definitions, one set of codes per question."""
    ET.register_namespace("", CODEBOOK_NS)
    root = ET.Element(f"{{{CODEBOOK_NS}}}CodeBook", origin=origin)
    _codes(root, CODEBOOK_NS, protocol)
    _question_sets(root, CODEBOOK_NS, protocol, "MemberCode", "guid")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def coders(data: dict) -> list[tuple[str, str]]:
    """(id, name) of every coder: those the protocol declares, then any other id a sheet uses."""
    declared = [(c["id"], c.get("name", c["id"])) for c in data["protocol"].get("coders") or []]
    known = {c for c, _ in declared}
    used = sorted({i["coder"] for i in data["evidence"] if i.get("coder")} - known)
    return declared + [(c, c) for c in used]


def project_xml(data: dict, origin: str, epoch: str) -> bytes:
    """``project.qde``: users, codebook, question sets and every source with its coded selections."""
    ET.register_namespace("", PROJECT_NS)
    ns = PROJECT_NS
    when = _datetime(epoch)
    root = ET.Element(f"{{{ns}}}Project", name=data["protocol"]["title"], origin=origin, creationDateTime=when)
    users = ET.SubElement(root, f"{{{ns}}}Users")
    for coder_id, name in coders(data):
        ET.SubElement(users, f"{{{ns}}}User", guid=guid("user", coder_id), name=name, id=coder_id)
    if not len(users):
        root.remove(users)  # the schema wants at least one user in Users
    _codes(ET.SubElement(root, f"{{{ns}}}CodeBook"), ns, data["protocol"])
    sources = ET.SubElement(root, f"{{{ns}}}Sources")
    by_source: dict[str, list[dict]] = {}
    for item in data["evidence"]:
        by_source.setdefault(item["citekey"], []).append(item)
    for record in data["sources"]:
        key = record["citekey"]
        source = ET.SubElement(sources, f"{{{ns}}}TextSource", guid=guid("source", key), name=key,
                               plainTextPath=f"internal://{guid('source', key)}.txt", creationDateTime=when)
        ET.SubElement(source, f"{{{ns}}}Description").text = f"{record['citation']}. {record['title']}. Role: {record['role']}. {record['path']} (SHA-256 {record['sha256']})"
        for item in sorted(by_source.get(key, []), key=lambda i: (i["start"], i["sheet_line"])):
            attributes = {"guid": guid("selection", item["evidence_id"]), "name": item["evidence_id"],
                          "startPosition": str(item["start"]), "endPosition": str(item["end"])}
            if item.get("coder"):
                attributes["creatingUser"] = guid("user", item["coder"])
            selection = ET.SubElement(source, f"{{{ns}}}PlainTextSelection", attributes, creationDateTime=when)
            ET.SubElement(selection, f"{{{ns}}}Description").text = item["finding"] or item["exact"]
            for code in item["codes"]:
                coding = ET.SubElement(selection, f"{{{ns}}}Coding", guid=guid("coding", f"{item['evidence_id']}:{code}"), creationDateTime=when)
                if item.get("coder"):
                    coding.set("creatingUser", guid("user", item["coder"]))
                ET.SubElement(coding, f"{{{ns}}}CodeRef", targetGUID=guid("code", code))
    _question_sets(root, ns, data["protocol"], "MemberCode", "targetGUID")
    ET.SubElement(root, f"{{{ns}}}Description").text = (f"{data['protocol']['title']}: {len(data['sources'])} sources, {len(data['evidence'])} excerpts. "
                                                       "Exported from the review's build; each selection's name is its evidence id (citekey:sheet row id).")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def source_texts(data: dict) -> dict[str, str]:
    """Each source's text as the build read it; a source changed since the build is an error."""
    texts, problems = {}, []
    for record in data["sources"]:
        path = record["path"]
        if not Path(path).is_file():
            problems.append(Problem(path, 1, f"source of {record['citekey']} is missing: rebuild the review before exporting"))
            continue
        if path.lower().endswith(".pdf"):  # a PDF's text is its extraction, which positions refer to
            import hashlib

            from ..inputs.pdf_text import text_of_pdf

            data = Path(path).read_bytes()
            text, sha = text_of_pdf(data, path, record.get("text_path", "")), hashlib.sha256(data).hexdigest()
        else:
            text, sha = read_text(path)
        if sha != record["sha256"]:
            problems.append(Problem(path, 1, f"changed since the build (SHA-256 {sha[:12]}…, built from {record['sha256'][:12]}…): rebuild the review before exporting"))
        texts[record["citekey"]] = text
    if problems:
        raise InputError(problems)
    return texts


def _zip_entry(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def qdpx_bytes(data: dict, origin: str, epoch: str) -> bytes:
    """The ``.qdpx`` archive: ``project.qde`` and ``Sources/<guid>.txt`` for every source."""
    texts = source_texts(data)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        _zip_entry(archive, "project.qde", project_xml(data, origin, epoch))
        for record in data["sources"]:
            _zip_entry(archive, f"Sources/{guid('source', record['citekey'])}.txt", texts[record["citekey"]].encode("utf-8"))
    return out.getvalue()


__all__ = ["CODEBOOK_NS", "PROJECT_NS", "SCHEMAS", "codebook_xml", "coders", "guid", "project_xml", "qdpx_bytes", "source_texts"]
