"""Fuzz: mutated DOCX/PDF/TXT bytes never make anything but InputError escape the readers."""
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fixtures_build import abstract_xml, make_docx, make_pdf, num_xml
from stdkb.errors import InputError
from stdkb.readers import read_blocks

_SEEDS = {}


def _seeds():
    if not _SEEDS:
        d = Path(tempfile.mkdtemp(prefix="stdkb-fuzz-"))
        pdf = make_pdf(d / "s.pdf", [dict(text="客户服务标准", size=16), "2.1 电话振铃3声内接听电话。",
                                     dict(table=[["项目", "时限"], ["修复", "24小时"]])],
                       footer=lambda n, t: f"- {n} -")
        docx = make_docx(d / "s.docx", [dict(text="总则", style="Heading 1", num=(1, 0)),
                                        dict(text="应在24小时内答复。", num=(1, 1)), dict(table=[["a", "b"]])],
                         abstracts=[abstract_xml(1, [dict(ilvl=0, fmt="chineseCounting", text="%1、"),
                                                     dict(ilvl=1, text="（%2）", fmt="chineseCounting")])],
                         nums=[num_xml(1, 1)])
        _SEEDS["pdf"] = pdf.read_bytes()
        _SEEDS["docx"] = docx.read_bytes()
        _SEEDS["txt"] = "客户服务标准\n1 总则\n1.1 应在24小时内答复。\n".encode("gb18030")
    return _SEEDS


mutation = st.one_of(
    st.tuples(st.just("flip"), st.floats(0, 1), st.integers(0, 255)),
    st.tuples(st.just("cut"), st.floats(0, 1), st.just(0)),
    st.tuples(st.just("insert"), st.floats(0, 1), st.integers(0, 255)),
    st.tuples(st.just("zero"), st.floats(0, 1), st.integers(1, 64)),
)


def _mutate(data: bytes, muts) -> bytes:
    b = bytearray(data)
    for kind, where, val in muts:
        if not b:
            break
        i = min(int(where * len(b)), len(b) - 1)
        if kind == "flip":
            b[i] = val
        elif kind == "cut":
            del b[i:]
        elif kind == "insert":
            b[i:i] = bytes([val]) * 8
        else:
            b[i:i + val] = bytes(len(b[i:i + val]))
    return bytes(b)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fmt=st.sampled_from(["pdf", "docx", "txt"]), muts=st.lists(mutation, min_size=1, max_size=6))
def test_only_input_error_escapes(tmp_path, fmt, muts):
    data = _mutate(_seeds()[fmt], muts)
    p = tmp_path / f"fuzz.{fmt}"
    p.write_bytes(data)
    try:
        blocks = list(read_blocks(p))
    except InputError as e:
        assert str(p) in str(e) and "\n" not in str(e)
        return
    assert all(isinstance(b.text, str) for b in blocks)


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_unmutated_seed_reads(tmp_path, fmt):
    p = tmp_path / f"seed.{fmt}"
    p.write_bytes(_seeds()[fmt])
    texts = [b.text for b in read_blocks(p)]
    assert any("24小时" in t for t in texts)
