"""Builds the whatsapp-meta service: HTTP app (numbers, templates, webhook), both send lanes, workers."""

from __future__ import annotations

import contextlib
import gc
from dataclasses import dataclass, field
from typing import Any

import httpx
import redis.asyncio as aioredis

from masteria.contracts.streams import WHATSAPP_META_DISPATCH, WHATSAPP_META_OUTBOUND
from masteria.media import MediaSettings, MediaStore, open_media_store_from_settings
from masteria.media.downloads import DownloadWorker
from masteria.persistence.group_commit import GroupCommitter
from masteria.runtime.service import Service
from masteria.whatsapp_meta.context import MetaContext
from masteria.whatsapp_meta.graph import Connections, GraphClient, SendPool
from masteria.whatsapp_meta.inbound_media.repository import PENDING
from masteria.whatsapp_meta.inbound_media.source import GraphMedia
from masteria.whatsapp_meta.numbers.routes import router as numbers_router
from masteria.whatsapp_meta.sending import records
from masteria.whatsapp_meta.sending.backoff import Backoff
from masteria.whatsapp_meta.sending.budgets import Budgets
from masteria.whatsapp_meta.sending.lanes import InteractiveGate, Lane
from masteria.whatsapp_meta.sending.media import MediaUploader
from masteria.whatsapp_meta.sending.model import LaneName
from masteria.whatsapp_meta.sending.numbers import SendingNumbers
from masteria.whatsapp_meta.sending.pacing import BULK, INTERACTIVE, Pacers, PacingConfig, SlotBook
from masteria.whatsapp_meta.sending.retries import Reaper, RetrySweep
from masteria.whatsapp_meta.sending.service import LaneTools, Sender
from masteria.whatsapp_meta.sending.templates import TemplateGate
from masteria.whatsapp_meta.settings import WhatsAppMetaSettings
from masteria.whatsapp_meta.tables import outbox
from masteria.whatsapp_meta.templates.routes import router as templates_router
from masteria.whatsapp_meta.webhooks.routes import router as webhook_router
from masteria.whatsapp_meta.webhooks.routing import NumberDirectory
from masteria.whatsapp_meta.webhooks.service import record_in

NAME = "whatsapp-meta"
SPECS = {LaneName.OUTBOUND: WHATSAPP_META_OUTBOUND, LaneName.DISPATCH: WHATSAPP_META_DISPATCH}


@dataclass
class Machinery:
    """Everything started with the service, in start order; stopped in reverse."""

    lanes: dict[LaneName, Lane] = field(default_factory=dict)
    sweeps: dict[LaneName, RetrySweep] = field(default_factory=dict)
    committers: list[GroupCommitter[Any, Any]] = field(default_factory=list)
    reaper: Reaper | None = None
    media: DownloadWorker | None = None
    pacers: Pacers | None = None
    store: MediaStore | None = None
    sender: Sender | None = None


