# The review workflow: check protocol and bibliography (prepare), check sources and
# sheets and locate every quote (locate, in shards), merge (evidence), records (only
# with a records/ folder: de-duplication, screening checks, PRISMA flow diagram), coders
# and agreement (only with independent sheets in extraction/coders/: double coding), then
# one report job (tables, gap-map figure, report Markdown: the evidence set analysed once),
# pandoc (the Markdown read once, HTML and DOCX written from it), then provenance and the RO-Crate.
# All logic lives in the `synthesis` package; rules only call its CLI.
# Build any review folder with: snakemake --snakefile <this file> --directory <review> --cores 2
import os
import sys

from synthesis.inputs import layout
from synthesis.inputs.door import misplaced
from synthesis.audit.revision import revision
from synthesis.audit.status import clear_stale_lock, this_build, write_status

PYTHON = sys.executable
# The project's templates, named relative to the review folder when inside it (this repository's own review),
# so that the review copied or moved with the project stays up to date.
OWN_TEMPLATES = os.path.join(workflow.basedir, "templates")
INSIDE = os.path.commonpath([os.path.realpath(OWN_TEMPLATES), os.path.realpath(os.getcwd())]) == os.path.realpath(os.getcwd())
TEMPLATES = config.get("templates", os.path.relpath(OWN_TEMPLATES) if INSIDE else OWN_TEMPLATES)
QUESTIONS = layout.question_ids()
# Values that re-run steps are stamp files, inputs rewritten only when they change (no params: Snakemake's check of
# any param imports pandas, 0.4 CPU s of every build).
CODE = layout.write_stamp(layout.CODE_STAMP, layout.package_fingerprint())  # re-run steps when the code changes
SHARDS = int(config.get("shards", layout.shard_count()))  # sized by the sources' bytes, at least 2
# The locate and merge jobs depend on a listing of their input files (path, size, time), rewritten only when one
# changes, appears or goes: Snakemake checks one file per job instead of each of thousands.
layout.write_listings(SHARDS, misplaced())
REVISION = layout.write_stamp(layout.REVISION_STAMP, revision())  # provenance records it; HTML and DOCX take dates from it


# The build-status record (output/build-status.json): a failed or stopped build leaves
# the previous outputs in place but marked as not current (review trace refuses them).
# A killed build (SIGKILL, power loss) cannot unlock: its lock is removed when the process
# recorded as building is gone; its half-made outputs are re-made (profiles/default).
# The handlers write the record here, in Snakemake's process (two Python starts fewer per build).
if workflow.is_main_process:  # not in a cluster job's own Snakemake
    clear_stale_lock()
BUILDER = this_build()


onstart:
    write_status("output", "building", BUILDER)


onsuccess:
    write_status("output", "ok")


onerror:
    write_status("output", "failed")


rule all:
    input:
        "output/tables/evidence.csv",
        "output/provenance.json",
        "output/report/state-of-play.html",
        "output/report/state-of-play.docx",
        "output/report/explorer.html",
        "output/report/gap-map.svg",
        layout.with_coders("output/tables/agreement.csv"),
        "output/ro-crate-metadata.json",


# The report path (evidence -> report -> render: HTML and DOCX) has priority, so
# records and the coders' steps fill the spare cores instead of delaying it.
# Per-source work is cut into shards (by a hash of the citekey): one per 20 MB of
# sources and at least 2 (the cores of `--cores 2`), a power of two up to 16 (or
# `--config shards=N`): the job count stays bounded for thousands of sources,
# and an edited sheet re-runs one shard. Each job costs a Python start-up and ~50 ms of scheduling.
# PDF sources are extracted inside their shard (no job per PDF), cached in
# output/build/text by the PDF's SHA-256 and the extractor's version.
rule prepare:
    input:
        protocol=layout.PROTOCOL,
        bibliography=layout.BIBLIOGRAPHY,
        code=CODE,
    output:
        "output/build/inputs.json",
    benchmark:
        "output/benchmarks/prepare.tsv"
    shell:
        "{PYTHON:q} -m synthesis prepare --protocol {input.protocol:q} --bibliography {input.bibliography:q}"
        " --located-cache {layout.LOCATED_CACHE:q} --output {output:q}"


