"""Delivering the notifications of the outbox: messages, channels and the worker.

``messages`` renders a notification with the Jinja2 templates of ``notifications/``;
``channels`` sends it by email, webhook or log file; ``worker`` claims due rows, delivers them
exactly once per channel (the delivery ledger) and records every outcome; ``runner`` keeps a
worker ticking with APScheduler.
"""
