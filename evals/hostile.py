"""Hostile files, made on demand: the attack suite (tests/test_attack.py) and the worst-case
timing (evals/attack_bench.py) build them from here, so both attack with the same files.

Each maker writes one file and returns its path. Nothing here is shipped with the package.
"""

from __future__ import annotations

import io
import re
import zlib
from pathlib import Path

# Text-drawing operations with a Type 1 font: the costliest kind of content for pypdf per byte
# (about 0.2 MB a second), so a page of them is the slowest page to read.
TEXT_OP = b"BT /F1 12 Tf 72 712 Td (Kommunen skal svare innen 24 timer.) Tj ET\n"

# Lines that once made a cleaning step quadratic, or could: runs of one character (dots made the
# table-of-contents pattern try every dot as a start), one endless word (every cut was tried as
# a glued link text), and the shapes the cleaner looks for, repeated without end.
LINE_SHAPES = {
    "dots": ".",
    "dots then a letter": ".",
    "one word": "a",
    "hyphens": "-",
    "underscores": "_",
    "digits": "7",
    "percent escapes": "%25",
    "percent-encoded section signs": "%C2%A7",
    "url-ish": "www.",
    "section numbers": "1.1.",
    "hyphenated words": "spesialist-",
    "footnote marks": "pårørende1, ",
    "paragraph signs": "a§",
    "glued compounds": "kommunenutskrivningsklare ",
    "spaces and tabs": " \t",
    "bullets": "• ",
    "quotes": "«»",
}


def hostile_line(shape: str, chars: int) -> str:
    """A line of about `chars` characters of the shape (see LINE_SHAPES)."""
    unit = LINE_SHAPES[shape]
    line = "Kommunen skal " + unit * (chars // len(unit))
    return line + "x" if shape == "dots then a letter" else line


def one_word_text(path: Path, chars: int) -> Path:
    """A text file holding one word of `chars` letters in a sentence (issue 18: 1 MB took 71 s)."""
    path.write_text("Kommunen skal " + "a" * chars + ".\n", encoding="utf-8")
    return path


def agreement_text(path: Path, chars: int) -> Path:
    """About `chars` characters of realistic agreement text: numbered chapters and sections."""
    sentence = ("Kommunen og UNN skal samarbeide om utskrivning av pasienter, og UNN skal sende epikrise til "
                "fastlegen og kommunen innen 24 timer etter utskrivning.")
    paragraph = "\n".join([sentence] * 3)
    parts, size, n = ["Samarbeidsavtale for hele regionen\n"], 0, 0
    while size < chars:
        n += 1
        chapter = f"\n{n % 60 + 1}. Kapittel {n}\n\n" + "\n".join(
            f"{n % 60 + 1}.{k} Del {k}\n\n{paragraph}\n\n{paragraph}\n" for k in range(1, 6))
        parts.append(chapter)
        size += len(chapter)
    path.write_text("".join(parts), encoding="utf-8")
    return path


def _font():
    from pypdf.generic import DictionaryObject, NameObject

    return DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})


def shared_stream_pdf(path: Path, pages: int, content_bytes: int, op: bytes = TEXT_OP) -> Path:
    """A small PDF whose `pages` pages all draw one content stream of `content_bytes` bytes
    (compressed, it is a few hundred KB: issue 18's 544 KB file drew 70 MB on each of 3,000
    pages)."""
    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, StreamObject

    writer = PdfWriter()
    font = writer._add_object(_font())
    stream = StreamObject()
    stream._data = zlib.compress(op * max(1, content_bytes // len(op)), 9)
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    content = writer._add_object(stream)
    for _ in range(pages):
        page = writer.add_blank_page(612, 792)
        page[NameObject("/Contents")] = content
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
    with path.open("wb") as fh:
        writer.write(fh)
    return path


def agreement_pdf(text: str = "1. Formål\nUNN skal sende epikrise innen 24 timer.", pages: int = 1) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for _ in range(pages):
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


def encrypted_pdf(path: Path, algorithm: str, user_password: str, owner_password: str = "eier") -> Path:
    """A PDF encrypted the way current writers do it (AES-256, AES-128) or the old way (RC4)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(agreement_pdf())))
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm=algorithm)
    with path.open("wb") as fh:
        writer.write(fh)
    return path


def repaired_pdf(path: Path) -> Path:
    """A PDF whose startxref pointer is off: pypdf repairs it and logs an English note."""
    raw = agreement_pdf("Avtale om varsling\n1. Formål\nUNN skal sende epikrise innen 24 timer.")
    start = raw.rindex(b"startxref")
    offset = int(re.search(rb"startxref\s+(\d+)", raw[start:]).group(1))
    path.write_bytes(raw[:start] + b"startxref\n" + str(offset + 7).encode() + b"\n%%EOF\n")
    return path


# What a document can hold that a terminal acts on: erase the line and go to its start (issue
# 18: "innen 24 timer" read "innen 14 dager"), a window title (OSC), a one-character CSI (C1),
# a bell, a carriage return, a backspace, a bidi override that shows text reversed.
ESCAPES = "\x1b[2K\x1b[1G", "\x1b]0;tittel\x07", "\x9b2J", "\x07", "\r", "\x08", "\u202e", "\x1bc"


def escape_document(path: Path) -> Path:
    path.write_text(
        "Rutine for varsling\n\n1. Frister\n"
        f"UNN skal varsle kommunen innen 24 timer{ESCAPES[0]}innen 14 dager etter innleggelse.\n\n"
        f"2. Kontakt\nKommunen skal svare{ESCAPES[1]} innen to{ESCAPES[2]} virkedager{ESCAPES[3]}{ESCAPES[4]}, "
        f"og UNN skal{ESCAPES[5]} ringe{ESCAPES[6]} tilbake{ESCAPES[7]}.\n",
        encoding="utf-8")
    return path
