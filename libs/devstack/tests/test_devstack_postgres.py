"""The embedded PostgreSQL: pgvector, roles and RLS, idempotence, crash recovery, throwaway databases."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import pytest

from masteria.devstack import InfraUrls, create_database, drop_database, ensure_infra, infra_status, postgres
from masteria.devstack.liveness import pid_alive
from masteria.devstack.paths import Layout
from masteria.devstack.testing import eventually

pytestmark = pytest.mark.integration


def dsn(url: str) -> str:
    return postgres.asyncpg_dsn(url)


def pids() -> dict[str, int | None]:
    return {row.engine: row.pid for row in infra_status()}


async def test_pgvector_hnsw_index_and_nearest_neighbour(infra: InfraUrls) -> None:
    urls = await create_database("devstack_vectors")
    conn = await asyncpg.connect(dsn(urls.admin))
    try:
        await conn.execute("CREATE TABLE items (id int PRIMARY KEY, embedding vector(3))")
        await conn.execute("INSERT INTO items VALUES (1, '[1,0,0]'), (2, '[0,1,0]'), (3, '[0.9,0.1,0]')")
        await conn.execute("CREATE INDEX ON items USING hnsw (embedding vector_cosine_ops)")
        nearest = await conn.fetch("SELECT id FROM items ORDER BY embedding <=> '[1,0,0]' LIMIT 2")
        version = await conn.fetchval("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
    finally:
        await conn.close()
        await drop_database("devstack_vectors")
    assert [row["id"] for row in nearest] == [1, 3]
    assert version.startswith("0.8")


async def test_main_database_has_vector_and_a_role_without_bypassrls(infra: InfraUrls) -> None:
    conn = await asyncpg.connect(dsn(infra.database_admin_url))
    try:
        role = await conn.fetchrow(
            "SELECT rolsuper, rolbypassrls, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = $1",
            postgres.APP_ROLE)
        has_vector = await conn.fetchval("SELECT count(*) FROM pg_extension WHERE extname = 'vector'")
    finally:
        await conn.close()
    assert dict(role) == {"rolsuper": False, "rolbypassrls": False, "rolcreatedb": False, "rolcreaterole": False}
    assert has_vector == 1


async def test_app_role_sees_only_its_tenant_rows(infra: InfraUrls) -> None:
    urls = await create_database("devstack_rls")
    admin = await asyncpg.connect(dsn(urls.admin))
    try:
        await admin.execute("""
            CREATE TABLE notes (tenant_id text NOT NULL, body text NOT NULL);
            ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
            CREATE POLICY tenant_isolation ON notes
                USING (tenant_id = current_setting('app.tenant_id', true));
            GRANT SELECT ON notes TO masteria_app;
            INSERT INTO notes VALUES ('acme', 'a1'), ('acme', 'a2'), ('globex', 'g1');
        """)
        app = await asyncpg.connect(dsn(urls.app))
        try:
            without_tenant = await app.fetchval("SELECT count(*) FROM notes")
            async with app.transaction():
                await app.execute("SELECT set_config('app.tenant_id', 'acme', true)")
                acme = await app.fetch("SELECT body FROM notes ORDER BY body")
        finally:
            await app.close()
    finally:
        await admin.close()
        await drop_database("devstack_rls")
    assert without_tenant == 0
    assert [row["body"] for row in acme] == ["a1", "a2"]


async def test_app_role_needs_its_password(infra: InfraUrls) -> None:
    wrong = dsn(infra.database_url).replace(":masteria_app@", ":wrong@")
    with pytest.raises(asyncpg.InvalidPasswordError):
        await asyncpg.connect(wrong)


async def test_dropped_database_is_gone(infra: InfraUrls) -> None:
    urls = await create_database("devstack_dropme")
    conn = await asyncpg.connect(dsn(urls.app))
    await conn.close()
    await drop_database("devstack_dropme")
    with pytest.raises(asyncpg.InvalidCatalogNameError):
        await asyncpg.connect(dsn(urls.app))


async def test_unsafe_database_names_are_refused(infra: InfraUrls) -> None:
    for name in ('x"; DROP DATABASE masteria; --', "postgres", "masteria"):
        with pytest.raises(ValueError, match="refusing"):
            await create_database(name)


def test_second_ensure_is_a_fast_no_op(infra: InfraUrls) -> None:
    before = pids()
    started = time.perf_counter()
    again = ensure_infra()
    elapsed = time.perf_counter() - started
    assert again == infra
    assert pids() == before
    assert elapsed < 0.5, f"warm ensure_infra took {elapsed:.3f}s"


async def test_committed_data_survives_kill_9_of_the_postmaster(infra: InfraUrls) -> None:
    admin = await asyncpg.connect(dsn(infra.database_admin_url))
    await admin.execute("DROP TABLE IF EXISTS crash_probe; CREATE TABLE crash_probe (v int)")
    await admin.execute("INSERT INTO crash_probe VALUES (42)")
    await admin.close()
    old_pid = pids()["postgres"]
    assert old_pid is not None
    os.kill(old_pid, signal.SIGKILL)
    await eventually(lambda: not pid_alive(old_pid), "the postmaster to die")

    ensure_infra()

    assert pids()["postgres"] not in (None, old_pid)
    admin = await asyncpg.connect(dsn(infra.database_admin_url))
    try:
        assert await admin.fetchval("SELECT v FROM crash_probe") == 42
    finally:
        await admin.execute("DROP TABLE crash_probe")
        await admin.close()


async def test_postmaster_pid_naming_a_live_unrelated_process_is_ignored(infra: InfraUrls) -> None:
    # After a reboot the recorded pid can belong to anything; postgres itself would refuse to start.
    old_pid = pids()["postgres"]
    assert old_pid is not None
    os.kill(old_pid, signal.SIGKILL)
    await eventually(lambda: not pid_alive(old_pid), "the postmaster to die")
    pid_file = Layout.current().pg_data / "postmaster.pid"
    lines = pid_file.read_text().splitlines()
    pid_file.write_text("\n".join([str(os.getpid()), *lines[1:]]) + "\n")

    ensure_infra()

    assert pid_alive(os.getpid())
    conn = await asyncpg.connect(dsn(infra.database_url))
    await conn.close()


def test_two_processes_ensuring_at_once_share_one_stack(infra: InfraUrls) -> None:
    from masteria.devstack import stop_infra

    stop_infra()
    script = "from masteria.devstack import ensure_infra, infra_status; ensure_infra(); " \
             "print([row.pid for row in infra_status()])"
    runs = [subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0]
    assert outputs[0] == outputs[1]
    assert "None" not in outputs[0]
    assert outputs[0].strip() == str(list(pids().values()))


def test_admin_and_app_urls(infra: InfraUrls, stack_env: dict[str, str]) -> None:
    port = stack_env["MASTERIA_PG_PORT"]
    assert infra.database_url == f"postgresql+asyncpg://masteria_app:masteria_app@127.0.0.1:{port}/masteria"
    assert infra.database_admin_url == f"postgresql+asyncpg://postgres@127.0.0.1:{port}/masteria"
    assert postgres.app_url("other").endswith(f":{port}/other")


def test_data_directory_belongs_to_an_unprivileged_user(infra: InfraUrls) -> None:
    data = Layout.current().pg_data
    if os.geteuid() == 0:
        import pwd

        assert pwd.getpwuid(data.stat().st_uid).pw_name == "masteria_pg"
    assert data.stat().st_mode & 0o077 == 0
    assert Path(data, "PG_VERSION").read_text().strip() == "18"


async def test_pgvector_on_app_role_connection(infra: InfraUrls) -> None:
    conn = await asyncpg.connect(dsn(infra.database_url))
    try:
        distance = await conn.fetchval("SELECT '[1,0,0]'::vector <=> '[0,1,0]'::vector")
    finally:
        await conn.close()
    assert distance == pytest.approx(1.0)


async def test_ensure_from_async_code_via_thread(infra: InfraUrls) -> None:
    assert await asyncio.to_thread(ensure_infra) == infra


@pytest.mark.skipif(os.geteuid() != 0, reason="changing owners needs root")
def test_data_left_by_an_old_system_user_uid_is_taken_over(scratch_env: Path) -> None:
    # A rebuilt container may recreate masteria_pg with another uid while var/ persists.
    postgres.ensure()
    postgres.stop()
    data = Layout.current().pg_data
    for directory, _dirs, files in os.walk(data):
        os.chown(directory, 65534, 65534)
        for name in files:
            os.chown(os.path.join(directory, name), 65534, 65534)

    postgres.ensure()

    assert postgres.status().state.value == "running"
    assert data.stat().st_uid != 65534
