"""Shared test set-up."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_language_model_from_the_environment(monkeypatch):
    """A developer who configured a model for the real-model test (JIXIAO_LLM_URL …) must not have
    every other `jixiao review` test call it: tests that want a model pass --llm-url themselves.
    tests/test_llm_real.py reads the variables at import time, before this runs."""
    for name in ("JIXIAO_LLM_URL", "JIXIAO_LLM_MODEL", "JIXIAO_LLM_API_KEY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def local_ray():
    """A local Ray of 2 CPUs for one test module (the modules that use it skip without Ray)."""
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()
