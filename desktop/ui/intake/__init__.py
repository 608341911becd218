"""Intake: the form that records a new case, and its controller."""
