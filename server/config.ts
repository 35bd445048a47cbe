/**
 * The server's configuration, defined once as a TypeBox schema: each property is the value's
 * schema and carries its environment variable, its default (as text) and its meaning. The
 * `Config` type, the checks at start and the README's table (server/scripts/config-table.ts,
 * checked by tests/unit/readme.test.ts) all come from CONFIG_SCHEMA. A bad value stops the server
 * at start with a message naming the variable (ARCHITECTURE.md, 8).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Static, type TSchema, Type } from 'typebox';
import { Value } from 'typebox/value';
import { RIPE_RULES, SILENCE_MAX_MS, SILENCE_MIN_MS } from '../shared/consensus.js';
import { REPORT_FRAGMENT } from '../shared/schema.js';
import { DOCUMENT_META } from '../shared/upgrade.js';

/**
 * Bytes that may wait in one sync connection's outgoing queue (beyond what the kernel took) before
 * it is closed with CloseCode.TooFarBehind: a reader that stops reading cannot make the server hold
 * an unbounded backlog for it. Larger than any report's whole-document sync reply. The default of
 * CONCORD_MAX_QUEUED_BYTES.
 */
export const MAX_QUEUED_BYTES = 32 * 1024 * 1024;

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

/** What a property of CONFIG_SCHEMA carries beside the JSON-schema rules of its value. */
interface EnvOptions {
  /** The environment variable. */
  env: string;
  /** Its default, as text (what the README shows); an empty variable means the default too. */
  fallback: string;
  /** The README's words for it. */
  description: string;
  /**
   * Text → value, refusing text that is no value of this kind; the schema then checks the value.
   * Without it: integers are whole numbers in digits, enums and strings are trimmed.
   */
  read?: (raw: string, name: string) => unknown;
  /** Enum values compared in upper case. */
  upperCase?: boolean;
}

/** The schema with its variable's options attached (JSON-schema readers ignore unknown keys). */
function env<T extends TSchema>(schema: T, options: EnvOptions): T & EnvOptions {
  return Object.assign(schema, options);
}

const text = (raw: string) => raw.trim();

function directory(raw: string, name: string): string {
  if (raw.trim() === '') throw new ConfigError(name, 'must not be empty');
  return path.resolve(PROJECT_ROOT, raw.trim());
}

function wholeNumber(raw: string, name: string): number {
  if (!/^\d+$/.test(raw.trim()))
    throw new ConfigError(name, `expected a whole number, got "${raw}"`);
  return Number(raw);
}

/** Comma-separated items, blanks dropped. */
const list = (raw: string) =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function url(raw: string, name: string, hint: string): URL {
  try {
    return new URL(raw.trim());
  } catch {
    throw new ConfigError(name, hint);
  }
}

const integer = (minimum: number, maximum: number, options: EnvOptions) =>
  env(Type.Integer({ minimum, maximum }), options);

