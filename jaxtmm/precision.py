"""The float64 guard: the library never flips JAX's global state, it refuses to run in float32."""

import jax

X64_HINT = (
    "jaxtmm computes in float64 (the moments are differences of nearly equal loop integrals). "
    "Enable it before any JAX work: jax.config.update('jax_enable_x64', True), "
    "or set the environment variable JAX_ENABLE_X64=1."
)


def require_x64() -> None:
    """Raise a clear error when JAX is in its default float32 mode."""
    if not jax.config.jax_enable_x64:
        raise RuntimeError(X64_HINT)
