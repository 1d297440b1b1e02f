"""Page sizes of the lists: how many rows a reader gets unless they ask, and the most they may ask for.

A light module (no imports): the command-line tree reads it before any service is loaded.
"""

#: Cases on one page of ``sop case list`` and ``/kasus`` unless the reader asks for another number.
DEFAULT_LIMIT = 50
#: The largest page a reader may ask for.
MAX_LIMIT = 1000
