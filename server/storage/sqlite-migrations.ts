/**
 * SQLite's schema, version by version (PRAGMA user_version holds the version a file is at).
 * Never edit an applied migration: add the next one. Versions 1–5 are the schema files made
 * before PostgreSQL existed; 6 brings them to the shape both engines share.
 */
import type { Migration } from './migrate.js';

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'reports and their update log',
    sql: `CREATE TABLE reports (
     id TEXT PRIMARY KEY,
     title TEXT NOT NULL,
     template TEXT NOT NULL,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE TABLE report_snapshots (
     report_id TEXT PRIMARY KEY REFERENCES reports(id),
     snapshot BLOB NOT NULL,
     state_vector BLOB NOT NULL,
     through_seq INTEGER NOT NULL
   );
   CREATE TABLE report_updates (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     report_id TEXT NOT NULL REFERENCES reports(id),
     data BLOB NOT NULL
   );
   CREATE INDEX report_updates_by_report ON report_updates(report_id, seq);`,
  },
  {
    version: 2,
    name: 'accounts, groups, sessions, invitations, audit log, client bindings',
    sql: `CREATE TABLE users (
     id TEXT PRIMARY KEY,
     email TEXT NOT NULL UNIQUE,
     display_name TEXT NOT NULL,
     password_hash TEXT NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE TABLE groups (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE TABLE memberships (
     group_id TEXT NOT NULL REFERENCES groups(id),
     user_id TEXT NOT NULL REFERENCES users(id),
     role TEXT NOT NULL,
     represents TEXT,
     created_at TEXT NOT NULL,
     PRIMARY KEY (group_id, user_id)
   );
   CREATE INDEX memberships_by_user ON memberships(user_id);
   ALTER TABLE reports ADD COLUMN group_id TEXT REFERENCES groups(id);
   CREATE INDEX reports_by_group ON reports(group_id);
   CREATE TABLE sessions (
     token_hash TEXT PRIMARY KEY,
     user_id TEXT NOT NULL REFERENCES users(id),
     created_at INTEGER NOT NULL,
     last_seen_at INTEGER NOT NULL
   );
   CREATE INDEX sessions_by_user ON sessions(user_id);
   CREATE TABLE invitations (
     token_hash TEXT PRIMARY KEY,
     group_id TEXT NOT NULL REFERENCES groups(id),
     role TEXT NOT NULL,
     represents TEXT,
     created_by TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     accepted_at INTEGER,
     accepted_by TEXT
   );
   CREATE TABLE audit_log (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at TEXT NOT NULL,
     group_id TEXT,
     actor_id TEXT,
     actor TEXT NOT NULL,
     action TEXT NOT NULL,
     target TEXT,
     detail TEXT,
     ip TEXT,
     request_id TEXT
   );
   CREATE INDEX audit_by_group ON audit_log(group_id, id);
   CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
     BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
   CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
     BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
   CREATE TABLE client_bindings (
     report_id TEXT NOT NULL REFERENCES reports(id),
     client_id INTEGER NOT NULL,
     user_id TEXT NOT NULL,
     PRIMARY KEY (report_id, client_id)
   );`,
  },
  {
    version: 3,
    name: 'comment threads, report events, idempotency keys, inbox',
    sql: `CREATE TABLE threads (
     id TEXT PRIMARY KEY,
     report_id TEXT NOT NULL REFERENCES reports(id),
     paragraph_id TEXT NOT NULL,
     kind TEXT NOT NULL,
     visibility TEXT NOT NULL,
     delegation TEXT,
     quote TEXT,
     proposal TEXT,
     status TEXT NOT NULL,
     author_id TEXT NOT NULL,
     author TEXT NOT NULL,
     created_at TEXT NOT NULL,
     resolved_by TEXT,
     resolved_at TEXT,
     applied_by TEXT,
     applied_at TEXT,
     seq INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX threads_by_report ON threads(report_id, created_at);
   CREATE TABLE thread_messages (
     id TEXT PRIMARY KEY,
     thread_id TEXT NOT NULL REFERENCES threads(id),
     author_id TEXT NOT NULL,
     author TEXT NOT NULL,
     body TEXT NOT NULL,
     mentions TEXT NOT NULL,
     created_at TEXT NOT NULL,
     edited_at TEXT,
     deleted_at TEXT,
     deleted_by TEXT
   );
   CREATE INDEX thread_messages_by_thread ON thread_messages(thread_id, created_at);
   CREATE TABLE thread_message_revisions (
     message_id TEXT NOT NULL REFERENCES thread_messages(id),
     body TEXT NOT NULL,
     replaced_at TEXT NOT NULL
   );
   CREATE TABLE report_events (
     report_id TEXT NOT NULL REFERENCES reports(id),
     seq INTEGER NOT NULL,
     thread_id TEXT NOT NULL,
     audience TEXT NOT NULL,
     payload TEXT NOT NULL,
     PRIMARY KEY (report_id, seq)
   );
   CREATE INDEX report_events_by_thread ON report_events(thread_id);
   CREATE TABLE thread_idempotency (
     user_id TEXT NOT NULL,
     key TEXT NOT NULL,
     thread_id TEXT NOT NULL,
     message_id TEXT NOT NULL,
     PRIMARY KEY (user_id, key)
   );
   CREATE TABLE inbox (
     user_id TEXT NOT NULL,
     message_id TEXT NOT NULL,
     thread_id TEXT NOT NULL,
     report_id TEXT NOT NULL,
     reason TEXT NOT NULL,
     read INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (user_id, message_id, reason)
   );
   CREATE INDEX inbox_by_user ON inbox(user_id, thread_id);`,
  },
  {
    version: 4,
    name: 'thread read markers',
    sql: `CREATE TABLE thread_reads (
     user_id TEXT NOT NULL,
     thread_id TEXT NOT NULL REFERENCES threads(id),
     report_id TEXT NOT NULL,
     seq INTEGER NOT NULL,
     last_message_at TEXT NOT NULL,
     PRIMARY KEY (user_id, thread_id)
   );
   CREATE INDEX thread_reads_by_report ON thread_reads(user_id, report_id);`,
  },
  {
    version: 5,
    name: 'consensus: statuses, positions, silences and their histories',
    sql: `
  CREATE TABLE paragraph_statuses (
    report_id TEXT NOT NULL REFERENCES reports(id),
    paragraph_id TEXT NOT NULL,
    status TEXT NOT NULL,
    from_status TEXT NOT NULL,
    note TEXT,
    by TEXT,
    at TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (report_id, paragraph_id)
  );
  CREATE TABLE paragraph_status_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id TEXT NOT NULL REFERENCES reports(id),
    paragraph_id TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    note TEXT,
    by TEXT,
    at TEXT NOT NULL,
    cause TEXT NOT NULL
  );
  CREATE INDEX paragraph_status_history_by_paragraph
    ON paragraph_status_history(report_id, paragraph_id, id);
  CREATE TABLE positions (
    report_id TEXT NOT NULL REFERENCES reports(id),
    paragraph_id TEXT NOT NULL,
    state TEXT NOT NULL,
    position TEXT NOT NULL,
    explanation TEXT,
    by TEXT NOT NULL,
    at TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (report_id, paragraph_id, state)
  );
  CREATE TABLE position_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id TEXT NOT NULL REFERENCES reports(id),
    paragraph_id TEXT NOT NULL,
    state TEXT NOT NULL,
    position TEXT NOT NULL,
    explanation TEXT,
    by TEXT NOT NULL,
    at TEXT NOT NULL
  );
  CREATE INDEX position_history_by_paragraph ON position_history(report_id, paragraph_id, id);
  CREATE TABLE silences (
    id TEXT PRIMARY KEY,
    report_id TEXT NOT NULL REFERENCES reports(id),
    paragraph_ids TEXT NOT NULL,
    deadline TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    state TEXT NOT NULL,
    started_by TEXT NOT NULL,
    started_at TEXT NOT NULL,
    broken_by TEXT,
    broken_at TEXT,
    statement TEXT,
    settled_at TEXT,
    seq INTEGER NOT NULL
  );
  CREATE INDEX silences_by_report ON silences(report_id, started_at);
  CREATE INDEX silences_by_state ON silences(state, deadline);
  CREATE TRIGGER paragraph_status_history_no_update BEFORE UPDATE ON paragraph_status_history
    BEGIN SELECT RAISE(ABORT, 'status history is append-only'); END;
  CREATE TRIGGER paragraph_status_history_no_delete BEFORE DELETE ON paragraph_status_history
    BEGIN SELECT RAISE(ABORT, 'status history is append-only'); END;
  CREATE TRIGGER position_history_no_update BEFORE UPDATE ON position_history
    BEGIN SELECT RAISE(ABORT, 'position history is append-only'); END;
  CREATE TRIGGER position_history_no_delete BEFORE DELETE ON position_history
    BEGIN SELECT RAISE(ABORT, 'position history is append-only'); END;`,
  },
  {
    version: 6,
    name: 'update log keyed by (report, seq); event seq counter rows',
    // The log's seq was one global AUTOINCREMENT; it becomes the report's own sequence, assigned by
    // the report's owner. Existing seqs keep their values (increasing within each report).
    sql: `CREATE TABLE report_updates_v6 (
     report_id TEXT NOT NULL REFERENCES reports(id),
     seq INTEGER NOT NULL,
     data BLOB NOT NULL,
     PRIMARY KEY (report_id, seq)
   );
   INSERT INTO report_updates_v6 (report_id, seq, data) SELECT report_id, seq, data FROM report_updates;
   DROP TABLE report_updates;
   ALTER TABLE report_updates_v6 RENAME TO report_updates;
   CREATE TABLE report_event_seqs (
     report_id TEXT PRIMARY KEY REFERENCES reports(id),
     seq INTEGER NOT NULL
   );
   INSERT INTO report_event_seqs (report_id, seq)
     SELECT report_id, MAX(seq) FROM report_events GROUP BY report_id;`,
  },
  {
    version: 7,
    name: 'audit aggregate rows: bucket, count, last_at',
    // Refused logins are counted in one row per bucket (account or address, and window) instead
    // of a row per request. The append-only trigger lets such a row's count rise and nothing else.
    sql: `ALTER TABLE audit_log ADD COLUMN bucket TEXT;
   ALTER TABLE audit_log ADD COLUMN count INTEGER;
   ALTER TABLE audit_log ADD COLUMN last_at TEXT;
   CREATE UNIQUE INDEX audit_by_bucket ON audit_log(bucket);
   DROP TRIGGER audit_log_no_update;
   CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
     WHEN NOT (OLD.bucket IS NOT NULL AND NEW.id IS OLD.id
       AND NEW.at IS OLD.at AND NEW.group_id IS OLD.group_id AND NEW.actor_id IS OLD.actor_id
       AND NEW.actor IS OLD.actor AND NEW.action IS OLD.action AND NEW.target IS OLD.target
       AND NEW.detail IS OLD.detail AND NEW.ip IS OLD.ip AND NEW.request_id IS OLD.request_id
       AND NEW.bucket IS OLD.bucket
       AND NEW.count > OLD.count AND NEW.last_at >= OLD.last_at)
     BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;`,
  },
  {
    version: 8,
    name: 'silence outcomes in the inbox',
    // How a silence procedure ended (adopted at its deadline, or broken), one row per member of
    // the group when it ended; read per member, as the inbox's messages are.
    sql: `CREATE TABLE silence_notices (
     user_id TEXT NOT NULL,
     silence_id TEXT NOT NULL REFERENCES silences(id),
     report_id TEXT NOT NULL,
     outcome TEXT NOT NULL,
     read INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (user_id, silence_id)
   );`,
  },
  {
    version: 9,
    name: 'document metadata (symbol, distribution, date, original language, session, agenda item, type)',
    sql: `CREATE TABLE report_metadata (
     report_id TEXT PRIMARY KEY REFERENCES reports(id),
     symbol TEXT NOT NULL,
     distribution TEXT NOT NULL,
     date TEXT NOT NULL,
     original_language TEXT NOT NULL,
     session TEXT NOT NULL,
     agenda_item TEXT NOT NULL,
     document_type TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     updated_by TEXT NOT NULL
   );`,
  },
  {
    version: 10,
    name: 'revisions: frozen, hashed, never changed; adoption; the bis/ter switch',
    sql: `CREATE TABLE revisions (
     id TEXT PRIMARY KEY,
     report_id TEXT NOT NULL REFERENCES reports(id),
     number INTEGER NOT NULL,
     label TEXT NOT NULL,
     label_key TEXT NOT NULL,
     date TEXT NOT NULL,
     cover_note TEXT,
     issued_by TEXT NOT NULL,
     issued_at TEXT NOT NULL,
     final INTEGER NOT NULL,
     state BLOB NOT NULL,
     content TEXT NOT NULL,
     sha256 TEXT NOT NULL,
     bytes INTEGER NOT NULL,
     seq INTEGER NOT NULL,
     UNIQUE (report_id, number),
     UNIQUE (report_id, label_key)
   );
   CREATE TABLE report_adoptions (
     report_id TEXT PRIMARY KEY REFERENCES reports(id),
     revision_id TEXT NOT NULL REFERENCES revisions(id),
     at TEXT NOT NULL,
     by TEXT NOT NULL,
     statement TEXT NOT NULL
   );
   CREATE TABLE report_numbering (
     report_id TEXT PRIMARY KEY REFERENCES reports(id),
     keep_numbers INTEGER NOT NULL
   );
   CREATE TRIGGER revisions_no_update BEFORE UPDATE ON revisions
     BEGIN SELECT RAISE(ABORT, 'a revision never changes'); END;
   CREATE TRIGGER revisions_no_delete BEFORE DELETE ON revisions
     BEGIN SELECT RAISE(ABORT, 'a revision never changes'); END;
   CREATE TRIGGER report_adoptions_no_update BEFORE UPDATE ON report_adoptions
     BEGIN SELECT RAISE(ABORT, 'an adoption is never reopened'); END;
   CREATE TRIGGER report_adoptions_no_delete BEFORE DELETE ON report_adoptions
     BEGIN SELECT RAISE(ABORT, 'an adoption is never reopened'); END;`,
  },
];
