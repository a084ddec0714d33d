import GRDB
import Participants

/// The dispatcher's ledger tables in the registry's file, as GRDB migrations of their own: applied
/// by ``Ledger/open(at:readOnly:)`` after the registry's, in the file's one `grdb_migrations`
/// table. Every identifier contains `-dispatch-` (the registry leaves those to this module). A new
/// migration is appended, never edited.
///
/// Until the ledger had its own migrations, the registry's migrator made these tables, under the
/// same identifiers except one: its `v4-person-retries-audit` also made what
/// `v4-dispatch-retries-audit` makes now. A file from then has the tables but not that identifier;
/// ``prepare(_:)`` records it.
enum LedgerSchema {
    static let migrator: DatabaseMigrator = {
        var m = DatabaseMigrator()
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
        m.registerMigration("v4-dispatch-retries-audit") { db in
            try db.execute(
                sql: """
                    -- Alert and end texts per language, as JSON objects {"fr": "..."}; `message` is the default.
                    ALTER TABLE dispatch_action ADD COLUMN texts TEXT;
                    ALTER TABLE dispatch_action ADD COLUMN result_texts TEXT;
                    -- Retries and fallbacks: the attempt now due (1-based, over all channels), the attempt on
                    -- the current channel, the person's channel plan (packed, see FanOut.ChannelPlan) and its
                    -- position, a retry's due time, and the language of the text.
                    ALTER TABLE dispatch_message ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1;
                    ALTER TABLE dispatch_message ADD COLUMN channel_attempt INTEGER NOT NULL DEFAULT 1;
                    ALTER TABLE dispatch_message ADD COLUMN plan INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE dispatch_message ADD COLUMN plan_index INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE dispatch_message ADD COLUMN due_ms INTEGER;
                    ALTER TABLE dispatch_message ADD COLUMN language TEXT;
                    -- Append-only audit: every area version of an action (start = 1, each enlargement + 1)
                    -- with the registry generation it selected from.
                    CREATE TABLE dispatch_area (
                        action_id INTEGER NOT NULL REFERENCES dispatch_action(id),
                        version INTEGER NOT NULL,
                        geometry TEXT,                   -- WKT or GeoJSON as given by the caller
                        registry_generation INTEGER,
                        recipients INTEGER NOT NULL,     -- persons listed for this version
                        added INTEGER NOT NULL,          -- persons new in this version
                        at_ms INTEGER NOT NULL,
                        PRIMARY KEY (action_id, version)
                    ) WITHOUT ROWID;
                    -- Append-only audit per person: included, skipped (with the reason), failed attempts,
                    -- retries and fallbacks. Never phone numbers or e-mail addresses.
                    CREATE TABLE dispatch_audit (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        action_id INTEGER NOT NULL,
                        person_id INTEGER NOT NULL,
                        participant_id INTEGER NOT NULL,
                        event TEXT NOT NULL,             -- included | skipped | failed | retry | fallback | gave-up
                        area_version INTEGER,
                        distance_m REAL,
                        channel TEXT,
                        attempt INTEGER,
                        result TEXT,                     -- provider result of a failed attempt
                        reason TEXT,                     -- skipped: deduplicated | quiet-hours | no-channel
                        detail TEXT,
                        at_ms INTEGER NOT NULL
                    );
                    CREATE INDEX dispatch_audit_person ON dispatch_audit(action_id, person_id);
                    CREATE INDEX dispatch_audit_participant ON dispatch_audit(action_id, participant_id);
                    CREATE TRIGGER dispatch_audit_no_update BEFORE UPDATE ON dispatch_audit
                        BEGIN SELECT RAISE(ABORT, 'dispatch_audit is append-only'); END;
                    CREATE TRIGGER dispatch_audit_no_delete BEFORE DELETE ON dispatch_audit
                        BEGIN SELECT RAISE(ABORT, 'dispatch_audit is append-only'); END;
                    CREATE TRIGGER dispatch_area_no_update BEFORE UPDATE ON dispatch_area
                        BEGIN SELECT RAISE(ABORT, 'dispatch_area is append-only'); END;
                    CREATE TRIGGER dispatch_area_no_delete BEFORE DELETE ON dispatch_area
                        BEGIN SELECT RAISE(ABORT, 'dispatch_area is append-only'); END;
                    """
            )
        }
        m.registerMigration("v5-dispatch-message-participant") { db in
            try db.execute(
                sql: """
                    -- The participant (address) a message's person was included at, and in which area
                    -- version, so that both survive a restart (NULL in rows written before v5).
                    ALTER TABLE dispatch_message ADD COLUMN participant_id INTEGER;
                    ALTER TABLE dispatch_message ADD COLUMN area_version INTEGER;
                    """)
        }
        m.registerMigration("v7-dispatch-message-quiet-hours") { db in
            try db.execute(
                sql: """
                    -- The person's quiet hours as they were at inclusion (NULL: none), so that retries,
                    -- fallbacks and end messages respect them after a restart too.
                    ALTER TABLE dispatch_message ADD COLUMN quiet_hours TEXT;
                    """)
        }
        m.registerMigration("v9-dispatch-message-in-send-order") { db in
            // The messages stored in outside-in order (action, kind, seq) instead of by person: the
            // dispatcher sends in that order, so the state changes of one ledger batch fall on a few
            // neighbouring pages instead of one page each. The idempotency key stays unique.
            try db.execute(
                sql: """
                    CREATE TABLE dispatch_message_new (
                        action_id INTEGER NOT NULL REFERENCES dispatch_action(id),
                        person_id INTEGER NOT NULL,
                        kind TEXT NOT NULL,              -- alert | end
                        seq INTEGER NOT NULL,            -- outside-in order within the action
                        channel TEXT NOT NULL,
                        distance_m REAL NOT NULL,
                        state TEXT NOT NULL,             -- queued | sent | delivered | failed | cancelled
                        updated_ms INTEGER NOT NULL,
                        attempt INTEGER NOT NULL DEFAULT 1,
                        channel_attempt INTEGER NOT NULL DEFAULT 1,
                        plan INTEGER NOT NULL DEFAULT 0,
                        plan_index INTEGER NOT NULL DEFAULT 0,
                        due_ms INTEGER,
                        language TEXT,
                        participant_id INTEGER,
                        area_version INTEGER,
                        quiet_hours TEXT,
                        PRIMARY KEY (action_id, kind, seq)
                    ) WITHOUT ROWID;
                    INSERT INTO dispatch_message_new
                        SELECT action_id, person_id, kind, seq, channel, distance_m, state, updated_ms, attempt,
                            channel_attempt, plan, plan_index, due_ms, language, participant_id, area_version,
                            quiet_hours
                        FROM dispatch_message;
                    DROP TABLE dispatch_message;
                    ALTER TABLE dispatch_message_new RENAME TO dispatch_message;
                    CREATE UNIQUE INDEX dispatch_message_key ON dispatch_message(action_id, person_id, kind);
                    CREATE INDEX dispatch_message_queued ON dispatch_message(action_id) WHERE state = 'queued';
                    """)
        }
        m.registerMigration("v10-dispatch-message-sent") { db in
            try db.execute(
                sql: """
                    -- Messages with a provider, outcome not yet known: an ended action whose last messages
                    -- were in flight at a crash is resumed through it (found without reading every message).
                    CREATE INDEX dispatch_message_sent ON dispatch_message(action_id) WHERE state = 'sent';
                    """)
        }
        m.registerMigration("v11-dispatch-action-providers") { db in
            try db.execute(
                sql: """
                    -- Where the action's messages go, as the process that started it recorded it (e.g.
                    -- "sms=kannel"), so that a later process does not resume it on other providers. NULL:
                    -- not recorded.
                    ALTER TABLE dispatch_action ADD COLUMN providers TEXT;
                    """)
        }
        m.registerMigration("v12-dispatch-command") { db in
            try db.execute(
                sql: """
                    -- Commands handed to the process that holds the ledger (the dispatcher lock): another
                    -- process writes one here and waits for its answer, so one dispatcher applies every
                    -- command at once. `payload` is JSON; `submitted_at` wall-clock seconds (a command
                    -- waiting longer than its submitter waits is refused as expired).
                    CREATE TABLE dispatch_command (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        kind TEXT NOT NULL,
                        action_id INTEGER,
                        payload BLOB NOT NULL,
                        submitted_at REAL NOT NULL,
                        submitter_pid INTEGER NOT NULL,
                        state TEXT NOT NULL DEFAULT 'pending'
                            CHECK (state IN ('pending', 'applied', 'refused', 'withdrawn', 'expired')),
                        answer TEXT,
                        error_code TEXT
                    );
                    CREATE INDEX dispatch_command_pending ON dispatch_command(id) WHERE state = 'pending';
                    """)
        }
        m.registerMigration("v13-dispatch-command-log") { db in
            try db.execute(
                sql: """
                    -- Append-only: who gave each command (start, enlarge, stop, end; participant registrations
                    -- and removals through the service), under which request, when. Written in the command's
                    -- own transaction. `wall_ms`: UTC milliseconds since 1970; `at_ms`: dispatcher clock.
                    CREATE TABLE dispatch_command_log (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        command TEXT NOT NULL,
                        action_id INTEGER,
                        participant_id INTEGER,
                        operator TEXT NOT NULL,          -- token subject, or the OS user of a CLI command
                        role TEXT,                       -- the token's role (NULL: CLI)
                        request_id TEXT,                 -- the service's request id (NULL: CLI)
                        wall_ms INTEGER NOT NULL,
                        at_ms INTEGER
                    );
                    CREATE INDEX dispatch_command_log_action ON dispatch_command_log(action_id);
                    CREATE INDEX dispatch_command_log_wall ON dispatch_command_log(wall_ms);
                    CREATE TRIGGER dispatch_command_log_no_update BEFORE UPDATE ON dispatch_command_log
                        BEGIN SELECT RAISE(ABORT, 'dispatch_command_log is append-only'); END;
                    CREATE TRIGGER dispatch_command_log_no_delete BEFORE DELETE ON dispatch_command_log
                        BEGIN SELECT RAISE(ABORT, 'dispatch_command_log is append-only'); END;
                    """)
        }
        m.registerMigration("v14-dispatch-answer") { db in
            try db.execute(
                sql: """
                    -- Append-only: what participants answered (a sighting, an acknowledgement, a stop), on
                    -- which channel, when. `text`: what they wrote (personal data: never logged).
                    -- `received_ms`: UTC milliseconds since 1970.
                    CREATE TABLE dispatch_answer (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        action_id INTEGER NOT NULL,
                        person_id INTEGER NOT NULL,
                        kind TEXT NOT NULL CHECK (kind IN ('sighting', 'acknowledgement', 'stop')),
                        channel TEXT NOT NULL,
                        received_ms INTEGER NOT NULL,
                        text TEXT
                    );
                    CREATE INDEX dispatch_answer_action ON dispatch_answer(action_id, person_id);
                    CREATE TRIGGER dispatch_answer_no_update BEFORE UPDATE ON dispatch_answer
                        BEGIN SELECT RAISE(ABORT, 'dispatch_answer is append-only'); END;
                    """)
        }
        m.registerMigration("v17-dispatch-publication") { db in
            try db.execute(
                sql: """
                    -- Append-only: the dispatcher's releases (and withdrawals) of an action's public part for
                    -- the public feeds. The latest row of an action says whether it is public now.
                    -- `photo_url`: the photo link published with it (NULL: none); `wall_ms`: UTC ms since 1970.
                    CREATE TABLE dispatch_publication (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        action_id INTEGER NOT NULL,
                        kind TEXT NOT NULL CHECK (kind IN ('release', 'withdraw')),
                        photo_url TEXT,
                        wall_ms INTEGER NOT NULL
                    );
                    CREATE INDEX dispatch_publication_action ON dispatch_publication(action_id, id);
                    CREATE TRIGGER dispatch_publication_no_update BEFORE UPDATE ON dispatch_publication
                        BEGIN SELECT RAISE(ABORT, 'dispatch_publication is append-only'); END;
                    CREATE TRIGGER dispatch_publication_no_delete BEFORE DELETE ON dispatch_publication
                        BEGIN SELECT RAISE(ABORT, 'dispatch_publication is append-only'); END;
                    """)
        }
        return m
    }()

