"""Approved reply templates: the only source of words the bot sends."""

from assistant.templates.registry import Template, TemplateRegistry, UnknownPlaceholder

__all__ = ["Template", "TemplateRegistry", "UnknownPlaceholder"]
