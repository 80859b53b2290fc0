"""Offline evaluation of the recommendation engine: loaders, protocols, baselines, reports.

Run `python -m personalization.evaluation --help`; see docs/evaluation.md for the protocols,
the tables and how to reproduce them.
"""
