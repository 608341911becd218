"""Form-plugin notification emails ("Name: / Email: / Message:"): which plugin, and its fields."""

from __future__ import annotations

import re
from dataclasses import dataclass

FOOTER = re.compile(r"^\s*(?:--\s*|sent (?:by|from|via)\b.*|powered by\b.*|this e-?mail was sent\b.*)$", re.I)
EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}")


@dataclass(frozen=True)
class FormFields:
    plugin: str
    name: str
    email: str
    message: str


class FormLayouts:
    def __init__(self, table: dict) -> None:
        def rxs(plugin: dict, key: str) -> list[re.Pattern[str]]:
            return [re.compile(x, re.I | re.M) for x in plugin.get(key, [])]

        # (name, what its text carries, its default subject, what its HTML carries)
        self.plugins = [(p["plugin"], rxs(p, "detect"), rxs(p, "subject"), rxs(p, "markup")) for p in table["plugins"]]
        self.labels = {k: [x.lower() for x in v] for k, v in table["labels"].items()}
        every = sorted({x for v in self.labels.values() for x in v}, key=len, reverse=True)
        alt = "|".join(re.escape(x) for x in every)
        # "Label: value" on one line (Formidable, Gravity text, CF7's From line), "--- Label ---"
        # blocks (WPForms plain text) and "Label<TAB>value" rows (HTML tables turned to text)
        self.inline = re.compile(rf"^\s*\*?\s*({alt})\s*\*?\s*[:\t]\s*(.*)$", re.I | re.M)
        self.block = re.compile(rf"^\s*-{{3}}\s*({alt})\s*-{{3}}\s*$", re.I | re.M)
        self.alone = re.compile(rf"^\s*({alt})\s*:?\s*$", re.I | re.M)

    def plugin_of(self, subject: str, text: str, markup: str = "") -> str:
        """The plugin whose HTML markup, else text, else default subject the mail carries."""
        for pick in (lambda p: (p[3], markup), lambda p: (p[1], text), lambda p: (p[1], subject),
                     lambda p: (p[2], subject)):
            for plugin in self.plugins:
                rxs, where = pick(plugin)
                if where and any(rx.search(where) for rx in rxs):
                    return plugin[0]
        return ""

    def field_of(self, label: str) -> str:
        low = label.lower().strip()
        for key, labels in self.labels.items():
            if low in labels:
                return key
        return ""

    def parse(self, subject: str, text: str, markup: str = "") -> FormFields | None:
        """The fields of a notification, or None when the text does not look like one. `markup`:
        the raw HTML the text came from, when it did (only used to tell the plugin)."""
        values: dict[str, str] = {}
        lines = text.replace("\r\n", "\n").split("\n")
        i = 0
        while i < len(lines):
            line = lines[i]
            m = self.block.match(line) or self.alone.match(line)
            if m:
                key, j, chunk = self.field_of(m.group(1)), i + 1, []
                while j < len(lines) and not (self.block.match(lines[j]) or self.alone.match(lines[j])
                                              or self.inline.match(lines[j]) or FOOTER.match(lines[j])):
                    chunk.append(lines[j])
                    j += 1
                if key and key != "other" and key not in values:
                    values[key] = "\n".join(chunk).strip()
                i = j
                continue
            m = self.inline.match(line)
            if m:
                key, value, j = self.field_of(m.group(1)), m.group(2).strip(), i + 1
                if key == "message":   # the message runs on to the next field or the footer
                    rest = []
                    while j < len(lines) and not (self.inline.match(lines[j]) or self.block.match(lines[j])
                                                  or FOOTER.match(lines[j])):
                        rest.append(lines[j])
                        j += 1
                    value = "\n".join([value] + rest).strip()
                if key and key != "other" and key not in values:
                    values[key] = value
                i = j
                continue
            i += 1
        # Contact Form 7's default "From: Name <email>" line
        m = re.search(r"^From:\s*(.*?)\s*<([^>]+@[^>]+)>\s*$", text, re.M)
        if m and "email" not in values and "message" in values:
            values.setdefault("name", m.group(1).strip())
            values["email"] = m.group(2).strip()
        name = values.get("name") or " ".join(v for v in (values.get("first_name"), values.get("last_name")) if v)
        email_match = EMAIL.search(values.get("email", ""))
        if not email_match or not (values.get("message") or name):
            return None
        return FormFields(self.plugin_of(subject, text, markup) or "a web form", name.strip(), email_match.group(0),
                          values.get("message", "").strip())
