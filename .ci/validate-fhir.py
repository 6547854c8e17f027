"""Validates FHIR R4 (4.0.1) JSON Bundles.

Structure comes from fhir.resources 6.4.0, whose models are generated from the R4
specification: required elements, cardinalities, primitive formats and no unknown elements.
Those models do not check coded values, so the codes of the required bindings Carekeep's
export uses are checked here against the R4 value sets (hl7.org/fhir/R4/valueset-*.html).
Exit 0 when every file is valid."""
import json
import sys

import fhir.resources
from fhir.resources.bundle import Bundle

REQUIRED = {
    ("Bundle", "type"): {"document", "message", "transaction", "transaction-response", "batch",
                          "batch-response", "history", "searchset", "collection"},
    ("Patient", "gender"): {"male", "female", "other", "unknown"},
    ("Appointment", "status"): {"proposed", "pending", "booked", "arrived", "fulfilled", "cancelled",
                                "noshow", "entered-in-error", "checked-in", "waitlist"},
    ("Appointment", "participant.status"): {"accepted", "declined", "tentative", "needs-action"},
    ("Encounter", "status"): {"planned", "arrived", "triaged", "in-progress", "onleave", "finished",
                              "cancelled", "entered-in-error", "unknown"},
    ("Observation", "status"): {"registered", "preliminary", "final", "amended", "corrected",
                                "cancelled", "entered-in-error", "unknown"},
    ("DocumentReference", "status"): {"current", "superseded", "entered-in-error"},
    ("DocumentReference", "docStatus"): {"preliminary", "final", "amended", "entered-in-error"},
    ("DocumentReference", "relatesTo.code"): {"replaces", "transforms", "signs", "appends"},
    ("MedicationStatement", "status"): {"active", "completed", "entered-in-error", "intended",
                                        "stopped", "on-hold", "unknown", "not-taken"},
    ("AllergyIntolerance", "reaction.severity"): {"mild", "moderate", "severe"},
    ("Media", "status"): {"preparation", "in-progress", "not-done", "on-hold", "stopped",
                          "completed", "entered-in-error", "unknown"},
    ("Invoice", "status"): {"draft", "issued", "balanced", "cancelled", "entered-in-error"},
    ("Invoice", "lineItem.priceComponent.type"): {"base", "surcharge", "deduction", "discount",
                                                  "tax", "informational"},
    ("PaymentReconciliation", "status"): {"active", "cancelled", "draft", "entered-in-error"},
    ("Patient", "telecom.system"): {"phone", "fax", "email", "pager", "url", "sms", "other"},
    ("Patient", "telecom.use"): {"home", "work", "temp", "old", "mobile"},
    ("Patient", "name.use"): {"usual", "official", "temp", "nickname", "anonymous", "old", "maiden"},
}


def values(node, path):
    """Every value at a dotted path, descending into lists."""
    if isinstance(node, list):
        for item in node:
            yield from values(item, path)
        return
    if not path:
        yield node
        return
    head, _, rest = path.partition(".")
    if isinstance(node, dict) and head in node:
        yield from values(node[head], rest)


def check_codes(bundle):
    resources = [("Bundle", bundle)] + [
        (e["resource"]["resourceType"], e["resource"]) for e in bundle.get("entry", [])
    ]
    for kind, resource in resources:
        for (rkind, path), allowed in REQUIRED.items():
            if rkind != kind:
                continue
            for v in values(resource, path):
                if v not in allowed:
                    raise SystemExit(f"{kind}.{path} = {v!r} is not in its required value set")


assert fhir.resources.__fhir_version__ == "4.0.1", fhir.resources.__fhir_version__
for path in sys.argv[1:]:
    bundle = Bundle.parse_file(path)
    with open(path, encoding="utf-8") as f:
        check_codes(json.load(f))
    kinds = sorted({e.resource.resource_type for e in bundle.entry or []})
    print(f"valid FHIR R4 4.0.1: {path}: {len(bundle.entry or [])} resources ({', '.join(kinds)})")
