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
