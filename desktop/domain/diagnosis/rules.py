"""The pattern tables (resources/diagnosis/*.json) compiled once, and reason classification.

The domain layer reads no files of the app by itself: the caller passes the three parsed JSON
tables (services load them through desktop.paths), or a folder with load_rules(folder).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from desktop.domain.diagnosis.codes import ENHANCED
from desktop.domain.diagnosis.gates import may_match, row_gate

CATEGORIES = ("bounce", "spam_folder", "spf_dkim_dmarc", "smtp_auth", "connection_tls",
              "rate_limit_blocklist", "other")


@dataclass(frozen=True)
class Match:
    reason: str
    category: str
    pattern: str
    text: str     # the piece of text that matched


@dataclass(frozen=True)
class Blocklist:
    pattern: re.Pattern[str]
    name: str
    lookup: str


class Rules:
    def __init__(self, reasons: dict, blocklists: dict, explanations: dict) -> None:
        # Texts are lower-cased once and searched without re.I (twice as fast; patterns are lower case).
        flags = re.S
        self.strong: list[tuple[str, str, re.Pattern[str], tuple[str, ...] | None]] = []
        self.weak: list[tuple[str, str, re.Pattern[str], tuple[str, ...] | None]] = []
        self.categories: dict[str, str] = dict(reasons.get("extra_categories", {}))
        # One alternation per reason and table: the order between reasons is kept, and a diagnosis
        # runs ~20 searches instead of one per pattern.
        for row in reasons["reasons"]:
            self.categories[row["reason"]] = row["category"]
            for key, table in (("patterns", self.strong), ("weak", self.weak)):
                if row.get(key):
                    joined = "|".join(f"(?:{p})" for p in row[key])
                    table.append((row["reason"], joined, re.compile(joined, flags), row_gate(row[key], flags)))
        self.expiry = re.compile("|".join(f"(?:{p})" for p in reasons["expiry_patterns"]), flags)
        self.expiry_gate = row_gate(reasons["expiry_patterns"], flags)
        self._recent_expiry: list[tuple[str, str]] = []
        self._recent_text: list[tuple[str, bool, Match | None]] = []
        self.status_reasons: dict[str, str] = reasons["status_reasons"]
        self.reply_reasons: dict[str, str] = reasons["reply_reasons"]
        self.reason_status: dict[str, str] = reasons["reason_status"]
        self.subject_reasons: dict[str, str] = reasons.get("subject_reasons", {})
        self.blocklists = [Blocklist(re.compile(b["pattern"], re.I), b["name"], b.get("lookup", ""))
                           for b in blocklists["lists"]]
        self.explanations: dict[str, dict] = {k: v for k, v in explanations.items() if not k.startswith("_")}
        bad = sorted({c for c in self.categories.values() if c not in CATEGORIES})
        if bad:
            raise ValueError(f"unknown categories in the diagnosis tables: {bad}")

    def category(self, reason: str) -> str:
        return self.categories.get(reason, "other")

    def by_text(self, text: str, *, weak: bool = True) -> Match | None:
        """The first reason whose strong pattern matches, else (weak=True) the first weak one."""
        if not text:
            return None
        # the same bounce text is asked again for each of its recipients: the last few answers are
        # kept by the text's identity (the text itself is held, so its id cannot be reused)
        for seen, seen_weak, hit in self._recent_text:
            if seen is text and seen_weak == weak:
                return hit
        hit = self._by_text(text, weak)
        self._recent_text = [(text, weak, hit), *self._recent_text[:3]]
        return hit

    def _by_text(self, text: str, weak: bool) -> Match | None:
        text = text.lower()
        for table in (self.strong, self.weak) if weak else (self.strong,):
            for reason, pattern, rx, gate in table:
                if not may_match(gate, text):
                    continue
                m = rx.search(text)
                if m:
                    return Match(reason, self.category(reason), pattern, m.group(0))
        return None

    def strong_match(self, text: str) -> Match | None:
        return self.by_text(text, weak=False)

    def weak_match(self, text: str) -> Match | None:
        """The first weak reason only (the caller already knows no strong one matches)."""
        if not text:
            return None
        text = text.lower()
        for reason, pattern, rx, gate in self.weak:
            if may_match(gate, text):
                m = rx.search(text)
                if m:
                    return Match(reason, self.category(reason), pattern, m.group(0))
        return None

    def is_expiry(self, text: str) -> str:
        if not text:
            return ""
        for seen, hit in self._recent_expiry:   # the same bounce text, asked again for its next recipient
            if seen is text:
                return hit
        hit = self._expiry(text)
        self._recent_expiry = [(text, hit), *self._recent_expiry[:3]]
        return hit

    def _expiry(self, text: str) -> str:
        text = text.lower()
        if not may_match(self.expiry_gate, text):
            return ""
        m = self.expiry.search(text)
        return m.group(0) if m else ""

    def by_status(self, status: str) -> str:
        m = ENHANCED.search(status or "")
        if not m:
            return ""
        return self.status_reasons.get(f"{m.group(2)}.{m.group(3)}") or self.subject_reasons.get(m.group(2), "")

    def by_reply(self, reply: str) -> str:
        return self.reply_reasons.get(reply or "", "")

    def inferred_status(self, reason: str, reply: str, permanent: bool | None) -> str:
        """An enhanced code for a bounce that carries none, from its reason and reply class."""
        code = self.reason_status.get(reason, "")
        if not code:
            return ""
        klass = reply[:1] if reply[:1] in ("4", "5") else ("4" if permanent is False else code[0])
        return klass + code[1:]

    def blocklist(self, text: str) -> str:
        for b in self.blocklists:
            m = b.pattern.search(text or "")
            if m:
                if b.name:
                    return b.name
                named = next((g for g in m.groups() if g), "") or m.group(0)
                return named.strip(" .").lower()
        return ""

    def explain(self, reason: str, blocklist: str = "") -> tuple[str, str, tuple[str, ...]]:
        e = self.explanations.get(reason) or self.explanations.get("other", {})
        text = e.get("explanation", "").replace("{list_text}", f" ({blocklist})" if blocklist else "")
        return e.get("label", reason), text, tuple(e.get("next_steps", ()))


def load_rules(folder: Path) -> Rules:
    def read(name: str) -> dict:
        return json.loads((Path(folder) / name).read_text(encoding="utf-8"))

    return Rules(read("reasons.json"), read("blocklists.json"), read("explanations.json"))
