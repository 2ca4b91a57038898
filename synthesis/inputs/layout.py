"""Where a review's inputs live. Shared by the Snakefile and the CLI so both see the same files."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

PROTOCOL = "review.yaml"
SOURCES = "sources"
EXTRACTION = "extraction"
BIBLIOGRAPHY = "sources/references.bib"
SOURCE_SUFFIXES = (".md", ".txt", ".pdf")
SIDECAR_SUFFIX = ".yaml"  # a PDF source's front matter: sources/<citekey>.yaml beside sources/<citekey>.pdf
TEXT_CACHE = "output/build/text"  # PDF text extractions, by the PDF's SHA-256 and the extractor's version
LOCATED_CACHE = "output/build/located"  # each source checked with its sheet, by their bytes (evidence/located.py)
RENDERINGS = "output/build/renderings"  # the HTML and DOCX last written, by a key of all pandoc read (report/kept_renderings.py)
VALID_CACHE = "output/build/valid"  # documents whose schema check passed (inputs/schemacheck.py)
SHEET_SUFFIXES = (".csv", ".xlsx")


def _listed(directory: str | Path, suffixes: tuple[str, ...]) -> list[str]:
    import os

    folder = Path(directory)
    if not folder.is_dir():
        return []
    # Skip hidden files and Excel's "~$name.xlsx" lock files. A listing's entries know whether they are files
    # (a stat only for a link): the Snakefile lists thousands of sources several times at each start.
    prefix = str(folder / "x")[:-1]  # as str(folder / name) gives it ("" for "."), without a path per entry
    return sorted(
        prefix + e.name for e in os.scandir(folder)
        if _suffix(e.name).lower() in suffixes and not e.name.startswith((".", "~$")) and e.is_file()
    )


def _suffix(name: str) -> str:
    dot = name.rfind(".")  # as PurePath.suffix
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def source_files(directory: str | Path = SOURCES) -> list[str]:
    """Source documents (``*.md``, ``*.txt``, ``*.pdf``), sorted by path."""
    return _listed(directory, SOURCE_SUFFIXES)


def sidecar_files(directory: str | Path = SOURCES) -> list[str]:
    """PDF sources' front-matter files (``*.yaml``), sorted by path."""
    return _listed(directory, (SIDECAR_SUFFIX,))


def sheet_files(directory: str | Path = EXTRACTION) -> list[str]:
    """Extraction sheets (``*.csv``, ``*.xlsx``), sorted by path."""
    return _listed(directory, SHEET_SUFFIXES)


def question_ids(protocol: str | Path = PROTOCOL) -> list[str]:
    """Question ids from ``review.yaml``, leniently, to name per-question tables.

    The Snakefile calls this before anything is validated, so a broken protocol
    gives no ids here and the evidence step reports its problems properly.
    """
    from . import yamlio

    try:
        # The same loader as the check: in YAML 1.1 a question id NO would be false.
        data, _node = yamlio.load(Path(protocol).read_text(encoding="utf-8-sig"), str(protocol))
        return [str(q["id"]) for q in data["questions"]]
    except Exception:  # any problem is reported by the evidence step
        return []


def package_files() -> list[Path]:
    """The package's code and schemas, every stage folder included, relative to the package."""
    root = Path(__file__).parents[1]  # synthesis/, not this stage folder
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.suffix in (".py", ".json", ".lua", ".js", ".css") and "__pycache__" not in p.parts)


@lru_cache(maxsize=1)  # once a process, for the code it runs (the report job asked for it three times)
def package_fingerprint() -> str:
    """A hash of this package's code and schemas.

    The Snakefile writes it to a stamp file every rule takes as an input, so upgrading or editing the
    pipeline re-runs the steps it may change.
    """
    import hashlib

    digest = hashlib.sha256()
    root = Path(__file__).parents[1]
    for path in package_files():
        digest.update(str(path).encode() + b"\0" + (root / path).read_bytes() + b"\0")
    return digest.hexdigest()[:16]


FINDINGS = "findings"
COMMENTARY = "commentary"  # before review findings; its files are reported with how to move them


def findings_files(directory: str | Path = FINDINGS) -> list[str]:
    """The team's review findings (``findings/<question id>.yaml``), sorted."""
    return _listed(directory, (".yaml", ".yml"))


