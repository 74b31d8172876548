"""Where a batch of independent problems runs: over the local devices of this process (``jax.sharding``),
and, in a multi-process job (``jax.distributed``), over processes, each taking a contiguous share and all
of them gathering the results (``multihost_utils.process_allgather``)."""

import os
from dataclasses import dataclass, field

import jax
import numpy as np

from jaxtmm.batch import shard, unpad


@dataclass
class Layout:
    devices: list = field(default_factory=jax.local_devices)
    process_index: int = 0
    process_count: int = 1

    @classmethod
    def current(cls, devices=None) -> "Layout":
        """All local devices, and the processes of the distributed runtime if it was started."""
        return cls(
            list(devices) if devices is not None else jax.local_devices(), jax.process_index(), jax.process_count()
        )

    @property
    def is_writer(self) -> bool:
        return self.process_index == 0

    def share(self, n: int) -> tuple[int, int, int]:
        """This process's rows [a, b) of n, and the padded count per process."""
        per = -(-n // self.process_count)
        a = min(n, self.process_index * per)
        return a, min(n, a + per), per

    def shard(self, *arrays):
        """Lay the leading axis of each array out over this process's devices (padded); returns (arrays, n)."""
        out, n = shard(tuple(arrays), self.devices)
        return out, n

    def unpad(self, tree, n):
        return unpad(tree, n)

    def gather(self, local: dict, n: int, per: int) -> dict:
        """Concatenate every process's rows (in process order) to n rows; identity for one process."""
        if self.process_count == 1:
            return local
        from jax.experimental import multihost_utils

        out = {}
        for k, v in local.items():
            v = np.asarray(v)
            pad = per - v.shape[0]
            if pad:
                v = np.concatenate([v, np.zeros((pad, *v.shape[1:]), v.dtype)], axis=0)
            g = np.asarray(multihost_utils.process_allgather(v, tiled=False))
            out[k] = g.reshape(-1, *v.shape[1:])[:n]
        return out


def initialize_distributed(coordinator: str | None, num_processes: int | None, process_id: int | None) -> None:
    """Start JAX's distributed runtime: explicitly, or auto-detected (SLURM, Open MPI, ...) when nothing is given."""
    if coordinator is None and num_processes is None and process_id is None:
        if "SLURM_JOB_ID" not in os.environ and "OMPI_COMM_WORLD_SIZE" not in os.environ:
            raise ValueError("--distributed needs --coordinator, --num-processes and --process-id outside SLURM/MPI")
        jax.distributed.initialize()
        return
    if None in (coordinator, num_processes, process_id):
        raise ValueError("--coordinator, --num-processes and --process-id go together")
    if not 0 <= process_id < num_processes:
        raise ValueError(f"--process-id must be in [0, {num_processes}), got {process_id}")
    jax.distributed.initialize(coordinator_address=coordinator, num_processes=num_processes, process_id=process_id)
