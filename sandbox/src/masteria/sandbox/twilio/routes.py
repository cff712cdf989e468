"""Every route of the Twilio stand-in, for the app to include with one line."""

from fastapi import APIRouter

from masteria.sandbox.twilio import api, control, customers, media

router = APIRouter()
for _module in (api, control, customers, media):
    router.include_router(_module.router)
router.include_router(media.control_router)
