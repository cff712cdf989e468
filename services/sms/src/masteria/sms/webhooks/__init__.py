"""Twilio's inbound SMS and status-callback webhooks: signature, dedup, keywords, outbox."""
