"""What the import wizard does, without Qt: plans, dry runs and runs through FormImportService."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from zoneinfo import available_timezones

from desktop.domain.forms.mapping import FIELDS
from desktop.domain.models import Category
from desktop.domain.validation import check_category
from desktop.services.form_import import FormImportReport, ImportRequest, Plan

NOT_IMPORTED = "ignore"
FIELD_CHOICES = [f for f in FIELDS if f != "ignore"]
CATEGORY_CHOICES = [c.value for c in Category]
PREVIEW_ROWS = 5


class ImportController:
    def __init__(self, form_import, settings) -> None:
        self.svc = form_import
        self.settings = settings
        self.cancel_requested = False

    @staticmethod
    def timezones() -> list[str]:
        return sorted(available_timezones())

    def default_timezone(self) -> str:
        return self.settings.web_form_timezone

    def default_region(self) -> str:
        return self.settings.phone_region

    def mapping_names(self) -> list[str]:
        return self.svc.mapping_names()

    def plan(self, path: str | Path, *, columns: dict[str, str] | None = None,
             categories: dict[str, str] | None = None, unknown_other: bool = False,
             timezone: str | None = None, phone_region: str | None = None,
             mapping_name: str | None = None, save_as: str | None = None) -> Plan:
        req = ImportRequest(
            Path(path),
            maps=[f"{col}={fld}" for col, fld in (columns or {}).items()],
            category_maps=[f"{label}={cat}" for label, cat in (categories or {}).items() if cat],
            unknown_category="other" if unknown_other else None,
            timezone=timezone or None, phone_region=phone_region or None,
            mapping_name=mapping_name or None, save_mapping=save_as or None)
        return self.svc.plan(req)

    @staticmethod
    def preview(plan: Plan) -> tuple[list[str], list[list[str]]]:
        cols = plan.file.columns
        return cols, [[rec.values.get(c, "") for c in cols] for rec in plan.file.records[:PREVIEW_ROWS]]

    @staticmethod
    def category_labels(plan: Plan) -> dict[str, tuple[int, str]]:
        """The form's own labels in the category column (not category names already): label ->
        (rows, the category it is mapped to or '')."""
        col = plan.mapping.first("category")
        if col is None:
            return {}
        counts: Counter[str] = Counter(
            (rec.values.get(col) or "").strip() for rec in plan.file.records)
        return {label: (n, plan.options.category_map.get(label.lower(), "")) for label, n in counts.most_common()
                if label.lower() in plan.options.category_map or check_category(label).error}

    @staticmethod
    def field_of(plan: Plan) -> dict[str, str]:
        chosen = {c.column: c.field for c in plan.mapping.columns}
        return {col: chosen.get(col, NOT_IMPORTED) for col in plan.file.columns}

    def dry_run(self, plan: Plan) -> FormImportReport:
        return self.svc.run(plan, dry_run=True)

    def run(self, plan: Plan, progress: Callable[[int, int], None]) -> FormImportReport:
        self.cancel_requested = False
        return self.svc.run(plan, progress=progress, cancelled=lambda: self.cancel_requested)

    @staticmethod
    def summary(plan: Plan, report: FormImportReport, limit: int = 20) -> list[str]:
        w = report.where_word
        verb = "Would import" if report.dry_run else "Imported"
        lines = [f"{verb} {report.imported} of {report.total}; already imported {report.already_imported}; "
                 f"refused {len(report.refused)}; held {len(report.held)}."]
        lines += [f"Note: {n}" for n in plan.notes]
        if report.refused:
            lines.append("Refused:")
            lines += [f"  {w} {r.where}: {r.reason}" for r in report.refused[:limit]]
            if len(report.refused) > limit:
                lines.append(f"  … and {len(report.refused) - limit} more")
        if report.held:
            lines.append("Held for a staff decision (erased earlier on request):")
            lines += [f"  {w} {r.where}" for r in report.held[:limit]]
        if report.phone_unchecked:
            lines.append("Phone kept as typed, unchecked: " + ", ".join(f"{w} {n}" for n in report.phone_unchecked[:limit]))
        return lines
