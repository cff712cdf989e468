"""Cadences: drip sequences of steps across channels, driven by durable timers in PostgreSQL."""
