"""Large batches: sharded over all local devices, evaluated in chunks so that memory stays bounded.

A batch is a pytree whose leaves share a leading axis (for example a :class:`jaxtmm.Point` of arrays).
:func:`shard` pads that axis to a multiple of the number of devices and lays it out across them with
``jax.sharding``; jitted functions of the batch then run on every device at once. Inside, ``lax.map`` with
``batch_size`` walks the batch in chunks, so that a reverse-mode gradient through the loop quadratures of a
million points never holds all intermediates at once (about 40 kB per point unchunked).
"""

from functools import cache, partial

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from jaxtmm.loops import check_convention
from jaxtmm.model import Point
from jaxtmm.report import evaluate_jit

DEFAULT_CHUNK = 4096


def batch_size_of(tree) -> int:
    return int(jax.tree_util.tree_leaves(tree)[0].shape[0])


def replicate(tree, n: int):
    """A batch of n copies of a pytree (for example a :class:`jaxtmm.Point` to vary one leaf of)."""
    return jax.tree_util.tree_map(lambda leaf: jnp.broadcast_to(leaf, (n, *jnp.shape(leaf))), tree)


def shard(tree, devices=None):
    """Pad the leading axis to a multiple of the device count and shard it over ``devices`` (default: all
    local devices). Returns the sharded tree and the original batch size."""
    devices = list(devices) if devices is not None else jax.local_devices()
    n = batch_size_of(tree)
    k = len(devices)
    pad = (-n) % k

    def padded(x):
        x = jnp.asarray(x)
        if pad:
            x = jnp.concatenate([x, jnp.repeat(x[-1:], pad, axis=0)], axis=0)
        return x

    mesh = Mesh(np.array(devices), ("batch",))
    sharding = NamedSharding(mesh, PartitionSpec("batch"))
    return jax.device_put(jax.tree_util.tree_map(padded, tree), sharding), n


def unpad(tree, n: int):
    return jax.tree_util.tree_map(lambda x: x[:n], tree)


def map_batch(f, tree, batch_size: int = DEFAULT_CHUNK, devices=None):
    """``f`` applied to every element of a batch: sharded over devices, chunked on each."""
    sharded, n = shard(tree, devices)
    per_device = -(-batch_size_of(sharded) // len(list(devices) if devices is not None else jax.local_devices()))
    bs = max(1, min(batch_size, per_device))
    out = _mapped(f, bs)(sharded)
    return unpad(out, n)


@partial(jax.jit, static_argnums=(0, 1))
def _mapped_impl(f, bs, tree):
    return jax.lax.map(f, tree, batch_size=bs)


def _mapped(f, bs):
    return partial(_mapped_impl, f, bs)


@cache
def _evaluator(convention: str):
    check_convention(convention)
    return partial(evaluate_jit, convention=convention)


@cache
def _value_and_grad(f):
    return jax.value_and_grad(f)


def evaluate_batch(points: Point, convention: str = "corrected", batch_size: int = DEFAULT_CHUNK, devices=None) -> dict:
    """:func:`jaxtmm.evaluate` for a batch of points (leaves with a leading axis), over all local devices."""
    return map_batch(_evaluator(convention), points, batch_size, devices)


def value_and_grad_batch(f, params, batch_size: int = DEFAULT_CHUNK, devices=None):
    """``(f(x), grad f(x))`` for every ``x`` of a batch of parameters, ``f`` scalar; memory bounded by
    ``batch_size`` points' worth of reverse-mode intermediates per device."""
    return map_batch(_value_and_grad(f), params, batch_size, devices)


__all__ = ["evaluate_batch", "map_batch", "replicate", "shard", "unpad", "value_and_grad_batch"]
