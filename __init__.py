"""jixiao (绩效): read, index and review Chinese budget performance forms."""

__version__ = "0.1.0"
