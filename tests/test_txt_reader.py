"""The plain-text reader: encoding detection, line endings, pages, bad input."""
from __future__ import annotations

import codecs
import random

import pytest

from stdkb.errors import InputError
from stdkb.readers import read_blocks
from stdkb.readers.txt import detect_encoding, iter_lines, read_txt
from stdkb.text import fold

ZH = """客户服务标准(试行)

1 总则
为加强燃气公司客户服务工作的管理，推进客户服务标准化，提高服务水平和服务质量，制定本标准。
2.2.3 如果输气管网发生故障，公司将及时维修，一般故障排除不超过4小时，大故障不超过24小时修复。
2.2.5 对居民用户每2年检查不得少于1次；对商业用户每年检查不得少于1次。
4.5 禁忌用语
4.5.1 “不知道”“找领导去”“这不是我们的事”。
附录 服务技巧
"""

ZH_TRAD = """客戶服務標準（試行）
1 總則
為加強燃氣公司客戶服務工作的管理，推進客戶服務標準化，提高服務水平和服務質量，制定本標準。
2.2.3 如果輸氣管網發生故障，公司將及時維修，一般故障排除不超過4小時。
"""

EN = "Site Safety Standard\n3.2 Guard rails shall be fitted to every platform higher than 2.0 m.\n"


def lines_of(path):
    return [b.text for b in read_blocks(path)]


def expected(text):
    return text.splitlines()


@pytest.mark.parametrize("name,data", [
    ("utf8", ZH.encode("utf-8")),
    ("utf8-bom", codecs.BOM_UTF8 + ZH.encode("utf-8")),
    ("gb18030", ZH.encode("gb18030")),
    ("gbk", ZH.encode("gbk")),
    ("gb2312", ZH.encode("gb2312")),
    ("utf16-bom", ZH.encode("utf-16")),
    ("utf16le-bom", codecs.BOM_UTF16_LE + ZH.encode("utf-16-le")),
    ("utf16be-bom", codecs.BOM_UTF16_BE + ZH.encode("utf-16-be")),
    ("utf16le", ZH.encode("utf-16-le")),
    ("utf16be", ZH.encode("utf-16-be")),
    ("utf32-bom", ZH.encode("utf-32")),
])
def test_chinese_in_every_encoding(tmp_path, name, data):
    f = tmp_path / f"{name}.txt"
    f.write_bytes(data)
    assert lines_of(f) == expected(ZH)


