"""Set-based writes of the inbox for the consumers: one statement per step and batch, never one per row.

Each statement has a fixed text and takes its rows as arrays (``unnest``), so it is parsed and planned
once per connection whatever the batch size; a multi-row ``VALUES`` list would be a new statement for
every batch size, and an executemany one execution per row.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.contracts.ids import uuid7
from masteria.crm.rows import all_rows
from masteria.crm.tables import Conversation

conversations = Conversation.__table__
ThreadKey = tuple[uuid.UUID, str, uuid.UUID]  # contact, channel, channel account


# Opened where missing, read where present. The read uses the statement's snapshot: a thread another
# transaction opened meanwhile is found by a second, later read (``ensure_threads``).
_ENSURE_THREADS = text("""
WITH wanted AS (
    SELECT * FROM unnest(CAST(:ids AS uuid[]), CAST(:contacts AS uuid[]), CAST(:channels AS text[]),
                         CAST(:accounts AS uuid[]), CAST(:ats AS timestamptz[]))
        AS w(id, contact_id, channel, channel_account_id, at)
), opened AS (
    INSERT INTO crm.conversations
        (id, tenant_id, contact_id, channel, channel_account_id, last_message_at, created_at, updated_at)
    SELECT id, CAST(:tenant AS uuid), contact_id, channel, channel_account_id, at, at, at FROM wanted
    ON CONFLICT DO NOTHING
    RETURNING id, contact_id, channel, channel_account_id
)
SELECT * FROM opened
UNION ALL
SELECT c.id, c.contact_id, c.channel, c.channel_account_id
FROM crm.conversations c
JOIN wanted w ON c.tenant_id = CAST(:tenant AS uuid) AND c.contact_id = w.contact_id AND c.channel = w.channel
    AND c.channel_account_id = w.channel_account_id
""")

# Each contact's most recently active thread on a channel (sends that name neither thread nor number go there).
_LATEST_THREADS = text("""
SELECT DISTINCT ON (c.contact_id, c.channel) c.contact_id, c.channel, c.id
FROM crm.conversations c
JOIN unnest(CAST(:contacts AS uuid[]), CAST(:channels AS text[])) AS k(contact_id, channel)
    ON c.contact_id = k.contact_id AND c.channel = k.channel
ORDER BY c.contact_id, c.channel, c.last_message_at DESC, c.id DESC
""")

# Column, SQL array type: every column a consumer sets when it stores a message.
_MESSAGE_COLUMNS = (
    ("id", "uuid"),
    ("tenant_id", "uuid"),
    ("conversation_id", "uuid"),
    ("direction", "text"),
    ("channel", "text"),
    ("external_id", "text"),
    ("content", "jsonb"),
    ("preview", "text"),
    ("sender_name", "text"),
    ("occurred_at", "timestamptz"),
    ("created_at", "timestamptz"),
    ("status", "text"),
    ("status_at", "timestamptz"),
    ("author_user_id", "uuid"),
    ("origin", "text"),
    ("campaign_id", "uuid"),
    ("cadence_step_id", "uuid"),
)


def _store_sql() -> str:
    columns = ", ".join(c for c, _ in _MESSAGE_COLUMNS)
    # jsonb travels as text (asyncpg has no codec for a jsonb array here); the insert casts it.
    arrays = ", ".join(f"CAST(:{c} AS {'text' if t == 'jsonb' else t}[])" for c, t in _MESSAGE_COLUMNS)
    values = ", ".join(f"CAST(m.{c} AS jsonb)" if t == "jsonb" else f"m.{c}" for c, t in _MESSAGE_COLUMNS)
    return f"""
WITH input AS (
    SELECT * FROM unnest({arrays}) WITH ORDINALITY AS m({columns}, n)
), stored AS (
    INSERT INTO crm.messages ({columns}) SELECT {values} FROM input AS m ORDER BY m.n
    ON CONFLICT DO NOTHING
    RETURNING id, conversation_id, occurred_at, preview
), bump AS (
    SELECT s.conversation_id AS id, count(*) AS added, max(s.occurred_at) AS at,
        (array_agg(s.preview ORDER BY s.occurred_at DESC, i.n DESC))[1] AS preview
    FROM stored s JOIN input i ON i.id = s.id
    GROUP BY s.conversation_id
), before AS MATERIALIZED (
    SELECT c.id, c.status FROM crm.conversations c
    WHERE c.id = ANY(CAST(:threads AS uuid[])) AND c.id IN (SELECT id FROM bump)
    ORDER BY c.id FOR NO KEY UPDATE
), bumped AS (
    UPDATE crm.conversations c SET
        unread_count = c.unread_count + CASE WHEN CAST(:unread AS boolean) THEN b.added ELSE 0 END,
        last_message_at = greatest(c.last_message_at, b.at),
        last_message_preview = CASE WHEN b.at >= c.last_message_at THEN b.preview ELSE c.last_message_preview END,
        status = CASE WHEN CAST(:unread AS boolean) THEN 'open' ELSE c.status END,
        updated_at = now()
    FROM bump b JOIN before ON before.id = b.id
    WHERE c.id = b.id
    RETURNING c.id, c.contact_id, c.status, c.assignee_user_id, c.unread_count, c.last_message_at, c.updated_at,
        before.status AS status_before
)
SELECT id AS message_id, NULL AS id, NULL AS contact_id, NULL AS status, NULL AS assignee_user_id,
    NULL AS unread_count, NULL AS last_message_at, NULL AS updated_at, NULL AS status_before FROM stored
