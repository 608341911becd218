"""The bare process each CLI row is measured against (bench/rows_cli.py): no app code at all.

    python -m bench.cli_bare MODE STORE [ARGS...]     (the passphrase in HELPDESK_INTAKE_PASSPHRASE)

It imports sqlcipher3, opens the store with the passphrase (SQLCipher's own key derivation, once),
sets the store's pragmas and runs the query equivalent to the command; report and export also draw
the same case texts as a PDF with bare reportlab / write the same zip of JSON and CSV; erase deletes
the person's rows, child rows and search entries in one transaction (FTS5 secure-delete, as the
store is configured) and truncates the WAL. backup (the like-for-like context row) opens the store
with the passphrase (the one key derivation `helpdesk-intake backup` must do too), then copies the
file and fsyncs the copy; the plain `cp` + fsync baseline is measured in rows_cli directly.
Only bench/ and the standard library are imported here, never desktop/.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import zipfile

PRAGMAS = ("PRAGMA secure_delete = ON", "PRAGMA temp_store = MEMORY", "PRAGMA foreign_keys = ON",
           "PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL", "PRAGMA cache_size = -32000")
COLUMNS = ("id, subject_id, name, email, phone, category, description, technical_details, channel, status,"
           " received_at, closed_at, last_activity_at, resolution, notice_version, notice_acknowledged_at")
ID_MASK = (1 << 30) - 1


def connect(path: str):
    import sqlcipher3

    conn = sqlcipher3.connect(path, isolation_level=None)
    secret = os.environ["HELPDESK_INTAKE_PASSPHRASE"]
    conn.execute("PRAGMA key = '" + secret.replace("'", "''") + "'")
    for pragma in PRAGMAS:
        conn.execute(pragma).fetchall()
    return conn


def person_cases(conn, email: str) -> list[tuple]:
    return conn.execute(f"SELECT {COLUMNS} FROM cases WHERE subject_id = (SELECT id FROM subjects WHERE email = ?)"
                        " ORDER BY received_at", (email,)).fetchall()


def cases_search(conn, term: str) -> None:
    match = '"' + term.replace('"', '""') + '"*'
    ids = [(-k) & ID_MASK for (k,) in conn.execute(
        "SELECT rowid FROM cases_fts WHERE cases_fts MATCH ? ORDER BY rowid", (match,))]
    rows = {}
    for start in range(0, len(ids), 500):
        part = ids[start:start + 500]
        for r in conn.execute(f"SELECT id, received_at, status, category, name, email FROM cases"
                              f" WHERE id IN ({','.join('?' * len(part))})", part):
            rows[r[0]] = r
    out = sys.stdout
    out.write(f"{'ID':>6}  {'RECEIVED':<10}  {'STATUS':<8}  {'CATEGORY':<20}  {'NAME':<24}  EMAIL\n")
    for i in ids:
        r = rows[i]
        out.write(f"{r[0]:>6}  {r[1][:10]:<10}  {r[2]:<8}  {r[3]:<20}  {(r[4] or '-')[:24]:<24}  {r[5] or '-'}\n")


def show(conn, case_id: int) -> None:
    row = conn.execute(f"SELECT {COLUMNS} FROM cases WHERE id = ?", (case_id,)).fetchone()
    notes = conn.execute("SELECT * FROM case_notes WHERE case_id = ?", (case_id,)).fetchall()
    changes = conn.execute("SELECT * FROM case_changes WHERE case_id = ?", (case_id,)).fetchall()
    consents = conn.execute("SELECT * FROM consents WHERE case_id = ?", (case_id,)).fetchall()
    for name, value in zip(COLUMNS.split(", "), row, strict=True):
        sys.stdout.write(f"{name:<20} {value}\n")
    for extra in (*notes, *changes, *consents):
        sys.stdout.write(repr(extra) + "\n")


def report(conn, email: str, out: str, font: str) -> None:
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table

    cases = person_cases(conn, email)
    pdfmetrics.registerFont(TTFont("Bare-Sans", font))
    styles = getSampleStyleSheet()
    body = styles["BodyText"].clone("bare", fontName="Bare-Sans", fontSize=9.5)
    head = styles["Heading2"].clone("bareh", fontName="Bare-Sans")
    story: list = [Paragraph("Access report", styles["Title"].clone("baret", fontName="Bare-Sans")),
                   Paragraph(escape(email), body), PageBreak()]
    names = COLUMNS.split(", ")
    for c in cases:
        story.append(Paragraph(escape(f"Support case {c[0]} — received {c[10][:10]}"), head))
        story.append(Table([[Paragraph(escape(k), body), Paragraph(escape(str(v or "—")).replace("\n", "<br/>"), body)]
                            for k, v in zip(names[2:], c[2:], strict=True)], colWidths=[40 * mm, 130 * mm]))
    SimpleDocTemplate(out, pagesize=A4).build(story)


def export(conn, email: str, out: str) -> None:
    cases = person_cases(conn, email)
    names = COLUMNS.split(", ")
    ids = [c[0] for c in cases]
    marks = ",".join("?" * len(ids))
    consents = conn.execute(f"SELECT * FROM consents WHERE case_id IN ({marks})", ids).fetchall()
    notes = conn.execute(f"SELECT * FROM case_notes WHERE case_id IN ({marks})", ids).fetchall()
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(names)
    writer.writerows(cases)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("cases.json", json.dumps([dict(zip(names, c, strict=True)) for c in cases], ensure_ascii=False,
                                            indent=2))
        z.writestr("cases.csv", text.getvalue())
        z.writestr("consents.json", json.dumps(consents, default=str))
        z.writestr("notes.json", json.dumps(notes, default=str))


def erase(conn, email: str, indexed_file: str) -> None:
    """indexed_file: the person's search entries as indexed (JSON; their phone tokens are the app's
    computation, made untimed by rows_cli), removed with FTS5's 'delete' command (secure-delete)."""
    indexed = json.loads(open(indexed_file, encoding="utf-8").read())
    conn.execute("BEGIN IMMEDIATE")
    sid = conn.execute("SELECT id FROM subjects WHERE email = ?", (email,)).fetchone()[0]
    ids = [r[0] for r in conn.execute("SELECT id FROM cases WHERE subject_id = ?", (sid,))]
    marks = ",".join("?" * len(ids))
    for table in ("case_notes", "case_changes", "consents", "request_cases"):
        conn.execute(f"DELETE FROM {table} WHERE case_id IN ({marks})", ids)
    conn.executemany("INSERT INTO cases_fts(cases_fts, rowid, name, email, phone, description)"
                     " VALUES ('delete', ?, ?, ?, ?, ?)", indexed)
    conn.execute(f"DELETE FROM cases WHERE id IN ({marks})", ids)
    conn.execute("DELETE FROM consents WHERE subject_id = ?", (sid,))
    conn.execute("UPDATE requests SET subject_id = NULL WHERE subject_id = ?", (sid,))
    conn.execute("DELETE FROM subjects WHERE id = ?", (sid,))
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()


