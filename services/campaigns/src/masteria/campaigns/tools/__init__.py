"""Audience and message tools: what a user checks before launching a campaign.

Routers (each module one tool, mounted by main.py before ``/campaigns/{id}``):
  segments.py   /api/v1/campaigns/segments            saved audience filters (CRUD)
  audience.py   /api/v1/campaigns/audience/count      total, sendable, opted out, invalid on a channel
  uploads.py    /api/v1/campaigns/uploads             CSV audiences matched to contacts by E.164 number
  preview.py    /api/v1/campaigns/preview             the message rendered per variant for chosen contacts
  estimate.py   /api/v1/campaigns/estimate            SMS segments and cost, or WhatsApp conversations
  testsend.py   /api/v1/campaigns/{id}/test-send      one message through the bulk lane, not a recipient
Helpers: csvfile.py and phones.py (reading uploads), sms_estimate.py and rendering.py (pure), contact_store.py,
segment_store.py and upload_store.py (every query), settings.py (ToolsSettings, env prefix CAMPAIGNS_).
"""
