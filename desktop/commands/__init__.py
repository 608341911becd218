"""CLI subcommands, one module per area. Each module has register(subparsers). Never imports Qt."""
