"""Scale-out: shard a virtual trial over a Dask ``distributed`` cluster.

The cohort is cut into chunks of consecutive patient numbers; each chunk is one task that
simulates exactly those patients (seeded per patient, so a chunk gives the same rows on any
worker). Results are gathered by chunk start, so a task retried after its worker died is
counted once and none is lost; the assembled trial equals the single-process one.
"""

from __future__ import annotations

import asyncio
import concurrent.futures as futures_
import os
from collections.abc import Callable
from typing import Any

import pandas as pd

from mtorsim.errors import MtorsimError
from mtorsim.trials.design import TrialDesign
from mtorsim.trials.run import TrialResult, assemble
from mtorsim.trials.simulate import simulate_patients

__all__ = ["local_client", "run_trial_distributed"]


def _chunk(
    design: dict[str, Any], n: int, seed: int, first: int
) -> tuple[int, pd.DataFrame, pd.DataFrame]:
    part = simulate_patients(TrialDesign.from_dict(design), n, seed, first=first)
    return first, part.patients, part.assessments


def local_client(workers: int, numba_threads: int | None = None):
    """A ``Client`` on a new local cluster of ``workers`` single-threaded processes.

    Each worker's numba kernels get ``numba_threads`` threads, by default
    ``cores // workers`` (at least one), so workers share the machine instead of each
    starting a thread per core.
    """
    try:  # an optional extra: mtorsim[dask]
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise MtorsimError(
            'running on Dask needs dask.distributed: pip install "mtorsim[dask]"'
        ) from None

    if workers < 1:
        raise MtorsimError(f"--workers is {workers}; give at least 1")
    threads = numba_threads or max(1, (os.cpu_count() or 1) // workers)
    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        env={"NUMBA_NUM_THREADS": str(threads)},
    )
    return Client(cluster)


def run_trial_distributed(
    design: TrialDesign,
    *,
    n_patients: int | None = None,
    seed: int = 0,
    chunk_size: int = 500,
    workers: int | None = None,
    scheduler: str | None = None,
    client=None,
    retries: int = 3,
    progress: Callable[[int], None] | None = None,
) -> TrialResult:
    """Simulate ``design`` on a Dask cluster; same result as :func:`run_trial` for the seed.

    Give an existing ``client``, a ``scheduler`` address (``tcp://host:8786``) or a number
    of local ``workers`` (default 2).
    """
    try:  # an optional extra: mtorsim[dask]
        from dask.distributed import Client, as_completed
    except ImportError:
        raise MtorsimError(
            'running on Dask needs dask.distributed: pip install "mtorsim[dask]"'
        ) from None

    n = design.n_patients if n_patients is None else n_patients
    if n < 1 or chunk_size < 1:
        raise MtorsimError("patients and chunk size must be >= 1")
    own = client is None
    if client is None:
        try:
            client = Client(scheduler, timeout="10s") if scheduler else local_client(workers or 2)
        except OSError as exc:
            raise MtorsimError(f"cannot reach the Dask scheduler {scheduler}: {exc}") from None
    try:
        data = design.to_dict()
        futures = [
            client.submit(
                _chunk,
                data,
                min(chunk_size, n - first),
                seed,
                first,
                retries=retries,
                pure=False,
                key=f"mtorsim-{design.name}-{seed}-{first}",
            )
            for first in range(0, n, chunk_size)
        ]
        done: dict[int, tuple[pd.DataFrame, pd.DataFrame]] = {}
        try:
            for fut in as_completed(futures):
                first, patients, assessments = fut.result()
                if first not in done and progress is not None:
                    progress(len(patients))
                done[first] = (patients, assessments)
        except (OSError, TimeoutError, asyncio.CancelledError, futures_.CancelledError) as exc:
            # the scheduler went away (or cancelled the work): one line, nothing written
            raise MtorsimError(
                f"lost the Dask scheduler after {len(done)} of {len(futures)} chunks "
                f"({type(exc).__name__}); nothing was written: restart the cluster and rerun"
            ) from None
    finally:
        if own:
            cluster = getattr(client, "cluster", None)
            client.close()
            if cluster is not None:
                cluster.close()
    ordered = [done[k] for k in sorted(done)]
    return assemble(design, seed, [p for p, _ in ordered], [a for _, a in ordered])
