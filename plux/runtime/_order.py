"""The order a manager loads and calls plugins in: higher priority first, ties in entry point
order, under the ``after``/``before`` constraints plugins declare by name."""

from __future__ import annotations

from plux.core.plugin import PluginException

TYPE_CHECKING = False
if TYPE_CHECKING:
    from plux.core.plugin import Order


def arrange(namespace: str, names: list[str], orders: list[Order]) -> list[int]:
    """The positions of ``names`` (in entry point order, each with its declared order) in the
    order they run. Constraints naming a plugin that is not among ``names`` are ignored.

    :raises PluginException: if the constraints form a cycle, naming it.
    """
    import heapq

    position = {name: i for i, name in enumerate(names)}
    runs_before: list[set[int]] = [set() for _ in names]
    for i, (_, after, before) in enumerate(orders):
        for name in after:
            j = position.get(name, i)
            if j != i:
                runs_before[j].add(i)
        for name in before:
            j = position.get(name, i)
            if j != i:
                runs_before[i].add(j)
    waiting_for = [0] * len(names)
    for successors in runs_before:
        for j in successors:
            waiting_for[j] += 1
    ready = [(-orders[i][0], i) for i in range(len(names)) if not waiting_for[i]]
    heapq.heapify(ready)
    arranged: list[int] = []
    while ready:
        _, i = heapq.heappop(ready)
        arranged.append(i)
        for j in runs_before[i]:
            waiting_for[j] -= 1
            if not waiting_for[j]:
                heapq.heappush(ready, (-orders[j][0], j))
    if len(arranged) < len(names):
        cycle = " -> ".join(names[i] for i in _cycle(runs_before, waiting_for))
        raise PluginException(
            f"the plugins of namespace {namespace} cannot be ordered: their after/before "
            f"constraints form a cycle ({cycle}; each runs before the next): drop one of them",
            namespace,
        )
    return arranged


def _cycle(runs_before: list[set[int]], waiting_for: list[int]) -> list[int]:
    """A cycle among the plugins still waiting, as positions, its first one repeated at the end."""
    # each plugin still waiting runs after one still waiting: walk back until a repeat
    waiting = {i for i, count in enumerate(waiting_for) if count}
    path = [min(waiting)]
    while True:
        earlier = min(i for i in waiting if path[-1] in runs_before[i])
        if earlier in path:
            cycle = path[path.index(earlier) :][::-1]
            first = cycle.index(min(cycle))  # start where entry point order starts
            return [*cycle[first:], *cycle[: first + 1]]
        path.append(earlier)
