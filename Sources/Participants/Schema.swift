import GRDB

/// The registry's schema, as GRDB migrations. A new migration is appended, never edited.
///
/// The file is shared: other modules keep their own tables in it with their own migrations in
/// the same `grdb_migrations` table (the dispatcher's ledger, `LedgerSchema` in FanOut). Their
/// identifiers carry their module's word (``isForeign(_:)``), so that the registry can tell a
/// migration of another module from one of a newer registry it does not know.
package enum Schema {
    package static let migrator: DatabaseMigrator = {
        var m = DatabaseMigrator()
        m.registerMigration("v1-participants") { db in
            try db.execute(
                sql: """
                    CREATE TABLE participant (
                        id INTEGER PRIMARY KEY NOT NULL,
                        source_crs INTEGER NOT NULL,      -- EPSG code the position was given in
                        source_x REAL NOT NULL,           -- position as given (lon or easting)
                        source_y REAL NOT NULL,           -- position as given (lat or northing)
                        lon REAL NOT NULL,                -- WGS84 degrees
                        lat REAL NOT NULL,
                        rd_x REAL NOT NULL,               -- RD New metres
                        rd_y REAL NOT NULL,
                        country TEXT,                     -- ISO 3166-1 alpha-2, upper-case
                        phone TEXT,                       -- personal data: never logged
                        email TEXT,                       -- personal data: never logged
                        channels TEXT,                    -- preferred channels in order, e.g. "voice,sms"
                        quiet_hours TEXT,                 -- e.g. "23:00-07:00"
                        language TEXT,                    -- e.g. "nl"
                        import_run INTEGER NOT NULL REFERENCES import_run(id)
                    );
                    CREATE TABLE import_run (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        file TEXT NOT NULL,
                        source_crs INTEGER NOT NULL,
                        started_at TEXT NOT NULL,
                        inserted INTEGER NOT NULL DEFAULT 0,
                        updated INTEGER NOT NULL DEFAULT 0
                    );
                    """)
        }
        m.registerMigration("v2-generation-and-index-snapshot") { db in
            try db.execute(
                sql: """
                    -- Bumped by every change to participant, so a stored index knows whether it is current.
                    CREATE TABLE registry_state (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        generation INTEGER NOT NULL
                    );
                    INSERT INTO registry_state (id, generation) VALUES (1, 0);
                    CREATE TRIGGER participant_insert AFTER INSERT ON participant
                        BEGIN UPDATE registry_state SET generation = generation + 1 WHERE id = 1; END;
                    CREATE TRIGGER participant_update AFTER UPDATE ON participant
                        BEGIN UPDATE registry_state SET generation = generation + 1 WHERE id = 1; END;
                    CREATE TRIGGER participant_delete AFTER DELETE ON participant
                        BEGIN UPDATE registry_state SET generation = generation + 1 WHERE id = 1; END;
                    -- The packed in-memory index as of `generation` (little-endian arrays).
                    CREATE TABLE index_snapshot (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        format INTEGER NOT NULL,
                        generation INTEGER NOT NULL,
                        origin_x REAL NOT NULL, origin_y REAL NOT NULL, cell_size REAL NOT NULL,
                        nx INTEGER NOT NULL, ny INTEGER NOT NULL,
                        ids BLOB NOT NULL, xs BLOB NOT NULL, ys BLOB NOT NULL, countries BLOB NOT NULL,
                        cell_start BLOB NOT NULL
                    );
                    """)
        }
        // v4 also made the ledger's v4 tables until the ledger took its migrations (LedgerSchema).
        m.registerMigration("v4-person-retries-audit") { db in
            try db.execute(
                sql: """
                    -- The person an address belongs to: several rows (addresses) may share one person, who is
                    -- alerted once per action. NULL means the participant id itself.
                    ALTER TABLE participant ADD COLUMN person INTEGER;
                    """)
        }
        m.registerMigration("v6-participant-opt-out") { db in
            try db.execute(
                sql: """
                    -- Incident types the person does not want alerts for ("burglary,bike-theft"), or "all"
                    -- (see Registry.OptOut). NULL: every type. The audit then records the reason "opted-out".
                    ALTER TABLE participant ADD COLUMN opt_out TEXT;
                    """)
        }
        m.registerMigration("v8-participant-person-index") { db in
            try db.execute(
                sql: """
                    -- A person's other addresses (their phone number or e-mail address may be on one of
                    -- them); partial: only rows that name a person.
                    CREATE INDEX participant_person ON participant(person) WHERE person IS NOT NULL;
                    """)
        }
        m.registerMigration("v15-participant-phone-key") { db in
            try db.execute(
                sql: """
                    -- Finds the person an SMS reply came from: the number as an SMSC gives it (31612345678),
                    -- however it was registered (+31 6 1234 5678, 06-12345678, 0031612345678).
                    CREATE INDEX participant_phone_key ON participant(\(phoneKey)) WHERE phone IS NOT NULL;
                    """)
        }
        m.registerMigration("v16-push-subscription") { db in
            try db.execute(
                sql: """
                    -- A person's Web Push subscription (RFC 8030/8291), as their app or browser gave it. Personal
                    -- data: never logged. Not a participant column, so the generation triggers do not fire:
                    -- a new subscription moves nobody and leaves a stored index current.
                    CREATE TABLE push_subscription (
                        person INTEGER PRIMARY KEY NOT NULL,  -- the person (participant id or `person`)
                        endpoint TEXT NOT NULL,               -- the push service URL
                        p256dh TEXT NOT NULL,                 -- base64url, 65-byte uncompressed P-256 point
                        auth TEXT NOT NULL,                   -- base64url, 16-byte authentication secret
                        created_at TEXT NOT NULL,             -- ISO 8601, UTC
                        updated_at TEXT NOT NULL
                    );
                    """)
        }
        return m
    }()

    /// Whether a migration identifier belongs to another module sharing the file: the
    /// dispatcher's ledger, whose identifiers all contain `-dispatch-`.
    package static func isForeign(_ identifier: String) -> Bool { identifier.contains("-dispatch-") }

    /// The `phone` column as international digits: spaces, dashes and `+` removed, a leading `00`
    /// dropped, a leading `0` replaced by the country's calling code (31, or 32 for BE, 49 for DE).
    /// The expression of the `participant_phone_key` index: a query must spell it the same.
    package static let phoneKey = """
        CASE WHEN \(digits) LIKE '00%' THEN substr(\(digits), 3) \
        WHEN \(digits) LIKE '0%' THEN (CASE country WHEN 'BE' THEN '32' WHEN 'DE' THEN '49' ELSE '31' END) \
        || substr(\(digits), 2) ELSE \(digits) END
        """
    private static let digits = "replace(replace(replace(phone, ' ', ''), '-', ''), '+', '')"
}
