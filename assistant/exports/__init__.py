"""Records out (issue 19): what happened in the assistant, in forms a practice files in its
own record system. Resolved cases with their messages (FHIR Communication, or CSV and PDF per
patient) and the visits clients booked, moved or cancelled by text (FHIR Appointment or CSV).
Everything here only reads; the routes and the command line check who may export and audit it."""
