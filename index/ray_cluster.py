"""Starting or joining Ray for `--ray auto|ADDRESS` (ingest, index, review --stream).

`auto` is a Ray already started in this process, else the cluster of RAY_ADDRESS, else a new local Ray;
ADDRESS is a head ("ray://host:10001" or "host:6379"). Workers must see the files and the corpus at the
same paths and have jixiao installed (a cluster: a shared disk and the same environment, or Ray's runtime_env).
"""

from __future__ import annotations


def connect(address: str):
    """ray, initialised: see the module's docstring for what `auto` means."""
    try:
        import ray
    except ImportError:
        raise RuntimeError("--ray needs Ray: pip install 'jixiao[scale]'") from None
    if not ray.is_initialized():
        # The workers' logs must not reach the driver's stdout: with --format jsonl it is the stream.
        ray.init(address=None if address == "auto" else address, include_dashboard=False, log_to_driver=False,
                 configure_logging=False)
    return ray
