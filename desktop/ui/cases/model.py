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
_R = Qt.ItemDataRole
DISPLAY, ACCESSIBLE, USER, ALIGNMENT = (int(_R.DisplayRole), int(_R.AccessibleTextRole), int(_R.UserRole),
                                        int(_R.TextAlignmentRole))
BACKGROUND, FOREGROUND, TOOLTIP, DECORATION = (int(_R.BackgroundRole), int(_R.ForegroundRole), int(_R.ToolTipRole),
                                               int(_R.DecorationRole))
ROLES = frozenset({DISPLAY, ACCESSIBLE, USER, ALIGNMENT, BACKGROUND, FOREGROUND, TOOLTIP, DECORATION})
REMOVAL_COLUMN = [k for k, _ in COLUMNS].index("next_removal")
RIGHT_ALIGNED = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


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


class _Cells:
    """A row's answers to data(), computed once when its block is read (not at every repaint)."""

    __slots__ = ("texts", "accessible_id", "background", "foreground", "tips", "icon")

    def __init__(self, r: CaseRow) -> None:
        self.texts = tuple(r.cell(key) for key, _ in COLUMNS)
        markers = r.markers()
        self.accessible_id = self.texts[0] + (", " + " ".join(markers) if markers else "")
        kind = "restricted" if r.restricted else "hold" if r.on_hold else None
        colours = scheme() if kind else None
        self.background = QBrush(QColor(colours[kind + "_bg"])) if colours else None
        self.foreground = QBrush(QColor(colours[kind + "_fg"])) if colours else None
        tip = "\n".join(markers) if markers else None
        removal_tip = ("\n".join([f"Next removal: {self.texts[REMOVAL_COLUMN]}", *markers])
                       if r.removal_at else tip)
        self.tips = tuple(removal_tip if i == REMOVAL_COLUMN else tip for i in range(len(COLUMNS)))
        self.icon = None
        if r.on_hold or r.restricted:
            self.icon = marker_icon("both" if r.on_hold and r.restricted else ("hold" if r.on_hold else "restricted"))


