"""Inbound media: files fetched from Graph into the media store before the message is published."""
