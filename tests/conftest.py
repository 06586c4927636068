"""Shared fixtures. Every test runs offline and never writes outside its tmp dir: `avtale_env`
points AVTALE_CORPUS / AVTALE_INDEX / AVTALE_CACHE / AVTALE_CONFIG at tmp folders for every test."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BUNDLED_CORPUS = REPO / "corpus"


@pytest.fixture(scope="session")
def bundled_corpus_dir() -> Path:
    """The repository's own corpus folder. Read it; never write to it."""
    return BUNDLED_CORPUS


def copy_corpus(target: Path) -> Path:
    """Copy the bundled documents and manifest.toml into `target` (created)."""
    target.mkdir(parents=True, exist_ok=True)
    for item in BUNDLED_CORPUS.iterdir():
        if item.is_file() and not item.name.startswith("."):
            shutil.copy2(item, target / item.name)
    return target


@pytest.fixture(scope="session", autouse=True)
def session_vector_cache(tmp_path_factory: pytest.TempPathFactory):
    """A vector cache for the whole session, set before any module or session fixture builds an
    index: those run before `avtale_env`, and must not write to the developer's own cache
    (~/.cache/avtale/vectors). Each test then gets a fresh one of its own from `avtale_env`."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AVTALE_CACHE", str(tmp_path_factory.mktemp("session-vectors")))
        yield


@pytest.fixture(autouse=True)
def avtale_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Point every path setting at tmp folders, so no test touches the checkout or the user's
    data, cache, config and documents folders: AVTALE_CORPUS is a fresh copy of the bundled
    corpus, AVTALE_INDEX and AVTALE_CACHE (the vector cache) empty, not yet created folders,
    AVTALE_CONFIG a missing file, AVTALE_EXPORT_DIR where the app's exports go."""
    base = tmp_path_factory.mktemp("avtale-env")
    env = {
        "AVTALE_CORPUS": copy_corpus(base / "corpus"),
        "AVTALE_INDEX": base / "index",
        "AVTALE_CACHE": base / "vectors",
        "AVTALE_CONFIG": base / "config.toml",
        "AVTALE_EXPORT_DIR": base / "exports",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, str(value))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    monkeypatch.delenv("AVTALE_DEBUG", raising=False)
    return env


@pytest.fixture
def corpus_copy(avtale_env: dict[str, Path]) -> Path:
    """This test's private, writable copy of the bundled corpus (also AVTALE_CORPUS)."""
    return avtale_env["AVTALE_CORPUS"]


@pytest.fixture(scope="session")
def real_corpus():
    """The bundled corpus, structured once per test session (read-only use)."""
    from assistant.corpus.documents import build_corpus

    return build_corpus(BUNDLED_CORPUS)


def folder_fingerprint(folder: Path) -> dict[str, str]:
    """Hash of every file (hidden ones included) under `folder`, by relative path."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(Path(folder).rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def fingerprint():
    return folder_fingerprint


class CliResult:
    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err

    def __repr__(self) -> str:
        return f"CliResult(code={self.code}, out={self.out[:300]!r}, err={self.err[:300]!r})"


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture):
    """Run `avtale ARGS...` in-process through `assistant.cli.main.main`; returns code, out, err."""
    from assistant.cli.main import main

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse usage errors
            code = exc.code if isinstance(exc.code, int) else 1
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture
def run_avtale():
    """Run the real command in a subprocess (`python -m assistant ARGS...`)."""
    import os
    import subprocess
    import sys

    def run(*args: str, timeout: float = 60) -> CliResult:
        proc = subprocess.run(
            [sys.executable, "-m", "assistant", *[str(a) for a in args]],
            capture_output=True, text=True, timeout=timeout, cwd=REPO, env=dict(os.environ),
        )
        return CliResult(proc.returncode, proc.stdout, proc.stderr)

    return run


# -- PDFs made by the tests (fpdf2, core fonts: Latin-1 text only) ----------------------------
@pytest.fixture
def make_pdf(tmp_path: Path):
    """Write a PDF and return its path. `pages` is a list of page texts (lines split on \\n);
    `password` encrypts it; `image_only` draws one picture and no text; `title` sets metadata."""

    def make(name: str = "dokument.pdf", pages: list[str] | None = None, *, password: str | None = None,
             image_only: bool = False, title: str | None = None, folder: Path | None = None) -> Path:
        from fpdf import FPDF

        pdf = FPDF()
        pdf.set_auto_page_break(True, margin=15)
        pdf.set_font("Helvetica", size=11)
        if title:
            pdf.set_title(title)
        if image_only:
            from PIL import Image

            picture = tmp_path / "picture.png"
            Image.new("RGB", (240, 120), (180, 40, 40)).save(picture)
            pdf.add_page()
            pdf.image(str(picture), x=20, y=20, w=120)
        for text in pages or []:
            pdf.add_page()
            pdf.multi_cell(0, 6, text)
        if password:
            pdf.set_encryption(owner_password="eier-" + password, user_password=password)
        path = (folder or tmp_path) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(bytes(pdf.output()))
        return path

    return make


@pytest.fixture
def make_empty_pdf(tmp_path: Path):
    """A well-formed PDF with no pages at all."""

    def make(name: str = "tom.pdf") -> Path:
        import io

        from pypdf import PdfWriter

        buffer = io.BytesIO()
        PdfWriter().write(buffer)
        path = tmp_path / name
        path.write_bytes(buffer.getvalue())
        return path

    return make


SMALL_SOURCE = "rundskriv-veiledningsplikt-shtjl-6-3.txt"


@pytest.fixture
def small_corpus(tmp_path) -> Path:
    """A one-document corpus (the circular, about 40 passages) for fast index tests."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / SMALL_SOURCE).write_bytes((BUNDLED_CORPUS / SMALL_SOURCE).read_bytes())
    (corpus / "manifest.toml").write_text(
        f'[[source]]\nfile = "{SMALL_SOURCE}"\nid = "rundskriv"\ntitle = "Rundskriv"\nkind = "rundskriv"\n',
        encoding="utf-8",
    )
    return corpus


@pytest.fixture(scope="session")
def real_assistant(tmp_path_factory):
    """The product as users run it: the real language model over the bundled corpus, built once
    per test session in a tmp index folder (skipped where the CPU cannot run the model)."""
    from assistant.search.encoders import cpu_supports_avx2
    from assistant.service import Assistant

    if not cpu_supports_avx2():
        pytest.skip("the CPU lacks AVX2; the encoder fallback is tested elsewhere")
    return Assistant.open(BUNDLED_CORPUS, tmp_path_factory.mktemp("real-index"))
