/**
 * Versioned schema migrations: each engine has its own ordered list (sqlite-migrations.ts,
 * postgres-migrations.ts), applied at start in one transaction each. A database whose version
 * is newer than the list refuses to start: it was upgraded by a newer Concord, and this one
 * would misread it.
 */
import { StorageError } from './errors.js';
import type { Engine } from './sql.js';

export interface Migration {
  /** 1, 2, 3…: the schema version once it is applied. */
  version: number;
  /** What it changes, recorded with it. */
  name: string;
  sql: string;
}

export class SchemaTooNewError extends StorageError {
  constructor(
    readonly engine: Engine,
    readonly found: number,
    readonly known: number,
  ) {
    super(
      `the ${engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'} database is at schema version ${found}, ` +
        `newer than this Concord knows (${known}): it was upgraded by a newer release. ` +
        'Run that release, or restore a backup made before the upgrade.',
    );
    this.name = 'SchemaTooNewError';
  }
}

/** The migrations still to apply to a database at `current`; throws when it is newer than all. */
export function pending(
  engine: Engine,
  migrations: readonly Migration[],
  current: number,
): Migration[] {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`${engine} migration ${i + 1} is numbered ${m.version}`);
  });
  if (current > migrations.length) throw new SchemaTooNewError(engine, current, migrations.length);
  return migrations.slice(current);
}