rule locate:
    input:
        prepared="output/build/inputs.json",
        files=layout.SHARD_LISTING,  # the shard's sources, PDF sidecars and sheets
        code=CODE,
    output:
        "output/build/shards/{shard}.jsonl",
    benchmark:
        "output/benchmarks/locate-{shard}.tsv"
    shell:
        "{PYTHON:q} -m synthesis locate --inputs {input.prepared:q} --shard {wildcards.shard} --shards {SHARDS}"
        " --sources {layout.SOURCES:q} --extraction {layout.EXTRACTION:q} --text-cache {layout.TEXT_CACHE:q}"
        " --located-cache {layout.LOCATED_CACHE:q} --output {output:q}"


rule evidence:
    input:
        prepared="output/build/inputs.json",
        shards=expand("output/build/shards/{shard}.jsonl", shard=range(SHARDS)),
        files=layout.MERGE_LISTING,  # findings, appraisals, commentary; entries the door refuses (one appearing re-runs the check)
        code=CODE,
    output:
        "output/build/evidence.json",
    benchmark:
        "output/benchmarks/evidence.tsv"
    priority: 40
    shell:
        "{PYTHON:q} -m synthesis merge --inputs {input.prepared:q} --findings {layout.FINDINGS:q} --appraisals {layout.APPRAISAL:q}"
        " --sources {layout.SOURCES:q} --output {output:q} {input.shards:q}"


# Only for a review with a records/ folder (layout.with_records gives nothing otherwise):
# de-duplication, screening checks and the PRISMA 2020 flow diagram (redrawn only when its numbers change).
rule records:
    input:
        evidence="output/build/evidence.json",
        protocol=layout.PROTOCOL,
        files=layout.record_files(),
        code=CODE,
    output:
        summary="output/build/records.json",
        records="output/tables/records.csv",
        duplicates="output/tables/duplicates.csv",
        prisma="output/tables/prisma.csv",
        svg="output/report/prisma.svg",
        png="output/report/prisma.png",
    benchmark:
        "output/benchmarks/records.tsv"
    priority: 30
    shell:
        "{PYTHON:q} -m synthesis records --evidence {input.evidence:q} --records {layout.RECORDS:q} --protocol {input.protocol:q}"
        " --output {output.summary:q} --output-dir output/tables --svg {output.svg:q} --png {output.png:q}"


# Only for a review with independent coders' sheets (layout.with_coders gives nothing otherwise):
# their quotes are located beside the main path, then units and agreement are computed.
rule coders:
    input:
        prepared="output/build/inputs.json",
        files=layout.coder_inputs(),
        code=CODE,
    output:
        "output/build/coders.json",
    benchmark:
        "output/benchmarks/coders.tsv"
    shell:
        "{PYTHON:q} -m synthesis coders --inputs {input.prepared:q} --sources {layout.SOURCES:q} --extraction {layout.EXTRACTION:q} --output {output:q}"


rule agreement:
    input:
        prepared="output/build/inputs.json",
        coders="output/build/coders.json",
        code=CODE,
    output:
        summary="output/build/agreement.json",
        table="output/tables/agreement.csv",
    benchmark:
        "output/benchmarks/agreement.tsv"
    priority: 30
    shell:
        "{PYTHON:q} -m synthesis agreement --inputs {input.prepared:q} --coders {input.coders:q} --output {output.summary:q} --table {output.table:q}"


