"""Plain-text rendering for the CLI. Document text is printed as written: never as markup."""

from __future__ import annotations

import textwrap

from assistant.corpus.documents import Corpus
from assistant.corpus.refs import Resolved, descendants


def corpus_table(corpus: Corpus, stats: bool = False) -> str:
    """Every logical document: id, kind, date, status, number of sections, title and publisher."""
    rows = [
        (d.info.id, d.info.kind or "–", d.info.date or "–", d.info.status or "–", str(len(d.sections)),
         d.info.title + (f" — {d.info.publisher}" if d.info.publisher else ""))
        for d in corpus.documents
    ]
    header = ("ID", "TYPE", "DATO", "STATUS", "SEKSJ.", "TITTEL — UTGIVER")
    widths = [max(len(r[k]) for r in rows + [header]) for k in range(5)]
    lines = []
    for row in [header] + rows:
        cells = [row[k].ljust(widths[k]) if k != 4 else row[k].rjust(widths[k]) for k in range(5)]
        lines.append("  ".join(cells + [row[5]]))
    total = sum(len(d.sections) for d in corpus.documents)
    lines.append(f"\n{len(corpus.documents)} dokumenter, {total} seksjoner, {len(corpus.file_hashes)} kildefiler.")
    if stats:
        lines.extend(_cleaning_stats(corpus))
    return "\n".join(lines)


def _cleaning_stats(corpus: Corpus) -> list[str]:
    from assistant.corpus.chunk import chunk_documents
    from assistant.corpus.clean import REMOVED_KINDS

    lines = [f"{len(chunk_documents(corpus.documents))} tekstbiter for søk."]
    counts = sorted(corpus.cleaning.items(), key=lambda kv: (-kv[1], kv[0]))
    removed = [(k, n) for k, n in counts if k in REMOVED_KINDS]
    repaired = [(k, n) for k, n in counts if k not in REMOVED_KINDS]
    lines.append(f"Linjer rensingen fjernet, etter type ({sum(n for _, n in removed)} i alt):")
    lines.extend(f"  {kind:<18} {count:>5}" for kind, count in removed)
    lines.append("Reparasjoner i teksten, etter type:")
    lines.extend(f"  {kind:<18} {count:>5}" for kind, count in repaired)
    return lines


def citation(doc_title: str, status: str, breadcrumb: str, source: str, location: str) -> str:
    status_part = f" [{status}]" if status else ""
    return f"{doc_title}{status_part}\n{breadcrumb}\nKilde: {source}, {location}"


def section_text(found: Resolved, width: int = 100) -> str:
    """The whole section with its citation; the source named as `ask` names it (corpus/…)."""
    section, doc = found.section, found.document
    out = []
    if found.note:
        out.append(found.note)
    parts = descendants(section, doc)
    first, last = min(p.line_start for p in parts), max(p.line_end for p in parts)
    location = section.location().split("linje")[0] + f"linje {first}–{last}"
    out.append(citation(doc.info.title, doc.info.status_label, section.breadcrumb,
                        f"corpus/{doc.info.source_file}", location))
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