def build_service(settings: WhatsAppMetaSettings | None = None, media: MediaSettings | None = None) -> Service:
    """The service with its routes, consumers, outbox and start-up hooks."""
    settings = settings or WhatsAppMetaSettings()
    media = media or MediaSettings()
    service = Service(
        name=NAME,
        settings=settings,
        outbox_table=outbox,
        consumers=list(SPECS.values()),
        routers=[numbers_router, templates_router, webhook_router],
    )
    timeout = httpx.Timeout(settings.graph_timeout_s, connect=3.0)
    # Each lane its own connections: a bulk run cannot take the sockets an agent's reply needs.
    http = {
        name: Connections(settings.graph_max_connections if name != "admin" else 8, timeout)
        for name in ("admin", *LaneName)
    }
    # The lanes' sends go through aiohttp (cheaper per request); admin calls keep httpx.
    sends = {name.value: SendPool(settings.graph_max_connections) for name in LaneName}
    machinery = Machinery()

    def graph(name: str) -> GraphClient:
        return GraphClient(
            http[name],
            settings.graph_url,
            settings.graph_version,
            timeout_s=settings.graph_timeout_s,
            sends=sends.get(name),
        )

    async def start(svc: Service) -> None:
        if svc.secret_box is None or svc.outbox is None:
            raise RuntimeError("MASTERIA_SECRET_KEYS is required: numbers' secrets are sealed with it")
        box = svc.secret_box
        webhooks = GroupCommitter(svc.sessions, record_in(svc.outbox))
        senders = SendingNumbers(svc.sessions, box, settings.number_cache_ttl_s)
        templates = TemplateGate(svc.sessions, settings.number_cache_ttl_s)
        machinery.store = open_media_store_from_settings(media)
        machinery.committers.append(webhooks)
        svc.http.state.meta = MetaContext(
            settings=settings,
            graph=graph("admin"),
            senders=senders,
            committer=webhooks,
            directory=NumberDirectory(svc.sessions, box, settings.number_cache_ttl_s),
            templates=templates,
        )
        _build_sending(svc, svc.redis, settings, machinery, senders, templates, graph)
        machinery.media = DownloadWorker(
            svc.sessions,
            svc.outbox,
            PENDING,
            machinery.store,
            GraphMedia(graph("admin"), senders),
            concurrency=settings.media_download_concurrency,
            max_attempts=settings.media_max_attempts,
            retry_delay=Backoff(settings.media_backoff_base_s, settings.media_backoff_cap_s).delay,
        )
        svc.http.state.meta.wake_media = machinery.media.wake
        for committer in machinery.committers:
            committer.start()
        for lane in machinery.lanes.values():
            await lane.start()
        for sweep in machinery.sweeps.values():
            sweep.start()
        assert machinery.reaper is not None
        machinery.reaper.start()
        machinery.media.start()
        # Everything built so far lives as long as the process: keep it out of the collector's way,
        # or each full collection walks it and stalls the loop (measured: 150-200 ms pauses at load,
        # enough to squeeze the sends around them into one second).
        gc.freeze()

    async def stop(svc: Service) -> None:
        meta = getattr(svc.http.state, "meta", None)
        for task in list(meta.background if meta is not None else ()):
            task.cancel()
        for sweep in machinery.sweeps.values():  # first: a sweep hands retries to the lanes
            await sweep.stop()
        for lane in machinery.lanes.values():
            await lane.stop()
        for worker in (machinery.reaper, machinery.media):
            if worker is not None:
                await worker.stop()
        for committer in machinery.committers:
            await committer.stop()
        if machinery.pacers is not None:
            await machinery.pacers.close()
        if machinery.store is not None:
            with contextlib.suppress(Exception):
                await machinery.store.aclose()
        for client in http.values():
            await client.aclose()
        for pool in sends.values():
            await pool.aclose()

    service.on_start.append(start)
    service.on_stop.append(stop)
    service.http.state.machinery = machinery
    return service


def _build_sending(
    svc: Service,
    redis: aioredis.Redis,
    settings: WhatsAppMetaSettings,
    machinery: Machinery,
    senders: SendingNumbers,
    templates: TemplateGate,
    graph: Any,
) -> None:
    assert svc.outbox is not None
    assert machinery.store is not None
    slots = SlotBook(
        redis,
        PacingConfig(
            margin_ms=settings.rate_margin_ms,
            horizon_ms=settings.rate_horizon_ms,
            slowdown_s=settings.slowdown_s,
            slowdown_cooldown_s=settings.slowdown_cooldown_s,
            slowdown_min_factor=settings.slowdown_min_factor,
        ),
    )
    machinery.pacers = Pacers(slots)
    settle = records.settle_in(svc.outbox)
    tools: dict[LaneName, LaneTools] = {}
    for name, priority, transactions in ((LaneName.OUTBOUND, INTERACTIVE, 1), (LaneName.DISPATCH, BULK, 2)):
        committers = (
            GroupCommitter(svc.sessions, records.claim, lanes=transactions),
            GroupCommitter(svc.sessions, records.begin, lanes=transactions),
            GroupCommitter(svc.sessions, settle, lanes=transactions),
        )
        machinery.committers.extend(committers)
        tools[name] = LaneTools(*committers, graph=graph(name.value), priority=priority)
    sender = machinery.sender = Sender(
        settings=settings,
        numbers=senders,
        lanes=tools,
        pacers=machinery.pacers,
        slots=slots,
        budgets=Budgets(redis, pair_burst=settings.pair_burst, pair_period_s=settings.pair_period_s),
        uploader=MediaUploader(machinery.store, graph("admin"), redis, settings.media_upload_cache_s),
        templates=templates,
    )
    gate = InteractiveGate()
    capacity = {LaneName.OUTBOUND: settings.outbound_concurrency, LaneName.DISPATCH: settings.dispatch_concurrency}
    for name, spec in SPECS.items():
        lane = machinery.lanes[name] = Lane(svc.js, spec, name, sender.handle, capacity=capacity[name], gate=gate)
        machinery.sweeps[name] = RetrySweep(
            svc.sessions,
            lane,
            poll_s=settings.retry_poll_s,
            lease_s=settings.sending_lease_s,
            before_fetch=(lambda: gate.yield_to_interactive(0.05)) if name is LaneName.DISPATCH else None,
        )
    sender.on_retry = lambda lane, seconds: machinery.sweeps[lane].wake_in(seconds)
    machinery.reaper = Reaper(
        svc.sessions,
        svc.outbox,
        settle_unknown=sender.settle_unknown,
        lease_s=settings.sending_lease_s,
        orphan_ttl_s=settings.orphan_status_ttl_s,
        every_s=settings.reaper_interval_s,
    )
