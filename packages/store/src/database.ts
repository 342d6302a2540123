/**
 * Opens the store's SQLite file: created 0600 (it holds private keys), WAL so readers (the data
 * plane polling the generation) never block the writer, foreign keys on, a busy timeout so two
 * writers take turns, and numbered migrations recorded in a schema_version table.
 */
import * as fs from 'node:fs';
import Database from 'better-sqlite3';

export type Db = Database.Database;

/** Each migration runs once, in order, inside its own transaction. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  INSERT INTO meta (key, value) VALUES ('generation', '0');
  CREATE TABLE objects (
    id INTEGER PRIMARY KEY,
    type TEXT NOT NULL,
    path TEXT NOT NULL,
    props TEXT NOT NULL,
    builtin INTEGER NOT NULL DEFAULT 0,
    -- A per-type uniqueness key (an enabled virtual's destination), checked with one indexed read.
    ukey TEXT,
    UNIQUE (type, path)
  );
  CREATE INDEX objects_ukey ON objects(type, ukey) WHERE ukey IS NOT NULL;
  -- Who refers to whom: the in-use check reads it; the foreign key on to_id is a backstop
  -- that makes SQLite itself refuse to delete an object still referred to.
  CREATE TABLE refs (
    from_id INTEGER NOT NULL REFERENCES objects(id) ON DELETE CASCADE,
    to_id INTEGER NOT NULL REFERENCES objects(id),
    via TEXT NOT NULL
  );
  CREATE INDEX refs_from ON refs(from_id);
  CREATE INDEX refs_to ON refs(to_id);
  -- Key and certificate material, kept apart from props so no listing can reach it.
  CREATE TABLE files (
    object_id INTEGER PRIMARY KEY REFERENCES objects(id) ON DELETE CASCADE,
    pem TEXT NOT NULL,
    passphrase TEXT
  );
  -- Status written by the data plane (one row per object) and reset-stats baselines.
  CREATE TABLE status (kind TEXT NOT NULL, name TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (kind, name));
  CREATE TABLE stats_baseline (kind TEXT NOT NULL, name TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (kind, name));
  `,
  `
  -- Which objects each committed generation changed, so readers (the daemon, another tmsh)
  -- re-read only those. Complete for generations above meta 'changes_from'; older rows are pruned.
  CREATE TABLE changes (generation INTEGER NOT NULL, type TEXT NOT NULL, path TEXT NOT NULL);
  CREATE INDEX changes_generation ON changes(generation);
  INSERT INTO meta (key, value) SELECT 'changes_from', value FROM meta WHERE key = 'generation';
  `,
];

export interface OpenOptions {
  /** How long a writer waits for another process's write lock before reporting busy. */
  busyTimeoutMs?: number;
}

/** Opens (creating if missing, mode 0600) and migrates the store file. `created` says whether it was new. */
export function openDatabase(path: string, options: OpenOptions = {}): { db: Db; created: boolean } {
  let created = false;
  if (path !== ':memory:' && !fs.existsSync(path)) {
    try {
      // Create the empty file ourselves so it is 0600 from its first byte; SQLite gives the
      // -wal and -shm files the same mode.
      fs.closeSync(fs.openSync(path, 'wx', 0o600));
      created = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  const db = new Database(path);
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  migrate(db);
  return { db, created };
}

function currentVersion(db: Db): number | undefined {
  const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").get();
  if (!table) return undefined;
  return (db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined)?.version;
}

function migrate(db: Db): void {
  // Only take the write lock when there is something to do, so opening a store that another
  // process is writing does not wait for it.
  if (currentVersion(db) === MIGRATIONS.length) return;
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const run = db.transaction(() => {
    const row = db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
    let version = row?.version ?? 0;
    if (!row) db.prepare('INSERT INTO schema_version (version) VALUES (0)').run();
    if (version > MIGRATIONS.length) {
      throw new Error(`store schema version ${version} is newer than this openltm (${MIGRATIONS.length})`);
    }
    for (; version < MIGRATIONS.length; version++) db.exec(MIGRATIONS[version]);
    db.prepare('UPDATE schema_version SET version = ?').run(version);
  });
  run.immediate();
}

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;
