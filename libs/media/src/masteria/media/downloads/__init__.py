"""Inbound files fetched from a provider into the media store before their message is published.

A channel service keeps a table of pending downloads (staged with the webhook's commit), hands its
rows to a ``DownloadWorker`` through ``PendingDownloads``, and says through a ``MediaSource`` how to
fetch a file and how its provider refuses one. The worker claims due rows with ``SKIP LOCKED``
(replicas never take the same file), stores each file, retries transient failures with the
service's backoff, gives up on permanent ones, and writes the message to the service's outbox
(with the file's key, or with the provider's reference only) in the same commit that forgets the row.

Modules:
  queue.py   PendingDownloads (every query on the table), pending_row
  source.py  the MediaSource protocol, FetchedMedia
  worker.py  DownloadWorker: the claim loop, retries and publishing

Usage::

    pending = PendingDownloads(MediaDownload.__table__)
    await pending.add(session, [pending_row(tenant, envelope, headers, media_url=url)])  # in the webhook
    worker = DownloadWorker(sessions, outbox, pending, store, TwilioMedia(...), concurrency=8,
                            max_attempts=6, retry_delay=lambda n: backoff_s(n, 1.0, 60.0))
    worker.start(); worker.wake()                     # after the webhook commits
"""

from .queue import PendingDownloads, pending_row
from .source import FetchedMedia, MediaSource
from .worker import DownloadWorker

__all__ = ["DownloadWorker", "FetchedMedia", "MediaSource", "PendingDownloads", "pending_row"]
