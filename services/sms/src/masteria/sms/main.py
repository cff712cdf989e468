"""Builds the sms service: senders API, Twilio webhooks, the two send lanes and the MMS media worker."""

from __future__ import annotations

import contextlib
from functools import partial

import httpx

from masteria.contracts.streams import SMS_DISPATCH, SMS_OUTBOUND
from masteria.media import MediaSettings, MediaStore, open_media_store_from_settings
from masteria.media.downloads import DownloadWorker
from masteria.persistence.group_commit import GroupCommitter
from masteria.runtime.service import Service
from masteria.sms.context import SmsContext
from masteria.sms.inbound_media.repository import PENDING
from masteria.sms.inbound_media.source import TwilioMedia
from masteria.sms.keywords import KeywordTable
from masteria.sms.senders.directory import SenderDirectory
from masteria.sms.senders.routes import router as senders_router
from masteria.sms.senders.service import status_url
from masteria.sms.sending.commands import backoff_s
from masteria.sms.sending.pacing import SenderPacer
from masteria.sms.sending.service import Sending
from masteria.sms.sending.worker import LaneWorker
from masteria.sms.settings import SmsSettings
from masteria.sms.tables import outbox
from masteria.sms.twilio_api import TwilioClient
from masteria.sms.webhooks.routes import router as webhook_router
from masteria.sms.webhooks.work import record_in

NAME = "sms"


def build_service(
    settings: SmsSettings | None = None,
    *,
    twilio_transport: httpx.AsyncBaseTransport | None = None,
    media: MediaSettings | None = None,
) -> Service:
    """The service with its routes, outbox, lanes and start-up hooks.

    ``twilio_transport`` lets in-process tests reach the sandbox app without a socket.
    """
    settings = settings or SmsSettings()
    media = media or MediaSettings()
    service = Service(
        name=NAME,
        settings=settings,
        outbox_table=outbox,
        routers=[senders_router, webhook_router],
        consumers=[SMS_OUTBOUND, SMS_DISPATCH],
    )
    http = httpx.AsyncClient(
        timeout=httpx.Timeout(settings.twilio_timeout_s, connect=5.0),
        limits=httpx.Limits(max_connections=512, max_keepalive_connections=128),
        transport=twilio_transport,
    )
    workers: list[LaneWorker] = []
    downloads: list[tuple[DownloadWorker, MediaStore]] = []

    async def attach(svc: Service) -> None:
        if svc.secret_box is None:
            raise RuntimeError("MASTERIA_SECRET_KEYS is required: senders' auth tokens are sealed with it")
        assert svc.outbox is not None
        twilio = TwilioClient(http, settings.twilio_api_url)
        directory = SenderDirectory(svc.sessions, svc.secret_box, settings.sender_cache_ttl_s)
        committer: GroupCommitter[object, int] = GroupCommitter(svc.sessions, record_in(svc.outbox))  # type: ignore[arg-type]
        committer.start()
        svc.http.state.sms = SmsContext(
            settings=settings,
            twilio=twilio,
            directory=directory,
            keywords=KeywordTable(settings.extra_opt_out_keywords, settings.extra_opt_in_keywords),
            committer=committer,
        )
        sending = Sending(
            sessions=svc.sessions,
            outbox=svc.outbox,
            directory=directory,
            twilio=twilio,
            pacer=SenderPacer(svc.redis, headroom=settings.rate_headroom),
            settings=settings,
            status_callback_url=status_url(settings.webhook_base_url),
        )
        svc.http.state.sms.sending = sending
        if settings.media_download:
            store = open_media_store_from_settings(media)
            downloader = DownloadWorker(
                svc.sessions,
                svc.outbox,
                PENDING,
                store,
                TwilioMedia(twilio, directory),
                concurrency=settings.media_download_concurrency,
                max_attempts=settings.media_max_attempts,
                retry_delay=partial(
                    backoff_s, base_s=settings.media_backoff_base_s, max_s=settings.media_backoff_cap_s
                ),
                poll_s=settings.media_poll_s,
            )
            downloader.start()
            downloads.append((downloader, store))
            svc.http.state.sms.wake_media = downloader.wake
        # The interactive lane starts first and has its own slots: a campaign never fills them.
        for spec in (SMS_OUTBOUND, SMS_DISPATCH):
            worker = LaneWorker(svc.js, spec, sending, concurrency=settings.send_concurrency)
            await worker.start()
            workers.append(worker)

    async def detach(svc: Service) -> None:
        for worker in workers:
            await worker.stop()
        workers.clear()
        for downloader, store in downloads:
            await downloader.stop()
            with contextlib.suppress(Exception):
                await store.aclose()
        downloads.clear()
        await svc.http.state.sms.committer.stop()
        await http.aclose()

    service.on_start.append(attach)
    service.on_stop.append(detach)
    return service
