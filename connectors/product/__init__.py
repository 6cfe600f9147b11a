"""Product usage events from a file drop (Parquet or CSV), for product-qualified leads."""

from .source import OBJECTS, FileDropSource

__all__ = ["OBJECTS", "FileDropSource"]
