/**
 * The server's configuration: one typed object read from environment variables with defaults.
 * A bad value stops the server at start with a message naming the variable (ARCHITECTURE.md, 8).
 * The table in README.md is generated from CONFIG_VARIABLES: keep descriptions here.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RIPE_RULES, type RipeRule, SILENCE_MAX_MS, SILENCE_MIN_MS } from '../shared/consensus.js';
import { REPORT_FRAGMENT } from '../shared/schema.js';
import { DOCUMENT_META } from '../shared/upgrade.js';

export type SqliteSynchronous = 'FULL' | 'NORMAL' | 'OFF';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** PostgreSQL connection URL; null: SQLite in dataDir. */
  databaseUrl: string | null;
  logLevel: LogLevel;
  maxMessageBytes: number;
  unloadGraceMs: number;
  sqliteSynchronous: SqliteSynchronous;
  compactEvery: number;
  presenceBatchMs: number;
  keepaliveMs: number;
  shutdownTimeoutMs: number;
  clientDir: string;
  sourceMaps: boolean;
  publicUrl: string | null;
  allowedOrigins: string[];
  sessionIdleMinutes: number;
  sessionMaxHours: number;
  invitationHours: number;
  loginFailuresPerAccount: number;
  loginAttemptsPerAddress: number;
  ripeRule: RipeRule;
  silenceMinMs: number;
  scratchRoots: string[];
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** Root of the checkout (server/config.ts or dist/server/config.js → two or three levels up). */
export const PROJECT_ROOT = (() => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const up = path.basename(path.dirname(here)) === 'dist' ? '../..' : '..';
  return path.resolve(here, up);
})();

interface Variable<K extends keyof Config> {
  name: string;
  key: K;
  default: string;
  description: string;
  parse(raw: string, name: string): Config[K];
}

function integer(min: number, max: number) {
  return (raw: string, name: string): number => {
    if (!/^\d+$/.test(raw.trim()))
      throw new ConfigError(name, `expected a whole number, got "${raw}"`);
    const n = Number(raw);
    if (n < min || n > max)
      throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
    return n;
  };
}

function oneOf<T extends string>(values: readonly T[], caseInsensitive = false) {
  return (raw: string, name: string): T => {
    const v = (caseInsensitive ? raw.trim().toUpperCase() : raw.trim()) as T;
    if (!values.includes(v))
      throw new ConfigError(name, `must be one of ${values.join(', ')}, got "${raw}"`);
    return v;
  };
}

function nonEmpty(raw: string, name: string): string {
  if (raw.trim() === '') throw new ConfigError(name, 'must not be empty');
  return raw.trim();
}

function directory(raw: string, name: string): string {
  return path.resolve(PROJECT_ROOT, nonEmpty(raw, name));
}

