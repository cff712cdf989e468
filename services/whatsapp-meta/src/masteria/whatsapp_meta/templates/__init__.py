"""Message templates of the WhatsApp Business accounts: sync, list, preview."""
