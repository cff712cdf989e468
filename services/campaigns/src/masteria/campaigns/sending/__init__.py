"""Sending: queueing dispatches, the dispatcher loop, statuses and replies."""
