"""Shared GUI pieces: style, message boxes, background jobs."""
