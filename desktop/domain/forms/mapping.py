"""Which column fills which case field, and one export record -> the intake form, notes and refusals."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import tzinfo

from desktop.domain.forms.values import DateError, checkbox, parse_when, strip_formula_prefix
from desktop.domain.models import Category
from desktop.domain.validation import _remembered, check_category, check_phone

FIELDS = ("name", "first_name", "last_name", "email", "phone", "category", "subject", "description",
          "technical_details", "details", "channel", "received_at", "marketing_consent", "over_13",
          "entry_id", "ignore")
MANY = frozenset({"details", "ignore"})  # fields more than one column may fill
MAX_TYPED_PHONE = 64  # an unreadable optional phone up to this length is kept as typed, marked unchecked


class MappingError(ValueError):
    """A --map, --category-map or --value-map that cannot be used (one clear line)."""


@dataclass(frozen=True)
class Profile:
    name: str
    label: str
    format: str
    detect: tuple[str, ...]
    columns: dict[str, str]
    date_formats: tuple[str, ...] = ()
    date_only: bool = False
    timezone: str = "site"           # "site" (the web-form time zone), "offset" (in the text), "utc"
    formula_kind: str = "none"
    formula_triggers: str = ""
    records_key: str | None = None

    @classmethod
    def from_dict(cls, d: dict) -> Profile:
        fp = d.get("formula_prefix") or {}
        return cls(d["name"], d.get("label", d["name"]), d.get("format", "csv"), tuple(d.get("detect", ())),
                   dict(d.get("columns", {})), tuple(d.get("date_formats", ())), bool(d.get("date_only")),
                   d.get("timezone", "site"), fp.get("kind", "none"), fp.get("triggers", ""),
                   d.get("records_key"))


GENERIC = Profile("generic", "Other CSV/JSON export", "any", (), {})


def detect_profile(columns: list[str], kind: str, profiles: list[Profile]) -> Profile:
    """The profile whose identifying headers are all present (most identifying headers first)."""
    present = set(columns) | {c.split(".", 1)[0] for c in columns}  # JSON: 'response' of 'response.email'
    for p in sorted(profiles, key=lambda p: -len(p.detect)):
        if p.detect and p.format in (kind, "any") and all(h in present for h in p.detect):
            return p
    lowered = {c.strip().lower().replace(" ", "_") for c in columns}
    for p in profiles:
        if p.name == "app" and all(h in lowered for h in p.detect):
            return p
    return GENERIC


def _norm(label: str) -> str:
    return re.sub(r"[\s:()_\-.?*]+", " ", label.split("#", 1)[0]).strip().lower()


@dataclass(frozen=True)
class ColumnMap:
    column: str
    field: str
    how: str  # "--map", "profile", "guess", "saved"


@dataclass
class Mapping:
    columns: list[ColumnMap]
    unmapped: list[str]

    def by_field(self, name: str) -> list[str]:
        return [c.column for c in self.columns if c.field == name]

    def first(self, name: str) -> str | None:
        cols = self.by_field(name)
        return cols[0] if cols else None


def build_mapping(columns: list[str], profile: Profile, explicit: dict[str, str],
                  guesses: dict[str, list[str]], how_explicit: str = "--map") -> Mapping:
    """explicit (--map COLUMN=FIELD) wins; a field it sets is never also filled by the profile or a guess."""
    present = set(columns)
    for col, fld in explicit.items():
        if col not in present:
            shown = ", ".join(columns[:12]) + (" ..." if len(columns) > 12 else "")
            raise MappingError(f"--map {col}={fld}: the file has no column {col!r} (columns: {shown})")
        if fld not in FIELDS:
            raise MappingError(f"--map {col}={fld}: unknown field {fld!r}; use one of: {', '.join(FIELDS)}")
    taken = {f for f in explicit.values() if f not in MANY}
    out = [ColumnMap(c, explicit[c], how_explicit) for c in columns if c in explicit]
    profile_cols = {_norm(k): v for k, v in profile.columns.items()}
    guess_of = {label: f for f, labels in guesses.items() if f in FIELDS for label in labels}
    chosen: dict[str, tuple[str, str]] = {}
    for col in columns:  # first the profile's own columns, so a guess never takes their field
        if col in explicit:
            continue
        fld = profile.columns.get(col)
        if fld is None and profile.name == "app":
            fld = profile_cols.get(_norm(col).replace(" ", "_")) or profile_cols.get(_norm(col))
        if fld is not None and fld not in taken:
            chosen[col] = (fld, "profile")
            if fld not in MANY:
                taken.add(fld)
    for col in columns:  # then guesses from the label (or a JSON path's last part)
        if col in explicit or col in chosen:
            continue
        fld = guess_of.get(_norm(col)) or guess_of.get(_norm(col.rsplit(".", 1)[-1]))
        if fld is not None and fld not in taken and fld not in MANY:
            chosen[col] = (fld, "guess")
            taken.add(fld)
    out += [ColumnMap(c, *chosen[c]) for c in columns if c in chosen]
    unmapped = [c for c in columns if c not in explicit and c not in chosen]
    return Mapping(out, unmapped)


def parse_pairs(items: list[str], sep: str, what: str) -> dict[str, str]:
    out = {}
    for item in items or []:
        key, s, value = item.rpartition(sep)
        if not s or not key.strip() or not value.strip():
            raise MappingError(f"{what} {item!r}: expected {what.lstrip('-').upper().replace('-', '_')} "
                               f"in the form LEFT{sep}RIGHT")
        out[key.strip()] = value.strip()
    return out


def parse_category_map(items: list[str]) -> dict[str, str]:
    out = {}
    for label, cat in parse_pairs(items, "=", "--category-map").items():
        found = check_category(cat)
        if found.error:
            raise MappingError(f"--category-map {label}={cat}: {found.error}")
        out[label.lower()] = found.value.value  # type: ignore[union-attr]
    return out


def parse_value_map(items: list[str]) -> dict[tuple[str, str], bool]:
    out = {}
    for left, answer in parse_pairs(items, "=", "--value-map").items():
        col, s, value = left.partition(":")
        if not s or answer.lower() not in ("yes", "no"):
            raise MappingError(f"--value-map {left}={answer}: expected COLUMN:VALUE=yes|no")
        out[(col.strip(), value.strip().lower())] = answer.lower() == "yes"
    return out


@dataclass
class Options:
    zone: tzinfo
    phone_region: str
    category_map: dict[str, str] = field(default_factory=dict)
    value_map: dict[tuple[str, str], bool] = field(default_factory=dict)
    unknown_category: str = "refuse"


@dataclass
class Row:
    form: dict | None = None
    refusal: str | None = None
    entry_id: str | None = None
    unknown_label: str | None = None
    phone_as_typed: str | None = None


class RowMapper:
    """One export record -> the intake form dict (desktop.domain.validation.validate_intake's keys)."""

    def __init__(self, mapping: Mapping, profile: Profile, options: Options, memo: dict | None = None) -> None:
        """memo: the one validate_intake gets for the same import, so each phone is checked once."""
        self.m, self.p, self.o = mapping, profile, options
        self.get = {f: mapping.first(f) for f in FIELDS}
        self.mapped = [(f, c) for f, c in self.get.items() if c is not None]  # the fields a row fills
        self.blank = dict.fromkeys(FIELDS, "")
        # the first characters of a cell a plugin may have put before the person's text (formula defusing)
        self.marks = {"apostrophe": ("'",), "flamingo": ("'", "(")}.get(profile.formula_kind, ())
        self.details = mapping.by_field("details")
        self.value_cols = {c for c, _ in options.value_map}
        self.memo: dict = {} if memo is None else memo
        self.dates: dict[str, tuple] = {}  # export text -> (UTC time, time unknown): exports repeat them

    def value(self, record: dict[str, str], column: str | None) -> str:
        if column is None:
            return ""
        text = record.get(column) or ""
        if self.p.formula_kind != "none":
            text = strip_formula_prefix(text, self.p.formula_kind, self.p.formula_triggers)
        return text.strip()

    def yes_no(self, values: dict[str, str], name: str, default: bool) -> bool | str:
        """values: the row's cells by field (map() reads them once)."""
        col = self.get[name]
        if col is None:
            return default
        text = values[name]
        if col in self.value_cols:
            answer = self.o.value_map.get((col, text.lower()))
            if answer is None:
                return f"{col}: no --value-map for the answer {text[:40]!r}"
            return answer
        return checkbox(text)

    def category(self, text: str, row: Row) -> str | None:
        if self.get["category"] is None:
            return Category.OTHER.value
        mapped = self.o.category_map.get(text.lower())
        if mapped:
            return mapped
        if text and not check_category(text).error:
            return text
        row.unknown_label = text
        if self.o.unknown_category == "other":
            return Category.OTHER.value
        row.refusal = f"category {text[:60]!r} has no --category-map (or use --unknown-category other)"
        return None

    def map(self, record: dict[str, str]) -> Row:
        row = Row()
        values = self.blank.copy()  # each mapped cell read once: an import maps every row
        kind, triggers, marks = self.p.formula_kind, self.p.formula_triggers, self.marks
        for f, c in self.mapped:
            text = record.get(c) or ""
            if text[:1] in marks:
                text = strip_formula_prefix(text, kind, triggers)
            values[f] = text.strip()
        v = values.__getitem__
        row.entry_id = v("entry_id") or None
        notes: list[str] = []
        over_13 = self.yes_no(values, "over_13", True)
        consent = self.yes_no(values, "marketing_consent", False)
        for answer in (over_13, consent):
            if isinstance(answer, str):
                row.refusal = answer
                return row
        if over_13 is False:
            row.refusal = "the form's 13+ answer is no: not imported (no data of children under 13)"
            return row
        category = self.category(v("category"), row)
        if category is None:
            return row
        if row.unknown_label is not None:
            notes.append(f"Form category: {row.unknown_label}")
        received, when = None, v("received_at")
        if when:
            got = self.dates.get(when)
            if got is None:
                try:
                    got = self.dates[when] = parse_when(when, self.p.date_formats, self.p.date_only, self.o.zone)
                except DateError as exc:
                    row.refusal = f"received time: {exc}"
                    return row
            received, unknown = got
            if unknown:
                notes.append(f"Received: the export gives the date only ({when}); the time is unknown "
                             "and 00:00 site time was taken")
        name = v("name") or " ".join(x for x in (v("first_name"), v("last_name")) if x)
        phone = v("phone")
        if phone and _remembered(self.memo, check_phone, phone, self.o.phone_region).error:
            typed = " ".join(phone.split())  # kept as typed (one line), marked unchecked by the service
            if len(typed) <= MAX_TYPED_PHONE:
                row.phone_as_typed = typed
            else:  # too long to be a phone number anyone typed: kept in the technical details instead
                notes.append(f"Phone field (not a number we can read in region {self.o.phone_region}): {typed}")
            phone = ""
        description, subject = v("description"), v("subject")
        if subject:
            description = f"{subject}\n\n{description}" if description else subject
        technical = [v("technical_details")] if v("technical_details") else []
        technical += [f"{c.split('#', 1)[0]}: {self.value(record, c)}" for c in self.details if self.value(record, c)]
        technical += notes
        row.form = {
            "name": name, "email": v("email"), "phone": phone or None, "category": category,
            "description": description, "technical_details": "\n".join(technical) or None,
            "channel": v("channel") or "web_form", "received_at": received,
            "marketing_consent": consent, "notice_acknowledged": True, "not_a_child": True,
        }
        return row
