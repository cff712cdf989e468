"""Campaigns: their API, lifecycle, audience snapshot and statistics."""
