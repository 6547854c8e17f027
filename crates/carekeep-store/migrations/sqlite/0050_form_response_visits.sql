-- A form still open when another visit asks for it is reused, not asked twice (issue 28): the
-- response keeps its packet and is also counted for each later visit listed here, so the
-- calendar card and the reminder of that visit see it. No PHI: ids only.
CREATE TABLE form_response_visits (
    response_id INTEGER NOT NULL REFERENCES form_responses(id),
    appointment_id INTEGER NOT NULL REFERENCES appointments(id),
    PRIMARY KEY (response_id, appointment_id)
);
CREATE INDEX form_response_visits_appointment ON form_response_visits(appointment_id);
