"""Replies sent from the inbox and sends made by others (AI, API) recorded in their threads."""
