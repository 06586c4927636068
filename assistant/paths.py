"""Where the corpus, the index, the vector cache and the configuration live.

Resolved by functions at call time, never at import: `--corpus`/`--index` win, then the
environment (`AVTALE_CORPUS`, `AVTALE_INDEX`, `AVTALE_CACHE`, `AVTALE_CONFIG`), then the
defaults. In a source checkout the defaults are the repository's `corpus/` and `index/`; in an
installed copy they are the user's data and cache folders (XDG), the corpus seeded on first use
from the documents shipped inside the package. The vector cache is one per user wherever the
index is, so every index folder reuses the vectors any other has computed.
"""

from __future__ import annotations

import os
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

APP_NAME = "avtale"
BUNDLED_SUFFIXES = {".txt", ".md", ".pdf", ".toml", ".jsonl", ".npz"}


def _checkout_root() -> Path | None:
    root = Path(__file__).resolve().parent.parent
    if (root / "pyproject.toml").is_file() and (root / "corpus" / "manifest.toml").is_file():
        return root
    return None


def bundled_corpus() -> Traversable:
    """The documents shipped with avtale: the checkout's `corpus/`, or `bundled_corpus` inside
    the installed package. Read through importlib.resources' Traversable (iterdir, read_bytes),
    so it works from a folder, a wheel unpacked by pip or a zip alike; `assistant` is a regular
    package, so `files()` gives one location, never a MultiplexedPath."""
    root = _checkout_root()
    if root is not None:
        return root / "corpus"
    return resources.files("assistant").joinpath("bundled_corpus")


def bundled_files() -> list[Traversable]:
    """The shipped corpus files (the manifest among them); empty when none are installed."""
    source = bundled_corpus()
    try:
        if not source.is_dir():
            return []
        return sorted((item for item in source.iterdir()
                       if item.is_file() and Path(item.name).suffix in BUNDLED_SUFFIXES), key=lambda i: i.name)
    except OSError:
        return []


def _checked(path: Path, option: str) -> Path:
    """A folder the user named, whose parent must exist: a mistyped path is refused, not created."""
    path = Path(path).expanduser()
    parent = path.absolute().parent
    if not parent.is_dir():
        from assistant.errors import UsageError

        raise UsageError(f"{option} {path}: mappen {parent} finnes ikke. Rett stien, eller lag mappen først "
                         f"(mkdir -p {parent}).")
    return path


def _override(override, option: str, env_name: str) -> Path | None:
    """`--corpus ""` (an unset shell variable) must not quietly mean the default folder."""
    if override is not None and not str(override).strip():
        from assistant.errors import UsageError

        raise UsageError(f"{option} er tom. Oppgi en mappe, eller utelat {option} for å bruke standardmappen.")
    if override:
        return _checked(Path(override), option)
    if env := os.environ.get(env_name):
        return _checked(Path(env), env_name)
    return None


def corpus_dir(override: str | os.PathLike | None = None, seed: bool = True) -> Path:
    """The corpus folder. In an installed copy the default is the user's data folder, filled
    with the bundled documents on first use (unless `seed` is False: `avtale doctor` only looks)."""
    if (chosen := _override(override, "--corpus", "AVTALE_CORPUS")) is not None:
        return chosen
    root = _checkout_root()
    if root is not None:
        return root / "corpus"
    target = user_corpus_dir()
    if seed and not (target / "manifest.toml").is_file():
        seed_corpus(target)
    return target


def user_corpus_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME)) / "corpus"


def index_dir(override: str | os.PathLike | None = None) -> Path:
    if (chosen := _override(override, "--index", "AVTALE_INDEX")) is not None:
        return chosen
    root = _checkout_root()
    if root is not None:
        return root / "index"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir(APP_NAME)) / "index"


def vector_cache_dir() -> Path:
    """The one vector cache of this user (`AVTALE_CACHE`, else the user's cache folder), shared
    by every index folder, checkout or install."""
    if (chosen := _override(None, "AVTALE_CACHE", "AVTALE_CACHE")) is not None:
        return chosen
    from platformdirs import user_cache_dir

    return Path(user_cache_dir(APP_NAME)) / "vectors"


def config_file() -> Path:
    if env := os.environ.get("AVTALE_CONFIG"):
        return Path(env).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME)) / "config.toml"


def seed_corpus(target: Path) -> None:
    """Copy the bundled documents into the user's corpus folder (first use of an install).
    Each file is written whole (temp file, then rename) and the manifest last, under the
    corpus lock, so a run that is stopped midway, or two first runs at once, never leave a
    corpus that looks complete but is not."""
    from assistant.errors import ManifestError
    from assistant.locks import FolderLock, atomic_write

    files = bundled_files()
    if not any(item.name == "manifest.toml" for item in files):
        raise ManifestError(
            f"Fant ikke dokumentene som følger med avtale ({bundled_corpus()}); installasjonen er ufullstendig. "
            "Installer på nytt (pip install --force-reinstall avtale), eller oppgi en korpusmappe med --corpus.")
    target.mkdir(parents=True, exist_ok=True)
    with FolderLock(target):
        if (target / "manifest.toml").is_file():  # another process seeded it while we waited
            return
        for item in sorted(files, key=lambda i: i.name == "manifest.toml"):
            atomic_write(target / item.name, item.read_bytes())
