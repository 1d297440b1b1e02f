"""The numbers of the LAKIP SOP (issue 5): targets, budget realisation and the step-5 analysis.

``tables``, ``targets`` and ``budget`` read what the office hands in (CSV/XLSX) and refuse a bad
file as a whole; ``analysis`` and ``consistency`` compute step 5 without touching the database;
``store`` and ``service`` keep one office's years and analyse them, one transaction per action;
``records`` are what the services hand out (and the JSON of an analysis).
"""
