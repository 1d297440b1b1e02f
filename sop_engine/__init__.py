"""sop-engine: runs the Standard Operating Procedures of Indonesian government offices.

The public surface is the ``sop`` command line (:mod:`sop_engine.cli`), the Python API
(:class:`sop_engine.Engine`, in :mod:`sop_engine.engine`) and the service modules
(:mod:`sop_engine.cases`, :mod:`sop_engine.artefacts`, :mod:`sop_engine.audit`,
:mod:`sop_engine.people`), which take a :class:`~sop_engine.context.Context`.

``import sop_engine`` stays light: :class:`Engine` (and with it SQLAlchemy) is imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sop_engine.engine import Engine

__version__ = "0.1.0"

__all__ = ["Engine", "__version__"]


def __getattr__(name: str) -> Any:
    if name == "Engine":
        from sop_engine.engine import Engine

        return Engine
    raise AttributeError(f"module 'sop_engine' has no attribute {name!r}")
