"""Search-index row keys that sort like the case list.

The FTS index (cases_fts, schema 3) stores each case under the key

    -(seconds_since_epoch(received_at) * 2**30 + case id)

so ascending keys are the case list's default order (received time, newest first; ties by id,
highest first). A search then reads its first page straight off the index, ORDER BY rowid LIMIT n,
without sorting every match: FTS5 walks a doclist in rowid order and stops early. (Descending rowid
order is not used: FTS5 reverses prefix doclists, which measured tens of times slower.)

Case ids must stay below 2**30 (about a billion cases); received times are stored to the second
(`to_iso`), so the key orders exactly like `ORDER BY received_at DESC, id DESC`.
"""

from __future__ import annotations

import math
from datetime import datetime

from desktop.domain.clock import ensure_utc

ID_BITS = 30
MAX_CASE_ID = (1 << ID_BITS) - 1


def order_key(case_id: int, received_at: datetime | str) -> int:
    if isinstance(received_at, str):
        received_at = datetime.fromisoformat(received_at)
    seconds = math.floor(ensure_utc(received_at).replace(microsecond=0).timestamp())
    return -((seconds << ID_BITS) + case_id)


def key_sql(table: str = "") -> str:
    """The same key as an SQL expression over a cases row (alias `table`)."""
    t = f"{table}." if table else ""
    return f"(-((CAST(strftime('%s', {t}received_at) AS INTEGER) << {ID_BITS}) + {t}id))"


def id_sql(column: str) -> str:
    """The case id inside a key column, as an SQL expression."""
    return f"((-{column}) & {MAX_CASE_ID})"


def case_id_of(key: int) -> int:
    return (-key) & MAX_CASE_ID
