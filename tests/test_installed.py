"""Installed distributions' versions and headers read without importlib.metadata: the same answers."""

from __future__ import annotations

import sys
from importlib import metadata

import pytest

from synthesis.common import installed

HEADERS = ("Version", "Project-URL", "Classifier", "License", "Summary", "Requires-Dist", "Description",
           "Keywords")


@pytest.fixture
def fresh(monkeypatch):
    """The module's caches emptied before and after (a test's sys.path is its own)."""
    installed._folders.cache_clear()
    installed._headers.cache_clear()
    yield monkeypatch
    installed._folders.cache_clear()
    installed._headers.cache_clear()


def test_every_installed_distribution_reads_as_importlib_metadata_reads_it(fresh):
    names = sorted({d.metadata["Name"] for d in metadata.distributions()})
    assert len(names) > 50  # the test extra's environment, not an empty one
    for name in names:
        assert installed.version(name) == metadata.version(name), name
        for header in HEADERS:
            expected = metadata.metadata(name).get_all(header)
            assert installed.header_values(name, header) == expected, (name, header)


def _outcome(read, name: str):
    try:
        return ("value", read(name))
    except Exception as err:  # noqa: BLE001  what each reader raises, compared
        return ("error", err.__class__.__name__)


def _dist(folder, name: str, text: str, suffix: str = ".dist-info"):
    place = folder / f"{name.replace('-', '_')}-1.0{suffix}"
    place.mkdir(parents=True)
    (place / ("METADATA" if suffix == ".dist-info" else "PKG-INFO")).write_text(text, encoding="utf-8")
    return place


def test_what_it_cannot_read_as_importlib_does_is_asked_of_it(fresh, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    _dist(first, "Twice_Here", "Metadata-Version: 2.1\nName: twice-here\nVersion: 1.0\n\nbody\n")
    _dist(second, "twice.here", "Metadata-Version: 2.1\nName: twice-here\nVersion: 2.0\n\nbody\n")
    head = "Metadata-Version: 2.1\nName: "
    _dist(first, "folded", head + "folded\nVersion: 3.0\nLicense: MIT\n  and more\n\nbody\n")
    _dist(first, "folded-version", head + "folded-version\nVersion: 4.0\n  rc\n\nbody\n")
    _dist(first, "egg", "Metadata-Version: 1.1\nName: egg\nVersion: 5.0\n", suffix=".egg-info")
    _dist(first, "no-body", "Metadata-Version: 2.1\nName: no-body\nVersion: 6.0\n")
    _dist(first, "spaced", "Metadata-Version: 2.1\nName: spaced\nVersion:\t 7.0 \n\nbody\n")
    (_dist(first, "unreadable", "") / "METADATA").write_bytes(b"Name: unreadable\nVersion: \xff\n\n")
    (first / "no_metadata-1.0.dist-info").mkdir()
    fresh.setattr(sys, "path", [str(first), str(second)])
    assert _outcome(installed.version, "unreadable") == _outcome(metadata.version, "unreadable") == \
        ("error", "UnicodeDecodeError")  # not UTF-8: importlib.metadata's own error
    for name in ("twice-here", "folded", "folded-version", "egg", "no-body", "spaced", "no-metadata"):
        # The same answer, or the same error (a folder without METADATA: None from the standard library, an
        # error from the importlib_metadata backport, which the suite imports)
        assert _outcome(installed.version, name) == _outcome(metadata.version, name), name
        licence = _outcome(lambda n: installed.header_values(n, "License"), name)
        assert licence == _outcome(lambda n: metadata.metadata(n).get_all("License"), name), name
    assert installed.version("twice-here") == "1.0"  # the first on sys.path, as importlib.metadata has it
    assert installed.version("spaced") == "7.0 "  # the value as the e-mail parser keeps it
    # Two folders for one name, an egg and a folded Version are left to importlib.metadata; a folded License
    # is asked of it only when asked for.
    assert [installed._values(n, "version") for n in ("twice-here", "egg", "folded-version", "unreadable",
                                                      "no-metadata")] == [None] * 5
    assert installed._values("folded", "version") == ["3.0"]
    assert installed._values("folded", "license") is None
    with pytest.raises(metadata.PackageNotFoundError):
        installed.version("not-installed")
    assert installed.version_or_none("not-installed") is None
    assert installed.header_values("not-installed", "Project-URL") is None


def test_a_finder_of_distributions_besides_the_standard_one_leaves_every_answer_to_it(fresh, tmp_path):
    class Finder:
        def find_spec(self, *args):
            return None

        def find_distributions(self, context=None):
            return iter(())

    _dist(tmp_path / "a", "plain", "Metadata-Version: 2.1\nName: plain\nVersion: 1.0\n\nbody\n")
    fresh.setattr(sys, "path", [str(tmp_path / "a")])
    assert installed._values("plain", "version") == ["1.0"]
    installed._folders.cache_clear()
    installed._headers.cache_clear()
    fresh.setattr(sys, "meta_path", [*sys.meta_path, Finder()])
    assert installed._folders() is None and installed.version("plain") == "1.0"


def test_a_zip_file_on_sys_path_leaves_every_answer_to_importlib_metadata(fresh, tmp_path):
    archive = tmp_path / "packages.zip"
    archive.write_bytes(b"PK\x05\x06" + bytes(18))  # an empty zip archive
    _dist(tmp_path / "a", "plain", "Metadata-Version: 2.1\nName: plain\nVersion: 1.0\n\nbody\n")
    fresh.setattr(sys, "path", [str(archive), str(tmp_path / "a")])
    assert installed._folders() is None and installed._values("plain", "version") is None
    assert installed.version("plain") == "1.0"


def test_a_job_asking_for_versions_imports_no_importlib_metadata(tmp_path):
    import subprocess

    # In a process of its own, as a job's (the suite's has imported the importlib_metadata backport).
    code = ("import sys; from synthesis.evidence.located import READERS, _shared; _shared(READERS); "
            "from synthesis.audit.provenance import package_versions; package_versions(); "
            "print('importlib.metadata' in sys.modules); "
            "from importlib import metadata; from synthesis.common import installed; "
            "names = {d.metadata['Name'] for d in metadata.distributions()}; "
            "print(len(names), sum(installed._values(n, 'version') is not None for n in names))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path)
    imported, counts = out.stdout.split("\n")[:2]
    assert imported == "False"
    everything, read_here = map(int, counts.split())
    assert everything > 50 and read_here == everything
