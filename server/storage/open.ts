/** The storage the configuration names: PostgreSQL with CONCORD_DATABASE_URL, else SQLite. */
import type { Config } from '../config.js';
import { PostgresStorage } from './postgres.js';
import { SqliteStorage } from './sqlite.js';
import type { Storage } from './types.js';

export async function openStorage(
  config: Pick<Config, 'databaseUrl' | 'dataDir' | 'sqliteSynchronous'>,
  onIdleError?: (err: Error) => void,
): Promise<Storage> {
  if (config.databaseUrl) {
    return PostgresStorage.open({
      url: config.databaseUrl,
      ...(onIdleError ? { onIdleError } : {}),
    });
  }
  return new SqliteStorage({ dataDir: config.dataDir, synchronous: config.sqliteSynchronous });
}