UNION ALL
SELECT NULL, id, contact_id, status, assignee_user_id, unread_count, last_message_at, updated_at, status_before
FROM bumped
"""  # noqa: S608 - built from the constants above


# Messages stored and their threads moved in one statement: each thread's unread count (the customer's messages)
# and last message move forward, never back. The thread rows are locked in id order first, so two batches
# touching the same threads cannot deadlock; that is also how each thread's status before the change is read (a
# reply that reopens a thread is announced). NO KEY UPDATE is the lock an UPDATE takes anyway: it does not wait
# for the key-share locks other batches hold on these threads after inserting messages into them (FOR UPDATE
# would, and deadlock with them).
_STORE = text(_store_sql())


async def ensure_threads(
    session: AsyncSession, tenant_id: uuid.UUID, first_at: dict[ThreadKey, datetime]
) -> tuple[dict[ThreadKey, uuid.UUID], set[ThreadKey]]:
    """Ids of the threads, opening the missing ones (dated ``first_at``); also the keys opened now."""
    if not first_at:
        return {}, set()
    keys = sorted(first_at)
    proposed = {k: uuid7() for k in keys}
    params = {
        "tenant": tenant_id,
        "ids": [proposed[k] for k in keys],
        "contacts": [k[0] for k in keys],
        "channels": [k[1] for k in keys],
        "accounts": [k[2] for k in keys],
        "ats": [first_at[k] for k in keys],
    }
    result = await session.execute(_ENSURE_THREADS, params)
    ids: dict[ThreadKey, uuid.UUID] = {(r.contact_id, r.channel, r.channel_account_id): r.id for r in result}
    ids |= await threads_opened_meanwhile(session, [k for k in keys if k not in ids])
    return ids, {k for k, i in ids.items() if i == proposed[k]}


async def threads_opened_meanwhile(session: AsyncSession, keys: list[ThreadKey]) -> dict[ThreadKey, uuid.UUID]:
    """Threads a statement missed because another transaction opened them after its snapshot was taken."""
    if not keys:
        return {}
    c = conversations.c
    found = await session.execute(
        select(c.id, c.contact_id, c.channel, c.channel_account_id).where(
            tuple_(c.contact_id, c.channel, c.channel_account_id).in_(keys)
        )
    )
    return {(r.contact_id, r.channel, r.channel_account_id): r.id for r in found}


async def latest_threads(
    session: AsyncSession, keys: list[tuple[uuid.UUID, str]]
) -> dict[tuple[uuid.UUID, str], uuid.UUID]:
    """The latest thread per (contact, channel), for those that have one."""
    if not keys:
        return {}
    params = {"contacts": [k[0] for k in keys], "channels": [k[1] for k in keys]}
    return {(r.contact_id, r.channel): r.id for r in await session.execute(_LATEST_THREADS, params)}


@dataclass(frozen=True)
class Stored:
    """What storing a batch of messages did: the ids really inserted, and each moved thread as it now stands."""

    inserted: set[uuid.UUID]
    threads: list[Row[Any]]

    def reopened(self) -> list[Row[Any]]:
        """The threads that were pending or resolved and are open now, in id order."""
        return sorted((t for t in self.threads if t.status_before != t.status), key=lambda t: t.id)


async def store_messages(session: AsyncSession, rows: list[dict[str, Any]], *, unread: bool) -> Stored:
    """Insert messages (a provider id or message id seen before is skipped) and move their threads.

    ``unread``: the customer's messages count as unread and reopen their thread; outbound ones (False)
    leave the thread's status and unread count as they are.
    """
    if not rows:
        return Stored(set(), [])
    params: dict[str, Any] = {column: [row.get(column) for row in rows] for column, _ in _MESSAGE_COLUMNS}
    params["content"] = [json.dumps(c) for c in params["content"]]
    params |= {"threads": sorted({row["conversation_id"] for row in rows}), "unread": unread}
    result = all_rows(await session.execute(_STORE, params))
    return Stored({r.message_id for r in result if r.message_id is not None}, [r for r in result if r.id is not None])
