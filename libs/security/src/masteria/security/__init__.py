"""AES-256-GCM secret boxes, internal tokens and webhook signatures."""
