"""The file formats each export comes in (light to import: the command line lists them)."""

PATIENT_FORMATS = ("csv", "pdf")
BOOKING_FORMATS = ("fhir", "csv")
