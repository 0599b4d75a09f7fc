"""``typing``'s ``Generic``, ``TypeVar`` and ``NamedTuple`` at run time, without ``typing``.

``typing`` costs an interpreter several milliseconds to import, more than the rest of a warm plux
start-up together. Type checkers see the real names; at run time:

- ``Generic[P]`` is a plain base class whose subclasses can still be subscripted
  (``PluginManager[CliPlugin]``), and ``TypeVar`` returns the variable's name;
- a class statement deriving from ``Record`` (``typing.NamedTuple`` to mypy) makes a tuple
  subclass with the annotated fields (defaults from class attributes), the body's methods, and
  ``_fields``, ``_make``, ``_replace`` and ``_asdict``. Unlike ``collections.namedtuple`` it
  compiles no code per class, which a warm process would pay for each record. Marshal takes
  plain tuples only: convert at the file boundary.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Generic as Generic, NamedTuple as Record, TypeVar as TypeVar
else:
    from _collections import _tuplegetter  # the field accessor namedtuple uses, in C

    _GenericAlias = type(list[int])

    class Generic:
        """Stand-in for ``typing.Generic``: ``Generic[P]`` is a subscriptable base class."""

        def __class_getitem__(cls, params: object) -> object:
            # Generic[P] (a base) is Generic itself; a subclass subscripted is an alias of it
            return cls if cls is Generic else _GenericAlias(cls, params)

    def TypeVar(name: str, *constraints: object, bound: object = None) -> str:  # noqa: N802
        """Stand-in for ``typing.TypeVar``: type variables are only read by type checkers."""
        return name

    class _Tuple(tuple):
        """What every record has (the methods of a named tuple)."""

        __slots__ = ()
        _fields: tuple[str, ...] = ()
        _field_defaults: dict[str, object] = {}

        def __new__(cls, *args, **kwargs):
            if kwargs or len(args) != len(cls._fields):
                args = cls._bind(args, kwargs)
            return tuple.__new__(cls, args)

        @classmethod
        def _bind(cls, args, kwargs):
            values = list(args)
            for field in cls._fields[len(args) :]:
                if field in kwargs:
                    values.append(kwargs.pop(field))
                elif field in cls._field_defaults:
                    values.append(cls._field_defaults[field])
                else:
                    raise TypeError(f"{cls.__name__}() missing argument {field!r}")
            if kwargs or len(values) != len(cls._fields):
                raise TypeError(f"{cls.__name__}() takes the fields {cls._fields}")
            return values

        @classmethod
        def _make(cls, iterable):
            result = tuple.__new__(cls, iterable)
            if len(result) != len(cls._fields):
                raise TypeError(f"expected {len(cls._fields)} fields, got {len(result)}")
            return result

        def _replace(self, **changes):
            result = self._make(map(changes.pop, self._fields, self))
            if changes:
                raise ValueError(f"unknown field names: {sorted(changes)}")
            return result

        def _asdict(self):
            return dict(zip(self._fields, self, strict=True))

        def __getnewargs__(self):
            return tuple(self)

        def __repr__(self):
            fields = ", ".join(f"{f}={v!r}" for f, v in zip(self._fields, self, strict=True))
            return f"{type(self).__name__}({fields})"

    class _RecordMeta(type):
        def __new__(mcls, name, bases, namespace):
            if not bases:
                return super().__new__(mcls, name, bases, namespace)
            fields = tuple(namespace.pop("__annotations__", {}))
            defaults = {field: namespace.pop(field) for field in fields if field in namespace}
            for position, field in enumerate(fields):
                namespace[field] = _tuplegetter(position, None)
            namespace.update(
                __slots__=(), _fields=fields, _field_defaults=defaults, __match_args__=fields
            )
            return type(name, (_Tuple,), namespace)

    class Record(metaclass=_RecordMeta):
        """Base of a named tuple declared by annotations (``typing.NamedTuple``'s syntax)."""


__all__ = ["Generic", "Record", "TypeVar"]
