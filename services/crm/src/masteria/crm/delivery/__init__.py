"""Delivery statuses of outbound messages: the inbox's ticks."""
