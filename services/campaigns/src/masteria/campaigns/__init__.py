"""Campaigns and cadences."""
