"""A ``Generic`` base that works at run time without importing ``typing``.

``typing`` costs an interpreter several milliseconds to import, more than the rest of plux's
start-up together. Type checkers see the real ``typing.Generic``; at run time ``Generic[P]`` is a
plain base class whose subclasses can still be subscripted (``PluginManager[CliPlugin]``).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Generic as Generic, TypeVar as TypeVar
else:
    _GenericAlias = type(list[int])

    class _SubscriptableBase:
        def __class_getitem__(cls, params: object) -> object:
            return _GenericAlias(cls, params)

    class Generic:
        """Stand-in for ``typing.Generic``: ``Generic[P]`` is a subscriptable base class."""

        def __class_getitem__(cls, params: object) -> type:
            return _SubscriptableBase

    def TypeVar(name: str, *constraints: object, bound: object = None) -> str:  # noqa: N802
        """Stand-in for ``typing.TypeVar``: type variables are only read by type checkers."""
        return name
