"""Control API for background jobs: progress, per-message timing, cancellation."""

from typing import Any

from fastapi import APIRouter, HTTPException, Query

from masteria.sandbox.context import Context, SandboxContext
from masteria.sandbox.jobs import Job

router = APIRouter(prefix="/_sandbox/jobs", tags=["sandbox: jobs"])


def job_or_404(ctx: SandboxContext, job_id: str) -> Job:
    """The job with this id, or 404."""
    job = ctx.jobs.get(job_id)
    if job is None:
        raise HTTPException(404, f"unknown job {job_id!r}")
    return job


@router.get("")
async def list_jobs(ctx: Context) -> list[dict[str, Any]]:
    """Status of every job, oldest first."""
    return [job.status() for job in ctx.jobs.all()]


@router.get("/{job_id}")
async def read_job(job_id: str, ctx: Context) -> dict[str, Any]:
    """Counters and timing of one job."""
    status: dict[str, Any] = job_or_404(ctx, job_id).status()
    return status


@router.get("/{job_id}/messages")
async def read_job_messages(
    job_id: str,
    ctx: Context,
    offset: int = Query(0, ge=0),
    limit: int | None = Query(None, ge=1),
) -> list[dict[str, Any]]:
    """When each message was first sent and acknowledged (unix seconds), for latency figures."""
    messages: list[dict[str, Any]] = job_or_404(ctx, job_id).messages(offset, limit)
    return messages


@router.delete("/{job_id}")
async def cancel_job(job_id: str, ctx: Context) -> dict[str, Any]:
    """Stop a job; messages not yet acknowledged stay unacknowledged."""
    job = job_or_404(ctx, job_id)
    await ctx.jobs.cancel(job)
    status: dict[str, Any] = job.status()
    return status
