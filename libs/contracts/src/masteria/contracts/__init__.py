"""Event envelope, payloads, subjects and stream definitions shared by every service."""
