"""Glyph coverage and safe markup: user text can never become markup, a box or a blank."""

from __future__ import annotations

import threading

from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from desktop.paths import resource
from desktop.reports.fonts import (
    BODY,
    FALLBACK,
    FILES,
    HANGUL,
    MONO,
    Glyphs,
    coverage,
    markup,
    register,
)


def test_shipped_fonts_have_licences_and_reasonable_size():
    folder = resource("fonts")
    total = sum(p.stat().st_size for p in folder.iterdir())
    assert total < 20 * 1024 * 1024
    for filename in FILES.values():
        assert (folder / filename).is_file()
    licences = {p.name for p in folder.glob("LICENSE*")}
    assert {"LICENSE-DejaVu.txt", "LICENSE-DroidSansFallback.txt", "LICENSE-Apache-2.0.txt",
            "LICENSE-OFL-Nanum.txt"} <= licences


def test_main_font_covers_latin_greek_cyrillic_and_cjk_falls_back():
    for ch in "ŁőşΩμέγαЖуков":
        assert coverage(ch) == [(ch, BODY)], ch
    assert coverage("山田") == [("山", FALLBACK), ("田", FALLBACK)]
    assert coverage("김민준") == [("김", HANGUL), ("민", HANGUL), ("준", HANGUL)]  # Korean
    assert coverage("ก") == [("ก", None)]  # Thai: no shipped font


def test_markup_escapes_tags_and_wraps_fallback_runs():
    m = markup('<b>Bob</b> & <img src="/etc/passwd"/> 山田さん')
    assert "<b>" not in m and "<img" not in m
    assert "&lt;b&gt;Bob&lt;/b&gt; &amp; &lt;img" in m
    assert f'<font name="{FALLBACK}">山田さん</font>' in m


def test_missing_and_control_characters_become_visible_markers_and_are_reported():
    g = Glyphs()
    m = markup("a\u0e01b\x00c\u202ed\ud800e\x1bf", glyphs=g)
    assert m == "a[U+0E01]b[U+0000]c[U+202E]d[U+D800]e[U+001B]f"
    assert g.missing == {0x0E01}
    assert g.controls == {0x0000, 0x202E, 0xD800, 0x001B}
    assert Glyphs.codes(g.missing) == "U+0E01"


def test_newlines_and_tabs():
    assert markup("a\r\nb\rc\nd\te") == "a<br/>b<br/>c<br/>d e"
    assert markup("a\nb", multiline=False) == "a b"
    assert markup("", empty="—") == "—" and markup(None) == ""


def test_mono_chain_falls_back_to_body_then_cjk():
    m = markup("Ωx山", MONO)
    assert "山" in m and FALLBACK in m


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(), max_size=80))
def test_any_text_makes_a_paragraph_that_lays_out(text):
    register()
    style = ParagraphStyle("t", fontName=BODY, fontSize=9, leading=11)
    p = Paragraph(markup(text), style)
    p.wrap(200, 10_000)  # must not raise for any input, including surrogates and controls


def test_registration_is_thread_safe():
    errors = []

    def work():
        try:
            register()
            markup("Zoë 山田")
        except Exception as exc:  # pragma: no cover - would be the bug
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