class CaseTableModel(QAbstractTableModel):
    BLOCK = 200  # ids read per page
    ROWS = 50  # rows read per block: about two screens, so a keystroke's repaint reads few rows
    MAX_BLOCKS = 16
    EXTEND = 2000  # ids read at least per extension of a paged list
    queryChanged = Signal()  # noqa: N815 - Qt naming

    def __init__(self, services, parent=None, *, lazy: bool = False, runner=None) -> None:
        """lazy: leave the query for the first ensure_loaded() (the main window's case list runs it
        when the Cases view is first shown, so start does not read 100,000 ids for a hidden list).
        runner: where the count of a long list and the listing's audit entry run (the window's
        TaskRunner: off the GUI thread, after the first page shows); None: at once, in reload()."""
        super().__init__(parent)
        self.services = services
        self.runner = runner
        self.counting = False  # the list shows its first page; its exact count is on its way
        self._words: dict[str, str] | None = None
        self._generation = 0
        self.query = CaseQuery()
        self._ids: array = array("q")  # the list's ids read so far, in order
        self._total = 0  # rows in the list (its count)
        self._more: object | None = None  # token for the ids after self._ids; None: all read
        self._stale = False
        self._blocks: OrderedDict[int, list[tuple[CaseRow, _Cells] | None]] = OrderedDict()
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
        """Re-run the query (after a save, import or edit); rows are fetched again when shown.
        The first page shows at once; a longer list's count and the audit entry of the listing
        follow from the runner (counting is True until then)."""
        query = self.query
        later = self.runner is not None
        listing = self.services.cases.list_page(query, self.BLOCK, later=later)  # audited: personal data
        old_total = self._total
        # the same first page (typing on while every match stays, a save that moved nothing): no
        # model reset, so the view keeps its scroll, selection and layout and repaints only cells
        same = self.loaded and old_total > 0 and listing.ids == self._ids[:len(listing.ids)]
        if not same:
            self.beginResetModel()
        self._generation += 1
        self._ids, self._more = listing.ids, listing.more
        total = listing.total if listing.total is not None else len(listing.ids)
        self.counting = listing.total is None
        self._stale = False
        self.loaded = True
        self._blocks.clear()
        self._words = None  # the retention policies' words, read again once per listing
        if same:
            self._resize(old_total, total)
        else:
            self._total = total
        if self._total:  # the first rows now, before the count can hold the store in the background
            self._blocks[0] = self._fetch(0)
        if same:
            if self._total:
                self.dataChanged.emit(self.index(0, 0), self.index(self._total - 1, len(COLUMNS) - 1))
        else:
            self.endResetModel()
        self.queryChanged.emit()
        if later:
            generation = self._generation

            def finish() -> int | None:
                if generation != self._generation and listing.audit is None:
                    return None  # typed on meanwhile: nobody will see this count
                return self.services.cases.finish_listing(query, listing)

            self.runner.run_task(finish, lambda total: self._counted(generation, total),
                                 lambda exc: self._counted(generation, None))

    def _counted(self, generation: int, total: int | None) -> None:
        """The exact count of the list arrived (None: it could not be read; the first page stays)."""
        if generation != self._generation:  # another query (or a lock) came since
            return
        self.counting = False
        if total is not None and total > self._total:
            self.beginInsertRows(QModelIndex(), self._total, total - 1)
            self._total = total
            self.endInsertRows()
        self.queryChanged.emit()

    def _resize(self, old: int, new: int) -> None:
        """The row count moves from old to new without a model reset."""
        if new < old:
            self.beginRemoveRows(QModelIndex(), new, old - 1)
            self._total = new
            self.endRemoveRows()
        elif new > old:
            self.beginInsertRows(QModelIndex(), old, new - 1)
            self._total = new
            self.endInsertRows()

    def clear(self) -> None:
        """Forget every id and cached row (at lock); reload() fills it again."""
        self.beginResetModel()
        self._generation += 1
        self._ids = array("q")
        self._total, self._more = 0, None
        self.counting = False
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
        entry = self._entry(row)
        return entry[0] if entry is not None else None

    def _entry(self, row: int) -> tuple[CaseRow, _Cells] | None:
        if not 0 <= row < self._total:
            return None
        number = row // self.ROWS
        block = self._blocks.get(number)
        if block is None:
            block = self._fetch(number)
            self._blocks[number] = block
            while len(self._blocks) > self.MAX_BLOCKS:
                self._blocks.popitem(last=False)
        else:
            self._blocks.move_to_end(number)
        offset = row - number * self.ROWS
        return block[offset] if offset < len(block) else None

    def _fetch(self, number: int) -> list[tuple[CaseRow, _Cells] | None]:
        self._ensure_ids(min((number + 1) * self.ROWS, self._total) - 1)
        ids = list(self._ids[number * self.ROWS:(number + 1) * self.ROWS])
        cases = self.services.cases.rows(ids)
        removals = self.services.cases.next_removals(ids)
        subject_ids = sorted({c.subject_id for c in cases.values() if c.subject_id is not None})
        subjects = self.services.cases.subjects_for(subject_ids) if subject_ids else {}
        self.rows_fetched += len(ids)
        if self._words is None:
            self._words = policy_words(self.services)
        words = self._words
        out: list[tuple[CaseRow, _Cells] | None] = []
        for case_id in ids:
            case = cases.get(case_id)
            if case is None:  # deleted since the ids were read
                out.append(None)
                continue
            at, policy = removals.get(case_id, (None, None))
            r = CaseRow(case, subjects.get(case.subject_id) if case.subject_id else None, at, policy,
                        words.get(policy) if policy else None)
            out.append((r, _Cells(r)))
        return out

    @property
    def cached_rows(self) -> int:
        return sum(len(b) for b in self._blocks.values())

    # ---- Qt model API ---------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=DISPLAY):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == DISPLAY:
                return COLUMNS[section][1]
            if role == TOOLTIP and COLUMNS[section][0] == "next_removal":
                return "When the retention rules next remove or anonymise this case, and which policy"
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role=DISPLAY):
        """Qt asks this for every role of every visible cell at each repaint (about 3,000 calls for
        a page of results): roles are compared as plain ints (ROLES), never as Qt.XxxRole, whose
        lookup through PySide6's enum shortcuts cost ~5 us each and made a repaint ~0.2 s."""
        role = int(role)
        if role not in ROLES or not index.isValid():
            return None
        column = index.column()
        if role == USER:
            return self.case_id(index.row())
        if role == ALIGNMENT:
            return RIGHT_ALIGNED if column == 0 else None
        entry = self._entry(index.row())
        if entry is None:
            if role == DISPLAY or role == ACCESSIBLE:
                return "(removed)" if COLUMNS[column][0] == "name" else ""
            return None
        cells = entry[1]  # computed once per block (_Cells): a repaint only looks them up
        if role == DISPLAY:
            return cells.texts[column]
        if role == ACCESSIBLE:
            return cells.accessible_id if column == 0 else cells.texts[column]
        if role == BACKGROUND:  # text colour too: readable in a dark theme
            return cells.background
        if role == FOREGROUND:
            return cells.foreground
        if role == TOOLTIP:
            return cells.tips[column]
        if role == DECORATION and column == 0:
            return cells.icon
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
