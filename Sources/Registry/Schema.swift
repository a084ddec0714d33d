import GRDB

/// The registry's schema, as GRDB migrations. A new migration is appended, never edited.
enum Schema {
    static let migrator: DatabaseMigrator = {
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
        m.registerMigration("v3-dispatch-ledger") { db in
            try db.execute(
                sql: """
                    -- The dispatcher's durable ledger (module FanOut): one row per action and one per message,
                    -- keyed by the idempotency key (action, person, kind). Times are dispatcher-clock ms.
                    CREATE TABLE dispatch_action (
                        id INTEGER PRIMARY KEY NOT NULL,
                        incident_type TEXT NOT NULL,
                        urgency INTEGER NOT NULL,
                        message TEXT NOT NULL,
                        photo_url TEXT,
                        channels TEXT NOT NULL,          -- e.g. "voice,sms"
                        incident_x REAL NOT NULL,        -- RD New metres
                        incident_y REAL NOT NULL,
                        state TEXT NOT NULL,             -- running | stopped | ended
                        result TEXT,
                        started_ms INTEGER NOT NULL
                    );
                    CREATE TABLE dispatch_message (
                        action_id INTEGER NOT NULL REFERENCES dispatch_action(id),
                        person_id INTEGER NOT NULL,
                        kind TEXT NOT NULL,              -- alert | end
                        seq INTEGER NOT NULL,            -- outside-in order within the action
                        channel TEXT NOT NULL,
                        distance_m REAL NOT NULL,
                        state TEXT NOT NULL,             -- queued | sent | delivered | failed | cancelled
                        updated_ms INTEGER NOT NULL,
                        PRIMARY KEY (action_id, person_id, kind)
                    ) WITHOUT ROWID;
                    CREATE INDEX dispatch_message_queued ON dispatch_message(action_id) WHERE state = 'queued';
                    """)
        }
        return m
    }()
}
