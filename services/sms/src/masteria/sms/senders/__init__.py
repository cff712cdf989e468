"""Twilio senders a tenant connects: numbers with their sealed auth token and throughput."""