def sweep_plan(conn, as_of: str) -> None:
    """Nothing due: one look-up on the removal-time index answers it."""
    due = conn.execute("SELECT id FROM cases WHERE next_removal_at < ? ORDER BY next_removal_at LIMIT 1",
                       (as_of,)).fetchall()
    sys.stdout.write("nothing is due\n" if not due else f"{len(due)} due\n")


def backup(conn, store: str, out: str) -> None:
    """`cp` + fsync after the open: the store's WAL folded in first (as the app's copy does)."""
    import shutil

    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    shutil.copyfile(store, out)
    fd = os.open(out, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def main(argv: list[str]) -> int:
    mode, store, rest = argv[0], argv[1], argv[2:]
    conn = connect(store)
    if mode == "cases":
        cases_search(conn, rest[0])
    elif mode == "show":
        show(conn, int(rest[0]))
    elif mode == "report":
        report(conn, rest[0], rest[1], rest[2])
    elif mode == "export":
        export(conn, rest[0], rest[1])
    elif mode == "erase":
        erase(conn, rest[0], rest[1])
    elif mode == "sweep":
        sweep_plan(conn, rest[0])
    elif mode == "backup":
        backup(conn, store, rest[0])
    else:
        raise SystemExit(f"unknown mode {mode}")
    conn.close()
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
