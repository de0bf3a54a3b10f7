"""Core of the oncology practice assistant: framework-free business logic."""
