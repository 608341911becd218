import sys

if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--page-check-child":  # desktop/store/page_check.py
        from desktop.store.page_check import child_main

        sys.exit(child_main(sys.argv[2:]))
    if len(sys.argv) > 1 and sys.argv[1] == "--sweep-child":  # desktop/store/sweep_process.py
        from desktop.cli import sweep_child

        sys.exit(sweep_child(sys.argv[2:]))
    from desktop.cli import main

    sys.exit(main())
