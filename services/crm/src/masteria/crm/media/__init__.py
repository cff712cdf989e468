"""Attachments: uploaded by agents into the platform media store and served back to their tenant only."""
