"""``python -m masteria.sms`` serves the sms service."""

from masteria.runtime.runner import run
from masteria.sms.main import build_service

if __name__ == "__main__":
    run(build_service())
