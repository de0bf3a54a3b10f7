"""Practice facts the rest of the assistant needs: business hours and public details."""
