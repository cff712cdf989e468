"""Contacts, conversations, inbox, lead board and analytics read models."""
