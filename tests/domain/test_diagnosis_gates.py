"""The pattern tables' shortcuts (gates.py) must give exactly what a plain search gives: the
literal scan finds exactly the literals a substring test finds, and a row searched over only its
live patterns matches the same text at the same place as the whole joined row."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from desktop.domain.diagnosis import load_rules
from desktop.domain.diagnosis.gates import FirstScan, Row, may_match

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "mail"
RULES = load_rules(ROOT / "resources" / "diagnosis")
ROWS = [row for _, row in RULES.strong + RULES.weak] + [RULES.expiry]


def _texts() -> list[str]:
    """Every fixture as text, and its first lines one by one (what the tables are asked about:
    whole bounce texts and single diagnostic lines), lower-cased as the tables see them."""
    out = []
    for path in sorted(p for p in FIXTURES.rglob("*") if p.is_file()):
        text = path.read_bytes().decode("utf-8", "replace").lower()
        out.append(text[:20000])
        out.extend(line for line in text.splitlines()[:60] if line.strip())
    return out


TEXTS = _texts()


def test_the_scan_finds_exactly_the_literals_in_each_text():
    scan = FirstScan(ROWS)
    words = sorted({s for row in ROWS if row.first is not None for s in row.first})
    assert len(words) > 100
    for text in TEXTS:
        assert scan.present(text) == {w for w in words if w in text}


def test_overlapping_and_nested_literals():
    row = Row(["user unknown", "unknown user", "no such user", "such", "er un", "unknown"])
    scan = FirstScan([row])
    for text in ("xuser unknownx", "unknown user", "no such usernknown", "er u", "er unknow", "", "suc", "uchsuch"):
        assert scan.present(text) == {w for w in row.first if w in text}, text


def test_a_row_searched_over_its_live_patterns_matches_as_the_whole_row():
    searched = 0
    for text in TEXTS:
        for row in ROWS:
            whole = row.rx.search(text)
            live = row.search(text)
            assert (live and (live.start(), live.group(0))) == (whole and (whole.start(), whole.group(0)))
            if may_match(row.gate, text):
                searched += 1
                again = row.search_live(text)
                assert (again and (again.start(), again.group(0))) == (whole and (whole.start(), whole.group(0)))
    assert searched > 500   # the live-pattern path was really taken


@pytest.mark.parametrize("text", ["550 5.1.1 <a@b.example>: recipient address rejected: user unknown",
                                  "452 4.2.2 mailbox full, quota exceeded", "421 too many connections",
                                  "554 5.7.1 blocked using zen.spamhaus.org", "nothing here at all"])
def test_the_tables_answer_as_a_plain_search_of_every_row_in_order(text):
    def plain(weak):
        low = text.lower()
        for table in (RULES.strong, RULES.weak) if weak else (RULES.strong,):
            for reason, row in table:
                m = row.rx.search(low)
                if m:
                    return reason, m.group(0)
        return None

    for weak in (False, True):
        hit = RULES.by_text(text, weak=weak)
        assert (hit and (hit.reason, hit.text)) == plain(weak)


def test_a_back_reference_keeps_the_whole_row():
    row = Row([r"(ab)x\1", "cd"])
    assert row.search("abxab") is not None and row.search("abxab").group(0) == "abxab"
    assert re.search(row.joined, "zcd").group(0) == row.search("zcd").group(0)