APPRAISAL = "appraisal"  # appraisal/<citekey>.yaml: how each source was appraised


def appraisal_files(directory: str | Path = APPRAISAL) -> list[str]:
    """The sources' appraisals (``appraisal/<citekey>.yaml``), sorted; ``[]`` without the folder."""
    return _listed(directory, (".yaml", ".yml"))


RELEASES = "releases"  # releases/<name>.json: a version of the review, as `review release` recorded it


def release_files(directory: str | Path = RELEASES) -> list[str]:
    """The review's releases (``releases/<name>.json``), sorted by path; ``[]`` without the folder."""
    return _listed(directory, (".json",))


def commentary_files(directory: str | Path = COMMENTARY) -> list[str]:
    """Commentary files from before review findings (``commentary/*.md``), sorted."""
    return _listed(directory, (".md",))


def shard_of(citekey: str, shards: int) -> int:
    """The shard a source (and its sheet) belongs to: stable as sources come and go."""
    import zlib

    return zlib.crc32(citekey.encode("utf-8")) % shards


# Bytes of source files per shard when the count is not given: a job costs about 0.25 CPU s to start and as
# much again of Snakemake's, and each job lists every input to find its own; with a shard's unchanged sources read
# from the located cache, an edited sheet's shard re-runs in well under 1 CPU s however many sources it holds.
# At 20 MB, 1,000 sources (31 MB) are 2 shards and 5,000 (156 MB) 8: against 16 shards at 8 MB, a full build
# at 5,000 sources cost about 2.5 CPU s less (A/B pairs, benchmarks/README.md), an edit about 0.2 more.
SHARD_BYTES = 20_000_000
MAX_SHARDS = 16


