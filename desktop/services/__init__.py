"""Use cases. No Qt, no SQL: they talk to store repositories and domain rules."""
