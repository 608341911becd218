"""Import web-form submissions from .csv or .json. Bad rows are reported by line; good rows go in."""

from __future__ import annotations

import csv
import functools
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from desktop.domain.forms.reading import MAX_JSON_DEPTH, json_too_deep
from desktop.domain.models import IntakeData
from desktop.domain.validation import ValidationError, parse_iso_datetime, validate_intake
from desktop.errors import ImportFileError
from desktop.services.intake import IntakeService

MAX_FILE_BYTES = 200 * 1024 * 1024
FIELDS = ("name", "email", "phone", "category", "description", "technical_details", "channel",
          "received_at", "marketing_consent", "over_13")
ALIASES = {"full_name": "name", "email_address": "email", "contact_number": "phone", "telephone": "phone",
           "issue": "description", "email_delivery_issue": "description", "issue_category": "category",
           "details": "technical_details", "headers": "technical_details", "submitted_at": "received_at",
           "received": "received_at", "marketing": "marketing_consent"}
TRUE = {"1", "true", "yes", "y", "on", "x"}
FALSE = {"", "0", "false", "no", "n", "off"}


@dataclass
class RowError:
    line: int
    message: str


@dataclass
class ImportReport:
    case_ids: list[int] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    total: int = 0


def _bool(value: object, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = "" if value is None else str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ValidationError({name: f"expected yes/no, got {text[:20]!r}"})


@functools.lru_cache(maxsize=512)
def _canonical_key(k: object) -> str:
    key = str(k or "").strip().lower().replace(" ", "_").replace("-", "_")
    return ALIASES.get(key, key)


def _normalise_keys(record: dict) -> dict:
    """Field names as the app knows them ("E-mail " -> "email"); every row of a file has the same
    names, so each is worked out once."""
    return {_canonical_key(k): val for k, val in record.items()}


def read_records(path: Path) -> list[tuple[int, dict]]:
    """(line number, raw record) pairs from a .csv or .json file."""
    path = Path(path)
    if not path.is_file():
        raise ImportFileError(f"no file at {path}")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ImportFileError(f"{path.name} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"{path.name} is not UTF-8 text (byte {exc.start})") from exc
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_records(text)
    if suffix in (".json", ".jsonl", ".ndjson"):
        return _json_records(text, path.name, lines=suffix != ".json")
    raise ImportFileError(f"{path.name}: unsupported file type; use .csv or .json")


def _csv_records(text: str) -> list[tuple[int, dict]]:
    if "\x00" in text:
        raise ImportFileError("the CSV file contains NUL bytes; it is not a text export")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames:
        raise ImportFileError("the CSV file is empty or has no header row")
    named = [h for h in reader.fieldnames if h and h.strip()]
    seen: dict[str, str] = {}
    for h in named:  # "Email" twice, or "email" and "E-mail": which column is meant is ambiguous
        key = _canonical_key(h)
        if key in seen:
            raise ImportFileError(f"the CSV header names the column {key!r} twice ({seen[key]!r} and {h!r}); "
                                  "which one is meant is ambiguous")
        seen[key] = h
    headers = {ALIASES.get(h.strip().lower().replace(" ", "_"), h.strip().lower().replace(" ", "_"))
               for h in named}
    missing = {"name", "email", "description"} - headers
    if missing:
        raise ImportFileError("the CSV header lacks column(s): " + ", ".join(sorted(missing)))
    out = []
    start = 2
    try:
        for record in reader:
            out.append((start, record))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ImportFileError(f"CSV syntax error near line {reader.line_num}: {exc}") from exc
    return out




def _json_records(text: str, name: str, lines: bool = False) -> list[tuple[int, dict]]:
    """Records of a JSON file: the top-level array, or the array under the top-level key
    "submissions" (nothing else, and not a decoy "submissions" text elsewhere). The file must be
    exactly one JSON value: trailing data, missing commas and a repeated "submissions" key are
    refused. lines: JSON lines (.jsonl/.ndjson), one object per line."""
    try:
        if lines:
            return [(n, _check_depth(json.loads(line), name)) for n, line in enumerate(text.splitlines(), 1)
                    if line.strip()]
        value = json.loads(text)  # strict: the whole file, one value (no garbage, no missing commas)
        _check_depth(value, name)
        if isinstance(value, list):
            return _array_lines(text, text.index("["), name)
        if isinstance(value, dict) and "submissions" in value:
            if not isinstance(value["submissions"], list):
                raise ImportFileError(f'{name}: "submissions" is not a list of submissions')
            return _array_lines(text, _submissions_at(text, name), name)
    except json.JSONDecodeError as exc:
        raise ImportFileError(f"{name}: JSON syntax error at line {exc.lineno}, column {exc.colno}"
                              + (" (unexpected data after the end)" if exc.msg == "Extra data" else "")) from exc
    except RecursionError as exc:
        raise ImportFileError(f"{name}: the JSON is nested too deeply to be a form export") from exc
    raise ImportFileError(f'{name}: not a JSON list of submissions (a top-level list, or a "submissions" key)')


def _check_depth(value: object, name: str) -> object:
    if json_too_deep(value, MAX_JSON_DEPTH):
        raise ImportFileError(f"{name}: the JSON is nested more than {MAX_JSON_DEPTH} levels deep; "
                              "a form export is not")
    return value


_WS = " \t\r\n"


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _WS:
        pos += 1
    return pos


def _submissions_at(text: str, name: str) -> int:
    """Where the array of the top-level key "submissions" starts (the text is valid JSON)."""
    decoder = json.JSONDecoder()
    pos, found = _skip(text, text.index("{") + 1), []
    while text[pos] != "}":
        key, pos = decoder.raw_decode(text, pos)
        pos = _skip(text, _skip(text, pos) + 1)  # past ':'
        if key == "submissions":
            found.append(pos)
        _, pos = decoder.raw_decode(text, pos)
        pos = _skip(text, pos)
        if text[pos] == ",":
            pos = _skip(text, pos + 1)
    if len(found) != 1:
        raise ImportFileError(f'{name}: the key "submissions" appears {len(found)} times; which list is meant '
                              "is ambiguous")
    return found[0]


def _array_lines(text: str, pos: int, name: str) -> list[tuple[int, dict]]:
    """(line, value) of each element of the (valid) JSON array starting at text[pos] == '['."""
    decoder = json.JSONDecoder()
    out: list[tuple[int, dict]] = []
    pos = _skip(text, pos + 1)
    line, counted = 1, 0
    while text[pos] != "]":
        line += text.count("\n", counted, pos)
        counted = pos
        value, pos = decoder.raw_decode(text, pos)
        out.append((line, value))
        pos = _skip(text, pos)
        if text[pos] == ",":
            pos = _skip(text, pos + 1)
    return out


class ImportService:
    def __init__(self, intake: IntakeService) -> None:
        self.intake = intake

    def import_file(self, path: Path, *, progress=None) -> ImportReport:
        records = read_records(path)
        report = ImportReport(total=len(records))
        good: list[IntakeData] = []
        good_lines: list[tuple[int, int]] = []  # (record index, line) of each good row
        errors: list[tuple[int, RowError]] = []
        # Read once per file, not per row (two store reads per row were ~5% of a large import).
        settings = {"default_region": self.intake.settings.phone_region,
                    "notice_version": self.intake.settings.notice_version}
        memo: dict = {}  # email and phone checks of this file: a repeated value is checked once
        for index, (line, record) in enumerate(records):
            if progress and index % 500 == 0:
                progress(index, len(records))
            try:
                data = self._parse(record, settings, memo)
            except ValidationError as exc:
                errors.append((index, RowError(line, str(exc))))
                continue
            good.append(data)
            good_lines.append((index, line))
        # Refusals (restricted people, marketing objections) against the store as it is now, with
        # one look-up per 500 people instead of one per row; reported in file order with the rest.
        refused = self.intake.refusals(good)
        if any(refused):
            errors += [(index, RowError(line, problem))
                       for (index, line), problem in zip(good_lines, refused, strict=True) if problem]
            good = [d for d, problem in zip(good, refused, strict=True) if not problem]
            errors.sort(key=lambda e: e[0])
        report.errors = [e for _, e in errors]
        results = self.intake.store_many(good, source="import")
        report.case_ids = [r.case_id for r in results]
        if progress:
            progress(len(records), len(records))
        return report

    def _parse(self, record: object, settings: dict | None = None, memo: dict | None = None) -> IntakeData:
        if not isinstance(record, dict):
            raise ValidationError({"record": "each submission must be an object with named fields"})
        raw = _normalise_keys(record)
        received = raw.get("received_at")
        parsed_received = None
        if received not in (None, ""):
            try:
                parsed_received = parse_iso_datetime(str(received))
            except ValueError as exc:
                raise ValidationError({"received_at": "not an ISO 8601 date-time"}) from exc
        over_13 = _bool(raw.get("over_13", True), "over_13")
        form = {
            **{k: raw.get(k) for k in ("name", "email", "phone", "category", "description",
                                       "technical_details", "channel")},
            "channel": raw.get("channel") or "web_form",
            "received_at": parsed_received,
            "marketing_consent": _bool(raw.get("marketing_consent", False), "marketing_consent"),
            "notice_acknowledged": True,  # the web form shows the notice before it submits
            "not_a_child": over_13,
        }
        if settings is None:
            return self.intake.validate(form)
        return validate_intake(form, now=self.intake.ctx.now(), memo=memo, **settings)
