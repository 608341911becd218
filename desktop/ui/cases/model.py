"""The case list's table model: ordered ids (a compact array) read a page at a time, rows fetched
lazily in blocks.

A list in received order (the default) starts with its first page of ids and its count, so the
scroll bar is exact at once; further ids are read off the index in list order when a row past them
is needed (scrolling, dragging the scroll bar). Other orders read every id up front. Qt asks only
for the rows on screen, and each block of rows is one query for its cases, retention timers and
data subjects. With 1,000,000 cases, opening the list or searching reads a page, not a million ids.
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from dataclasses import dataclass, replace

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from desktop.domain.models import Case, CaseQuery, Subject
from desktop.ui.retention.text import policy_words, removal_cell
from desktop.ui.widgets.style import marker_icon, scheme

COLUMNS = (
    ("id", "ID"),
    ("received_at", "Received (UTC)"),
    ("name", "Name"),
    ("email", "Email"),
    ("category", "Category"),
    ("status", "Status"),
    ("next_removal", "Next removal"),
)
DASH = "—"


@dataclass(frozen=True)
class CaseRow:
    case: Case
    subject: Subject | None
    removal_at: str | None
    removal_policy: str | None
    removal_word: str | None = None  # 'phone', 'anonymise' ... (desktop/ui/retention/text.py)

    @property
    def on_hold(self) -> bool:
        return self.case.legal_hold_reason is not None or bool(self.subject and self.subject.on_hold)

    @property
    def restricted(self) -> bool:
        return bool(self.subject and self.subject.restricted)

    def cell(self, key: str) -> str:
        c = self.case
        if key == "id":
            return str(c.id)
        if key == "received_at":
            return c.received_at.strftime("%Y-%m-%d %H:%M")
        if key == "name":
            return c.name or "(anonymised)"
        if key == "email":
            return c.email or DASH
        if key == "category":
            return c.category.label
        if key == "status":
            return c.status.label
        if key == "next_removal":
            return removal_cell(self.removal_at, self.removal_policy, self.removal_word, self.on_hold)
        return ""

    def markers(self) -> list[str]:
        out = []
        if self.on_hold:
            out.append("Legal hold: this case must not be deleted.")
        if self.restricted:
            out.append("Restricted: processing of this person's data is restricted; read-only.")
        if self.case.anonymised:
            out.append("Anonymised.")
        return out


class CaseTableModel(QAbstractTableModel):
    BLOCK = 200
    MAX_BLOCKS = 8
    EXTEND = 2000  # ids read at least per extension of a paged list
    queryChanged = Signal()  # noqa: N815 - Qt naming

    def __init__(self, services, parent=None, *, lazy: bool = False) -> None:
        """lazy: leave the query for the first ensure_loaded() (the main window's case list runs it
        when the Cases view is first shown, so start does not read 100,000 ids for a hidden list)."""
        super().__init__(parent)
        self.services = services
        self.query = CaseQuery()
        self._ids: array = array("q")  # the list's ids read so far, in order
        self._total = 0  # rows in the list (its count)
        self._more: object | None = None  # token for the ids after self._ids; None: all read
        self._stale = False
        self._blocks: OrderedDict[int, list[CaseRow | None]] = OrderedDict()
        self.rows_fetched = 0  # how many rows were read from the store (for tests and tuning)
        self.loaded = False
        if not lazy:
            self.reload()

    def ensure_loaded(self) -> None:
        if not self.loaded:
            self.reload()

    # ---- query ----------------------------------------------------------------------------------
    def set_query(self, query: CaseQuery) -> None:
        self.query = query
        self.reload()

    def set_search(self, text: str) -> None:
        self.set_query(replace(self.query, search=text))

    def set_status(self, status) -> None:
        self.set_query(replace(self.query, status=status))

    def reload(self) -> None:
        """Re-run the query (after a save, import or edit); rows are fetched again when shown."""
        self.beginResetModel()
        listing = self.services.cases.list_page(self.query, self.BLOCK)  # audited: personal data
        self._ids, self._total, self._more = listing.ids, listing.total, listing.more
        self._stale = False
        self.loaded = True
        self._blocks.clear()
        self.endResetModel()
        self.queryChanged.emit()

    def clear(self) -> None:
        """Forget every id and cached row (at lock); reload() fills it again."""
        self.beginResetModel()
        self._ids = array("q")
        self._total, self._more = 0, None
        self.loaded = False
        self._blocks.clear()
        self.endResetModel()

    def _ensure_ids(self, row: int) -> bool:
        """Read the list's ids up to `row` (and a margin) if they are not read yet. False when the
        row has no case: the store lost cases since the count, and the list is reloaded."""
        while row >= len(self._ids) and self._more is not None:
            want = max(self.EXTEND, row + 1 - len(self._ids) + self.BLOCK)
            ids, self._more = self.services.cases.more_ids(self.query, self._more, want)
            self._ids.extend(ids)
        if row < len(self._ids):
            return True
        if row < self._total and not self._stale:
            self._stale = True
            QTimer.singleShot(0, self.reload)
        return False

    @property
    def ids_read(self) -> int:
        return len(self._ids)

    def case_id(self, row: int) -> int | None:
        if not 0 <= row < self._total or not self._ensure_ids(row):
            return None
        return int(self._ids[row])

    def row_of(self, case_id: int) -> int | None:
        """The row of a case among the ids read so far (a new case is on the first page)."""
        try:
            return self._ids.index(case_id)
        except ValueError:
            return None

    # ---- lazy rows ------------------------------------------------------------------------------
    def row(self, row: int) -> CaseRow | None:
        if not 0 <= row < self._total:
            return None
        number = row // self.BLOCK
        block = self._blocks.get(number)
        if block is None:
            block = self._fetch(number)
            self._blocks[number] = block
            while len(self._blocks) > self.MAX_BLOCKS:
                self._blocks.popitem(last=False)
        else:
            self._blocks.move_to_end(number)
        offset = row - number * self.BLOCK
        return block[offset] if offset < len(block) else None

    def _fetch(self, number: int) -> list[CaseRow | None]:
        self._ensure_ids(min((number + 1) * self.BLOCK, self._total) - 1)
        ids = list(self._ids[number * self.BLOCK:(number + 1) * self.BLOCK])
        cases = self.services.cases.rows(ids)
        removals = self.services.cases.next_removals(ids)
        subject_ids = sorted({c.subject_id for c in cases.values() if c.subject_id is not None})
        subjects = self.services.cases.subjects_for(subject_ids) if subject_ids else {}
        self.rows_fetched += len(ids)
        words = policy_words(self.services)
        out: list[CaseRow | None] = []
        for case_id in ids:
            case = cases.get(case_id)
            if case is None:  # deleted since the ids were read
                out.append(None)
                continue
            at, policy = removals.get(case_id, (None, None))
            out.append(CaseRow(case, subjects.get(case.subject_id) if case.subject_id else None, at, policy,
                               words.get(policy) if policy else None))
        return out

    @property
    def cached_rows(self) -> int:
        return sum(len(b) for b in self._blocks.values())

    # ---- Qt model API ---------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):  # noqa: N802
        if orientation == Qt.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.DisplayRole:
                return COLUMNS[section][1]
            if role == Qt.ToolTipRole and COLUMNS[section][0] == "next_removal":
                return "When the retention rules next remove or anonymise this case, and which policy"
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        key = COLUMNS[index.column()][0]
        if role in (Qt.DisplayRole, Qt.AccessibleTextRole):
            r = self.row(index.row())
            if r is None:
                return "(removed)" if key == "name" else ""
            text = r.cell(key)
            if role == Qt.AccessibleTextRole and key == "id" and r.markers():
                text += ", " + " ".join(r.markers())
            return text
        if role == Qt.UserRole:
            return self.case_id(index.row())
        if role == Qt.TextAlignmentRole and key == "id":
            return int(Qt.AlignRight | Qt.AlignVCenter)
        if role in (Qt.BackgroundRole, Qt.ForegroundRole, Qt.ToolTipRole, Qt.DecorationRole):
            r = self.row(index.row())
            if r is None:
                return None
            if role in (Qt.BackgroundRole, Qt.ForegroundRole):  # text colour too: readable in a dark theme
                kind = "restricted" if r.restricted else "hold" if r.on_hold else None
                if kind is None:
                    return None
                suffix = "_bg" if role == Qt.BackgroundRole else "_fg"
                return QBrush(QColor(scheme()[kind + suffix]))
            if role == Qt.ToolTipRole:
                lines = r.markers()
                if key == "next_removal" and r.removal_at:
                    lines = [f"Next removal: {r.cell(key)}", *lines]
                return "\n".join(lines) if lines else None
            if role == Qt.DecorationRole and key == "id" and (r.on_hold or r.restricted):
                kind = "both" if r.on_hold and r.restricted else ("hold" if r.on_hold else "restricted")
                return marker_icon(kind)
        return None

    def sort(self, column: int, order=Qt.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        key = COLUMNS[column][0]
        descending = order == Qt.DescendingOrder
        if key == self.query.sort and descending == self.query.descending:
            return
        self.set_query(replace(self.query, sort=key, descending=descending))

    @staticmethod
    def column_of(key: str) -> int:
        return [k for k, _ in COLUMNS].index(key)
