"""The RO-Crate as the ``rocrate`` package writes it: synthesis/exchange/crate.py's crate_metadata as it was
until it laid the crate out itself (0.4 CPU s per 2,000 files less), kept here as the reference its output is
compared with (tests/test_exchange.py). The package is in the test extra for this and for its JSON-LD context."""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any

from synthesis.exchange.crate import OUTPUT_DESCRIPTIONS, _date, _format, _project_url, _relative, _sha256


def rocrate_metadata(summary: dict, outputs: list[str], provenance: str, crate_dir: Path, review_dir: Path,
                   build: dict[str, Any], epoch: str, extra_inputs: list[str] = ()) -> dict:
    """The crate as a JSON-LD dict, from :func:`crate_summary`. ``outputs`` and ``provenance`` are paths of
    files the build wrote; ``extra_inputs`` inputs the evidence set does not record (the records/ folder), hashed now."""
    from rocrate.model.contextentity import ContextEntity
    from rocrate.rocrate import ROCrate

    crate = ROCrate(gen_preview=False)
    root = crate.root_dataset
    root["name"] = summary["title"]
    root["description"] = (f"{summary['subtitle'] + '. ' if summary['subtitle'] else ''}A literature review built by the synthesis pipeline: "
                           f"{summary['sources']} sources, {summary['excerpts']} coded excerpts, each located in its hashed source.")
    root["datePublished"] = _date(epoch)
    authors = []
    for n, person in enumerate(summary["authors"]):
        authors.append(crate.add(ContextEntity(crate, f"#author-{n + 1}", properties={"@type": "Person", "name": person["name"],
                                                                                     **({"affiliation": person["affiliation"]} if person.get("affiliation") else {})})))
    if authors:
        root["author"] = authors[0] if len(authors) == 1 else authors  # RO-Crate 1.3: single values unwrapped
    # No licence is declared in a review folder; the crate says so rather than guess one.
    root["license"] = crate.add(ContextEntity(crate, "#no-licence-declared", properties={
        "@type": "CreativeWork", "name": "No licence declared",
        "description": "The review folder declares no licence: ask its authors before reusing its sources, sheets or report."}))
    version = build["packages"].get("synthesis") or ""
    software = crate.add(ContextEntity(crate, "#synthesis", properties={
        "@type": "SoftwareApplication", "name": "synthesis", "version": version, "url": _project_url() or f"urn:synthesis:{version}",
        "description": "Reproducible literature-review pipeline (Snakemake, pandoc/citeproc)",
        **({"identifier": f"git:{build['pipeline']['commit']}"} if build["pipeline"].get("commit") else {})}))
    tools = [crate.add(ContextEntity(crate, f"#software-{name}", properties={"@type": "SoftwareApplication", "name": name, "version": v,
                                                                           "url": f"https://pypi.org/project/{name}/{v}/"}))
             for name, v in sorted(build["packages"].items()) if name != "synthesis" and v]
    tools.append(crate.add(ContextEntity(crate, "#software-python", properties={"@type": "SoftwareApplication", "name": "Python",
                                                                               "version": platform.python_version(), "url": "https://www.python.org/"})))
    tools.append(crate.add(ContextEntity(crate, "#software-pandoc", properties={"@type": "SoftwareApplication", "name": "pandoc",
                                                                               "version": build["pandoc"], "url": "https://pandoc.org/"})))
    inputs = []
    extra = [{"path": p, "sha256": _sha256(review_dir / p),
              "role": "independent coder's extraction sheet" if "/coders/" in Path(p).as_posix() else "search, screening or citation records"}
             for p in sorted(extra_inputs)]
    base = Path(os.path.relpath(review_dir, crate_dir)).as_posix()
    for item in summary["inputs"] + extra:
        properties = {"name": item["path"], "description": item["role"], "sha256": item["sha256"], "encodingFormat": _format(item["path"])}
        if (review_dir / item["path"]).is_file():
            properties["contentSize"] = str((review_dir / item["path"]).stat().st_size)
        inputs.append(crate.add_file(None, dest_path=_relative(item["path"], crate_dir, review_dir, base),
                                     properties=properties))
    results = []
    for path in sorted(set(outputs) | {provenance}):
        file = Path(path)
        properties = {"name": Path(os.path.relpath(file, crate_dir)).as_posix(), "sha256": _sha256(file), "contentSize": str(file.stat().st_size),
                      "encodingFormat": _format(path)}
        properties["description"] = OUTPUT_DESCRIPTIONS.get(file.name) or OUTPUT_DESCRIPTIONS.get(file.suffix, "an output of the build")
        if path == provenance:
            properties["description"] = "Provenance of every claim and excerpt (W3C Web Annotation selectors, hashes, sheet lines); docs/provenance.md"
        results.append(crate.add_file(None, dest_path=Path(os.path.relpath(file, crate_dir)).as_posix(), properties=properties))
    commit = build["review"].get("commit")
    action = crate.add(ContextEntity(crate, "#build", properties={
        "@type": "CreateAction", "name": f"Build of {summary['title']}", "endTime": _date(epoch),
        "description": f"Review folder at commit {commit}{' with uncommitted changes' if build['review'].get('dirty') else ''}" if commit else "Review folder outside git",
        **({"identifier": f"git:{commit}"} if commit else {})}))
    action["instrument"] = [software] + tools
    action["object"] = inputs
    action["result"] = results
    root["mentions"] = action
    return crate.metadata.generate()
