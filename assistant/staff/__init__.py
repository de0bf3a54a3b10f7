"""Staff accounts: passwords and sign-in."""
