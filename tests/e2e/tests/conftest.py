"""One platform per test session, every service a separate process."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from masteria.e2e.clients import Operator, Sandbox
from masteria.e2e.stack import RunningStack, running_stack


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
async def stack() -> AsyncIterator[RunningStack]:
    async with running_stack() as running:
        yield running


@pytest.fixture
async def operator(stack: RunningStack) -> AsyncIterator[Operator]:
    op = Operator(stack.config.gateway_url)
    await op.signup()
    yield op
    await op.close()


@pytest.fixture
async def sandbox(stack: RunningStack) -> AsyncIterator[Sandbox]:
    client = Sandbox(stack.config.url("sandbox"))
    yield client
    await client.close()