def shard_count(cores: int = 2, sources: str | Path = SOURCES) -> int:
    """How many shards the per-source work is cut into by default: one per ``SHARD_BYTES`` of source files and
    at least ``cores`` (the cores a build uses: the README's ``--cores 2``; not the machine's, which a cluster
    job's own Snakemake would count differently), a power of two up to ``MAX_SHARDS``. The count, and with it
    every shard, changes only when a review's sources double in size."""
    import os

    wanted = max(cores, -(-sum(os.stat(p).st_size for p in source_files(sources)) // SHARD_BYTES))
    count = 1
    while count < min(wanted, MAX_SHARDS):
        count *= 2
    return count


def shard_files(shard: int, shards: int, sources: str | Path = SOURCES, extraction: str | Path = EXTRACTION) -> tuple[list[str], list[str]]:
    """The source files (PDF sidecars included) and sheets of one shard."""
    return ([p for p in source_files(sources) + sidecar_files(sources) if shard_of(Path(p).stem, shards) == shard],
            [p for p in sheet_files(extraction) if shard_of(Path(p).stem, shards) == shard])


# A job reading many input files depends on one listing of them instead: each file's path, size and modification
# time, rewritten only when one of them changes, appears or goes. Snakemake then checks one file per job, not
# each of 2,000 (at 1,000 sources that check cost about 0.4 CPU s of every build and dry run).
SHARD_LISTING = "output/build/shards/{shard}.files"  # a shard's sources, PDF sidecars and sheets
MERGE_LISTING = "output/build/shards/merge.files"  # the merge's other inputs: findings, appraisals, commentary


def listing(paths: list[str]) -> str:
    """One line per path (JSON: the path, its size and its modification time in ns; a link's own time too)."""
    import json
    import os
    import stat

    encode = json.JSONEncoder(ensure_ascii=False).encode  # one encoder (json.dumps with options makes one a call)
    lines = []
    for path in paths:
        try:
            own = os.lstat(path)
            target = os.stat(path) if stat.S_ISLNK(own.st_mode) else own
            facts = [path, target.st_size, target.st_mtime_ns] + ([own.st_mtime_ns] if target is not own else [])
        except OSError:  # gone since it was listed, or a link to nothing
            facts = [path, None]
        lines.append(encode(facts) + "\n")
    return "".join(lines)


def write_listing(path: str | Path, paths: list[str], head: str = "") -> bool:
    """Write ``head`` and ``paths``' listing to ``path`` unless it already holds them (its time is what Snakemake
    compares); whether it was written."""
    return _rewritten(path, head + listing(paths))


def _rewritten(path: str | Path, text: str) -> bool:
    from ..common.textio import write_atomic

    try:
        if Path(path).read_text(encoding="utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    try:
        write_atomic(path, text)
    except OSError:  # a folder that cannot be written (a read-only checkout's dry run): left as it is
        return False
    return True


# Values that re-run steps when they change, each in a file the steps take as an input (a param would do it too,
# but Snakemake's check of any param imports pandas: 0.4 CPU s of every build).
CODE_STAMP = "output/build/stamps/code"  # the package's fingerprint
REVISION_STAMP = "output/build/stamps/revision"  # the review's commit: provenance records it, HTML and DOCX dates


def write_stamp(path: str, value: str) -> str:
    """``path``, holding ``value`` (rewritten only when it changes, so that its time says when it did)."""
    _rewritten(path, value + "\n")
    return path


def _stem(path: str) -> str:
    import os

    name = os.path.basename(path)
    dot = name.rfind(".")  # as PurePath.stem, without making a path of each of thousands of files
    return name[:dot] if 0 < dot < len(name) - 1 else name


def write_listings(shards: int, misplaced: list[str] = (), sources: str | Path = SOURCES,
                   extraction: str | Path = EXTRACTION) -> dict[int, list[str]]:
    """Write each shard's listing (:data:`SHARD_LISTING`: the files of :func:`shard_files`) and the merge's
    (:data:`MERGE_LISTING`: findings, appraisals, commentary and the ``misplaced`` entries the door refuses,
    one appearing re-runs the check); the files of each shard."""
    by_shard: dict[int, list[str]] = {k: [] for k in range(shards)}
    for path in source_files(sources) + sidecar_files(sources) + sheet_files(extraction):
        by_shard[shard_of(_stem(path), shards)].append(path)
    for shard, paths in by_shard.items():
        # The count heads it: another count re-runs every shard (each holds other sources then).
        write_listing(SHARD_LISTING.format(shard=shard), paths, f"shard {shard} of {shards}\n")
    write_listing(MERGE_LISTING, findings_files() + appraisal_files() + commentary_files() + list(misplaced))
    return by_shard


RECORDS = "records"
# A search's export as the database saved it (.txt: Web of Science, MEDLINE, Ovid; .nbib: PubMed), screening.
RECORD_SUFFIXES = (".ris", ".bib", ".csv", ".tsv", ".txt", ".nbib", ".xlsx")


def record_files(directory: str | Path = RECORDS) -> list[str]:
    """The records stage's files (searches, records, screening), sorted; ``[]`` without ``records/``."""
    return _listed(directory, RECORD_SUFFIXES)


def with_records(*paths: str, directory: str | Path = RECORDS) -> list[str]:
    """``paths`` when the review keeps a ``records/`` folder, else nothing: a review without records
    builds exactly as before (no flow diagram, no method section)."""
    return list(paths) if Path(directory).is_dir() else []


CODERS = "coders"  # under the extraction folder: extraction/coders/<coder>/<citekey>.csv|xlsx


def coder_sheet_files(extraction: str | Path = EXTRACTION) -> list[str]:
    """Independent coders' sheets (``<extraction>/coders/<coder>/<citekey>.csv|xlsx``), sorted by path."""
    folder = Path(extraction) / CODERS
    if not folder.is_dir():
        return []
    return [path for coder in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
            for path in _listed(coder, SHEET_SUFFIXES)]


def with_coders(*paths: str, extraction: str | Path = EXTRACTION) -> list[str]:
    """``paths`` when the review keeps independent coders' sheets, else nothing: a review without double
    coding builds exactly as before (no agreement step, table or method section)."""
    return list(paths) if coder_sheet_files(extraction) else []


def coder_inputs(sources: str | Path = SOURCES, extraction: str | Path = EXTRACTION) -> list[str]:
    """The files the coders step reads: the independent sheets and the sources they code."""
    sheets = coder_sheet_files(extraction)
    if not sheets:
        return []
    keys = {Path(p).stem for p in sheets}
    return sheets + [p for p in source_files(sources) if Path(p).stem in keys]
