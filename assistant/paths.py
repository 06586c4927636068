"""Where the corpus, the index and the configuration live.

Resolved by functions at call time, never at import: `--corpus`/`--index` win, then the
environment (`AVTALE_CORPUS`, `AVTALE_INDEX`, `AVTALE_CONFIG`), then the defaults. In a source
checkout the defaults are the repository's `corpus/` and `index/`; in an installed copy they are
the user's data and cache folders (XDG), the corpus seeded from the bundled documents.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

APP_NAME = "avtale"


def _checkout_root() -> Path | None:
    root = Path(__file__).resolve().parent.parent
    if (root / "pyproject.toml").is_file() and (root / "corpus" / "manifest.toml").is_file():
        return root
    return None


def bundled_corpus_dir() -> Path:
    root = _checkout_root()
    if root is not None:
        return root / "corpus"
    # The bundled corpus is a data-only package (no __init__.py). For such a namespace package
    # resources.files() is a MultiplexedPath, whose str() is its repr on Python 3.11, not a path.
    import importlib

    return Path(next(iter(importlib.import_module("assistant.bundled_corpus").__path__)))


def _not_empty(override, option: str) -> None:
    """`--corpus ""` (an unset shell variable) must not quietly mean the default folder."""
    if override is not None and not str(override).strip():
        from assistant.errors import UsageError

        raise UsageError(f"{option} er tom. Oppgi en mappe, eller utelat {option} for å bruke standardmappen.")


def corpus_dir(override: str | os.PathLike | None = None) -> Path:
    _not_empty(override, "--corpus")
    if override:
        return Path(override).expanduser()
    if env := os.environ.get("AVTALE_CORPUS"):
        return Path(env).expanduser()
    root = _checkout_root()
    if root is not None:
        return root / "corpus"
    from platformdirs import user_data_dir

    target = Path(user_data_dir(APP_NAME)) / "corpus"
    if not (target / "manifest.toml").is_file():
        _seed_corpus(target)
    return target


def index_dir(override: str | os.PathLike | None = None) -> Path:
    _not_empty(override, "--index")
    if override:
        return Path(override).expanduser()
    if env := os.environ.get("AVTALE_INDEX"):
        return Path(env).expanduser()
    root = _checkout_root()
    if root is not None:
        return root / "index"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir(APP_NAME)) / "index"


def config_file() -> Path:
    if env := os.environ.get("AVTALE_CONFIG"):
        return Path(env).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME)) / "config.toml"


def _seed_corpus(target: Path) -> None:
    """Copy the bundled documents into a writable user corpus (first run of an install)."""
    source = bundled_corpus_dir()
    target.mkdir(parents=True, exist_ok=True)
    for item in source.iterdir():
        if item.is_file() and item.suffix in {".txt", ".md", ".pdf", ".toml", ".jsonl"}:
            shutil.copy2(item, target / item.name)
