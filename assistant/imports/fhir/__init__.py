"""Records in from FHIR R4 (a Bundle file, or a FHIR server's REST API read incrementally by
`_lastUpdated`): Patient, RelatedPerson, Practitioner, Appointment and Observation become the
same records as a CSV export's and go through the same upsert. `docs/records.md`, "FHIR"."""
