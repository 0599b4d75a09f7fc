"""Named tuples declared as ``typing.NamedTuple`` classes, built without importing ``typing``.

A warm process must not pay for ``typing`` (it costs more than everything else the process does),
yet the index's records should be read by name and checked by mypy. ``Record`` is
``typing.NamedTuple`` to mypy and, at run time, a base whose class statement makes a
``collections.namedtuple`` from the annotations (defaults from class attributes), keeping the
body's methods and properties. Marshal takes plain tuples only: convert at the file boundary.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple as Record
else:

    class _RecordMeta(type):
        def __new__(mcls, name, bases, namespace):
            if not bases:
                return super().__new__(mcls, name, bases, namespace)
            from collections import namedtuple

            fields = list(namespace.get("__annotations__", {}))
            defaults = [namespace[field] for field in fields if field in namespace]
            record = namedtuple(name, fields, defaults=defaults, module=namespace["__module__"])
            for key, value in namespace.items():
                if key not in fields and key not in ("__annotations__", "__module__"):
                    setattr(record, key, value)
            return record

    class Record(metaclass=_RecordMeta):
        """Base of a named tuple declared by annotations (``typing.NamedTuple``'s syntax)."""


__all__ = ["Record"]
