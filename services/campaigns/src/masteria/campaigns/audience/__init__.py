"""Audiences: the contacts view fed by events, and the filters over it."""
