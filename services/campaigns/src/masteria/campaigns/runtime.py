"""What campaigns keeps beside the shared service shell: the dispatcher and the snapshot worker."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from fastapi import Request

from masteria.campaigns.settings import CampaignsSettings
from masteria.runtime.service import Service

if TYPE_CHECKING:
    from masteria.campaigns.campaign.snapshot_worker import SnapshotWorker
    from masteria.campaigns.sending.dispatcher import Dispatcher


@dataclass
class Campaigns:
    """Started with the service (``start``) and stopped with it (``stop``)."""

    settings: CampaignsSettings
    _dispatcher: Dispatcher | None = None
    _snapshots: SnapshotWorker | None = None

    async def start(self, service: Service) -> None:
        """Start the snapshot worker (it resumes jobs a crashed process left) and the dispatcher."""
        from masteria.campaigns.campaign.snapshot_worker import SnapshotWorker
        from masteria.campaigns.sending.dispatcher import Dispatcher

        self._snapshots = SnapshotWorker(service, self.settings.snapshot_poll_s)
        self._snapshots.start()
        self._dispatcher = Dispatcher(service, self.settings)
        self._dispatcher.start()

    async def stop(self, service: Service) -> None:
        """Stop both; work in progress rolls back and is taken again by the next process."""
        del service
        if self._dispatcher is not None:
            await self._dispatcher.stop()
        if self._snapshots is not None:
            await self._snapshots.stop()

    @property
    def dispatcher(self) -> Dispatcher:
        """The dispatcher loop."""
        if self._dispatcher is None:
            raise RuntimeError("the dispatcher starts with the service")
        return self._dispatcher

    @property
    def snapshots(self) -> SnapshotWorker:
        """The snapshot worker."""
        if self._snapshots is None:
            raise RuntimeError("the snapshot worker starts with the service")
        return self._snapshots


def campaigns_of(request: Request) -> Campaigns:
    """The campaigns state behind a request."""
    return cast(Campaigns, request.app.state.campaigns)
