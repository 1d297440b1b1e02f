"""The files the package ships beside its code: Word templates, message templates, the example SOP.

They live in ``sop_engine/defaults/`` and are found with :mod:`importlib.resources`, so an installed
wheel finds them as a checkout does (the checkout's top-level ``workflows/`` and ``notifications/``
are links to them). An office overrides each with a config key: ``[documents] dir``,
``[notifications] templates_dir``, ``[workflows] dir`` (which ``sop init`` fills with a copy).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

#: The shipped defaults, as a folder on disk (the package is installed unzipped, as pip does).
DEFAULTS = Path(str(files("sop_engine").joinpath("defaults")))
#: disposisi.docx, surat-pengantar.docx, draft-lkj.docx and the draft's HTML preview template.
DOCUMENTS = DEFAULTS / "documents"
#: The notification message templates (KIND.subject.j2, KIND.txt.j2, KIND.html.j2).
NOTIFICATIONS = DEFAULTS / "notifications"
#: The example SOP definitions (lakip.toml).
WORKFLOWS = DEFAULTS / "workflows"
#: The commented config.toml a new office starts from (the demo office in [office]).
CONFIG = DEFAULTS / "config.toml"
