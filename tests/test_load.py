"""load: text, Markdown and PDF into numbered lines; every unusable file ends in one clear,
Norwegian SourceFileError that names the file and says what to do."""

from __future__ import annotations

import pytest

from assistant.corpus.load import decode_text, load_source
from assistant.errors import SourceFileError

NORSK = "Pårørende og spesialisthelsetjenesten – § 6-2 «utskrivningsklar»"


def _error(path, **kwargs) -> SourceFileError:
    with pytest.raises(SourceFileError) as info:
        load_source(path, **kwargs)
    err = info.value
    assert str(path) in err.message, "the message must name the file"
    assert err.problem and err.remedy, "the message must say what is wrong and what to do"
    return err


# -- text ---------------------------------------------------------------------------------------
def test_utf8_text_keeps_one_based_line_numbers(tmp_path):
    path = tmp_path / "avtale.txt"
    path.write_text(f"Første linje\n\n{NORSK}\n", encoding="utf-8")
    lines = load_source(path)
    assert [(ln.line, ln.text) for ln in lines[:3]] == [(1, "Første linje"), (2, ""), (3, NORSK)]
    assert all(ln.page is None for ln in lines)


def test_utf8_with_bom_is_read_and_the_bom_dropped(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeff".encode("utf-8") + f"{NORSK}\nandre linje\n".encode("utf-8"))
    lines = load_source(path)
    assert lines[0].text == NORSK
    assert lines[1].text == "andre linje"


def test_windows_line_endings_do_not_shift_line_numbers(tmp_path):
    path = tmp_path / "crlf.txt"
    path.write_bytes("en\r\nto\r\ntre\r\n".encode("utf-8"))
    assert [(ln.line, ln.text) for ln in load_source(path)][:3] == [(1, "en"), (2, "to"), (3, "tre")]


def test_markdown_is_loaded_as_text(tmp_path):
    path = tmp_path / "notat.md"
    path.write_text("# Rutine for utskriving\n\nKommunen skal svare innen fire timer.\n", encoding="utf-8")
    assert load_source(path)[2].text == "Kommunen skal svare innen fire timer."


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_non_utf8_text_without_encoding_gets_a_clear_message(tmp_path, encoding):
    path = tmp_path / f"gammel-{encoding}.txt"
    path.write_bytes("Pårørende skal varsles før utskrivning.\n".encode(encoding))
    err = _error(path)
    assert "UTF-8" in err.message
    assert "--encoding" in err.message


def test_cp1252_text_with_encoding_option_is_decoded(tmp_path):
    path = tmp_path / "windows.txt"
    path.write_bytes(f"{NORSK}\n".encode("cp1252"))
    assert load_source(path, encoding="cp1252")[0].text == NORSK


def test_unknown_encoding_name_is_a_clear_error(tmp_path):
    path = tmp_path / "x.txt"
    path.write_text("tekst\n", encoding="utf-8")
    err = _error(path, encoding="ikke-et-tegnsett")
    assert "Ukjent tegnsett «ikke-et-tegnsett»" in err.message and "unknown encoding" not in err.message


def test_utf16_text_with_bom_is_read(tmp_path):
    # Windows Notepad's "Unicode": NUL bytes everywhere, but a text file all the same.
    path = tmp_path / "notepad.txt"
    path.write_bytes(f"{NORSK}\nandre linje\n".encode("utf-16"))
    lines = load_source(path)
    assert lines[0].text == NORSK and lines[1].text == "andre linje"


def test_binary_file_named_txt_is_refused(tmp_path):
    path = tmp_path / "bilde.txt"
    path.write_bytes(bytes(range(256)) * 40)
    assert "binær" in _error(path).message


def test_zero_byte_file_is_refused(tmp_path):
    path = tmp_path / "tom.txt"
    path.write_bytes(b"")
    assert "tom" in _error(path).message


def test_whitespace_only_file_is_refused(tmp_path):
    path = tmp_path / "blank.txt"
    path.write_text("  \n\n \t\n", encoding="utf-8")
    assert "ingen tekst" in _error(path).message


def test_directory_is_refused(tmp_path):
    folder = tmp_path / "mappe.txt"
    folder.mkdir()
    assert "mappe" in _error(folder).message


def test_missing_file_is_refused(tmp_path):
    assert "finnes ikke" in _error(tmp_path / "finnes-ikke.txt").message


def test_unsupported_file_type_is_refused(tmp_path):
    path = tmp_path / "avtale.docx"
    path.write_bytes(b"PK\x03\x04 not really a docx")
    err = _error(path)
    assert ".docx" in err.message and "PDF" in err.message


def test_decode_text_is_strict_utf8_by_default(tmp_path):
    with pytest.raises(SourceFileError):
        decode_text(tmp_path / "x.txt", "blåbær".encode("latin-1"))
    assert decode_text(tmp_path / "x.txt", "blåbær".encode("utf-8")) == "blåbær"


# -- PDF ------------------------------------------------------------------------------------
def test_pdf_lines_carry_their_page_numbers(make_pdf):
    path = make_pdf(pages=["1. Formål\nSide en om pårørende.", "2. Ansvar\nUNN skal sende epikrise.", "3. Avvik\nMeld avvik."])
    lines = load_source(path)
    texts = {ln.text.strip(): ln.page for ln in lines if ln.text.strip()}
    assert texts["1. Formål"] == 1
    assert texts["UNN skal sende epikrise."] == 2
    assert texts["3. Avvik"] == 3
    assert [ln.line for ln in lines] == list(range(1, len(lines) + 1))


def test_garbage_bytes_named_pdf_is_corrupt(tmp_path):
    path = tmp_path / "skadet.pdf"
    path.write_bytes(b"dette er ikke en pdf \x00\x01\x02" * 50)
    assert "skadet" in _error(path).message


def test_truncated_pdf_is_corrupt_or_unreadable(make_pdf, tmp_path):
    good = make_pdf(pages=["1. Formål\n" + "Tekst om samarbeid. " * 200] * 3).read_bytes()
    path = tmp_path / "avkortet.pdf"
    path.write_bytes(good[: len(good) // 3])
    err = _error(path)
    assert "PDF" in err.message


def test_encrypted_pdf_without_password_asks_for_it(make_pdf):
    path = make_pdf("hemmelig.pdf", pages=["1. Formål\nHemmelig avtaletekst."], password="s3cret")
    err = _error(path)
    assert "kryptert" in err.message and "--password" in err.message


def test_encrypted_pdf_with_wrong_password(make_pdf):
    path = make_pdf("hemmelig.pdf", pages=["1. Formål\nHemmelig avtaletekst."], password="s3cret")
    assert "passord" in _error(path, password="feil").message.lower()


def test_encrypted_pdf_with_right_password_loads(make_pdf):
    path = make_pdf("hemmelig.pdf", pages=["1. Formål\nHemmelig avtaletekst."], password="s3cret")
    assert any("Hemmelig avtaletekst." in ln.text for ln in load_source(path, password="s3cret"))


def test_pdf_without_pages_is_refused(make_empty_pdf):
    assert "ingen sider" in _error(make_empty_pdf()).message


def test_image_only_pdf_asks_for_ocr(make_pdf):
    err = _error(make_pdf("skannet.pdf", image_only=True))
    assert "tekstlag" in err.message and "OCR" in err.message


def test_pdf_suffix_is_case_insensitive(make_pdf):
    path = make_pdf("STOR.PDF", pages=["1. Formål\nTekst."])
    assert any(ln.text.strip() == "Tekst." for ln in load_source(path))


def test_utf32_text_with_bom_is_read_not_taken_for_utf16(tmp_path):
    path = tmp_path / "utf32.txt"
    path.write_bytes(f"{NORSK}\nandre linje\n".encode("utf-32"))
    lines = load_source(path)
    assert lines[0].text == NORSK and not any("\x00" in line.text for line in lines)


def test_utf16_without_a_mark_is_named_with_the_option_that_reads_it(tmp_path):
    path = tmp_path / "utf16.txt"
    path.write_bytes(f"{NORSK}\nandre linje\n".encode("utf-16-le"))
    assert "--encoding utf-16-le" in _error(path).message
    assert load_source(path, encoding="utf-16-le")[0].text == NORSK


def test_a_pipe_or_a_device_is_refused_before_it_is_read(tmp_path):
    import os

    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)  # reading it would wait forever for a writer
    assert "ikke en vanlig fil" in _error(fifo).message
    zero = tmp_path / "zero.txt"
    zero.symlink_to("/dev/zero")  # reading it would never end
    assert "ikke en vanlig fil" in _error(zero).message


def test_a_damaged_content_stream_is_called_damaged_not_scanned(make_pdf, tmp_path):
    good = make_pdf("skadet.pdf", ["Kommunen skal svare samme dag. " * 20])
    data = bytearray(good.read_bytes())
    start = data.index(b"stream", data.index(b"/FlateDecode")) + 8
    data[start + 10 : start + 40] = b"\xff" * 30  # inside the compressed page content
    damaged = tmp_path / "skadet2.pdf"
    damaged.write_bytes(bytes(data))
    err = _error(damaged)
    assert "skadet" in err.message and "skannede" not in err.message


def test_blank_pages_are_not_called_a_scan(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    path = tmp_path / "blank.pdf"
    path.write_bytes(bytes(pdf.output()))
    err = _error(path)
    assert "ingen tekst og ingen bilder" in err.message
