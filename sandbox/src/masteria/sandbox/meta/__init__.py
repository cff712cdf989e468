"""Stand-in for Meta's WhatsApp Cloud API (Graph API and its webhooks)."""
