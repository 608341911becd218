"""Pure domain layer: dataclasses, validation, retention and deadline rules. Imports nothing of ours."""
