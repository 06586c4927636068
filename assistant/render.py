"""Plain-text rendering for the CLI. Document text is printed as written: never as markup."""

from __future__ import annotations

import textwrap
from pathlib import Path

from assistant.corpus import Corpus
from assistant.refs import Resolved, descendants


def corpus_table(corpus: Corpus, stats: bool = False) -> str:
    lines = [f"{'ID':<28} {'TYPE':<14} {'DATO':<11} {'STATUS':<38} {'SEKSJ.':>6}  TITTEL"]
    for doc in corpus.documents:
        info = doc.info
        lines.append(
            f"{info.id:<28} {info.kind[:14]:<14} {info.date[:11]:<11} {(info.status or '–')[:38]:<38} "
            f"{len(doc.sections):>6}  {info.title}"
        )
    total = sum(len(d.sections) for d in corpus.documents)
    lines.append(f"\n{len(corpus.documents)} dokumenter, {total} seksjoner, {len(corpus.file_hashes)} kildefiler.")
    if stats:
        from assistant.chunk import chunk_documents

        lines.append(f"{len(chunk_documents(corpus.documents))} tekstbiter for søk.")
        lines.append("Rensing (linjer fjernet eller reparert, etter type):")
        for kind, count in sorted(corpus.cleaning.items(), key=lambda kv: -kv[1]):
            lines.append(f"  {kind:<18} {count}")
    return "\n".join(lines)


def citation(doc_title: str, status: str, breadcrumb: str, source: str, location: str) -> str:
    status_part = f" [{status}]" if status else ""
    return f"{doc_title}{status_part}\n{breadcrumb}\nKilde: {source}, {location}"


def section_text(found: Resolved, corpus_dir: Path, width: int = 100) -> str:
    section, doc = found.section, found.document
    out = []
    if found.note:
        out.append(found.note)
    parts = descendants(section, doc)
    first, last = min(p.line_start for p in parts), max(p.line_end for p in parts)
    location = section.location().split("linje")[0] + f"linje {first}–{last}"
    out.append(citation(doc.info.title, doc.info.status_label, section.breadcrumb,
                        str(Path(corpus_dir) / doc.info.source_file), location))
    out.append("")
    for part in parts:
        if part is not section:
            out.append(f"— {part.heading}" + (f" ({part.actor})" if part.actor else ""))
        for para in part.text.split("\n"):
            if para:
                indent = "    " if para.startswith("  ") else ""
                out.append(textwrap.fill(para.strip(), width, subsequent_indent=indent + "  ", initial_indent=indent))
        if part.links:
            out.append("Lenker: " + " ".join(part.links))
        if part.text or part.links:
            out.append("")
    return "\n".join(out).rstrip()
