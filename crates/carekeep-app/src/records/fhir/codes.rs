//! The code systems, profiles and codes the FHIR export and import share.

pub const LOINC: &str = "http://loinc.org";
pub const UCUM: &str = "http://unitsofmeasure.org";
pub const ICD10CM: &str = "http://hl7.org/fhir/sid/icd-10-cm";
pub const CPT: &str = "http://www.ama-assn.org/go/cpt";
pub const HCPCS: &str = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets";
pub const V2_0203: &str = "http://terminology.hl7.org/CodeSystem/v2-0203";
pub const V2_0131: &str = "http://terminology.hl7.org/CodeSystem/v2-0131";
pub const V3_ACT_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
pub const OBSERVATION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";
pub const CONDITION_CLINICAL: &str = "http://terminology.hl7.org/CodeSystem/condition-clinical";
pub const CONDITION_VERIFICATION: &str = "http://terminology.hl7.org/CodeSystem/condition-ver-status";
pub const CONDITION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/condition-category";
pub const ALLERGY_CLINICAL: &str = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical";
pub const ALLERGY_VERIFICATION: &str = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification";
pub const MEDIA_TYPE: &str = "http://terminology.hl7.org/CodeSystem/media-type";
pub const PAYMENT_TYPE: &str = "http://terminology.hl7.org/CodeSystem/payment-type";
pub const TEXT_PLAIN: &str = "text/plain; charset=utf-8";

/// Carekeep's own identifier systems and extensions (absolute URIs, as FHIR asks).
pub const MRN_SYSTEM: &str = "urn:carekeep:mrn";
pub const INVOICE_SYSTEM: &str = "urn:carekeep:invoice";
/// One vitals set's observations share its identifier, so sets taken at one instant stay apart.
pub const VITALS_SET_SYSTEM: &str = "urn:carekeep:vitals-set";
pub const EXT_PREFERRED_CONTACT: &str = "urn:carekeep:fhir:preferred-contact";
pub const EXT_DOSE: &str = "urn:carekeep:fhir:dose";
pub const EXT_PHOTO_PAIR: &str = "urn:carekeep:fhir:photo-pair";
pub const EXT_PHOTO_PAIR_LABEL: &str = "urn:carekeep:fhir:photo-pair-label";
pub const EXT_LINE_DIAGNOSIS: &str = "urn:carekeep:fhir:line-diagnosis";

/// LOINC 11506-3 Progress note.
pub const PROGRESS_NOTE: &str = "11506-3";

// The R4 vital-signs profiles (http://hl7.org/fhir/R4/observation-vitalsigns.html) and the
// LOINC codes each fixes.
pub const PROFILE_BP: &str = "http://hl7.org/fhir/StructureDefinition/bp";
pub const PROFILE_HEART_RATE: &str = "http://hl7.org/fhir/StructureDefinition/heartrate";
pub const PROFILE_BODY_TEMP: &str = "http://hl7.org/fhir/StructureDefinition/bodytemp";
pub const PROFILE_BODY_WEIGHT: &str = "http://hl7.org/fhir/StructureDefinition/bodyweight";
pub const PROFILE_BODY_HEIGHT: &str = "http://hl7.org/fhir/StructureDefinition/bodyheight";
pub const PROFILE_OXYGEN_SAT: &str = "http://hl7.org/fhir/StructureDefinition/oxygensat";
pub const LOINC_BP: &str = "85354-9";
pub const LOINC_SYSTOLIC: &str = "8480-6";
pub const LOINC_DIASTOLIC: &str = "8462-4";
pub const LOINC_HEART_RATE: &str = "8867-4";
pub const LOINC_BODY_TEMP: &str = "8310-5";
pub const LOINC_BODY_WEIGHT: &str = "29463-7";
pub const LOINC_BODY_HEIGHT: &str = "8302-2";
pub const LOINC_SPO2_ARTERIAL: &str = "2708-6";
pub const LOINC_SPO2_PULSE_OX: &str = "59408-5";
pub const PROFILE_VITALS_PANEL: &str = "http://hl7.org/fhir/StructureDefinition/vitalspanel";
pub const PROFILE_RESP_RATE: &str = "http://hl7.org/fhir/StructureDefinition/resprate";
pub const PROFILE_BMI: &str = "http://hl7.org/fhir/StructureDefinition/bmi";
pub const PROFILE_HEAD_CIRCUM: &str = "http://hl7.org/fhir/StructureDefinition/headcircum";
pub const LOINC_VITALS_PANEL: &str = "85353-1";
pub const LOINC_RESP_RATE: &str = "9279-1";
pub const LOINC_BMI: &str = "39156-5";
pub const LOINC_HEAD_CIRCUM: &str = "9843-4";
/// Head circumference by tape measure, the code synthetic-patient tools use.
pub const LOINC_HEAD_CIRCUM_TAPE: &str = "8287-5";
pub const MARITAL_STATUS: &str = "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus";

/// Carekeep's appointment status as FHIR's `AppointmentStatus`.
pub fn appointment_status_to_fhir(s: &str) -> &'static str {
    match s {
        "checked_in" => "checked-in",
        "completed" => "fulfilled",
        "no_show" => "noshow",
        "cancelled" => "cancelled",
        _ => "booked",
    }
}

/// FHIR's `AppointmentStatus` as Carekeep's; `None` for statuses Carekeep has no place for
/// (proposed, pending, waitlist, entered-in-error).
pub fn appointment_status_from_fhir(s: &str) -> Option<&'static str> {
    Some(match s {
        "booked" | "arrived" => "booked",
        "checked-in" => "checked_in",
        "fulfilled" => "completed",
        "noshow" => "no_show",
        "cancelled" => "cancelled",
        _ => return None,
    })
}

/// CPT for five-character codes that start with a digit, HCPCS Level II for a letter.
pub fn procedure_system(code: &str) -> &'static str {
    match code.chars().next() {
        Some(c) if c.is_ascii_alphabetic() => HCPCS,
        _ => CPT,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appointment_statuses_round_trip() {
        for s in ["booked", "checked_in", "completed", "no_show", "cancelled"] {
            assert_eq!(appointment_status_from_fhir(appointment_status_to_fhir(s)), Some(s));
        }
        assert_eq!(appointment_status_from_fhir("proposed"), None);
    }
}
