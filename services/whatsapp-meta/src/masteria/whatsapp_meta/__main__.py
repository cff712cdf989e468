"""``python -m masteria.whatsapp_meta`` serves the adapter."""

from masteria.runtime.runner import run
from masteria.whatsapp_meta.main import build_service

if __name__ == "__main__":
    run(build_service())
