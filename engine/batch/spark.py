"""Chunks of a register decided inside Spark executors, returned to the driver in input order.

In: the register's chunks (as engine.batch.read makes them), the Job every worker needs, a
Spark master URL. Out: ChunkResults in input order, exactly what local workers return, so
budgets are spent on the driver over the ordered prefix of all rows and the files written are
byte for byte those of a local run. Each executor loads the policy library from the Job's
package folders once per Python worker and runs the same ChunkWorker (and so the same
compiled columnar plan) as the local engine. Spark is optional (`pip install clause[spark]`).

The driver reads the register and sends chunks out in waves of `partitions` tasks, keeping
memory bounded by the wave; each wave is one Spark job whose partitions are collected in order.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import Any

from clause.engine.batch.chunk import ChunkResult, Job
from clause.engine.batch.read import Chunk, InputError, Source
from clause.engine.messages import msg

_WORKERS: dict[Job, Any] = {}  # per executor Python worker: one ChunkWorker per job


def spark_session(master: str) -> Any:
    """A Spark session on `master` (local[N], spark://…, yarn…); InputError without pyspark."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise InputError(msg("B007/pyspark")) from None
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master(master)
        .appName("clause eval")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.python.worker.reuse", "true")
        .config("spark.driver.memory", os.environ.get("CLAUSE_SPARK_DRIVER_MEMORY", "2g"))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def _decide_partition(job: Job, chunks: Iterator[Chunk]) -> Iterator[ChunkResult]:
    """Runs in an executor: the same ChunkWorker the local engine uses."""
    import clause.engine.batch.run as run
    from clause.engine.batch.run import _run_chunk, load_worker

    worker = _WORKERS.get(job)
    if worker is None:
        load_worker(job)
        worker = _WORKERS[job] = run._WORKER
    run._WORKER = worker
    for chunk in chunks:
        yield _run_chunk(chunk)


def spark_results(
    source: Source, job: Job, chunk_size: int, master: str
) -> Iterator[tuple[Chunk, ChunkResult]]:
    """Chunks and their results in input order, decided by Spark executors."""
    spark = spark_session(master)
    context = spark.sparkContext
    wave = max(2 * context.defaultParallelism, 2)
    pending: list[Chunk] = []
    for chunk in source.chunks(chunk_size):
        pending.append(chunk)
        if len(pending) >= wave:
            yield from _wave(context, job, pending)
            pending = []
    if pending:
        yield from _wave(context, job, pending)


def _wave(context: Any, job: Job, chunks: list[Chunk]) -> Iterator[tuple[Chunk, ChunkResult]]:
    rdd = context.parallelize(chunks, len(chunks))
    results = rdd.mapPartitions(lambda part: _decide_partition(job, part)).collect()
    yield from zip(chunks, results, strict=True)  # collect keeps partition order
