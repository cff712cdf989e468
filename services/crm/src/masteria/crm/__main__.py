"""``python -m masteria.crm`` serves the CRM."""

from masteria.crm.main import build_service
from masteria.runtime.runner import run

if __name__ == "__main__":
    run(build_service())
