"""backlog: triage, deadlines and task lists for court enforcement case backlogs (执行积案)."""

__version__ = "0.1.0"