# One job reads the evidence set and analyses it once for everything made from it without pandoc:
# the CSV tables, the gap map (redrawn only when it changes), the report's Markdown and claims,
# provenance's body and the crate's summary of the inputs.
rule report:
    input:
        evidence="output/build/evidence.json",
        template=os.path.join(TEMPLATES, "state-of-play.md.j2"),
        method=os.path.join(TEMPLATES, "prisma.md.j2"),
        records=layout.with_records("output/build/records.json"),
        agreement=layout.with_coders("output/build/agreement.json"),
        agreement_template=layout.with_coders(os.path.join(TEMPLATES, "agreement.md.j2")),
        coders=layout.with_coders("output/build/coders.json"),
        releases=layout.release_files(),  # a new release re-runs the report: its changes are counted from it
        code=CODE,
    output:
        markdown="output/report/state-of-play.md",
        claims="output/build/claims.json",
        explorer="output/report/explorer.html",  # the evidence explorer, from the same analysis and claims
        provenance="output/build/provenance-body.json",
        summary="output/build/summary.json",
        svg="output/report/gap-map.svg",
        png="output/report/gap-map.png",
        tables=[
            "output/tables/evidence.csv",
            "output/tables/cells.csv",
            "output/tables/gap-map.csv",
            "output/tables/findings.csv",
            "output/tables/sources-questions.csv",
            "output/tables/countries.csv",
            "output/tables/gaps.csv",
            "output/tables/avenues.csv",
            "output/tables/snowball.csv",
        ] + expand("output/tables/{question}.csv", question=QUESTIONS),
        changes="output/tables/changes.csv",
    benchmark:
        "output/benchmarks/report.tsv"
    priority: 30
    shell:
        "{PYTHON:q} -m synthesis report --evidence {input.evidence:q} --templates {TEMPLATES:q}"
        " --output {output.markdown:q} --claims {output.claims:q} --records {input.records:q}"
        " --agreement {input.agreement:q} --tables output/tables --svg {output.svg:q} --png {output.png:q}"
        " --provenance-body {output.provenance:q} --coders {input.coders:q} --summary {output.summary:q}"
        " --explorer {output.explorer:q} --releases {layout.RELEASES:q} --changes {output.changes:q}"


# pandoc reads the Markdown and resolves its citations once, then writes the HTML and the DOCX from that
# (our writer, synthesis/report/pandoc/write.lua): one pandoc run, no AST written and read again. When nothing
# pandoc reads has changed (a sheet edited outside the report's sample), the renderings last written stay.
rule render:
    input:
        markdown="output/report/state-of-play.md",
        protocol=layout.PROTOCOL,
        bibliography=layout.BIBLIOGRAPHY,
        figure="output/report/gap-map.png",
        flow=layout.with_records("output/report/prisma.png"),
        css=os.path.join(TEMPLATES, "report.css"),
        code=CODE,
        revision=REVISION,
    output:
        html="output/report/state-of-play.html",
        docx="output/report/state-of-play.docx",
    benchmark:
        "output/benchmarks/render.tsv"
    priority: 20
    shell:
        "{PYTHON:q} -m synthesis render --to html docx --input {input.markdown:q} --protocol {input.protocol:q}"
        " --bibliography {input.bibliography:q} --resource-path output/report --css {input.css:q}"
        " --kept {layout.RENDERINGS:q} --output {output.html:q} {output.docx:q} --depends {input:q}"


# The build's provenance (the report's body with the build metadata: the commits, so a new commit re-runs
# this, not the report), then the build described as an RO-Crate: each input with the SHA-256 the build
# read, each output, the software and versions, the commit (its date dates the crate) and the provenance
# file. One job: they share the build metadata, and a job less is a Python start less in every build.
rule crate:
    input:
        summary="output/build/summary.json",
        body="output/build/provenance-body.json",
        outputs=[rules.report.output.tables, rules.report.output.svg, rules.report.output.png, rules.report.output.markdown,
                 rules.report.output.explorer, rules.report.output.changes,
                 rules.render.output.html, rules.render.output.docx],
        records=layout.record_files(),
        records_outputs=layout.with_records(*rules.records.output),
        coder_sheets=layout.coder_sheet_files(),
        agreement=layout.with_coders("output/tables/agreement.csv"),
        code=CODE,
        revision=REVISION,
    output:
        provenance="output/provenance.json",
        crate="output/ro-crate-metadata.json",
    benchmark:
        "output/benchmarks/crate.tsv"
    shell:
        "{PYTHON:q} -m synthesis crate --summary {input.summary:q} --provenance-body {input.body:q}"
        " --provenance {output.provenance:q} --output {output.crate:q}"
        " --inputs {input.records:q} {input.coder_sheets:q} -- {input.outputs:q} {input.records_outputs:q} {input.agreement:q}"
