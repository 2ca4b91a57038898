"""The RO-Crate of a build (``output/ro-crate-metadata.json``): what the review was built from and what
the build made, each file with its SHA-256, the software with its versions, the commit, and the
provenance file. Laid out as the ``rocrate`` package lays out a crate; docs/formats.md, "RO-Crate", describes its layout.

The crate's root is ``output/`` (the metadata file sits at the root of what it describes, as RO-Crate
requires), and the inputs are data entities one level up (``../review.yaml``, ``../sources/...``): the
crate is only complete inside its review folder, which is where it is built and audited. Dates come from
``SOURCE_DATE_EPOCH`` or the commit, so two builds of one commit write the same bytes.
"""

from __future__ import annotations

import hashlib
import os
import platform
import posixpath
import stat
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

METADATA = "ro-crate-metadata.json"
OUTPUT_DESCRIPTIONS = {
    "evidence.csv": "every coded excerpt with its location (docs/formats.md)", "state-of-play.md": "the report as pandoc Markdown",
    "state-of-play.html": "the report (HTML)", "state-of-play.docx": "the report (Word)",
    "explorer.html": "the evidence explorer (self-contained HTML: gap map, filters, every excerpt in its context)", ".svg": "the evidence gap map (SVG)",
    ".png": "the evidence gap map (PNG)", ".csv": "a table of the review (docs/formats.md)",
}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def input_files(data: dict) -> list[dict[str, str]]:
    """Every input the evidence set was built from, with the SHA-256 the build read: protocol,
    bibliography, each source and sheet, each findings file, each appraisal."""
    found = [{"path": data["inputs"]["protocol"]["path"], "sha256": data["inputs"]["protocol"]["sha256"], "role": "review protocol"},
             {"path": data["inputs"]["bibliography"]["path"], "sha256": data["inputs"]["bibliography"]["sha256"], "role": "bibliography"}]
    for source in data["sources"]:
        found.append({"path": source["path"], "sha256": source["sha256"], "role": f"source document ({source['role']})", "citekey": source["citekey"]})
        if source["sheet"]:
            found.append({"path": source["sheet"], "sha256": source["sheet_sha256"], "role": "extraction sheet", "citekey": source["citekey"]})
    found += [{"path": f["path"], "sha256": f["sha256"], "role": "review findings"} for f in data["inputs"].get("findings", [])]
    found += [{"path": f["path"], "sha256": f["sha256"], "role": "source appraisal"} for f in data["inputs"].get("appraisals", [])]
    return found


def _relative(path: str, crate_dir: Path, review_dir: Path, base: str | None = None) -> str:
    """An input's id relative to the crate's root (``../sources/x.md``), with forward slashes. ``base``: the
    review folder relative to the crate's root (``..``), computed once for a review's thousands of inputs;
    a path of plain names (no ``.``, ``..`` or root) is then joined to it as relpath would make it."""
    plain = base is not None and "\\" not in path and not path.startswith("/") and all(
        part not in ("", ".", "..") for part in path.split("/"))
    if plain:
        return posixpath.normpath(posixpath.join(base, path))
    return Path(os.path.relpath(review_dir / path, crate_dir)).as_posix()


