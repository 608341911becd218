"""import: web-form exports (WordPress form plugins, any CSV/JSON) and the app's own format."""

from __future__ import annotations

import argparse
import sys

from desktop.commands.common import (
    INVALID,
    OK,
    CliError,
    add_store_arg,
    open_services,
    out,
    path_arg,
    print_json,
)

NEW_OPTIONS = ("profile", "map", "category_map", "value_map", "unknown_category", "timezone", "phone_region",
               "mapping", "save_mapping", "dry_run", "json")


def register_import(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "import", help="import web-form submissions (.csv or .json; WordPress form plugin exports as they are)",
        description="Import a web-form export. The plugin is detected from the header (wpforms, gravityforms, "
                    "flamingo, fluentforms, fluentforms_json, formidable, ninjaforms, app); any other CSV works "
                    "too. The mapping used is printed first; rows already imported are skipped.")
    add_store_arg(p)
    p.add_argument("file", type=path_arg)
    p.add_argument("--profile", metavar="NAME", help="the export's plugin, instead of detecting it")
    p.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD",
                   help="fill FIELD from COLUMN (wins over guesses; 'Email#2' is the second Email column); "
                        "fields: name first_name last_name email phone category subject description "
                        "technical_details details channel received_at marketing_consent over_13 entry_id ignore")
    p.add_argument("--category-map", action="append", default=[], metavar="LABEL=CATEGORY",
                   help="the form's choice LABEL means CATEGORY (bounce, spam_folder, ...)")
    p.add_argument("--value-map", action="append", default=[], metavar="COLUMN:VALUE=yes|no",
                   help="an answer of a radio/select column mapped to marketing_consent or over_13")
    p.add_argument("--unknown-category", choices=("refuse", "other"),
                   help="rows whose category label has no mapping: refuse them (default) or take 'other'")
    p.add_argument("--timezone", metavar="TZ", help="the site's time zone for site-local times "
                                                    "(default: the 'web-form timezone' setting)")
    p.add_argument("--phone-region", metavar="CC", help="region for phone numbers without a country code")
    p.add_argument("--mapping", metavar="NAME", help="use a mapping saved earlier with --save-mapping")
    p.add_argument("--save-mapping", metavar="NAME", help="save the mapping used, for next month's export")
    p.add_argument("--dry-run", action="store_true", help="show what would be imported; write nothing")
    p.add_argument("--json", action="store_true", help="print one JSON object with the result")
    p.set_defaults(func=cmd_import)


def _uses_new_options(args: argparse.Namespace) -> bool:
    return any(getattr(args, name) for name in NEW_OPTIONS)


def cmd_import(args: argparse.Namespace) -> int:
    from desktop.errors import FormImportError
    from desktop.services.form_import import ImportRequest

    req = ImportRequest(args.file, args.profile, args.map, args.category_map, args.value_map,
                        args.unknown_category, args.timezone, args.phone_region, args.mapping, args.save_mapping)
    with open_services(args) as services:
        legacy = not _uses_new_options(args) and args.file.suffix.lower() in (".jsonl", ".ndjson")
        plan = None
        if not legacy:
            try:
                plan = services.form_import.plan(req)
            except FormImportError as exc:
                raise CliError(f"cannot import: {exc}", INVALID) from exc
            legacy = plan.profile.name == "app" and not _uses_new_options(args)
        if legacy:
            return _legacy(services, args)
        try:
            report = services.form_import.run(plan, dry_run=args.dry_run)
        except FormImportError as exc:
            raise CliError(f"cannot import: {exc}", INVALID) from exc
    if args.json:
        print_json(report.as_json(plan))
    else:
        _print(plan, report, args.file.name)
    return INVALID if report.refused or report.held else OK


def _print(plan, report, name: str) -> None:
    export = plan.file
    out(f"profile: {plan.profile.name} ({plan.profile.label}); encoding {export.encoding}; "
        f"{len(export.records)} {'rows' if export.kind == 'csv' else 'records'}; site time zone {plan.timezone}")
    out("mapping:")
    for c in plan.mapping.columns:
        out(f"  {c.column} -> {c.field} ({c.how})")
    if plan.mapping.unmapped:
        out("not imported (neither mapped nor guessed): " + ", ".join(plan.mapping.unmapped))
    if plan.unmapped_labels:
        out("category labels without a mapping (--category-map LABEL=CATEGORY): "
            + "; ".join(f"{label!r} x{n}" for label, n in plan.unmapped_labels.items()))
    for note in plan.notes:
        out(f"note: {note}")
    w = report.where_word
    for r in report.refused:
        print(f"{name}: {w} {r.where}: refused: {r.reason}", file=sys.stderr)
    for r in report.held:
        print(f"{name}: {w} {r.where}: held: {r.reason}", file=sys.stderr)
    if report.phone_unchecked:
        out("phone kept as typed, unchecked: " + ", ".join(f"{w} {n}" for n in report.phone_unchecked))
    verb = "would import" if report.dry_run else "imported"
    out(f"{verb} {report.imported} of {report.total} submissions; {report.already_imported} already imported; "
        f"{len(report.refused)} refused; {len(report.held)} held"
        + (" (dry run: nothing written)" if report.dry_run else ""))


def _legacy(services, args: argparse.Namespace) -> int:
    """The app's own format with no web-form options: exactly the import of earlier versions."""
    report = services.importer.import_file(args.file)
    for err in report.errors:
        print(f"{args.file.name}: line {err.line}: {err.message}", file=sys.stderr)
    out(f"imported {len(report.case_ids)} of {report.total} submissions"
        + (f"; {len(report.errors)} rejected (see above)" if report.errors else ""))
    return INVALID if report.errors else OK
