"""Who is texting: a known contact, and whether they proved it before visit details are shared."""