def _date(epoch: str) -> str:
    return datetime.fromtimestamp(int(epoch), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def crate_summary(data: dict) -> dict[str, Any]:
    """What the crate takes from the evidence set: the review's title and authors, its counts and its input
    files. The build's report step writes it (output/build/summary.json), so the crate, which runs after
    pandoc, need not read the whole evidence set again."""
    protocol = data["protocol"]
    return {"title": protocol["title"], "subtitle": protocol.get("subtitle", ""), "authors": protocol.get("authors", []),
            "sources": len(data["sources"]), "excerpts": len(data["evidence"]), "inputs": input_files(data)}


class _Graph:
    """The crate's entities in the order they are added, as the ``rocrate`` package lays them out (its
    output was this module's until it cost 0.4 CPU s per 2,000 files; tests/test_exchange.py compares the
    two): the root dataset and the metadata file first, a file's ``@id`` URL-quoted, every new file listed in
    the root's ``hasPart``, and an entity whose id resolves like an earlier one's replacing it in place."""

    BASE = "arcp://uuid,00000000-0000-0000-0000-000000000000/"  # ids are compared as resolved against a base

    def __init__(self, root: dict[str, Any]):
        self.root = root
        self.entities: dict[str, dict[str, Any]] = {}
        self._folders: dict[str, str] = {}  # a folder of ids, resolved against BASE
        self.add(root)
        self.add({"@id": METADATA, "@type": "CreativeWork", "conformsTo": {"@id": "https://w3id.org/ro/crate/1.3"},
                  "about": {"@id": "./"}})

    def _key(self, identifier: str) -> str:
        # A file's quoted id is a folder and a name of plain characters (quote escapes the rest): resolving the
        # folder once per folder and adding the name is what urljoin gives, without its cost per file (10,000
        # inputs at 5,000 sources).
        folder, slash, name = identifier.rpartition("/")
        if slash and name and name not in (".", "..") and ":" not in identifier and "?" not in name and "#" not in name:
            resolved = self._folders.get(folder)
            if resolved is None:
                resolved = self._folders[folder] = urljoin(self.BASE, folder + "/")
            return resolved + name
        return (identifier if is_url(identifier) else urljoin(self.BASE, identifier)).rstrip("/")

    def add(self, entity: dict[str, Any]) -> dict[str, str]:
        self.entities[self._key(entity["@id"])] = entity
        return {"@id": entity["@id"]}

    def add_file(self, dest_path: str, properties: dict[str, Any]) -> dict[str, str]:
        # As Path(dest_path).as_posix(), which a path already normalised leaves as it is.
        plain = "//" not in dest_path and "/./" not in dest_path and not dest_path.startswith("./") and not dest_path.endswith(("/", "/."))
        identifier = quote(dest_path if plain and dest_path not in ("", ".") else Path(dest_path).as_posix())
        if self._key(identifier) not in self.entities:
            self.root.setdefault("hasPart", []).append({"@id": identifier})
        return self.add({"@id": identifier, "@type": "File", **properties})

    def jsonld(self) -> dict[str, Any]:
        return {"@context": "https://w3id.org/ro/crate/1.3/context", "@graph": list(self.entities.values())}


def is_url(identifier: str) -> bool:
    """As rocrate tells a URL from a path: it has a scheme."""
    return bool(urlsplit(identifier).scheme)


def _context(identifier: str, properties: dict[str, Any]) -> dict[str, Any]:
    return {"@id": identifier, **properties}


def crate_metadata(summary: dict, outputs: list[str], provenance: str, crate_dir: Path, review_dir: Path,
                   build: dict[str, Any], epoch: str, extra_inputs: list[str] = ()) -> dict:
    """The crate as a JSON-LD dict, from :func:`crate_summary`. ``outputs`` and ``provenance`` are paths of
    files the build wrote; ``extra_inputs`` inputs the evidence set does not record (the records/ folder), hashed now."""
    subtitle = summary["subtitle"] + ". " if summary["subtitle"] else ""
    root: dict[str, Any] = {"@id": "./", "@type": "Dataset", "datePublished": _date(epoch), "name": summary["title"],
                            "description": f"{subtitle}A literature review built by the synthesis pipeline: {summary['sources']} "
                                           f"sources, {summary['excerpts']} coded excerpts, each located in its hashed source."}
    crate = _Graph(root)
    authors = [crate.add(_context(f"#author-{n + 1}", {"@type": "Person", "name": person["name"],
                                                      **({"affiliation": person["affiliation"]} if person.get("affiliation") else {})}))
               for n, person in enumerate(summary["authors"])]
    if authors:
        root["author"] = authors[0] if len(authors) == 1 else authors  # RO-Crate 1.3: single values unwrapped
    # No licence is declared in a review folder; the crate says so rather than guess one.
    root["license"] = crate.add(_context("#no-licence-declared", {
        "@type": "CreativeWork", "name": "No licence declared",
        "description": "The review folder declares no licence: ask its authors before reusing its sources, sheets or report."}))
    version = build["packages"].get("synthesis") or ""
    software = crate.add(_context("#synthesis", {
        "@type": "SoftwareApplication", "name": "synthesis", "version": version, "url": _project_url() or f"urn:synthesis:{version}",
        "description": "Reproducible literature-review pipeline (Snakemake, pandoc/citeproc)",
        **({"identifier": f"git:{build['pipeline']['commit']}"} if build["pipeline"].get("commit") else {})}))
    tools = [crate.add(_context(f"#software-{name}", {"@type": "SoftwareApplication", "name": name, "version": v,
                                                      "url": f"https://pypi.org/project/{name}/{v}/"}))
             for name, v in sorted(build["packages"].items()) if name != "synthesis" and v]
    tools.append(crate.add(_context("#software-python", {"@type": "SoftwareApplication", "name": "Python",
                                                         "version": platform.python_version(), "url": "https://www.python.org/"})))
    tools.append(crate.add(_context("#software-pandoc", {"@type": "SoftwareApplication", "name": "pandoc",
                                                         "version": build["pandoc"], "url": "https://pandoc.org/"})))
    inputs = []
    extra = [{"path": p, "sha256": _sha256(review_dir / p),
              "role": "independent coder's extraction sheet" if "/coders/" in Path(p).as_posix() else "search, screening or citation records"}
             for p in sorted(extra_inputs)]
    base = Path(os.path.relpath(review_dir, crate_dir)).as_posix()
    folder = str(review_dir)
    for item in summary["inputs"] + extra:
        properties = {"name": item["path"], "description": item["role"], "sha256": item["sha256"], "encodingFormat": _format(item["path"])}
        size = _file_size(os.path.join(folder, item["path"]))
        if size is not None:
            properties["contentSize"] = str(size)
        inputs.append(crate.add_file(_relative(item["path"], crate_dir, review_dir, base), properties))
    results = []
    for path in sorted(set(outputs) | {provenance}):
        file = Path(path)
        properties = {"name": Path(os.path.relpath(file, crate_dir)).as_posix(), "sha256": _sha256(file), "contentSize": str(file.stat().st_size),
                      "encodingFormat": _format(path)}
        properties["description"] = OUTPUT_DESCRIPTIONS.get(file.name) or OUTPUT_DESCRIPTIONS.get(file.suffix, "an output of the build")
        if path == provenance:
            properties["description"] = "Provenance of every claim and excerpt (W3C Web Annotation selectors, hashes, sheet lines); docs/provenance.md"
        results.append(crate.add_file(Path(os.path.relpath(file, crate_dir)).as_posix(), properties))
    commit = build["review"].get("commit")
    action = {"@type": "CreateAction", "name": f"Build of {summary['title']}", "endTime": _date(epoch),
              "description": f"Review folder at commit {commit}{' with uncommitted changes' if build['review'].get('dirty') else ''}" if commit else "Review folder outside git",
              **({"identifier": f"git:{commit}"} if commit else {})}
    action |= {"instrument": [software] + tools, "object": inputs, "result": results}
    root["mentions"] = crate.add(_context("#build", action))
    return crate.jsonld()


def _project_url() -> str:
    """The pipeline's home page, if its package metadata declares one."""
    from ..common.installed import header_values

    urls = header_values("synthesis", "Project-URL") or []
    return urls[0].split(",", 1)[-1].strip() if urls else ""


def _file_size(path: str) -> int | None:
    """The size of a file (a link followed), or None when there is none (as ``Path.is_file``: one stat)."""
    try:
        found = os.stat(path)
    except (OSError, ValueError):
        return None
    return found.st_size if stat.S_ISREG(found.st_mode) else None


FORMATS = {".md": "text/markdown", ".txt": "text/plain", ".csv": "text/csv", ".json": "application/json", ".yaml": "application/yaml",
           ".yml": "application/yaml", ".bib": "application/x-bibtex", ".html": "text/html", ".svg": "image/svg+xml", ".png": "image/png",
           ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def _format(path: str) -> str:
    name = path.rstrip("/").rpartition("/")[2]
    dot = name.rfind(".")  # Path(path).suffix, without making a Path
    return FORMATS.get(name[dot:].lower() if 0 < dot < len(name) - 1 else "", "application/octet-stream")


def crate_json(metadata: dict) -> bytes:
    """The crate's JSON: UTF-8, indented by two spaces (the bytes of ``json.dumps(..., ensure_ascii=False,
    indent=2)``, written by orjson: the stdlib's indenting encoder is pure Python, slow on 2,000 files)."""
    import orjson

    return orjson.dumps(metadata, option=orjson.OPT_INDENT_2) + b"\n"


__all__ = ["METADATA", "crate_json", "crate_metadata", "crate_summary", "input_files"]
