"""The nurse queue: cases that need a person, with a priority and a deadline."""
