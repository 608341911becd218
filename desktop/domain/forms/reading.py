"""Read an export into records: encoding, CSV separator, physical line numbers, JSON records."""

from __future__ import annotations

import codecs
import csv
import io
import json
from dataclasses import dataclass, field


class FormFileError(Exception):
    """The file as a whole cannot be read."""


@dataclass
class Record:
    where: int            # CSV: the physical line the row starts on; JSON: the record number (1-based)
    values: dict[str, str]  # column (CSV: "Label" or "Label#2" when repeated; JSON: dotted path) -> text


@dataclass
class ExportFile:
    kind: str                 # "csv" or "json"
    encoding: str
    columns: list[str]
    records: list[Record] = field(default_factory=list)
    separator: str = ","

    @property
    def where_word(self) -> str:
        return "line" if self.kind == "csv" else "record"


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name). BOMs first, then strict UTF-8 (most exports), then charset-normalizer."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # imported when first needed (start time)

    results = from_bytes(data)
    best = results.best()
    if best is None:
        raise FormFileError("the file is not text in any encoding we recognise")
    # A short Western text reads equally well in several single-byte code pages; Excel on a Western
    # Windows saves "CSV" in Windows-1252, so that wins a tie.
    tied = [m for m in results if m.chaos == best.chaos and m.coherence == best.coherence]
    best = next((m for m in tied if m.encoding == "cp1252"), best)
    return str(best), best.encoding


def read_export(data: bytes, name: str, records_key: str | None = None) -> ExportFile:
    text, encoding = decode(data)
    if "\x00" in text:
        raise FormFileError(f"{name} contains NUL bytes; it is not a text export")
    stripped = text.lstrip()
    if name.lower().endswith(".json") or stripped[:1] in ("[", "{"):
        return _json_file(text, encoding, name, records_key)
    return _csv_file(text, encoding)


def sniff_separator(text: str) -> str:
    sample = text[:65536]
    first = sample.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(first if first.count('"') % 2 == 0 else sample, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def unique_columns(headers: list[str]) -> list[str]:
    """Repeated labels get '#2', '#3' (positional addressing: 'Email#2')."""
    seen: dict[str, int] = {}
    out = []
    for h in headers:
        h = (h or "").strip()
        seen[h] = seen.get(h, 0) + 1
        out.append(h if seen[h] == 1 else f"{h}#{seen[h]}")
    return out


def _csv_file(text: str, encoding: str) -> ExportFile:
    sep = sniff_separator(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise FormFileError("the CSV file is empty or has no header row")
        columns = unique_columns(header)
        out = ExportFile("csv", encoding, columns, separator=sep)
        start = reader.line_num + 1
        for row in reader:
            if any(cell.strip() for cell in row):
                out.records.append(Record(start, dict(zip(columns, row, strict=False))))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise FormFileError(f"CSV syntax error near line {reader.line_num}: {exc}") from exc
    return out


def flatten(value: object, prefix: str = "", out: dict[str, str] | None = None) -> dict[str, str]:
    """Nested JSON -> dotted paths ('response.names.first_name'); lists are joined with ', '."""
    out = {} if out is None else out
    if isinstance(value, dict):
        for k, v in value.items():
            flatten(v, f"{prefix}.{k}" if prefix else str(k), out)
    elif isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            for i, v in enumerate(value, 1):
                flatten(v, f"{prefix}.{i}", out)
        else:
            out[prefix] = ", ".join("" if v is None else str(v) for v in value)
    elif value is None:
        out[prefix] = ""
    elif isinstance(value, bool):
        out[prefix] = "yes" if value else "no"
    else:
        out[prefix] = str(value)
    return out


MAX_JSON_DEPTH = 20  # a submission is an object of plain values (Fluent nests 4 deep); deeper is no export


def json_too_deep(value: object, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when lists and objects nest more than limit levels (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return False


def _json_file(text: str, encoding: str, name: str, records_key: str | None) -> ExportFile:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormFileError(f"{name}: JSON syntax error at line {exc.lineno}, column {exc.colno}") from exc
    except RecursionError as exc:
        raise FormFileError(f"{name}: the JSON is nested too deeply to be a form export") from exc
    if json_too_deep(value):
        raise FormFileError(f"{name}: the JSON is nested more than {MAX_JSON_DEPTH} levels deep; a form export is not")
    if isinstance(value, list):
        items = value
    elif isinstance(value, dict) and isinstance(value.get("submissions"), list):
        items = value["submissions"]
    elif isinstance(value, dict) and records_key and isinstance(value.get(records_key), list):
        items = value[records_key]
    else:
        keys = "a top-level list or a 'submissions' list" + (f" or a '{records_key}' list" if records_key else "")
        raise FormFileError(f"{name}: no records found; expected {keys}")
    out = ExportFile("json", encoding, [])
    seen: dict[str, None] = {}
    for index, item in enumerate(items, 1):
        flat = flatten(item) if isinstance(item, dict) else {}
        if not isinstance(item, dict):
            flat = {"__not_an_object__": str(item)[:40]}
        seen.update(dict.fromkeys(flat))
        out.records.append(Record(index, flat))
    out.columns = [c for c in seen if c != "__not_an_object__"]
    return out
