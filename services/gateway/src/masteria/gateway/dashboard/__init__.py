"""The dashboard's built files (``services/gateway/web/dist``), served at ``/`` with an SPA fallback."""
