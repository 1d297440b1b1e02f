"""``python -m bench`` (``make bench``): sop-engine's figures beside their references, measured in one run.

Each figure (:mod:`bench.harness`) measures sop-engine and a reference on the same machine,
interleaved repetition by repetition, and reports medians and their ratios. See
docs/performance.md for what each figure means. ``attack_zipbomb.py`` is a separate script.
"""
