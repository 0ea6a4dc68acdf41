"""Entity resolution: normalization, acronyms, one node per real entity."""

from .entities import Resolution, resolve
from .normalize import canonical_key

__all__ = ["Resolution", "canonical_key", "resolve"]
