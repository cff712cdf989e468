"""Conversations and messages across channels: the shared inbox."""
