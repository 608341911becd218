"""CLI rows (bench v2): `helpdesk-intake COMMAND` as a process from the shell, at 100k cases.

Each command runs as the installed console script (`.venv/bin/helpdesk-intake`, app code
byte-compiled first) on a passphrase store (HELPDESK_INTAKE_PASSPHRASE, as a scheduled job runs it),
timed from spawn to exit, against a bare process (bench/cli_bare.py) that imports sqlcipher3, opens
the same store with the same passphrase and runs the equivalent query (report: the same case texts
drawn with bare reportlab; export: the same zip), or for backup `cp` + fsync. Commands that change
the store (erase) get a fresh copy for every run, untimed. Target: at most 3x the bare process.

Backup has three rows: the passphrase store against `cp` + fsync (what the issue asks); the same
command against its like-for-like floor, a bare process that opens the store with the same
passphrase (SQLCipher's one key derivation, which the command must do too) and then does `cp` +
fsync (backup_ctx); and backup of a store keyed from the keyring (a raw key: no derivation, the
default on a workstation) against `cp` + fsync (backup_keyring). The keyring row's app process
finds its key through a bench-only keyring backend (bench/keyring_backend/), as the app asks the
OS keyring; a real Secret Service lookup adds one D-Bus round trip.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.harness import Row, Side, measure_pair
from bench.rows_gui import ROOT, precompile
from bench.stores import NOW, SEED, Workspace

PASSPHRASE = "bench passphrase for the CLI rows only"
PERSON = "ines.cli-bench@example.org"
COMMANDS = ("cases", "show", "report", "export", "erase", "backup", "backup_ctx", "backup_keyring", "sweep")
TITLES = {
    "cases": "CLI cases --search '{term}'", "show": "CLI show (one case)",
    "report": "CLI report (person with {k} cases)", "export": "CLI export (person with {k} cases)",
    "erase": "CLI erase --yes (person with {k} cases)", "backup": "CLI backup (store {mib:.0f} MiB)",
    "backup_ctx": "CLI backup (store {mib:.0f} MiB) vs bare open + cp, context",
    "backup_keyring": "CLI backup, keyring-key store ({mib:.0f} MiB)",
    "sweep": "CLI sweep --dry-run, nothing due",
}
SEARCH_TERM = "spamhaus"


class CliStores:
    """The passphrase store the CLI rows use: a copy of the main store, re-keyed to a passphrase,
    plus one person with `report_cases` cases and verified access, portability and erasure requests."""

    def __init__(self, ws: Workspace, store: Path, report_cases: int = 10) -> None:
        self.ws, self.report_cases = ws, report_cases
        self._path: Path | None = None
        self._keyring_path: Path | None = None
        self.store = store

    @property
    def path(self) -> Path:
        if self._path is None:
            self._path = self._build()
        return self._path

    def _build(self) -> Path:
        import dataclasses

        from desktop.domain.models import CaseQuery, RequestType
        from desktop.services.demo import DemoGenerator
        from desktop.store.keys import Key

        ws = self.ws
        path = ws.passphrase_copy(self.store, PASSPHRASE, "cli")
        services = ws.open(path, Key.passphrase(PASSPHRASE))
        try:
            items = [dataclasses.replace(c.data, email=PERSON, marketing_consent=False)
                     for c in DemoGenerator(SEED + 7, NOW).cases(self.report_cases)]
            services.intake.store_many(items, source="bench")
            for kind in (RequestType.ACCESS, RequestType.PORTABILITY, RequestType.ERASURE):
                req = services.requests.open(kind, PERSON).request
                services.requests.record_verification(req.id, "reply_from_address", verified_by="bench")
            ids = services.cases.ids(CaseQuery())
            self.case_id = int(ids[len(ids) // 2])
            services.retention.sweep(NOW)  # nothing left due as of NOW (the dry-run row plans with nothing due)
            from desktop.store.order_keys import key_sql
            from desktop.store.search import phone_tokens

            rows = services.vault.read(
                f"SELECT {key_sql()}, coalesce(name, ''), coalesce(email, ''), phone, coalesce(description, '')"
                " FROM cases WHERE subject_id = (SELECT id FROM subjects WHERE email = ?)", (PERSON,))
            self.indexed_file = ws.root / "cli-person-indexed.json"
            self.indexed_file.write_text(json.dumps([(k, n, e, phone_tokens(p), d) for k, n, e, p, d in rows]),
                                         encoding="utf-8")
        finally:
            services.close()
        self.as_of = "2026-01-10"
        return path

    @property
    def keyring_path(self) -> Path:
        """A copy of the main store under its raw key, which the app finds in the (bench) keyring."""
        if self._keyring_path is None:
            self._keyring_path = self.ws.copy(self.store, "cli-keyring")
        return self._keyring_path

    def keyring_env(self, store: Path) -> dict[str, str]:
        from desktop.store.keys import keyring_account

        env = self.env(store, app=True)
        del env["HELPDESK_INTAKE_PASSPHRASE"]
        env.update(PYTHON_KEYRING_BACKEND="bench_env_keyring.EnvKeyring", BENCH_KEYRING_KEY=self.ws.key.secret,
                   BENCH_KEYRING_ACCOUNT=keyring_account(store),
                   PYTHONPATH=env["PYTHONPATH"] + os.pathsep + str(ROOT / "bench" / "keyring_backend"))
        return env

    def env(self, store: Path, app: bool = False) -> dict[str, str]:
        """app: the app side may run another checkout's code (BENCH_APP_ROOT, e.g. an export of main
        for before/after figures); the bare side and the bench always run this one."""
        root = os.environ.get("BENCH_APP_ROOT", str(ROOT)) if app else str(ROOT)
        env = {k: v for k, v in os.environ.items() if not k.startswith("HELPDESK_INTAKE_") and k != "BENCH_APP_ROOT"}
        env.update(HELPDESK_INTAKE_PASSPHRASE=PASSPHRASE, HELPDESK_INTAKE_STORE=str(store),
                   HELPDESK_INTAKE_STAFF="bench", PYTHONDONTWRITEBYTECODE="1",
                   PYTHONPATH=root + (os.pathsep + os.environ["PYTHONPATH"] if os.environ.get("PYTHONPATH") else ""))
        return env


def app_exe() -> list[str]:
    script = Path(sys.executable).parent / "helpdesk-intake"
    return [str(script)] if script.exists() else [sys.executable, "-m", "desktop"]


def _run(argv: list[str], env: dict[str, str], ok=(0,)) -> float:
    t0 = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          timeout=600)
    elapsed = time.perf_counter() - t0
    if done.returncode not in ok:
        raise RuntimeError(f"{' '.join(argv[:3])} exited {done.returncode}: {done.stderr.strip()[-300:]}")
    return elapsed


def cp_fsync(src: Path, dst: Path) -> None:
    shutil.copyfile(src, dst)
    fd = os.open(dst, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sides(cli: CliStores, command: str) -> tuple[Side, Side]:
    from desktop.paths import resource

    ws = cli.ws
    path = cli.keyring_path if command == "backup_keyring" else cli.path
    font = str(resource("fonts", "DejaVuSans.ttf"))
    out_dir = ws.root / "cli-out"
    out_dir.mkdir(exist_ok=True)
    bare = [sys.executable, "-m", "bench.cli_bare"]
    app = app_exe()

    def fresh(stem: str):
        def setup() -> Path:
            for f in out_dir.iterdir():
                f.unlink()
            return ws.copy(path, stem) if command == "erase" else path
        return setup

    def unlink_copy(p: Path) -> None:
        if p != path:
            from bench.rows_data import _unlink

            _unlink(p)

    def app_body(p: Path) -> float:
        args = {
            "cases": ["cases", "--search", SEARCH_TERM],
            "show": ["show", str(cli.case_id)],
            "report": ["report", "--email", PERSON, "--out", str(out_dir / "app.pdf")],
            "export": ["export", "--email", PERSON, "--out", str(out_dir / "app.zip")],
            "erase": ["erase", "--email", PERSON, "--yes"],
            "backup": ["backup", "--out", str(out_dir / "app.bak")],
            "backup_ctx": ["backup", "--out", str(out_dir / "app.bak")],
            "backup_keyring": ["backup", "--out", str(out_dir / "app.bak")],
            "sweep": ["sweep", "--dry-run", "--as-of", cli.as_of],
        }[command]
        return _run(app + args, cli.keyring_env(p) if command == "backup_keyring" else cli.env(p, app=True))

    def bare_body(p: Path) -> float:
        if command in ("backup", "backup_keyring"):
            t0 = time.perf_counter()
            cp_fsync(p, out_dir / "bare.bak")
            return time.perf_counter() - t0
        args = {
            "cases": ["cases", str(p), SEARCH_TERM],
            "show": ["show", str(p), str(cli.case_id)],
            "report": ["report", str(p), PERSON, str(out_dir / "bare.pdf"), font],
            "export": ["export", str(p), PERSON, str(out_dir / "bare.zip")],
            "erase": ["erase", str(p), PERSON, str(cli.indexed_file)],
            "backup_ctx": ["backup", str(p), str(out_dir / "bare.bak")],
            "sweep": ["sweep", str(p), cli.as_of + "T00:00:00+00:00"],
        }[command]
        return _run(bare + args, cli.env(p))

    return (Side(app_body, fresh("cli-app"), unlink_copy, self_timed=True),
            Side(bare_body, fresh("cli-bare"), unlink_copy, self_timed=True))


def cli_row(cli: CliStores, command: str, n: int, *, runs: int) -> Row:
    precompile()
    app, bare = sides(cli, command)
    a, b = measure_pair(app, bare, runs=runs, warmup=1)
    store = cli.keyring_path if command == "backup_keyring" else cli.path
    title = TITLES[command].format(term=SEARCH_TERM, k=cli.report_cases,
                                   mib=store.stat().st_size / 2**20) + f" ({n:,} cases)"
    row = Row(f"cli_{command}", title, a, b, target=3.0)
    row.note = ("process from spawn to exit, " + ("keyring (raw) key" if command == "backup_keyring" else
                                                  "passphrase store") + "; baseline = "
                + ("cp + fsync of the store file" if command in ("backup", "backup_keyring") else
                   "bare python: sqlcipher3 opens the store with the same passphrase (one key derivation), "
                   "then cp + fsync (bench/cli_bare.py)" if command == "backup_ctx" else
                   "bare python: sqlcipher3, same passphrase, equivalent query (bench/cli_bare.py)"))
    return row
