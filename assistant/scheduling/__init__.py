"""Scheduling: free times, bookings and the time they hold, treatment protocols, follow-up calls."""
