"""The whole intake-search-sweep-report cycle on an encrypted store vs the same code on a plaintext one."""

from __future__ import annotations

from itertools import count
from pathlib import Path

from bench.harness import Row, Side, measure_pair
from bench.stores import NOW, PLAINTEXT, Workspace, install_plaintext_switch
from desktop.domain.models import CaseQuery

INTAKES = 50
SEARCHES = ("spamhaus", "dkim", "gmail", "tls")


def _cycle(ws: Workspace, path: Path, key, seq) -> None:
    from bench.rows_data import retention_for

    services = ws.open(path, key)
    try:
        first = None
        for _ in range(INTAKES):
            i = next(seq)
            first = i if first is None else first
            services.intake.submit({
                "name": "Cycle Person", "email": f"cycle{i}@example.org", "phone": "+44 20 7946 0018",
                "category": "bounce", "description": "Bounces with 550 5.7.1 at gmail.com",
                "channel": "email", "notice_acknowledged": True, "not_a_child": True})
        for term in SEARCHES:
            ids = services.cases.ids(CaseQuery(search=term))
            services.cases.rows(list(ids[:50]))
        retention_for(services).sweep(NOW)
        from desktop.reports.access_report import render_access_report
        from desktop.services.dossier import DossierService

        dossier = DossierService(services.ctx, services.settings).gather(f"cycle{first}@example.org")
        render_access_report(dossier, path.with_suffix(".pdf"), request_ref="R-CYCLE", generated_at=NOW,
                             verification_note="Identity verified for the benchmark.")
    finally:
        services.close()


def cycle_row(ws: Workspace, store: Path, n: int, *, runs: int) -> Row:
    try:
        import desktop.reports.access_report  # noqa: F401
        import desktop.services.retention  # noqa: F401
    except ImportError as exc:
        return Row("cycle", f"encrypted vs plaintext cycle ({n:,} cases)", target=1.5,
                   unavailable=f"sweep or report missing from the app ({exc})")
    from bench.rows_data import _unlink
    from bench.rows_sweep import sweep_template

    install_plaintext_switch()
    template, _ = sweep_template(ws, store)
    plain = ws.plaintext_twin(template)
    seq = count()

    def run(key):
        def body(path: Path) -> None:
            _cycle(ws, path, key, seq)
        return body

    enc = Side(run(ws.key), lambda: ws.copy(template, "cycle-enc"), _unlink)
    txt = Side(run(PLAINTEXT), lambda: ws.copy(plain, "cycle-plain"), _unlink)
    a, b = measure_pair(enc, txt, runs=runs, warmup=0)
    row = Row("cycle", f"encrypted vs plaintext store, whole cycle ({n:,} cases)", a, b, target=1.5)
    row.note = (f"open + {INTAKES} intakes + {len(SEARCHES)} searches + retention sweep + access report; "
                "plaintext = same app code with the bench-only 'plaintext-bench-only' key (no PRAGMA key)")
    return row
