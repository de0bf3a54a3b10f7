"""Records changed by hand at the front desk (issue 19): one contact, patient or visit at a
time, for what no import brings in. Every change is audited."""
