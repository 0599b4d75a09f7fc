"""Corpus root package; re-exports a spec defined in a submodule (one entry point, at services)."""

from .services import s3 as s3
