"""Import web-form exports as they are: plugin profiles, column mapping, idempotent, erasure-aware.

plan() reads the file and works out profile, encoding and mapping (nothing written); run() maps and
validates every row, then stores the good ones with their provenance in one transaction. A dry run
is the same run without the write, so its counts are the real run's.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from desktop.domain.forms.mapping import (
    GENERIC,
    Mapping,
    MappingError,
    Options,
    Profile,
    RowMapper,
    build_mapping,
    detect_profile,
    parse_category_map,
    parse_pairs,
    parse_value_map,
)
from desktop.domain.forms.reading import ExportFile, FormFileError, Record, read_export
from desktop.domain.validation import ValidationError, check_category, validate_intake
from desktop.errors import FormImportError, ImportCancelled
from desktop.paths import resource
from desktop.services.intake import IntakeService
from desktop.services.settings import SettingsService

MAX_FILE_BYTES = 200 * 1024 * 1024
MAPPING_KEY = "import_mapping:"


class ErasureCheck(Protocol):
    """The keyed erasure record (issue 13): was this address erased earlier on request?"""

    def was_erased(self, email: str) -> bool: ...


class NoErasureRecord:
    """Until the keyed erasure record exists in the store: nobody is on it."""

    def was_erased(self, email: str) -> bool:
        return False


@cache
def load_profiles() -> tuple[Profile, ...]:
    folder = resource("import_profiles")
    return tuple(Profile.from_dict(json.loads(p.read_text(encoding="utf-8")))
                 for p in sorted(folder.glob("*.json")) if p.name != "guesses.json")


@cache
def load_guesses() -> dict[str, list[str]]:
    data = json.loads(resource("import_profiles", "guesses.json").read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if isinstance(v, list)}


@dataclass
class ImportRequest:
    path: Path
    profile: str | None = None
    maps: list[str] = field(default_factory=list)            # COLUMN=FIELD
    category_maps: list[str] = field(default_factory=list)   # LABEL=CATEGORY
    value_maps: list[str] = field(default_factory=list)      # COLUMN:VALUE=yes|no
    unknown_category: str | None = None                      # refuse | other
    timezone: str | None = None
    phone_region: str | None = None
    mapping_name: str | None = None
    save_mapping: str | None = None


@dataclass
class Plan:
    request: ImportRequest
    file: ExportFile
    profile: Profile
    mapping: Mapping
    options: Options
    timezone: str
    unmapped_labels: dict[str, int]
    notes: list[str]
    saved: dict


@dataclass
class RowIssue:
    where: int
    reason: str


@dataclass
class FormImportReport:
    profile: str
    encoding: str
    where_word: str
    total: int = 0
    imported: int = 0
    case_ids: list[int] = field(default_factory=list)
    already_imported: int = 0
    refused: list[RowIssue] = field(default_factory=list)
    held: list[RowIssue] = field(default_factory=list)
    phone_unchecked: list[int] = field(default_factory=list)
    dry_run: bool = False

    def as_json(self, plan: Plan) -> dict:
        w = self.where_word
        return {
            "imported": self.imported, "already_imported": self.already_imported,
            "refused": [{w: r.where, "reason": r.reason} for r in self.refused],
            "held": [{w: r.where, "reason": r.reason} for r in self.held],
            "phone_unchecked": [{w: n} for n in self.phone_unchecked],
            "profile": self.profile, "encoding": self.encoding, "dry_run": self.dry_run, "total": self.total,
            "mapping": {c.column: c.field for c in plan.mapping.columns},
            "unmapped_columns": plan.mapping.unmapped, "unmapped_labels": plan.unmapped_labels,
            "notes": plan.notes, "timezone": plan.timezone,
        }


def provenance_key(profile: str, record: Record, entry_id: str | None) -> str:
    if entry_id:
        return f"{profile}:entry:{entry_id}"
    blob = json.dumps(sorted(record.values.items()), ensure_ascii=False).encode("utf-8")
    return f"{profile}:fp:{hashlib.sha256(blob).hexdigest()}"


class FormImportService:
    def __init__(self, intake: IntakeService, settings: SettingsService,
                 erasure: ErasureCheck | None = None) -> None:
        self.intake = intake
        self.settings = settings
        self.ctx = intake.ctx
        self.repo = self.ctx.repos.imports
        self.erasure: ErasureCheck = erasure or NoErasureRecord()

    # ---- saved mappings (encrypted settings table, changes audited) ----------------------------
    def saved_mapping(self, name: str) -> dict:
        stored = self.ctx.settings_repo.get(MAPPING_KEY + name)
        if not isinstance(stored, dict):
            raise FormImportError(f"no saved mapping named {name!r}")
        return stored

    def mapping_names(self) -> list[str]:
        return sorted(k[len(MAPPING_KEY):] for k in self.ctx.settings_repo.all() if k.startswith(MAPPING_KEY))

    def save_mapping(self, name: str, plan: Plan) -> None:
        self.settings.set(MAPPING_KEY + name, {
            "profile": plan.profile.name,
            "map": {c.column: c.field for c in plan.mapping.columns},
            "category_map": plan.request.category_maps, "value_map": plan.request.value_maps,
            "unknown_category": plan.options.unknown_category, "timezone": plan.timezone,
            "phone_region": plan.options.phone_region,
        })

    # ---- plan ------------------------------------------------------------------------------------
    def plan(self, req: ImportRequest) -> Plan:
        saved = self.saved_mapping(req.mapping_name) if req.mapping_name else {}
        profiles = {p.name: p for p in load_profiles()}
        wanted = req.profile or saved.get("profile")
        if wanted and wanted not in profiles and wanted != GENERIC.name:
            raise FormImportError(f"unknown profile {wanted!r}; use one of: {', '.join(sorted(profiles))}, generic")
        export = self._read(req.path, profiles.get(wanted or ""))
        profile = profiles.get(wanted or "") or (GENERIC if wanted == GENERIC.name else
                                                 detect_profile(export.columns, export.kind, list(profiles.values())))
        try:
            explicit = dict(saved.get("map", {}))
            explicit.update(parse_pairs(req.maps, "=", "--map"))
            explicit = {c: f for c, f in explicit.items() if c in set(export.columns) or c in req_cols(req)}
            mapping = build_mapping(export.columns, profile, explicit, load_guesses(),
                                    "--map" if req.maps else "saved")
            category_items = list(saved.get("category_map", [])) + req.category_maps
            value_items = list(saved.get("value_map", [])) + req.value_maps
            options = Options(zone=ZoneInfo("UTC"), phone_region="GB",
                              category_map=parse_category_map(category_items),
                              value_map=parse_value_map(value_items))
        except MappingError as exc:
            raise FormImportError(str(exc)) from exc
        req.category_maps, req.value_maps = category_items, value_items
        tz = req.timezone or saved.get("timezone") or self.settings.web_form_timezone
        try:
            options.zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise FormImportError(f"unknown time zone {tz!r} (use a name like Europe/London)") from exc
        options.phone_region = (req.phone_region or saved.get("phone_region") or self.settings.phone_region).upper()
        unknown = req.unknown_category or saved.get("unknown_category") or "refuse"
        if unknown not in ("refuse", "other"):
            raise FormImportError("--unknown-category must be refuse or other")
        options.unknown_category = unknown
        for col, _ in options.value_map:
            if col not in export.columns:
                raise FormImportError(f"--value-map {col}:...: the file has no column {col!r}")
        labels = self._unmapped_labels(export, mapping, options)
        notes = []
        if mapping.first("over_13") is None:
            notes.append("no 13+ column is mapped: the form's own age gate is relied on")
        if mapping.first("category") is None:
            notes.append("no category column is mapped: the cases come in as 'other'")
        return Plan(req, export, profile, mapping, options, tz, labels, notes, saved)

    def _read(self, path: Path, profile: Profile | None) -> ExportFile:
        path = Path(path)
        if not path.is_file():
            raise FormImportError(f"no file at {path}")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise FormImportError(f"{path.name} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
        try:
            return read_export(path.read_bytes(), path.name, profile.records_key if profile else None)
        except FormFileError as exc:
            raise FormImportError(str(exc)) from exc

    @staticmethod
    def _unmapped_labels(export: ExportFile, mapping: Mapping, options: Options) -> dict[str, int]:
        col = mapping.first("category")
        if col is None:
            return {}
        counts: Counter[str] = Counter()
        for rec in export.records:
            text = (rec.values.get(col) or "").strip()
            if text.lower() not in options.category_map and check_category(text).error:
                counts[text] += 1
        return dict(counts.most_common())

    def _erased(self, emails: list[str]) -> set[str]:
        """The addresses among these whose person was erased on request: one look-up for the file
        when the record offers erased_among (ErasureRecordService), else one per address."""
        count = getattr(self.erasure, "count", None)
        if count is not None and count() == 0:  # nobody erased yet: no address to key and look up
            return set()
        bulk = getattr(self.erasure, "erased_among", None)
        if bulk is not None:
            return set(bulk(list(dict.fromkeys(emails))))  # a repeat contact's address is looked up once
        return {e for e in dict.fromkeys(emails) if self.erasure.was_erased(e)}

    # ---- run -------------------------------------------------------------------------------------
    def run(self, plan: Plan, *, dry_run: bool = False, progress: Callable[[int, int], None] | None = None,
            cancelled: Callable[[], bool] | None = None) -> FormImportReport:
        export, profile = plan.file, plan.profile
        if plan.mapping.first("email") is None:  # every row would be refused: the file is not one
            columns = ", ".join(export.columns[:8]) or "none"
            raise FormImportError(f"no column of {plan.request.path.name} maps to the email address (columns: "
                                  f"{columns}); name it with --map COLUMN=email; nothing was imported")
        report = FormImportReport(profile.name, export.encoding, export.where_word,
                                  total=len(export.records), dry_run=dry_run)
        now, memo = self.ctx.now(), {}
        mapper = RowMapper(plan.mapping, profile, plan.options, memo)
        settings = {"default_region": plan.options.phone_region, "notice_version": self.settings.notice_version}
        rows = [(rec, mapper.map(rec.values)) for rec in export.records]
        keys = [provenance_key(profile.name, rec, row.entry_id) for rec, row in rows]
        known = self.repo.known(keys)
        seen: set[str] = set()
        good, good_keys, good_where = [], [], []
        for index, ((rec, row), key) in enumerate(zip(rows, keys, strict=True)):
            if progress and index % 500 == 0:
                progress(index, len(rows))
            if cancelled and cancelled():
                raise ImportCancelled("cancelled; nothing was imported")
            if key in known or key in seen:
                report.already_imported += 1
                continue
            if "__not_an_object__" in rec.values:
                report.refused.append(RowIssue(rec.where, "each record must be an object with named fields"))
                continue
            if row.refusal:
                report.refused.append(RowIssue(rec.where, row.refusal))
                continue
            try:
                data = validate_intake(row.form, now=now, memo=memo, **settings)  # type: ignore[arg-type]
            except ValidationError as exc:
                report.refused.append(RowIssue(rec.where, str(exc)))
                continue
            seen.add(key)
            if row.phone_as_typed:  # an optional phone not readable in the region: kept as typed, unchecked
                data = replace(data, phone=row.phone_as_typed, phone_unchecked=True)
                report.phone_unchecked.append(rec.where)
            good.append(data)
            good_keys.append(key)
            good_where.append(rec.where)
        erased = self._erased([d.email for d in good])
        if erased:
            held = [i for i, d in enumerate(good) if d.email in erased]
            report.held = [RowIssue(good_where[i], "this person's data was erased earlier on request: held for a "
                                                    "staff decision, not imported") for i in held]
            gone = {good_where[i] for i in held}
            keep = [i for i in range(len(good)) if good_where[i] not in gone]
            good, good_keys, good_where = ([seq[i] for i in keep] for seq in (good, good_keys, good_where))
            report.phone_unchecked = [w for w in report.phone_unchecked if w not in gone]
        refusals = self.intake.refusals(good)
        if any(refusals):
            report.refused += [RowIssue(w, p) for w, p in zip(good_where, refusals, strict=True) if p]
            keep = [i for i, p in enumerate(refusals) if not p]
            good, good_keys = [good[i] for i in keep], [good_keys[i] for i in keep]
            kept = {good_where[i] for i in keep}
            report.phone_unchecked = [w for w in report.phone_unchecked if w in kept]
        report.refused.sort(key=lambda r: r.where)
        report.imported = len(good)
        if not dry_run:
            if cancelled and cancelled():
                raise ImportCancelled("cancelled; nothing was imported")
            with self.ctx.vault.transaction():
                results = self.intake.store_many(good, source=f"import:{profile.name}")
                report.case_ids = [r.case_id for r in results]
                self.repo.add_many(list(zip(good_keys, report.case_ids, strict=True)), profile.name, now)
            if plan.request.save_mapping:
                self.save_mapping(plan.request.save_mapping, plan)
        if progress:
            progress(len(rows), len(rows))
        return report


def req_cols(req: ImportRequest) -> set[str]:
    """Columns named on the command line (a saved mapping's other columns are dropped quietly)."""
    return {item.rpartition("=")[0].strip() for item in req.maps}
