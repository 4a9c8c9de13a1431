"""Bad input: every case gives one InputError line naming the file and the reason."""
import os
import random
import zipfile

import pytest

from fixtures_build import make_docx, make_pdf
from stdkb.errors import InputError
from stdkb.readers import read_blocks


def _err(path, **kw) -> str:
    with pytest.raises(InputError) as ei:
        list(read_blocks(path, **kw))
    msg = str(ei.value)
    assert str(path) in msg, msg
    assert "\n" not in msg
    return msg


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    d = tmp_path_factory.mktemp("good")
    pdf = make_pdf(d / "ok.pdf", ["1 总则", "本标准适用于公司所属各投产运行单位。"] * 30,
                   footer=lambda n, t: f"第 {n} 页 共 {t} 页")
    docx = make_docx(d / "ok.docx", [dict(text="总则", style="Heading 1"), "本标准适用于公司所属各单位。"] * 20)
    return {"pdf": pdf.read_bytes(), "docx": docx.read_bytes()}


def test_truncated_pdf(tmp_path, good):
    p = tmp_path / "cut.pdf"
    p.write_bytes(good["pdf"][: len(good["pdf"]) // 2])
    assert "truncated PDF" in _err(p)


def test_corrupt_pdf_body(tmp_path, good):
    p = tmp_path / "garbled.pdf"
    r = random.Random(3)
    p.write_bytes(b"%PDF-1.4\n" + bytes(r.randrange(256) for _ in range(4000)) + b"\n%%EOF\n")
    assert "PDF" in _err(p)


def test_truncated_docx(tmp_path, good):
    p = tmp_path / "cut.docx"
    p.write_bytes(good["docx"][: len(good["docx"]) * 2 // 3])
    assert "not a ZIP archive" in _err(p)


def test_docx_with_corrupt_member(tmp_path, good):
    src = tmp_path / "src.docx"
    src.write_bytes(good["docx"])
    p = tmp_path / "bad.docx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(p, "w") as zout:
        for n in zin.namelist():
            data = zin.read(n)
            if n == "word/document.xml":
                data = data[: len(data) // 2]  # well-formed zip, broken XML
            zout.writestr(n, data)
    assert "corrupt DOCX" in _err(p)


@pytest.mark.parametrize("name", ["notes.docx", "notes.txt", "notes"])
def test_zip_that_is_not_a_docx(tmp_path, name):
    p = tmp_path / name
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("data/1.csv", "a,b\n1,2\n")
    assert "not a DOCX" in _err(p)


def test_binary_junk_named_txt(tmp_path):
    p = tmp_path / "junk.txt"
    r = random.Random(7)
    p.write_bytes(bytes(r.randrange(256) for _ in range(20000)))
    msg = _err(p)
    assert "binary" in msg or "encoding" in msg or "not valid" in msg


@pytest.mark.parametrize("name", ["empty.txt", "empty.pdf", "empty.docx", "empty.md"])
def test_empty_file(tmp_path, name):
    p = tmp_path / name
    p.write_bytes(b"")
    assert "empty" in _err(p)


def test_unknown_encoding(tmp_path):
    p = tmp_path / "weird.txt"
    r = random.Random(1)
    p.write_bytes(bytes(r.randrange(0x80, 0x100) for _ in range(5000)))
    assert "encoding" in _err(p)


def test_200mb_text_file_is_refused_quickly(tmp_path):
    p = tmp_path / "huge.txt"
    with open(p, "wb") as fh:  # sparse: no 200 MB written to disk
        fh.write("1 总则\n".encode("utf-8"))
        fh.truncate(200 * 1024 * 1024)
    msg = _err(p)
    assert "too large" in msg and "--max-size" in msg


def test_200mb_sparse_file_without_limit_streams_and_fails_early(tmp_path):
    p = tmp_path / "huge_zeros.txt"
    with open(p, "wb") as fh:
        fh.truncate(200 * 1024 * 1024)
    assert "empty" in _err(p, max_bytes=0) or "binary" in _err(p, max_bytes=0)


def test_nonexistent_path(tmp_path):
    assert "no such file" in _err(tmp_path / "missing.pdf")


def test_directory(tmp_path):
    d = tmp_path / "dir.docx"
    d.mkdir()
    assert "directory" in _err(d)


def test_legacy_doc_renamed_docx(tmp_path):
    p = tmp_path / "old.docx"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(2048))
    assert "OLE" in _err(p)


def test_batch_continues_after_bad_files(tmp_path, good):
    pytest.importorskip("stdkb.segment", reason="needs the segmenter (stdkb.segment)")
    from stdkb.pipeline import process_paths

    (tmp_path / "a_bad.pdf").write_bytes(good["pdf"][:500])
    (tmp_path / "b_empty.txt").write_bytes(b"")
    (tmp_path / "c_ok.txt").write_text("1 总则\n本标准适用于公司所属各单位。\n2 要求\n2.1 应在24小时内答复。\n",
                                      encoding="utf-8")
    errors = []
    docs = list(process_paths([tmp_path], on_error=errors.append))
    assert sorted(os.path.basename(e.path) for e in errors) == ["a_bad.pdf", "b_empty.txt"]
    assert [os.path.basename(d.source) for d in docs] == ["c_ok.txt"]


def test_docx_zip_bomb_is_refused_before_parsing(tmp_path, good, monkeypatch):
    import stdkb.readers.docx as mod

    p = tmp_path / "bomb.docx"
    p.write_bytes(good["docx"])
    monkeypatch.setattr(mod, "MAX_XML_BYTES", 10_000)  # the real limit is 512 MB of uncompressed XML
    assert "too large" in _err(p)
