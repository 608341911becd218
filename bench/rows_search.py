"""Search rows: the window's list query against a raw FTS5 prefix query returning the same ids.

v2 baseline (issue 17): the same FTS5 prefix query ('"term"*', what search-as-you-type runs) on a
bare sqlcipher3 connection, reading the first 200 ids in list order, their count and the first page
of rows; the app must return the very same ids (checked). A LIKE scan stays as a context row only.
Both sides run in the bench process, where SQLCipher's memory security is on (set-up stores were
closed), as in a window after its first lock.
"""

from __future__ import annotations

from bench.harness import Row, Side, measure, measure_pair
from bench.stores import Workspace
from desktop.domain.models import CaseQuery
from desktop.store.rows import CASE_COLUMNS

LIST_PAGE = 200  # ids the window's case list reads first (CaseTableModel.BLOCK)
PAGE = 50  # rows on screen
ID_MASK = (1 << 30) - 1  # desktop/store/order_keys.py: case id = (-key) & MAX_CASE_ID


def search_terms(services) -> dict[str, str]:
    ids = list(services.cases.ids(CaseQuery(sort="id", descending=False))[:2000])
    cases = services.cases.rows(ids)
    name = email = None
    for i in ids[500:]:
        last = (cases[i].name or "").split()[-1]
        if name is None and last.isascii() and last.isalpha() and len(last) >= 7:
            name = last[:5].lower()
        local = (cases[i].email or "").split("@")[0]
        if email is None and local.isalpha() and len(local) >= 8:
            email = local[:6]
        if name and email:
            break
    return {"name fragment": name or "smith", "email fragment": email or "info", "description word": "spamhaus"}


def fts_match(text: str) -> str:
    """'ab cd' -> '"ab"* AND "cd"*' (the query desktop/store/search.py builds)."""
    return " AND ".join('"' + w.replace('"', '""') + '"*' for w in text.split())


def raw_listing(conn, text: str, page: int = PAGE) -> tuple[list[int], int]:
    """Bare sqlcipher3: first LIST_PAGE ids off the index in key order, their count, the rows on screen."""
    match = fts_match(text)
    ids = [(-k) & ID_MASK for (k,) in conn.execute(
        "SELECT rowid FROM cases_fts WHERE cases_fts MATCH ? ORDER BY rowid LIMIT ?", (match, LIST_PAGE))]
    total = conn.execute("SELECT count(*) FROM cases_fts WHERE cases_fts MATCH ?", (match,)).fetchone()[0]
    first = ids[:page]
    if first:
        conn.execute(f"SELECT {CASE_COLUMNS} FROM cases WHERE id IN ({','.join('?' * len(first))})",
                     first).fetchall()
    return ids, total


def app_listing(services, text: str, page: int = PAGE) -> tuple[list[int], int]:
    """As the window's list: first page of ids + the count (audited), then the rows on screen."""
    listing = services.cases.list_page(CaseQuery(search=text), LIST_PAGE)
    services.cases.rows(list(listing.ids[:page]))
    return list(listing.ids), listing.total


def like_listing(conn, term: str, page: int = PAGE) -> None:
    like = f"%{term}%"
    ids = [r[0] for r in conn.execute(
        "SELECT id FROM cases WHERE name LIKE ?1 OR email LIKE ?1 OR phone LIKE ?1 OR description LIKE ?1"
        " ORDER BY received_at DESC, id DESC", (like,))]
    marks = ",".join("?" * len(ids[:page]))
    conn.execute(f"SELECT {CASE_COLUMNS} FROM cases WHERE id IN ({marks})", ids[:page]).fetchall()


def search_rows(ws: Workspace, store, n: int, *, runs: int) -> list[Row]:
    services = ws.open(store)
    conn = ws.raw(store)
    rows = []
    try:
        for label, term in search_terms(services).items():
            app_ids, total = app_listing(services, term)
            raw_ids, raw_total = raw_listing(conn, term)
            same = app_ids == raw_ids and total == raw_total
            a, b = measure_pair(Side(lambda _, t=term: app_listing(services, t)),
                                Side(lambda _, t=term: raw_listing(conn, t)), runs=runs, warmup=2)
            key = label.split()[0]
            row = Row(f"search_{key}", f"search {label} ({n:,} cases)", a, b, extra_ok=a.median < 0.020 and same,
                      extra_text="< 20 ms median", details={"matches": total, "same_ids": same})
            row.note = (f"{total} matches for a {len(term)}-character term; baseline = raw FTS5 prefix query "
                        f"(first {LIST_PAGE} ids in list order + count + {PAGE} rows)"
                        + ("" if same else "; APP AND BASELINE IDS DIFFER"))
            rows.append(row)
            if key == "description":  # LIKE scan: context only (what search cost before the index)
                like = measure(Side(lambda _, t=term: like_listing(conn, t)), runs=max(3, runs // 3), warmup=1)
                ctx = Row("search_like", f"context: LIKE scan for '{term}' ({n:,} cases)", a, like, kind="faster",
                          paired=False)
                ctx.note = "no target: LIKE '%term%' over four columns, ordered by received date, + the same page"
                rows.append(ctx)
    finally:
        services.close()
        conn.close()
    return rows


def search_median(ws: Workspace, store, term: str, runs: int) -> float:
    """Median seconds for one search + first page (for the scaling rows)."""
    services = ws.open(store)
    try:
        return measure(Side(lambda _: app_listing(services, term)), runs=runs, warmup=2).median
    finally:
        services.close()
