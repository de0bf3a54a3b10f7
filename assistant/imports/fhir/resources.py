"""Validating one resource with the `fhir.resources` R4B models (R4B is R4 with minor fixes;
the resources read here are the same in both). An invalid resource is refused with the
library's reason, never a crash."""

from typing import Any, cast

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.resource import Resource
from pydantic import ValidationError

# The resource types an import reads, in the order their records depend on each other.
READ_TYPES = (
    "Practitioner",
    "Patient",
    "RelatedPerson",
    "Schedule",
    "Slot",
    "Appointment",
    "Observation",
)
MAX_REASONS = 3


class InvalidResource(ValueError):
    """The library's reason a resource is not valid FHIR."""


def validated(resource: dict[str, Any]) -> Resource:
    """The resource as its R4B model; raises InvalidResource naming each bad element."""
    kind = resource.get("resourceType")
    if not isinstance(resource.get("id"), str):
        raise InvalidResource("no id (every resource imported needs its id in the source)")
    model = get_fhir_model_class(str(kind))
    try:
        return cast(Resource, model.model_validate(resource))
    except ValidationError as exc:
        raise InvalidResource(_reasons(exc)) from None


def _reasons(exc: ValidationError) -> str:
    problems = exc.errors(include_url=False)
    said = [
        f"{'.'.join(str(part) for part in problem['loc']) or 'resource'}: {problem['msg']}"
        for problem in problems[:MAX_REASONS]
    ]
    more = len(problems) - MAX_REASONS
    return "not valid FHIR R4: " + "; ".join(said) + (f" (and {more} more)" if more > 0 else "")
