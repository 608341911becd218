"""A second helpdesk-intake process for the reliability tests.

    child.py hold STORE [IMPORT_FILE]   open the store (passphrase in HELPDESK_INTAKE_PASSPHRASE),
                                        print "ready", wait for a line on stdin, then import
                                        IMPORT_FILE (if given) and print "imported N"
    child.py stall-write OUT            write a report file with desktop.reports.files.atomic_write,
                                        print "writing" when its bytes are written but before they
                                        are on disk, and stall there (to be killed)
    child.py write-hold STORE           hold the store's write lock (an import or sweep writing):
                                        print "ready", commit when a line comes on stdin
    child.py stall-backup STORE OUT     back the store up to OUT, print "copied" once the copy is
                                        written but before it is verified, and stall there
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from desktop.app import open_services
from desktop.store.keys import Key

SECRET_PDF = b"%PDF-1.7\n" + b"Zebulon Quartermaine zeb.q@example.org " * 2000


def stall_write(out: Path) -> None:
    import time

    from desktop.reports import files

    def stall(fd: int) -> None:
        print("writing", flush=True)
        time.sleep(600)

    os.fsync = stall
    files.atomic_write(out, SECRET_PDF)


def stall_backup(store: Path, out: Path) -> None:
    import time

    from desktop.services.backup_service import BackupService
    from desktop.store import backups

    def stall(*_args):
        print("copied", flush=True)
        time.sleep(600)

    backups.verify_copy = stall
    services = open_services(store, Key.passphrase(os.environ["HELPDESK_INTAKE_PASSPHRASE"]))
    BackupService(services.ctx).backup(out)


def write_hold(store: Path) -> None:
    from desktop.store.vault import Vault

    vault = Vault.open(store, Key.passphrase(os.environ["HELPDESK_INTAKE_PASSPHRASE"]))
    with vault.transaction() as c:
        c.execute("UPDATE meta SET value = value WHERE key = 'app'")
        print("ready", flush=True)
        sys.stdin.readline()
    vault.close()


def main() -> None:
    mode, store = sys.argv[1], Path(sys.argv[2])
    if mode == "write-hold":
        write_hold(store)
        return
    if mode == "stall-backup":
        stall_backup(store, Path(sys.argv[3]))
        return
    if mode == "stall-write":
        stall_write(store)
        return
    assert mode == "hold"
    services = open_services(store, Key.passphrase(os.environ["HELPDESK_INTAKE_PASSPHRASE"]))
    try:
        print("ready", flush=True)
        sys.stdin.readline()
        if len(sys.argv) > 3:
            report = services.importer.import_file(Path(sys.argv[3]))
            print(f"imported {len(report.case_ids)}", flush=True)
    finally:
        services.close()


if __name__ == "__main__":
    main()
