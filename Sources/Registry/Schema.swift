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
        return m
    }()
}
