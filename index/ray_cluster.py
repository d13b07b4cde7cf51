"""Starting or joining Ray for `--ray auto|ADDRESS` (ingest, index, review --stream).

`auto` is a Ray already started in this process, else the cluster of RAY_ADDRESS, else a new local Ray;
ADDRESS is a head ("ray://host:10001" or "host:6379"). Workers must see the files and the corpus at the
same paths and have jixiao installed (a cluster: a shared disk and the same environment, or Ray's runtime_env).
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

REACH_SECONDS = 5.0  # Ray itself retries a wrong head for minutes before it says so


def _check_reachable(address: str) -> None:
    """A head's address must answer on TCP before Ray is asked to join it: ConnectionError if not."""
    p = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        host, port = p.hostname, p.port
    except ValueError:
        raise ValueError(f"not a Ray address (host:port or ray://host:port): {address!r}") from None
    if not host or not port:
        raise ValueError(f"not a Ray address (host:port or ray://host:port): {address!r}")
    try:
        socket.create_connection((host, port), timeout=REACH_SECONDS).close()
    except OSError as e:
        raise ConnectionError(f"nothing answers at {host}:{port} ({e.strerror or e}); start the head with "
                              f"`ray start --head` there, or use --ray auto for a local Ray") from None


def connect(address: str):
    """ray, initialised: see the module's docstring for what `auto` means."""
    try:
        import ray
    except ImportError:
        raise RuntimeError("--ray needs Ray: pip install 'jixiao[scale]'") from None
    if not ray.is_initialized():
        if address != "auto":
            _check_reachable(address)
        # The workers' logs must not reach the driver's stdout: with --format jsonl it is the stream.
        ray.init(address=None if address == "auto" else address, include_dashboard=False, log_to_driver=False,
                 configure_logging=False)
    return ray
