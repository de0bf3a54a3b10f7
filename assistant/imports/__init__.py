"""Records in from a practice-management system's CSV exports (AVImark, Cornerstone, ezyVet,
ImproMed and the like): contacts, patients, owner links, appointments and lab results, each
kept with its identifier in the source system so importing the same files again changes
nothing. `docs/records.md` describes the files, the mapping and what an import does."""