export const CONFIG_SCHEMA = Type.Object({
  host: env(Type.String({ minLength: 1 }), {
    env: 'CONCORD_HOST',
    fallback: '127.0.0.1',
    description:
      'Address to listen on. Loopback by default; set 0.0.0.0 behind a TLS-terminating proxy (with CONCORD_PUBLIC_URL).',
  }),
  port: integer(0, 65535, {
    env: 'CONCORD_PORT',
    fallback: '8080',
    description: 'TCP port (0 picks a free one).',
  }),
  dataDir: env(Type.String(), {
    env: 'CONCORD_DATA_DIR',
    fallback: 'data',
    description:
      'Folder of the SQLite database (created if missing), relative to the checkout. Unused with CONCORD_DATABASE_URL.',
    read: directory,
  }),
  /** PostgreSQL connection URL; null: SQLite in dataDir. */
  databaseUrl: env(Type.Union([Type.String(), Type.Null()]), {
    env: 'CONCORD_DATABASE_URL',
    fallback: '',
    description:
      'PostgreSQL to store everything in (postgres://user:password@host:5432/database); the schema is created or upgraded at start. Empty: SQLite in CONCORD_DATA_DIR.',
    read: (raw, name) => {
      if (raw.trim() === '') return null;
      const u = url(raw, name, 'not a URL (expected postgres://user:password@host:5432/database)');
      if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:')
        throw new ConfigError(name, `must be a postgres:// URL, got ${u.protocol}//…`);
      if (u.pathname.length <= 1) throw new ConfigError(name, 'names no database (…:5432/concord)');
      return raw.trim();
    },
  }),
  logLevel: env(Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), {
    env: 'CONCORD_LOG_LEVEL',
    fallback: 'info',
    description: 'pino log level: fatal, error, warn, info, debug, trace or silent.',
  }),
  maxMessageBytes: integer(1024, 64 * 1024 * 1024, {
    env: 'CONCORD_MAX_MESSAGE_BYTES',
    fallback: String(1024 * 1024),
    description: 'Largest websocket frame accepted; a larger one closes the socket (1009).',
  }),
  maxQueuedBytes: integer(1024 * 1024, 1024 * 1024 * 1024, {
    env: 'CONCORD_MAX_QUEUED_BYTES',
    fallback: String(MAX_QUEUED_BYTES),
    description:
      'Bytes queued to one sync socket before the server closes it as too far behind (4408: a client that does not read); it reconnects and catches up.',
  }),
  unloadGraceMs: integer(0, 24 * 3600 * 1000, {
    env: 'CONCORD_UNLOAD_GRACE_MS',
    fallback: '30000',
    description: 'How long a report stays in memory after its last client leaves.',
  }),
  sqliteSynchronous: env(Type.Enum(['FULL', 'NORMAL', 'OFF']), {
    env: 'CONCORD_SQLITE_SYNCHRONOUS',
    fallback: 'FULL',
    description:
      'SQLite synchronous mode. FULL: an edit is on disk before anyone sees it. OFF only for benchmarks.',
    upperCase: true,
  }),
  compactEvery: integer(1, 1_000_000, {
    env: 'CONCORD_COMPACT_EVERY',
    fallback: '500',
    description: 'Compact a report’s update log into a snapshot after this many updates.',
  }),
  presenceBatchMs: integer(0, 1000, {
    env: 'CONCORD_PRESENCE_BATCH_MS',
    fallback: '50',
    description:
      'Presence (cursors) changes are gathered this long and sent as one message per recipient; 0 relays each at once.',
  }),
  keepaliveMs: integer(100, 3_600_000, {
    env: 'CONCORD_KEEPALIVE_MS',
    fallback: '30000',
    description:
      'Every sync socket is pinged this often; one that has not answered the previous ping is closed (a peer gone without a goodbye).',
  }),
  shutdownTimeoutMs: integer(100, 600_000, {
    env: 'CONCORD_SHUTDOWN_TIMEOUT_MS',
    fallback: '10000',
    description: 'On SIGTERM: time allowed to flush storage and close sockets before exiting.',
  }),
  clientDir: env(Type.String(), {
    env: 'CONCORD_CLIENT_DIR',
    fallback: 'dist/client',
    description: 'Folder of the built browser client served at /.',
    read: directory,
  }),
  sourceMaps: env(Type.Boolean(), {
    env: 'CONCORD_SOURCE_MAPS',
    fallback: 'off',
    description:
      "on: serve the client's source maps (*.map, for debugging in the browser). off: they are built but answered 404.",
    read: (raw, name) => {
      const v = raw.trim();
      if (v !== 'on' && v !== 'off')
        throw new ConfigError(name, `must be one of on, off, got "${raw}"`);
      return v === 'on';
    },
  }),
  publicUrl: env(Type.Union([Type.String(), Type.Null()]), {
    env: 'CONCORD_PUBLIC_URL',
    fallback: '',
    description:
      'Address users reach Concord at (e.g. https://concord.example.org). Used in setup and invitation links; https turns on Secure __Host- cookies. Empty: http://localhost:<port>.',
    read: (raw, name) => {
      if (raw.trim() === '') return null;
      const u = url(raw, name, `not a URL: "${raw}"`);
      if (u.protocol !== 'http:' && u.protocol !== 'https:')
        throw new ConfigError(name, 'must be http or https');
      return u.origin;
    },
  }),
  allowedOrigins: env(Type.Array(Type.String()), {
    env: 'CONCORD_ALLOWED_ORIGINS',
    fallback: '',
    description:
      'Comma-separated exact origins allowed to open the sync socket and send state-changing requests. Empty: the public URL, or http://localhost:<port> and http://127.0.0.1:<port>.',
    read: (raw, name) =>
      list(raw).map((o) => {
        const origin = url(o, name, `not an origin: "${o}"`).origin;
        if (origin !== o)
          throw new ConfigError(name, `"${o}" is not an exact origin (expected ${origin})`);
        return o;
      }),
  }),
  sessionIdleMinutes: integer(1, 60 * 24 * 90, {
    env: 'CONCORD_SESSION_IDLE_MINUTES',
    fallback: '720',
    description: 'A session unused for this long expires.',
  }),
  sessionMaxHours: integer(1, 24 * 365, {
    env: 'CONCORD_SESSION_MAX_HOURS',
    fallback: '168',
    description: 'A session expires this long after login, used or not.',
  }),
  invitationHours: integer(1, 24 * 90, {
    env: 'CONCORD_INVITATION_HOURS',
    fallback: '168',
    description: 'How long an invitation link stays valid.',
  }),
  loginFailuresPerAccount: integer(1, 10_000, {
    env: 'CONCORD_LOGIN_FAILURES_PER_ACCOUNT',
    fallback: '5',
    description: 'Failed logins allowed per account in 15 minutes; more are refused (429).',
  }),
  loginAttemptsPerAddress: integer(1, 100_000, {
    env: 'CONCORD_LOGIN_ATTEMPTS_PER_ADDRESS',
    fallback: '30',
    description: 'Login attempts allowed per client address in 15 minutes.',
  }),
  wordLimit: integer(100, 1_000_000, {
    env: 'CONCORD_WORD_LIMIT',
    fallback: '10700',
    description:
      'The length limit the live word count and every export measure the text against (footnotes and headings included). The UN limit for texts not originating in the Secretariat is 10,700 words.',
  }),
  ripeRule: env(Type.Enum(RIPE_RULES), {
    env: 'CONCORD_RIPE_RULE',
    fallback: 'no-objection',
    description:
      'When a paragraph shows as ripe for agreement: no-objection (some State has recorded a position and none says "cannot accept") or all-accept (every State of the group says "can accept"). Never without positions, brackets or text; the whole rule is shared/consensus.ts ripeness.',
  }),
  silenceMinMs: integer(100, SILENCE_MAX_MS, {
    env: 'CONCORD_SILENCE_MIN_MS',
    fallback: String(SILENCE_MIN_MS),
    description:
      'Shortest silence procedure accepted, from now to its deadline (the longest is 60 days). Lower it only for tests and demonstrations.',
  }),
  scratchRoots: env(Type.Array(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' })), {
    env: 'CONCORD_SCRATCH_ROOTS',
    fallback: '',
    description:
      'Comma-separated names of shared types besides the report that sync clients may write freely (load tests and test suites only). Empty: anything outside the report is refused.',
    read: (raw, name) =>
      list(raw).map((k) => {
        if (!/^[A-Za-z0-9_-]{1,64}$/.test(k))
          throw new ConfigError(name, `"${k}" is not a short name (letters, digits, - and _)`);
        if (k === REPORT_FRAGMENT || k === DOCUMENT_META)
          throw new ConfigError(name, `"${k}" is the report's own and always checked`);
        return k;
      }),
  }),
});

