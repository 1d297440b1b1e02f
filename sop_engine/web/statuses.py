"""The HTTP status of each refusal a service can raise, for the pages and the API alike."""

from __future__ import annotations

from sop_engine.errors import Busy, Conflict, InvalidInput, NotAllowed, NotFound, SopError

_REFUSALS: tuple[tuple[type[SopError], int], ...] = (
    (InvalidInput, 422),
    (NotAllowed, 403),
    (NotFound, 404),
    (Conflict, 409),
    (Busy, 503),
)


def refusal_status(exc: SopError) -> int | None:
    """The status of a refusal (bad input, not allowed, ...); None for faults (IntegrityError, ...)."""
    return next((status for kind, status in _REFUSALS if isinstance(exc, kind)), None)
