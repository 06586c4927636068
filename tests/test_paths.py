"""Where things live, for an installed copy as for a checkout: the bundled documents read through
importlib.resources (a folder, a wheel, a zip), copied into the user's data folder on first use;
a mistyped --corpus / --index refused instead of created; `avtale doctor` explains what is left."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from assistant import paths
from assistant.errors import ManifestError
from tests.conftest import BUNDLED_CORPUS


@pytest.fixture
def installed(tmp_path, monkeypatch) -> Path:
    """Behave as an installed copy (no checkout around the package) with an empty home:
    the defaults are the XDG folders under tmp_path. Returns the data folder."""
    for name in ("AVTALE_CORPUS", "AVTALE_INDEX", "AVTALE_CACHE"):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "hjem"
    for name, sub in {"HOME": "", "XDG_DATA_HOME": ".local/share", "XDG_CACHE_HOME": ".cache",
                      "XDG_CONFIG_HOME": ".config"}.items():
        monkeypatch.setenv(name, str(home / sub))
    home.mkdir()
    monkeypatch.setattr(paths, "_checkout_root", lambda: None)
    # Inside a checkout the package holds no bundled_corpus folder (the wheel test installs one).
    monkeypatch.setattr(paths, "bundled_corpus", lambda: BUNDLED_CORPUS)
    return home / ".local" / "share"


def zipped_corpus(tmp_path: Path) -> zipfile.Path:
    """The bundled corpus as it sits inside a zipped package: assistant/bundled_corpus/…"""
    archive = tmp_path / "avtale.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for item in BUNDLED_CORPUS.iterdir():
            if item.is_file():
                zf.write(item, f"assistant/bundled_corpus/{item.name}")
    return zipfile.Path(archive, "assistant/bundled_corpus/")


def test_an_installed_copy_finds_its_documents_inside_the_package():
    """`assistant` is a regular package: files() gives one real location (never a
    MultiplexedPath whose str() names nothing), and bundled_corpus sits inside it."""
    from importlib import resources

    package = resources.files("assistant")
    assert type(package).__name__ != "MultiplexedPath"
    assert package.joinpath("data").joinpath("glossary.toml").is_file()


def test_the_first_use_copies_the_bundled_documents_from_a_zip(installed, tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "bundled_corpus", lambda: zipped_corpus(tmp_path))
    corpus = paths.corpus_dir()
    assert corpus == installed / "avtale" / "corpus"
    shipped = sorted(p.name for p in BUNDLED_CORPUS.iterdir() if p.is_file())
    assert sorted(p.name for p in corpus.iterdir()) == shipped
    for name in shipped:
        assert (corpus / name).read_bytes() == (BUNDLED_CORPUS / name).read_bytes()


def test_the_seeded_corpus_is_the_users_and_is_not_copied_again(installed):
    corpus = paths.corpus_dir()
    (corpus / "min-rutine.md").write_text("# Min rutine\n", encoding="utf-8")
    manifest = (corpus / "manifest.toml").read_text(encoding="utf-8") + "\n# endret av brukeren\n"
    (corpus / "manifest.toml").write_text(manifest, encoding="utf-8")
    assert paths.corpus_dir() == corpus
    assert (corpus / "manifest.toml").read_text(encoding="utf-8") == manifest
    assert (corpus / "min-rutine.md").is_file()


def test_a_corpus_left_without_its_manifest_is_seeded_again(installed):
    """A first run stopped midway leaves documents but no manifest (written last): the next
    run copies everything again instead of using a corpus that only looks complete."""
    target = installed / "avtale" / "corpus"
    target.mkdir(parents=True)
    (target / "rundskriv-veiledningsplikt-shtjl-6-3.txt").write_text("halv fil", encoding="utf-8")
    corpus = paths.corpus_dir()
    assert (corpus / "manifest.toml").is_file()
    assert (corpus / "rundskriv-veiledningsplikt-shtjl-6-3.txt").read_bytes() == \
        (BUNDLED_CORPUS / "rundskriv-veiledningsplikt-shtjl-6-3.txt").read_bytes()


def test_missing_bundled_documents_are_one_clear_message(installed, tmp_path, monkeypatch, run_cli):
    monkeypatch.setattr(paths, "bundled_corpus", lambda: tmp_path / "ingen")
    with pytest.raises(ManifestError, match="Installer på nytt"):
        paths.corpus_dir()
    result = run_cli("corpus")
    assert result.code == 3 and "Fant ikke dokumentene som følger med avtale" in result.err
    assert "MultiplexedPath" not in result.err and "Traceback" not in result.err
    # doctor does not repeat the failure: it says what is wrong and what to do
    doctor = run_cli("doctor")
    korpus = next(line for line in doctor.out.splitlines() if "Korpus:" in line)
    assert korpus.startswith("FEIL") and "mangler i installasjonen" in korpus and "pip install --force-reinstall" in korpus
    assert not (installed / "avtale" / "corpus" / "manifest.toml").exists()


def test_doctor_in_a_fresh_install_looks_without_copying(installed, run_cli):
    result = run_cli("doctor")
    lines = {line.split(None, 1)[1].split(":", 1)[0]: line for line in result.out.splitlines()[1:-1]}
    assert lines["Korpus"].startswith("OK") and "kopieres til" in lines["Korpus"] and "ved første bruk" in lines["Korpus"]
    assert lines["Søkeindeks"].startswith("ADVARSEL") and "avtale index" in lines["Søkeindeks"]
    assert lines["Vektorlager"].startswith("OK") and "tomt" in lines["Vektorlager"]
    assert not (installed / "avtale").exists()  # doctor changes nothing


@pytest.mark.parametrize("option", ["--index", "--corpus"])
def test_a_folder_whose_parent_does_not_exist_is_refused(option, tmp_path, run_cli):
    missing = tmp_path / "finnes-ikke" / "mappe"
    result = run_cli("ask", option, missing, "Hvem sender tidligmelding?", "--lexical")
    assert result.code == 2, result
    assert str(missing) in result.err and f"{tmp_path / 'finnes-ikke'} finnes ikke" in result.err
    assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err
    assert not (tmp_path / "finnes-ikke").exists()


def test_an_environment_folder_whose_parent_does_not_exist_is_refused(tmp_path, monkeypatch, run_cli):
    monkeypatch.setenv("AVTALE_INDEX", str(tmp_path / "skrivefeil" / "index"))
    result = run_cli("index", "--lexical")
    assert result.code == 2 and "AVTALE_INDEX" in result.err and "skrivefeil" in result.err
    assert not (tmp_path / "skrivefeil").exists()
    doctor = run_cli("doctor")
    line = next(l for l in doctor.out.splitlines() if "Søkeindeks:" in l)
    assert line.startswith("FEIL") and "skrivefeil" in line


def test_a_new_index_folder_in_an_existing_folder_is_made(small_corpus, tmp_path, run_cli):
    result = run_cli("index", "--lexical", "--corpus", small_corpus, "--index", tmp_path / "ny-indeks")
    assert result.code == 0, result
    assert (tmp_path / "ny-indeks" / "CURRENT").is_file()


def test_the_app_is_not_opened_on_a_mistyped_index_folder(tmp_path, run_cli, monkeypatch):
    opened = []
    monkeypatch.setattr("assistant.tui.app.run_app", lambda **kwargs: opened.append(kwargs) or 0)
    result = run_cli("--index", tmp_path / "finnes-ikke" / "index")
    assert result.code == 2 and "finnes-ikke" in result.err and not opened
