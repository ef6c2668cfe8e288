"""Keep BLAS to one thread: tiny matrices run several times faster that way."""

from __future__ import annotations

from typing import Any


def limit_blas_threads(n: int = 1) -> Any:
    """Limit BLAS to ``n`` threads for this process; returns the controller (or None)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency
        return None
    return threadpool_limits(limits=n, user_api="blas")
