"""Sending: both lanes, idempotent records, limits, retries and the classification of Meta's errors."""
