-- The calendar's set-up (issue 26): rooms, services with their length, buffer, room or
-- equipment, default providers and the forms they will need, providers' weekly working hours
-- (wall-clock minutes in the clinic's zone) and time off (whole days, read in the zone).
-- None of it names a patient. The owner and the front desk get the capability to keep it.
CREATE TABLE rooms (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    retired INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE services (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    minutes INTEGER NOT NULL,
    buffer_minutes INTEGER NOT NULL DEFAULT 0,
    room_id INTEGER REFERENCES rooms(id),
    equipment TEXT NOT NULL DEFAULT '',
    forms TEXT NOT NULL DEFAULT '',
    retired INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE service_providers (
    service_id INTEGER NOT NULL REFERENCES services(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (service_id, user_id)
);

CREATE TABLE working_hours (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id),
    weekday INTEGER NOT NULL,
    from_minute INTEGER NOT NULL,
    until_minute INTEGER NOT NULL
);
CREATE INDEX working_hours_user ON working_hours(user_id, weekday);

CREATE TABLE time_off (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id),
    first_day TEXT NOT NULL,
    last_day TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX time_off_user ON time_off(user_id, last_day);

UPDATE roles SET capabilities = CASE WHEN capabilities = '' THEN 'manage_calendar' ELSE capabilities || ',manage_calendar' END
WHERE builtin = 1 AND name IN ('owner', 'front_desk') AND capabilities NOT LIKE '%manage_calendar%';