@pytest.mark.parametrize("enc", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_with_symbols(tmp_path, enc):
    text = "3.2 室温应保持在18℃～26℃，湿度≤60%；①照明≥300 lx；■ 注：μ 为系数。\n" * 20 + "ありがとう 감사합니다\n"
    f = tmp_path / "sym.txt"
    f.write_bytes(text.encode(enc))
    assert lines_of(f) == expected(text)


@pytest.mark.parametrize("enc", ["utf-16-le", "utf-16-be", "gbk", "utf-8"])
def test_english_in_several_encodings(tmp_path, enc):
    f = tmp_path / "en.txt"
    f.write_bytes(EN.encode(enc))
    assert lines_of(f) == expected(EN)


def test_big5_traditional_chinese(tmp_path):
    f = tmp_path / "big5.txt"
    f.write_bytes(ZH_TRAD.encode("big5"))
    assert lines_of(f) == expected(ZH_TRAD)


def test_gb18030_only_characters(tmp_path):
    # characters outside GBK (CJK extension A / B) only exist in GB18030
    text = "姓名：王䶮\n地名：𠀀村\n" + ZH
    f = tmp_path / "gb18030.txt"
    f.write_bytes(text.encode("gb18030"))
    assert lines_of(f) == expected(text)


@pytest.mark.parametrize("line", [l for l in ZH.splitlines() if l] + ["1 总则", "2 服务", "目录 前言", "3 仪容仪表、姿"])
def test_short_gbk_files_are_not_mistaken_for_big5_or_utf16(tmp_path, line):
    f = tmp_path / "short.txt"
    f.write_bytes(line.encode("gbk"))
    assert lines_of(f) == [line]


def test_detect_encoding_on_samples():
    assert detect_encoding(ZH.encode("gbk")) == "gb18030"
    assert detect_encoding(ZH.encode("utf-8")) == "utf-8"
    assert detect_encoding(codecs.BOM_UTF8 + b"x") == "utf-8-sig"
    assert detect_encoding(ZH.encode("utf-16-le")) == "utf-16-le"
    assert detect_encoding(ZH.encode("utf-16-be")) == "utf-16-be"
    with pytest.raises(ValueError):
        detect_encoding(bytes(range(256)) * 4)


def test_zero_byte_pattern_that_is_not_utf16(tmp_path):
    f = tmp_path / "z.txt"
    f.write_bytes(b"\x00\x01\x02\x03" * 100 + bytes(range(256)))
    with pytest.raises(InputError, match="z.txt"):
        lines_of(f)


def test_line_endings(tmp_path):
    for name, sep in [("crlf", "\r\n"), ("cr", "\r"), ("lf", "\n")]:
        f = tmp_path / f"{name}.txt"
        f.write_bytes(sep.join(expected(ZH)).encode("gb18030"))
        blocks = list(read_txt(f))
        assert [b.text for b in blocks] == expected(ZH), name
        assert [b.line for b in blocks] == list(range(1, len(blocks) + 1))
    f = tmp_path / "mixed.txt"
    f.write_bytes(b"a\r\n\r\nb\rc\n")
    assert lines_of(f) == ["a", "", "b", "c"]


def test_crlf_across_chunk_boundary(tmp_path, monkeypatch):
    from stdkb.readers import txt

    monkeypatch.setattr(txt, "SAMPLE", 5)
    monkeypatch.setattr(txt, "CHUNK", 3)
    f = tmp_path / "c.txt"
    f.write_bytes("总则\r\n第二行\r\n第三行".encode("utf-8"))
    assert list(iter_lines(f)) == ["总则", "第二行", "第三行"]
    # every split position of CRLF / CR files, including a CR that ends a chunk
    for data, want in [(b"ab\r\ncd\r\nef\r\n", ["ab", "cd", "ef"]), (b"ab\r\r\ncd\r", ["ab", "", "cd"]),
                       (b"a\rb\r\r", ["a", "b", ""]), (b"ab\n\ncd", ["ab", "", "cd"])]:
        for size in range(1, len(data) + 1):
            monkeypatch.setattr(txt, "SAMPLE", size)
            monkeypatch.setattr(txt, "CHUNK", size)
            f.write_bytes(data)
            assert list(iter_lines(f)) == want, (data, size)


def test_form_feeds_count_pages(tmp_path):
    text = "第一页正文\n页脚 1\n\f第二页正文\n页脚 2\f\n第三页正文\f"
    f = tmp_path / "pages.txt"
    f.write_text(text, encoding="utf-8")
    got = [(b.page, b.text) for b in read_txt(f) if b.text]
    assert got == [(1, "第一页正文"), (1, "页脚 1"), (2, "第二页正文"), (2, "页脚 2"), (3, "第三页正文")]
    assert not any("\f" in b.text for b in read_txt(f))


def test_full_width_text_is_kept_for_display(tmp_path):
    f = tmp_path / "fw.txt"
    f.write_text("１．１　总则：ＡＢＣ（一）不少于５０米\n", encoding="gb18030")
    [b] = list(read_blocks(f))
    assert b.text == "１．１　总则：ＡＢＣ（一）不少于５０米"
    assert fold(b.text) == "1.1 总则:ABC(一)不少于50米"
    assert len(fold(b.text)) == len(b.text)


def test_ascii_start_then_gbk_after_the_sample(tmp_path):
    from stdkb.readers import txt

    head = "1 General requirements of the standard.\n" * (txt.SAMPLE // 40 + 100)
    assert len(head) > txt.SAMPLE
    tail = "2.2.3 一般故障排除不超过4小时，大故障不超过24小时修复。\n" * 50
    f = tmp_path / "late.txt"
    f.write_bytes(head.encode("ascii") + tail.encode("gbk"))
    got = lines_of(f)
    assert got == expected(head + tail)


def test_ascii_start_then_utf8_after_the_sample(tmp_path):
    from stdkb.readers import txt

    head = "x" * 79 + "\n"
    data = (head * (txt.SAMPLE // 80 + 10) + ZH).encode("utf-8")
    f = tmp_path / "late8.txt"
    f.write_bytes(data)
    assert lines_of(f)[-len(expected(ZH)):] == expected(ZH)


def test_invalid_bytes_later_in_a_utf8_file_is_an_input_error(tmp_path):
    from stdkb.readers import txt

    data = ZH.encode("utf-8") * (txt.SAMPLE // len(ZH.encode("utf-8")) + 10) + "错误".encode("gbk") + b"\n"
    f = tmp_path / "broken.txt"
    f.write_bytes(data)
    with pytest.raises(InputError, match=r"broken\.txt.*utf-8"):
        lines_of(f)


def test_binary_junk_named_txt(tmp_path):
    rnd = random.Random(7)
    f = tmp_path / "junk.txt"
    f.write_bytes(bytes(rnd.randrange(256) for _ in range(20000)))
    with pytest.raises(InputError) as e:
        lines_of(f)
    assert "junk.txt" in str(e.value) and "\n" not in str(e.value)
    # control characters without NULs
    g = tmp_path / "ctrl.txt"
    g.write_bytes(bytes(rnd.choice(list(range(1, 9)) + list(range(14, 32))) for _ in range(5000)))
    with pytest.raises(InputError, match="ctrl.txt"):
        lines_of(g)
    # a zip or an ELF binary with a .txt name
    h = tmp_path / "elf.txt"
    h.write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(rnd.randrange(256) for _ in range(4000)))
    with pytest.raises(InputError, match="elf.txt"):
        lines_of(h)


@pytest.mark.parametrize("data", [b"", b" ", b"\r\n\r\n", b" \t\n  \n", b"\n\n\n"])
def test_empty_and_white_space_files(tmp_path, data):
    f = tmp_path / "empty.txt"
    f.write_bytes(data)
    with pytest.raises(InputError, match=r"empty\.txt.*empty"):
        lines_of(f)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(InputError, match="nope.txt.*no such file"):
        lines_of(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="is a directory"):
        lines_of(tmp_path)


def test_too_large_file_refused(tmp_path):
    f = tmp_path / "huge.txt"
    with open(f, "wb") as fh:
        fh.write(ZH.encode("utf-8"))
        fh.truncate(101 * 1024 * 1024)  # sparse: instant, takes no disk space
    with pytest.raises(InputError) as e:
        lines_of(f)
    msg = str(e.value)
    assert "huge.txt" in msg and "too large" in msg and "\n" not in msg
    # the limit is a parameter
    g = tmp_path / "small.txt"
    g.write_bytes(ZH.encode("utf-8") * 5000)  # ~2.7 MB
    with pytest.raises(InputError, match="small.txt.*too large"):
        list(read_blocks(g, max_bytes=1024 * 1024))
    assert next(iter(read_blocks(g, max_bytes=10 * 1024 * 1024))).text == "客户服务标准(试行)"


def test_streaming_reads_lazily(tmp_path):
    """read_txt is a generator: the first line is available before the whole file is decoded."""
    f = tmp_path / "big.txt"
    f.write_bytes((ZH * 20000).encode("gb18030"))  # ~4 MB
    it = read_txt(f)
    assert next(it).text == "客户服务标准(试行)"
    assert sum(1 for _ in it) == len(expected(ZH)) * 20000 - 1


def test_read_blocks_sets_source_and_lines(tmp_path):
    f = tmp_path / "标准 文件.txt"
    f.write_text(ZH, encoding="utf-16")
    blocks = list(read_blocks(f))
    assert {b.source for b in blocks} == {str(f)}
    assert blocks[2].line == 3 and blocks[2].text == "1 总则"
    assert all(b.kind == "para" for b in blocks)