export type Config = Static<typeof CONFIG_SCHEMA>;
export type LogLevel = Config['logLevel'];
export type SqliteSynchronous = Config['sqliteSynchronous'];

type Key = keyof Config;
type Property = TSchema & EnvOptions;

/** A JSON-schema keyword of a property (minimum, maximum, enum, type). */
const keyword = (p: Property, k: string): unknown => (p as unknown as Record<string, unknown>)[k];

/** Every variable in the schema's order: name, default text, meaning (the README's table). */
export const CONFIG_VARIABLES: ReadonlyArray<{
  key: Key;
  name: string;
  default: string;
  description: string;
}> = Object.entries(CONFIG_SCHEMA.properties).map(([key, s]) => {
  const p = s as Property;
  return { key: key as Key, name: p.env, default: p.fallback, description: p.description };
});

/** One variable's text as its value, or a ConfigError in words naming the variable. */
function readVariable(p: Property, given: string): unknown {
  const name = p.env;
  let value: unknown;
  if (p.read) value = p.read(given, name);
  else if (keyword(p, 'type') === 'integer') value = wholeNumber(given, name);
  else value = p.upperCase ? text(given).toUpperCase() : text(given);
  for (const error of Value.Errors(p, value)) {
    switch (error.keyword) {
      case 'minimum':
      case 'maximum':
        throw new ConfigError(
          name,
          `must be between ${keyword(p, 'minimum')} and ${keyword(p, 'maximum')}, got ${String(value)}`,
        );
      case 'enum':
        throw new ConfigError(
          name,
          `must be one of ${(keyword(p, 'enum') as string[]).join(', ')}, got "${given}"`,
        );
      case 'minLength':
        throw new ConfigError(name, 'must not be empty');
      default:
        throw new ConfigError(name, `${error.message}, got "${given}"`);
    }
  }
  return value;
}

/** Reads the configuration from `env`; throws ConfigError naming the first bad variable. */
export function loadConfig(vars: Record<string, string | undefined> = process.env): Config {
  const config: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(CONFIG_SCHEMA.properties)) {
    const p = s as Property;
    const raw = vars[p.env];
    config[key] = readVariable(p, raw === undefined || raw === '' ? p.fallback : raw);
  }
  return config as Config;
}

/** Defaults, overridden: what tests use. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({}), logLevel: 'silent', port: 0, ...overrides };
}
