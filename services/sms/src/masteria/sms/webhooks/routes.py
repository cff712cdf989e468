"""``/webhooks/sms/twilio/{inbound,status}``: Twilio's form-encoded, signed POSTs."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from masteria.runtime.problems import Problem
from masteria.sms import signature
from masteria.sms.context import service_of, sms_of
from masteria.sms.webhooks import service
from masteria.sms.webhooks.service import SignedForm

router = APIRouter(prefix="/webhooks/sms/twilio", tags=["webhooks"])
# An empty TwiML document: Twilio sends nothing back to the customer on our behalf.
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


async def _signed(request: Request) -> SignedForm:
    try:
        form = await request.form()
    except Exception as exc:  # a body that is not a form: Twilio never sends one
        raise Problem(400, "Malformed webhook", f"expected a form-encoded body: {exc}") from exc
    raw_path: bytes = request.scope.get("raw_path") or request.url.path.encode()
    query = request.scope.get("query_string", b"").decode("latin-1")
    base = sms_of(request).settings.webhook_base_url
    return SignedForm(
        form=form,
        urls=signature.candidate_urls(base, raw_path.decode("latin-1"), query, str(request.url)),
        signature=request.headers.get(signature.SIGNATURE_HEADER),
        settings_header=request.headers.get(signature.SETTINGS_HEADER),
    )


def _answer(accepted: service.Accepted) -> Response:
    headers = {"X-Masteria-Outcome": accepted.outcome, "X-Masteria-Published": str(accepted.published)}
    return Response(EMPTY_TWIML, media_type="text/xml", headers=headers)


@router.post("/inbound")
async def inbound(request: Request) -> Response:
    """A customer's SMS to one of our numbers (To)."""
    svc = service_of(request)
    if svc.outbox is None:
        raise Problem(503, "Not ready", "the outbox is not configured")
    ctx = sms_of(request)
    accepted = await service.accept_inbound(ctx, svc.outbox, await _signed(request))
    if accepted.media:
        ctx.wake_media()  # the downloads are committed: fetch them now rather than at the next poll
    return _answer(accepted)


@router.post("/status")
async def status(request: Request) -> Response:
    """A status callback of a message one of our numbers (From) sent."""
    return _answer(await service.accept_status(sms_of(request), await _signed(request)))
