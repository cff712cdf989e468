"""Runs imports in the background of the crm process, under a lease in the database.

Whoever starts an import holds its lease and renews it with every batch. A process that stops
gracefully hands its imports back; one that dies lets the lease lapse; either way a sweep (at
start-up and every few seconds, in any replica) takes the import over and resumes it after its
last committed batch. An import interrupted ``import_max_attempts`` times is failed with that
reason, so none is ever left "running" with nobody working on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import timedelta
from typing import Any

from masteria.crm.contacts.fields import FieldError
from masteria.crm.events import wrap
from masteria.crm.imports import repository
from masteria.crm.imports.csvfile import CsvFileError, inspect, records
from masteria.crm.imports.rows import BadRow, GoodRow, column_map
from masteria.crm.imports.service import BatchCounts, apply_batch, progressed, take
from masteria.crm.settings import CrmSettings
from masteria.observability.logging import get_logger
from masteria.persistence.tenancy import system_session, tenant_session
from masteria.runtime.service import Service

log = get_logger(__name__)


class LeaseLostError(Exception):
    """Another worker moved the import meanwhile: this one stops without writing."""


class ImportFailedError(Exception):
    """The import cannot go on (its file is gone or unreadable): fail it with this reason."""


class ImportRunner:
    """The background tasks of one crm process."""

    def __init__(self, service: Service, settings: CrmSettings) -> None:
        self.service, self.settings = service, settings
        self.lease = timedelta(seconds=settings.import_lease_s)
        self._tasks: dict[uuid.UUID, asyncio.Task[None]] = {}
        self._sweeper: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Resume what was abandoned, then keep sweeping."""
        await self.sweep()
        self._sweeper = asyncio.create_task(self._sweep_forever(), name="crm-import-sweeper")

    async def stop(self) -> None:
        """Stop the sweep and the running imports, and hand their leases back."""
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        running = list(self._tasks)
        for task in list(self._tasks.values()):
            task.cancel()
        for task in list(self._tasks.values()):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if running:
            async with system_session(self.service.sessions) as session:
                await repository.release(session, running)

    def launch(self, tenant_id: uuid.UUID, import_id: uuid.UUID) -> None:
        """Run an import this process holds the lease of."""
        if import_id not in self._tasks:
            self._tasks[import_id] = asyncio.create_task(self._run(tenant_id, import_id), name=f"import-{import_id}")

    async def wait(self, import_id: uuid.UUID) -> None:
        """Wait for a running import of this process (benchmarks use it)."""
        task = self._tasks.get(import_id)
        if task is not None:
            await asyncio.shield(task)

    async def sweep(self) -> None:
        """Take over imports whose lease lapsed; fail those interrupted too often."""
        async with system_session(self.service.sessions) as session:
            claimed = await repository.claim_abandoned(session, self.lease)
        for row in claimed:
            if row.attempts > self.settings.import_max_attempts:
                reason = f"the import was interrupted {row.attempts - 1} times and was stopped"
                await self._fail(row.tenant_id, row.id, reason)
            else:
                log.info("resuming contact import", import_id=str(row.id), attempt=row.attempts)
                self.launch(row.tenant_id, row.id)

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.settings.import_sweep_interval_s)
            try:
                await self.sweep()
            except Exception:  # the sweep must outlive a database outage
                log.exception("contact import sweep failed")

    async def _run(self, tenant_id: uuid.UUID, import_id: uuid.UUID) -> None:
        try:
            await self._process(tenant_id, import_id)
        except LeaseLostError:
            log.warning("contact import taken over by another worker", import_id=str(import_id))
        except ImportFailedError as exc:
            await self._fail(tenant_id, import_id, str(exc))
        except asyncio.CancelledError:
            raise
        except Exception:
            # Possibly transient (the database went away): the lease lapses and a sweep retries, up to the limit.
            log.exception("contact import batch failed; it will be retried", import_id=str(import_id))
        finally:
            self._tasks.pop(import_id, None)

    async def _process(self, tenant_id: uuid.UUID, import_id: uuid.UUID) -> None:
        svc, outbox = self.service, self.service.outbox
        assert outbox is not None
        async with tenant_session(svc.sessions, tenant_id) as session:
            job = await repository.import_by_id(session, import_id)
            data = await repository.import_file(session, import_id) if job is not None else None
        if job is None or job.state != "running":
            return
        if data is None:
            raise ImportFailedError("the uploaded file is no longer stored")
        try:
            layout = await asyncio.to_thread(inspect, data)
            columns = column_map(layout.header, job.mapping)
        except (CsvFileError, FieldError) as exc:
            raise ImportFailedError(f"the file cannot be read any more: {exc}") from exc
        rows = records(data, job.encoding, job.delimiter)
        seen: dict[str, int] = {}
        processed = job.processed_rows
        if processed:
            # Rows already imported still count for "this number repeats row N".
            await asyncio.to_thread(take, rows, processed, columns, job.default_country, seen)
        size = self.settings.import_batch_rows

        def validate_next() -> asyncio.Future[list[GoodRow | BadRow]]:
            return asyncio.ensure_future(asyncio.to_thread(take, rows, size, columns, job.default_country, seen))

        upcoming = validate_next()
        try:
            while batch := await upcoming:
                # The next batch is validated (in a thread) while this one is written (by the database).
                upcoming = validate_next()
                async with tenant_session(svc.sessions, tenant_id) as session:
                    counts = await apply_batch(
                        session, outbox, tenant_id, job, batch, announce=self.settings.import_contact_events
                    )
                    increments = _increments(len(batch), counts)
                    after = await repository.advance(
                        session, import_id, from_row=processed, values=increments, lease=self.lease
                    )
                    if after is None:
                        raise LeaseLostError(import_id)
                    await outbox.add(session, wrap(progressed(after), tenant_id))
                processed += len(batch)
        finally:
            # A failed batch leaves the next validation running in its thread: let it finish, unobserved.
            if not upcoming.done():
                with contextlib.suppress(Exception):
                    await upcoming
        async with tenant_session(svc.sessions, tenant_id) as session:
            done = await repository.finish(session, import_id, "completed")
            if done is not None:
                await outbox.add(session, wrap(progressed(done), tenant_id))
        log.info("contact import completed", import_id=str(import_id), rows=processed)

    async def _fail(self, tenant_id: uuid.UUID, import_id: uuid.UUID, reason: str) -> None:
        outbox = self.service.outbox
        assert outbox is not None
        async with tenant_session(self.service.sessions, tenant_id) as session:
            failed = await repository.finish(session, import_id, "failed", reason)
            if failed is not None:
                await outbox.add(session, wrap(progressed(failed), tenant_id))
        log.warning("contact import failed", import_id=str(import_id), reason=reason)


def _increments(rows: int, counts: BatchCounts) -> dict[str, Any]:
    t = repository.imports.c
    return {
        "processed_rows": t.processed_rows + rows,
        "imported_rows": t.imported_rows + counts.imported,
        "created_rows": t.created_rows + counts.created,
        "updated_rows": t.updated_rows + counts.updated,
        "failed_rows": t.failed_rows + counts.failed,
    }
