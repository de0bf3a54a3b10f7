"""Billing: invoices, payments, insurance policies, pre-authorizations, claims and their checks."""
