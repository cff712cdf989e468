"""WhatsApp Web adapter."""
