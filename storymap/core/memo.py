"""What one process remembers between the steps of a build, by the identity of the object it was
worked out from (a layer's projection, a geometry's simplification), without the cost of hashing
the object. Shared by every stage; the build cache (storymap/cache/store.py) keeps what lasts
between builds."""
from __future__ import annotations


class ByIdentity:
    """Results remembered, in this process only, by the identity of the object they were worked
    out from (and a question about it). The object is kept beside its results, so that its id
    is not reused by another while they are remembered; past `limit` results, all are forgotten
    (a long preview session starts again rather than grows)."""

    def __init__(self, limit: int):
        self.limit = limit
        self._known: dict[tuple, tuple[object, object]] = {}

    def get(self, source, question, work):
        """The result of work() for (source, question), worked out on first asking."""
        key = (id(source), question)
        known = self._known.get(key)
        if known is None or known[0] is not source:
            if len(self._known) >= self.limit:
                self._known.clear()
            known = self._known[key] = (source, work())
        return known[1]