// biome-ignore lint/suspicious/noExplicitAny: heterogeneous list of typed variables
export const CONFIG_VARIABLES: ReadonlyArray<Variable<any>> = [
  {
    name: 'CONCORD_HOST',
    key: 'host',
    default: '127.0.0.1',
    description:
      'Address to listen on. Loopback by default; set 0.0.0.0 behind a TLS-terminating proxy (with CONCORD_PUBLIC_URL).',
    parse: nonEmpty,
  },
  {
    name: 'CONCORD_PORT',
    key: 'port',
    default: '8080',
    description: 'TCP port (0 picks a free one).',
    parse: integer(0, 65535),
  },
  {
    name: 'CONCORD_DATA_DIR',
    key: 'dataDir',
    default: 'data',
    description:
      'Folder of the SQLite database (created if missing), relative to the checkout. Unused with CONCORD_DATABASE_URL.',
    parse: directory,
  },
  {
    name: 'CONCORD_DATABASE_URL',
    key: 'databaseUrl',
    default: '',
    description:
      'PostgreSQL to store everything in (postgres://user:password@host:5432/database); the schema is created or upgraded at start. Empty: SQLite in CONCORD_DATA_DIR.',
    parse: (raw: string, name: string) => {
      if (raw.trim() === '') return null;
      let url: URL;
      try {
        url = new URL(raw.trim());
      } catch {
        throw new ConfigError(
          name,
          'not a URL (expected postgres://user:password@host:5432/database)',
        );
      }
      if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
        throw new ConfigError(name, `must be a postgres:// URL, got ${url.protocol}//…`);
      if (url.pathname.length <= 1)
        throw new ConfigError(name, 'names no database (…:5432/concord)');
      return raw.trim();
    },
  },
  {
    name: 'CONCORD_LOG_LEVEL',
    key: 'logLevel',
    default: 'info',
    description: 'pino log level: fatal, error, warn, info, debug, trace or silent.',
    parse: oneOf<LogLevel>(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  },
  {
    name: 'CONCORD_MAX_MESSAGE_BYTES',
    key: 'maxMessageBytes',
    default: String(1024 * 1024),
    description: 'Largest websocket frame accepted; a larger one closes the socket (1009).',
    parse: integer(1024, 64 * 1024 * 1024),
  },
  {
    name: 'CONCORD_UNLOAD_GRACE_MS',
    key: 'unloadGraceMs',
    default: '30000',
    description: 'How long a report stays in memory after its last client leaves.',
    parse: integer(0, 24 * 3600 * 1000),
  },
  {
    name: 'CONCORD_SQLITE_SYNCHRONOUS',
    key: 'sqliteSynchronous',
    default: 'FULL',
    description:
      'SQLite synchronous mode. FULL: an edit is on disk before anyone sees it. OFF only for benchmarks.',
    parse: oneOf<SqliteSynchronous>(['FULL', 'NORMAL', 'OFF'], true),
  },
  {
    name: 'CONCORD_COMPACT_EVERY',
    key: 'compactEvery',
    default: '500',
    description: 'Compact a report’s update log into a snapshot after this many updates.',
    parse: integer(1, 1_000_000),
  },
  {
    name: 'CONCORD_PRESENCE_BATCH_MS',
    key: 'presenceBatchMs',
    default: '50',
    description:
      'Presence (cursors) changes are gathered this long and sent as one message per recipient; 0 relays each at once.',
    parse: integer(0, 1000),
  },
  {
    name: 'CONCORD_KEEPALIVE_MS',
    key: 'keepaliveMs',
    default: '30000',
    description:
      'Every sync socket is pinged this often; one that has not answered the previous ping is closed (a peer gone without a goodbye).',
    parse: integer(100, 3_600_000),
  },
  {
    name: 'CONCORD_SHUTDOWN_TIMEOUT_MS',
    key: 'shutdownTimeoutMs',
    default: '10000',
    description: 'On SIGTERM: time allowed to flush storage and close sockets before exiting.',
    parse: integer(100, 600_000),
  },
  {
    name: 'CONCORD_CLIENT_DIR',
    key: 'clientDir',
    default: 'dist/client',
    description: 'Folder of the built browser client served at /.',
    parse: directory,
  },
  {
    name: 'CONCORD_SOURCE_MAPS',
    key: 'sourceMaps',
    default: 'off',
    description:
      "on: serve the client's source maps (*.map, for debugging in the browser). off: they are built but answered 404.",
    parse: (raw: string, name: string) => oneOf(['on', 'off'] as const)(raw, name) === 'on',
  },
  {
    name: 'CONCORD_PUBLIC_URL',
    key: 'publicUrl',
    default: '',
    description:
      'Address users reach Concord at (e.g. https://concord.example.org). Used in setup and invitation links; https turns on Secure __Host- cookies. Empty: http://localhost:<port>.',
    parse: (raw: string, name: string) => {
      if (raw.trim() === '') return null;
      let url: URL;
      try {
        url = new URL(raw.trim());
      } catch {
        throw new ConfigError(name, `not a URL: "${raw}"`);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        throw new ConfigError(name, 'must be http or https');
      return url.origin;
    },
  },
  {
    name: 'CONCORD_ALLOWED_ORIGINS',
    key: 'allowedOrigins',
    default: '',
    description:
      'Comma-separated exact origins allowed to open the sync socket and send state-changing requests. Empty: the public URL, or http://localhost:<port> and http://127.0.0.1:<port>.',
    parse: (raw: string, name: string) =>
      raw
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean)
        .map((o) => {
          let url: URL;
          try {
            url = new URL(o);
          } catch {
            throw new ConfigError(name, `not an origin: "${o}"`);
          }
          if (url.origin !== o)
            throw new ConfigError(name, `"${o}" is not an exact origin (expected ${url.origin})`);
          return o;
        }),
  },
  {
    name: 'CONCORD_SESSION_IDLE_MINUTES',
    key: 'sessionIdleMinutes',
    default: '720',
    description: 'A session unused for this long expires.',
    parse: integer(1, 60 * 24 * 90),
  },
  {
    name: 'CONCORD_SESSION_MAX_HOURS',
    key: 'sessionMaxHours',
    default: '168',
    description: 'A session expires this long after login, used or not.',
    parse: integer(1, 24 * 365),
  },
  {
    name: 'CONCORD_INVITATION_HOURS',
    key: 'invitationHours',
    default: '168',
    description: 'How long an invitation link stays valid.',
    parse: integer(1, 24 * 90),
  },
  {
    name: 'CONCORD_LOGIN_FAILURES_PER_ACCOUNT',
    key: 'loginFailuresPerAccount',
    default: '5',
    description: 'Failed logins allowed per account in 15 minutes; more are refused (429).',
    parse: integer(1, 10_000),
  },
  {
    name: 'CONCORD_LOGIN_ATTEMPTS_PER_ADDRESS',
    key: 'loginAttemptsPerAddress',
    default: '30',
    description: 'Login attempts allowed per client address in 15 minutes.',
    parse: integer(1, 100_000),
  },
  {
    name: 'CONCORD_RIPE_RULE',
    key: 'ripeRule',
    default: 'no-objection',
    description:
      'When a paragraph shows as ripe for agreement: no-objection (some State has recorded a position and none says "cannot accept") or all-accept (every State of the group says "can accept"). Never without positions, brackets or text; the whole rule is shared/consensus.ts ripeness.',
    parse: oneOf<RipeRule>(RIPE_RULES),
  },
  {
    name: 'CONCORD_SILENCE_MIN_MS',
    key: 'silenceMinMs',
    default: String(SILENCE_MIN_MS),
    description:
      'Shortest silence procedure accepted, from now to its deadline (the longest is 60 days). Lower it only for tests and demonstrations.',
    parse: integer(100, SILENCE_MAX_MS),
  },
  {
    name: 'CONCORD_SCRATCH_ROOTS',
    key: 'scratchRoots',
    default: '',
    description:
      'Comma-separated names of shared types besides the report that sync clients may write freely (load tests and test suites only). Empty: anything outside the report is refused.',
    parse: (raw: string, name: string) =>
      raw
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean)
        .map((k) => {
          if (!/^[A-Za-z0-9_-]{1,64}$/.test(k))
            throw new ConfigError(name, `"${k}" is not a short name (letters, digits, - and _)`);
          if (k === REPORT_FRAGMENT || k === DOCUMENT_META)
            throw new ConfigError(name, `"${k}" is the report's own and always checked`);
          return k;
        }),
  },
];

/** Reads the configuration from `env`; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const config: Partial<Config> = {};
  for (const v of CONFIG_VARIABLES) {
    const raw = env[v.name];
    (config as Record<string, unknown>)[v.key] = v.parse(
      raw === undefined || raw === '' ? v.default : raw,
      v.name,
    );
  }
  return config as Config;
}

/** Defaults, overridden: what tests use. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({}), logLevel: 'silent', port: 0, ...overrides };
}
