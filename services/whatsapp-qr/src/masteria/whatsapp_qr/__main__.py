"""``python -m masteria.whatsapp_qr`` serves the whatsapp-qr service."""

from masteria.runtime.runner import run
from masteria.whatsapp_qr.main import build_service

if __name__ == "__main__":
    run(build_service())
