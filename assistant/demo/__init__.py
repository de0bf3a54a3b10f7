"""Fictional demo practices, people and schedules, loaded into an empty database."""

from assistant.demo.seed import load_demo_data

__all__ = ["load_demo_data"]
