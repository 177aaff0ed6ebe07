"""Dask scale-out: same trial as one process, survives a killed worker, atomic datasets."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pandas as pd
import pytest

from mtorsim.errors import MtorsimError
from mtorsim.io import write_partitioned
from mtorsim.scale import local_client, run_trial_distributed
from mtorsim.trials import load_design, run_trial

N = 120


@pytest.fixture(scope="module")
def reference():
    return run_trial("RECORD-1", n_patients=N, seed=5)


def test_distributed_equals_single_process_and_survives_a_killed_worker(reference) -> None:
    client = local_client(2)
    killed: list[int] = []
    pids = list(client.run(os.getpid).values())

    def kill_one_worker_after_first_chunk(_k: int) -> None:
        if not killed:
            os.kill(pids[0], signal.SIGKILL)
            killed.append(pids[0])

    try:
        result = run_trial_distributed(
            load_design("RECORD-1"),
            n_patients=N,
            seed=5,
            chunk_size=10,
            client=client,
            progress=kill_one_worker_after_first_chunk,
        )
        assert killed
        after = list(client.run(os.getpid).values())
        assert pids[0] not in after  # the worker really died (the nanny restarted it)
    finally:
        cluster = client.cluster
        client.close()
        cluster.close()
    assert len(result.patients) == N and result.patients["patient"].is_unique
    pd.testing.assert_frame_equal(result.patients, reference.patients)
    pd.testing.assert_frame_equal(result.assessments, reference.assessments)


def test_bad_cluster_settings() -> None:
    with pytest.raises(MtorsimError, match="workers"):
        local_client(0)
    with pytest.raises(MtorsimError, match="Dask scheduler"):
        run_trial_distributed(load_design("RECORD-1"), n_patients=5, scheduler="tcp://127.0.0.1:1")


def test_partitioned_parquet_is_written_atomically(reference, tmp_path: Path) -> None:
    folder = tmp_path / "trial"
    write_partitioned(
        {"patients": reference.patients, "assessments": reference.assessments},
        folder,
        partition_by="arm",
    )
    back = pd.read_parquet(folder / "patients")
    assert len(back) == N and set(back["arm"].astype(str)) == {"everolimus", "placebo"}
    assert {p.name for p in (folder / "patients").iterdir()} == {"arm=everolimus", "arm=placebo"}

    bad = reference.patients.assign(bad=[object()] * N)  # pyarrow cannot write this
    with pytest.raises(Exception):  # noqa: B017 - any writer error
        write_partitioned({"patients": bad}, folder, partition_by="arm")
    # the old dataset is untouched and no temporary folder is left behind
    assert len(pd.read_parquet(folder / "patients")) == N
    assert [p.name for p in tmp_path.iterdir()] == ["trial"]


def test_losing_the_scheduler_mid_run_is_one_error(monkeypatch) -> None:
    """The scheduler dies after one chunk: one MtorsimError saying so, no traceback."""
    import asyncio

    import dask.distributed

    class Done:
        def result(self):
            return 0, reference_frame(), reference_frame()

    class Lost:
        def result(self):
            raise asyncio.CancelledError()

    def reference_frame():
        return pd.DataFrame({"patient": [0]})

    class FakeClient:
        def __init__(self):
            self.n = 0

        def submit(self, *args, **kwargs):
            self.n += 1
            return Done() if self.n == 1 else Lost()

    monkeypatch.setattr(dask.distributed, "as_completed", lambda fs: iter(fs))
    with pytest.raises(MtorsimError, match="lost the Dask scheduler after 1 of 2 chunks"):
        run_trial_distributed(
            load_design("RECORD-1"), n_patients=4, chunk_size=2, client=FakeClient()
        )
