"""sop-engine: runs the Standard Operating Procedures of Indonesian government offices.

The public surface is the ``sop`` command line (:mod:`sop_engine.cli`) and the service modules
(:mod:`sop_engine.cases`, :mod:`sop_engine.artefacts`, :mod:`sop_engine.audit`,
:mod:`sop_engine.people`), which take a :class:`~sop_engine.context.Context`.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
