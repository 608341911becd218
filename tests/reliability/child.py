"""A second helpdesk-intake process for the reliability tests.

    child.py hold STORE [IMPORT_FILE]   open the store (passphrase in HELPDESK_INTAKE_PASSPHRASE),
                                        print "ready", wait for a line on stdin, then import
                                        IMPORT_FILE (if given) and print "imported N"
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from desktop.bootstrap import open_services
from desktop.store.keys import Key


def main() -> None:
    mode, store = sys.argv[1], Path(sys.argv[2])
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
