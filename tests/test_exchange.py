"""Exchange with other tools: the REFI-QDA project and codebook (schema-valid, counts and texts equal to the
evidence table's) and the build's RO-Crate (valid by roc-validator, offline)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

import reviewkit
from synthesis.exchange.refiqda import SCHEMAS

NS = {"q": "urn:QDA-XML:project:1.0", "c": "urn:QDA-XML:codebook:1.0"}


def export(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "synthesis", "export", *args], cwd=root, capture_output=True, text=True)


def schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


def evidence_rows(root: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO((root / "output/tables/evidence.csv").read_text(encoding="utf-8"))))


def check_project(root: Path, tmp_path: Path) -> etree._Element:
    """Export, validate against Project.xsd, re-read, and compare with the evidence table."""
    result = export(root, "--qdpx", str(tmp_path / "review.qdpx"), "--qdc", str(tmp_path / "codebook.qdc"))
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(tmp_path / "review.qdpx") as archive:
        project = etree.fromstring(archive.read("project.qde"))
        texts = {name: archive.read(name).decode("utf-8") for name in archive.namelist() if name.startswith("Sources/")}
    validator = schema("Project.xsd")
    assert validator.validate(project), validator.error_log
    codebook = etree.parse(str(tmp_path / "codebook.qdc"))
    validator = schema("Codebook.xsd")
    assert validator.validate(codebook), validator.error_log
    rows = evidence_rows(root)
    by_id = {r["evidence_id"]: r for r in rows}
    selections = project.findall(".//q:PlainTextSelection", NS)
    assert sorted(s.get("name") for s in selections) == sorted(by_id)
    codings = project.findall(".//q:PlainTextSelection/q:Coding", NS)
    assert len(codings) == sum(len([c for c in r["codes"].split("; ") if c]) for r in rows)
    built = {i["evidence_id"]: i for i in json.loads((root / "output/build/evidence.json").read_text(encoding="utf-8"))["evidence"]}
    for source in project.findall(".//q:TextSource", NS):
        text = texts["Sources/" + source.get("plainTextPath").removeprefix("internal://")]
        for selection in source.findall("q:PlainTextSelection", NS):
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            assert text[start:end] == built[selection.get("name")]["exact"], selection.get("name")
    codes = {c.get("guid"): c.get("name") for c in project.findall(".//q:CodeBook//q:Code", NS)}
    for selection in selections:
        labels = sorted(codes[ref.get("targetGUID")] for ref in selection.findall("q:Coding/q:CodeRef", NS))
        assert len(labels) == len(by_id[selection.get("name")]["codes"].split("; "))
    assert [c.get("name") for c in codebook.findall(".//c:Code", NS)] == list(codes.values())
    return project


def test_the_almp_review_exports_to_refi_qda(almp_built, tmp_path):
    project = check_project(almp_built, tmp_path)
    assert len(project.findall(".//q:TextSource", NS)) == len(list((almp_built / "sources").glob("*.md")))
    # The same build exports the same bytes.
    again = export(almp_built, "--qdpx", str(tmp_path / "again.qdpx"))
    assert again.returncode == 0 and (tmp_path / "again.qdpx").read_bytes() == (tmp_path / "review.qdpx").read_bytes()


def test_the_fixture_review_exports_coders_as_users_and_crlf_sources_in_place(named_built, tmp_path):
    project = check_project(named_built, tmp_path)
    users = {u.get("id"): u.get("name") for u in project.findall(".//q:User", NS)}
    assert users == {"AT": "Ada Tester"}
    user_guid = project.find(".//q:User", NS).get("guid")
    # Smith's sheet names its coder; Okafor's has no coder column.
    assert {s.get("name"): s.get("creatingUser") for s in project.findall(".//q:PlainTextSelection", NS)} == {
        "okafor2021:1": None, "okafor2021:2": None, "smith2020:1": user_guid, "smith2020:2": user_guid, "smith2020:3": user_guid, "smith2020:4": user_guid}
    descriptions = [s.findtext("q:Description", namespaces=NS) for s in project.findall(".//q:TextSource", NS)]
    assert descriptions[1].startswith("Ødegård and Straßer (2020). Gemeinschaftsenergie für alle: Études de cas. Role: primary.")


def test_export_needs_a_target_and_a_build(review, tmp_path):
    assert export(review).returncode == 2
    result = export(review, "--qdc", str(tmp_path / "c.qdc"))
    assert (result.returncode, result.stderr) == (1, "output/build/evidence.json:1: no built review here: build it first (snakemake --cores 2)\n1 problem in 1 file; nothing was written.\n")


def test_export_refuses_a_source_changed_since_the_build(named_built, tmp_path):
    import shutil

    root = tmp_path / "review"
    shutil.copytree(named_built, root)
    path = root / "sources" / "smith2020.md"
    path.write_bytes(path.read_bytes().replace(b"12 per cent", b"13 per cent"))
    result = export(root, "--qdpx", str(tmp_path / "x.qdpx"))
    assert result.returncode == 1
    assert result.stderr.startswith("sources/smith2020.md:1: changed since the build (SHA-256 ")
    assert not (tmp_path / "x.qdpx").exists()


def test_the_repaired_codebook_schema_accepts_colours_the_published_text_would_reject():
    validator = schema("Codebook.xsd")
    good = ('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="6f1c1f9e-3d5b-5c3e-9a51-2f3d2b7c8e10" name="a" '
            'isCodable="true" color="{}"/></Codes></CodeBook>')
    assert validator.validate(etree.fromstring(good.format("#1f77b4").encode()))
    assert not validator.validate(etree.fromstring(good.format("#1f77b4\u2010").encode()))
    assert "\u2010" not in (SCHEMAS / "Codebook.xsd").read_text(encoding="utf-8")


# RO-Crate ---------------------------------------------------------------------------------------

def validate_crate(root: Path, cache: Path):
    """roc-validator on ``root/output``, offline: its HTTP cache is filled first with the RO-Crate
    JSON-LD context that the rocrate package ships, so no request leaves the machine."""
    import requests
    import rocrate
    from requests_cache import CachedSession
    from rocrate_validator import services
    from urllib3.response import HTTPResponse

    context = (Path(rocrate.__file__).parent / "data" / "ro-crate.jsonld").read_bytes()
    url = json.loads(context)["@id"]

    class Shipped(requests.adapters.BaseAdapter):
        def send(self, request, **kwargs):
            raw = HTTPResponse(body=io.BytesIO(context), headers={"Content-Type": "application/ld+json"}, status=200,
                               preload_content=False, request_url=request.url)
            return requests.adapters.HTTPAdapter().build_response(request, raw)

        def close(self):
            pass

    session = CachedSession(cache_name=str(cache), backend="sqlite", expire_after=-1, allowable_methods=("GET",), allowable_codes=(200,))
    session.mount(url, Shipped())
    session.get(url)
    session.close()
    metadata = json.loads((root / "output/ro-crate-metadata.json").read_text(encoding="utf-8"))
    assert metadata["@context"] == url
    return services.validate(services.ValidationSettings(rocrate_uri=str(root / "output"), offline=True, cache_path=str(cache)))


def graph(root: Path) -> dict[str, dict]:
    return {e["@id"]: e for e in json.loads((root / "output/ro-crate-metadata.json").read_text(encoding="utf-8"))["@graph"]}


def check_crate(root: Path, tmp_path: Path) -> dict[str, dict]:
    result = validate_crate(root, tmp_path / "roc-cache")
    assert result.passed(), [i.message for i in result.get_issues()]
    entities = graph(root)
    inputs = ["review.yaml", "sources/references.bib"] + sorted(str(p.relative_to(root)) for p in (root / "sources").glob("*.*") if p.suffix in (".md", ".txt"))
    inputs += sorted(str(p.relative_to(root)) for p in (root / "records").glob("*.*"))  # search and screening records, when kept
    inputs += sorted(str(p.relative_to(root)) for p in (root / "appraisal").glob("*.yaml"))  # the sources' appraisals, when kept
    for path in inputs:
        entity = entities[f"../{path}"]
        assert entity["sha256"] == hashlib.sha256((root / path).read_bytes()).hexdigest(), path
    for path in ["provenance.json", "tables/evidence.csv", "report/state-of-play.html", "report/state-of-play.docx", "report/gap-map.svg"]:
        assert entities[path]["sha256"] == hashlib.sha256((root / "output" / path).read_bytes()).hexdigest(), path
    action = entities["#build"]
    assert {r["@id"] for r in action["result"]} >= {"provenance.json", "tables/evidence.csv"}
    assert {o["@id"] for o in action["object"]} == {f"../{p}" for p in inputs} | {f"../{p.relative_to(root)}" for p in (root / "extraction").glob("*.*")} | {
        f"../{p.relative_to(root)}" for p in (root / "findings").glob("*.yaml")}
    tools = {entities[t["@id"]]["name"]: entities[t["@id"]]["version"] for t in action["instrument"]}
    assert tools["synthesis"] and tools["pandoc"] and tools["pylatexenc"]
    return entities


def test_the_almp_build_writes_a_valid_ro_crate(almp_built, tmp_path):
    entities = check_crate(almp_built, tmp_path)
    assert entities["./"]["name"].startswith("From work entry to progression")


def test_the_fixture_build_writes_a_valid_ro_crate_dated_by_source_date_epoch(named_built, tmp_path, monkeypatch):
    import shutil

    root = tmp_path / "review"
    shutil.copytree(named_built, root)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    result = reviewkit.snakemake(root, "--forcerun", "crate")
    assert result.returncode == 0, result.stderr
    entities = check_crate(root, tmp_path)
    assert entities["./"]["datePublished"] == "2023-11-14T22:13:20Z"
    assert entities["#build"]["description"] == "Review folder outside git"
    assert entities["../findings/RQa.yaml"]["description"] == "review findings"


def test_the_crate_lists_independent_coders_sheets_and_the_agreement_table(coded_twice_built):
    root = coded_twice_built  # built with the coders' sheets: the coders' steps and what rests on them ran
    entities = graph(root)
    sheet = entities["../extraction/coders/ann/smith2020.csv"]
    assert sheet["description"] == "independent coder's extraction sheet"
    assert sheet["sha256"] == hashlib.sha256((root / "extraction/coders/ann/smith2020.csv").read_bytes()).hexdigest()
    assert "tables/agreement.csv" in {r["@id"] for r in entities["#build"]["result"]}


@pytest.mark.parametrize("authors", [[], [{"name": "Ada"}], [{"name": "Ada", "affiliation": "U"}, {"name": "Bo"}]])
@pytest.mark.parametrize("commit", ["", "abc123"])
def test_the_crate_is_laid_out_as_the_rocrate_package_lays_it_out(tmp_path, authors, commit):
    """The crate's JSON is the bytes the rocrate package gave for it (tests/rocrate_reference.py), for names a
    URL must quote (spaces, #, %, ?, accents), an input given twice, coders' sheets and records, with and
    without authors and a commit."""
    from rocrate_reference import rocrate_metadata

    from synthesis.exchange.crate import crate_json, crate_metadata

    review = tmp_path / "review"
    names = ["review.yaml", "sources/references.bib", "sources/a b.md", "sources/été#1.md", "extraction/50%.csv",
             "extraction/what?.csv", "findings/Q1.yaml", "records/search one.ris", "extraction/coders/ab/a b.csv"]
    for n, name in enumerate(names):
        (review / name).parent.mkdir(parents=True, exist_ok=True)
        (review / name).write_text(f"file {n}\n", encoding="utf-8")
    outputs = ["output/tables/evidence.csv", "output/report/state of play.html", "output/report/gap-map.png", "output/x.bin"]
    for name in outputs + ["output/provenance.json"]:
        (review / name).parent.mkdir(parents=True, exist_ok=True)
        (review / name).write_bytes(name.encode())
    inputs = [{"path": p, "sha256": "0" * 64, "role": "an input"} for p in names[:7] + ["sources/a b.md", "sources/gone.md"]]
    summary = {"title": "T", "subtitle": "S" if authors else "", "authors": authors, "sources": 3, "excerpts": 9, "inputs": inputs}
    build = {"packages": {"synthesis": "1.0", "jinja2": "3.1", "empty": ""}, "pipeline": {"commit": commit},
             "review": {"commit": commit, "dirty": bool(authors)}, "pandoc": "3.9"}
    args = (summary, [str(review / p) for p in outputs], str(review / "output/provenance.json"), review / "output", review,
            build, "315532800", ["records/search one.ris", "extraction/coders/ab/a b.csv"])
    ours, reference = crate_json(crate_metadata(*args)), crate_json(rocrate_metadata(*args))
    assert ours == reference
    assert b"a%20b.md" in ours and b"%C3%A9t%C3%A9%231.md" in ours