    /// Brings the ledger's tables in the file to this version (writable), or checks that they are
    /// (read-only: reading never upgrades, as with the registry).
    ///
    /// - Throws: ``RegistryError`` `.newerSchema` when the file holds ledger migrations this version
    ///   does not know, `.olderSchema` when reading a ledger an older fanout wrote;
    ///   ``DispatchError`` `.unknownAction` when reading a registry that has no ledger yet; SQLite's errors.
    static func prepare(_ database: DatabaseHandle, path: String, readOnly: Bool) throws {
        let state = try database.pool.read { db -> (applied: Set<String>, legacyV4: Bool) in
            let applied = try migrator.appliedIdentifiers(db)
            let legacy = try !applied.contains(legacyIdentifier) && db.tableExists("dispatch_audit")
            return (applied, legacy)
        }
        let unknown = state.applied.filter { Schema.isForeign($0) && !migrator.migrations.contains($0) }
        guard unknown.isEmpty else {
            throw RegistryError(
                .newerSchema,
                "\(path): its dispatch ledger was written by a newer fanout (migrations "
                    + "\(unknown.sorted().joined(separator: ", "))); this version knows "
                    + migrator.migrations.joined(separator: ", "))
        }
        var applied = state.applied
        if state.legacyV4 { applied.insert(legacyIdentifier) }
        let missing = migrator.migrations.filter { !applied.contains($0) }
        if missing.isEmpty && (readOnly || !state.legacyV4) { return }
        if readOnly {
            if missing.count == migrator.migrations.count {
                // Nothing to read: no action was ever started in this registry.
                throw DispatchError(.unknownAction, "\(path): no action was ever started in it (it has no dispatch ledger yet)")
            }
            throw RegistryError(
                .olderSchema,
                "\(path): its dispatch ledger was written by an older fanout (migrations missing: "
                    + "\(missing.joined(separator: ", "))); reading does not upgrade it: a writing command does")
        }
        try database.writer().write { db in
            if state.legacyV4 {
                try db.execute(sql: "INSERT OR IGNORE INTO grdb_migrations (identifier) VALUES (?)", arguments: [legacyIdentifier])
            }
        }
        try migrator.migrate(database.writer())
    }

    /// The migration whose tables an older registry migrator made under its own
    /// `v4-person-retries-audit`.
    static let legacyIdentifier = "v4-dispatch-retries-audit"
}
