"""Contacts keyed by E.164 number."""
