/**
 * Configuration: every variable refuses a bad value with a ConfigError naming it, and the real
 * entry point (server/main.ts) exits non-zero with a message naming the variable.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '../../server/config.js';
import { tempDir } from '../helpers/server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Bad values for every variable. A new variable without an entry here fails the suite. */
const BAD: Record<string, string[]> = {
  CONCORD_HOST: ['   ', '\t'],
  CONCORD_PORT: ['abc', '-1', '65536', '80.5', '0x50', '1e3', '8080 8081'],
  CONCORD_DATA_DIR: ['   '],
  CONCORD_DATABASE_URL: [
    'not a url',
    'mysql://db.example/concord',
    'https://db.example/concord',
    'postgres://db.example',
    'postgres://db.example/',
  ],
  CONCORD_LOG_LEVEL: ['loud', 'verbose', 'warning'],
  CONCORD_MAX_MESSAGE_BYTES: ['10', '1023', String(64 * 1024 * 1024 + 1), '1MB'],
  CONCORD_MAX_QUEUED_BYTES: ['1024', String(1024 * 1024 * 1024 + 1), '32MiB', '   '],
  CONCORD_UNLOAD_GRACE_MS: ['-5', 'soon', String(24 * 3600 * 1000 + 1)],
  CONCORD_WORD_LIMIT: ['0', '99', 'many', '1000001'],
  CONCORD_PRESENCE_BATCH_MS: ['-1', '1001', 'fast'],
  CONCORD_KEEPALIVE_MS: ['99', '0', '30s', '3600001'],
  CONCORD_SQLITE_SYNCHRONOUS: ['sometimes', 'EXTRA', 'true'],
  CONCORD_COMPACT_EVERY: ['0', 'often', '1000001'],
  CONCORD_SHUTDOWN_TIMEOUT_MS: ['99', '1.5', '600001'],
  CONCORD_CLIENT_DIR: [' '],
  CONCORD_SOURCE_MAPS: ['yes', 'ON', 'true'],
  CONCORD_PUBLIC_URL: ['not a url', 'ftp://concord.example.org', 'concord.example.org'],
  CONCORD_ALLOWED_ORIGINS: [
    'http://a.example/path',
    'https://ok.example,not an origin',
    'https://ok.example, https://x.example/',
  ],
  CONCORD_SESSION_IDLE_MINUTES: ['0', 'forever', String(60 * 24 * 90 + 1)],
  CONCORD_SESSION_MAX_HOURS: ['0', 'forever', String(24 * 365 + 1)],
  CONCORD_INVITATION_HOURS: ['0', String(24 * 90 + 1), 'a week'],
  CONCORD_LOGIN_FAILURES_PER_ACCOUNT: ['0', '10001', 'five'],
  CONCORD_LOGIN_ATTEMPTS_PER_ADDRESS: ['0', '100001', 'many'],
  CONCORD_RIPE_RULE: ['unanimous', 'No-Objection', 'all accept'],
  CONCORD_SILENCE_MIN_MS: ['99', '72h', String(60 * 24 * 3600_000 + 1)],
  CONCORD_SCRATCH_ROOTS: ['report', 't,concord', 'a b', 'x'.repeat(65)],
};

describe('loadConfig', () => {
  test('every variable has bad values in this suite', () => {
    assert.deepEqual(
      CONFIG_VARIABLES.map((v) => v.name).sort(),
      Object.keys(BAD).sort(),
      'CONFIG_VARIABLES and the table of bad values list the same variables',
    );
  });

  test('defaults load; good values parse', () => {
    const defaults = loadConfig({});
    assert.equal(defaults.port, 8080);
    assert.equal(defaults.sqliteSynchronous, 'FULL');
    assert.equal(defaults.publicUrl, null);
    assert.deepEqual(defaults.allowedOrigins, []);
    assert.equal(defaults.databaseUrl, null, 'no URL: SQLite');
    assert.equal(
      loadConfig({ CONCORD_DATABASE_URL: ' postgresql://concord:secret@db:5432/concord ' })
        .databaseUrl,
      'postgresql://concord:secret@db:5432/concord',
    );
    const c = loadConfig({
      CONCORD_PORT: ' 8081 ',
      CONCORD_SQLITE_SYNCHRONOUS: 'normal',
      CONCORD_LOG_LEVEL: 'warn',
      CONCORD_COMPACT_EVERY: '1',
      CONCORD_PUBLIC_URL: 'https://concord.example.org/some/path',
      CONCORD_ALLOWED_ORIGINS: 'https://a.example, http://127.0.0.1:8080',
      CONCORD_HOST: '',
    });
    assert.equal(c.port, 8081);
    assert.equal(c.sqliteSynchronous, 'NORMAL');
    assert.equal(c.logLevel, 'warn');
    assert.equal(c.compactEvery, 1);
    assert.equal(c.publicUrl, 'https://concord.example.org');
    assert.deepEqual(c.allowedOrigins, ['https://a.example', 'http://127.0.0.1:8080']);
    assert.equal(c.host, '127.0.0.1', 'empty means the default');
  });

  for (const [name, values] of Object.entries(BAD)) {
    test(`${name}: a bad value throws ConfigError naming it`, () => {
      for (const value of values) {
        assert.throws(
          () => loadConfig({ [name]: value }),
          (err: unknown) => {
            assert.ok(err instanceof ConfigError, `${name}=${JSON.stringify(value)}: ${err}`);
            assert.equal(err.variable, name);
            assert.ok(err.message.includes(name), err.message);
            return true;
          },
          `${name}=${JSON.stringify(value)} is refused`,
        );
      }
    });
  }

  test('the first bad variable is the one named, whatever the others hold', () => {
    assert.throws(
      () => loadConfig({ CONCORD_PORT: '8080', CONCORD_COMPACT_EVERY: 'x' }),
      (err: unknown) => err instanceof ConfigError && err.variable === 'CONCORD_COMPACT_EVERY',
    );
  });
});

describe('server/main.ts', () => {
  test('CONCORD_PORT=abc: exits non-zero with a message naming CONCORD_PORT', async () => {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: root,
      env: {
        ...process.env,
        CONCORD_PORT: 'abc',
        CONCORD_HOST: '127.0.0.1',
        CONCORD_DATA_DIR: tempDir(),
        CONCORD_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    proc.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
    const code = await new Promise<number | null>((resolve) => proc.on('exit', (c) => resolve(c)));
    clearTimeout(timer);
    assert.notEqual(code, 0, `exit code ${code}`);
    assert.notEqual(code, null, 'exited by itself (not killed)');
    assert.match(stderr, /CONCORD_PORT/, `stderr: ${stderr}\nstdout: ${stdout}`);
    assert.match(stderr, /abc/);
    assert.doesNotMatch(stdout, /Concord is running/);
  });
});
