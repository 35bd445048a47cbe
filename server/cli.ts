/**
 * Operator CLI: `npm run concord -- <command> [--flag value …]`. Works on the configured storage
 * (CONCORD_DATABASE_URL, or the SQLite file in CONCORD_DATA_DIR), with or without the server
 * running. Links use CONCORD_PUBLIC_URL, else the address the running server announced in
 * <dataDir>/server.json, else http://localhost:<CONCORD_PORT> (and say so).
 *
 *   group create --name "GGE 2016–2017"
 *   user create --email a@b.org --name "A. Expert" --password … [--group g_… --role expert --represents Brazil]
 *   member add --group g_… --email a@b.org --role observer [--represents "European Union"]
 *   invite --group g_… --role expert [--represents Kenya] [--hours 168]
 *   groups                     list groups and their members
 *   revisions list --report <id>        a report's revisions (label, date, who, size, sha256)
 *   revisions show --revision <id>      one revision, its hash checked: every node's number,
 *                              status and text as they were
 *   setup-link                 print the running server's one-time setup link again (until used)
 *   unlock <email>             let an account locked by failed logins log in again now
 *   migrate-to-postgres [--to postgres://…]   copy the SQLite installation in CONCORD_DATA_DIR
 *                              into an empty PostgreSQL database (default CONCORD_DATABASE_URL),
 *                              verified; then start Concord with CONCORD_DATABASE_URL set to it
 */
import fs from 'node:fs';
import path from 'node:path';
import { isLine } from '../shared/input.js';
import type { RevisionContent } from '../shared/revisions.js';
import { isRole, type Role, representsFor } from '../shared/roles.js';
import type { OperatorUnlockRequest } from '../shared/routes/auth.js';
import { createAccount, createGroup, createInvitation, operatorEvent } from './accounts.js';
import { announcementPath, linkOrigin, readAnnouncement } from './announce.js';
import { PASSWORD_MIN } from './auth/passwords.js';
import { type Config, loadConfig } from './config.js';
import { copySqliteToPostgres } from './storage/copy.js';
import { openStorage } from './storage/open.js';
import { PostgresStorage, redactUrl } from './storage/postgres.js';
import { SQLITE_FILE, SqliteStorage } from './storage/sqlite.js';

function flags(args: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument "${a}"`);
    const v = args[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${a} needs a value`);
    out.set(a.slice(2), v);
    i++;
  }
  return out;
}

function need(f: Map<string, string>, name: string): string {
  const v = f.get(name)?.trim();
  if (!v) throw new Error(`--${name} is required`);
  return v;
}

/** A name, held to the API's rule: one line, no control characters. */
function nameOf(f: Map<string, string>): string {
  const v = need(f, 'name');
  if (!isLine(v))
    throw new Error(`--name "${printable(v)}" must be one line of text without control characters`);
  return v;
}

function roleOf(f: Map<string, string>): Role {
  const r = need(f, 'role');
  if (!isRole(r))
    throw new Error(`--role must be chair, secretariat, expert or observer, not "${r}"`);
  return r;
}

/** The same rule as the HTTP routes: experts and observers represent someone, others do not. */
function representsOf(f: Map<string, string>, role: Role): string | null {
  const { represents, missing } = representsFor(role, f.get('represents'));
  if (missing)
    throw new Error(`--represents is required for an ${role} (the State or organisation)`);
  return represents;
}

/**
 * Text from the database as the terminal should show it: control characters (escape sequences),
 * line separators, bidirectional overrides and lone surrogates written as \u{…}, never sent raw.
 */
export function printable(text: string): string {
  return text.replace(/[\p{Cc}\p{Zl}\p{Zp}\p{Cs}\u202A-\u202E\u2066-\u2069\\]/gu, (c) =>
    c === '\\' ? '\\\\' : `\\u{${c.codePointAt(0)!.toString(16)}}`,
  );
}

/** The same check as the HTTP routes (Email in shared/routes/auth.ts). */
function emailOf(f: Map<string, string>): string {
  const email = need(f, 'email');
  if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 254)
    throw new Error(`--email "${email}" is not an email address`);
  return email;
}

export async function runCli(
  argv: string[],
  log: (line: string) => void = console.log,
  note: (line: string) => void = console.error,
): Promise<void> {
  const config = loadConfig();
  if (argv[0] === 'migrate-to-postgres') {
    await migrateToPostgres(config, flags(argv.slice(1)), log);
    return;
  }
  if (argv[0] === 'setup-link') {
    const running = readAnnouncement(config.dataDir);
    if (!running)
      throw new Error(
        `no running server announced itself in ${announcementPath(config.dataDir)} (start it: npm start prints the link)`,
      );
    if (!running.setupUrl)
      throw new Error('no setup link is pending: the first account exists; log in instead');
    log(running.setupUrl);
    return;
  }
  if (argv[0] === 'unlock') {
    const email = argv[1]?.trim().toLowerCase();
    if (!email || argv.length !== 2) throw new Error('usage: unlock <email>');
    const running = readAnnouncement(config.dataDir);
    if (!running?.operatorUrl || !running.operatorToken)
      throw new Error(
        `no running server announced itself in ${announcementPath(config.dataDir)}: login limits live in the server's memory, so with none running nothing is locked`,
      );
    const res = await fetch(`${running.operatorUrl}/api/operator/unlock`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${running.operatorToken}`,
      },
      body: JSON.stringify({ email } satisfies OperatorUnlockRequest),
    });
    const body = (await res.json()) as { message?: string; wasLocked?: boolean };
    if (!res.ok) throw new Error(body.message ?? `the server answered ${res.status}`);
    log(`${email} ${body.wasLocked ? 'unlocked: they may log in again now' : 'was not locked'}`);
    return;
  }
  const storage = await openStorage(config);
  try {
    const [noun, verb, ...rest] = argv;
    const key = noun === 'invite' || noun === 'groups' ? noun : `${noun} ${verb}`;
    const f = flags(noun === 'invite' || noun === 'groups' ? argv.slice(1) : rest);
    switch (key) {
      case 'group create': {
        const g = await createGroup(storage, nameOf(f));
        log(`group ${g.id} "${printable(g.name)}"`);
        return;
      }
      case 'user create': {
        const password = need(f, 'password');
        if (password.length < PASSWORD_MIN)
          throw new Error(`--password must have at least ${PASSWORD_MIN} characters`);
        const groupId = f.get('group');
        const role = groupId ? roleOf(f) : null;
        const u = await createAccount(storage, {
          email: emailOf(f),
          displayName: nameOf(f),
          password,
          ...(groupId && role
            ? { membership: { groupId, role, represents: representsOf(f, role) } }
            : {}),
        });
        log(`user ${u.id} <${printable(u.email)}>`);
        return;
      }
      case 'member add': {
        const groupId = need(f, 'group');
        const user = await storage.getUserByEmail(need(f, 'email'));
        if (!user) throw new Error('no user with that email');
        const role = roleOf(f);
        const represents = representsOf(f, role);
        await storage.addMember(
          { groupId, userId: user.id, role, represents, createdAt: new Date().toISOString() },
          operatorEvent('member.add', groupId, user.id, { role, represents }),
        );
        log(`${printable(user.email)} is ${role} of ${printable(groupId)}`);
        return;
      }
      case 'invite': {
        const groupId = need(f, 'group');
        if (!(await storage.getGroup(groupId))) throw new Error(`no group ${groupId}`);
        const hours = Number(f.get('hours') ?? config.invitationHours);
        if (!Number.isInteger(hours) || hours < 1)
          throw new Error('--hours must be a whole number ≥ 1');
        const role = roleOf(f);
        const { token, expiresAt } = await createInvitation(
          storage,
          groupId,
          role,
          representsOf(f, role),
          hours,
        );
        const { origin, assumed } = linkOrigin(config);
        log(
          `${origin}/#/invite/${token}  (single use, expires ${new Date(expiresAt).toISOString()})`,
        );
        if (assumed) note(assumed);
        return;
      }
      case 'groups': {
        for (const g of await storage.listGroups()) {
          log(`group ${g.id} "${printable(g.name)}"`);
          for (const m of await storage.listMembers(g.id)) {
            const represents = m.represents ? ` (${printable(m.represents)})` : '';
            log(
              `  ${m.role.padEnd(11)} ${printable(m.displayName)} <${printable(m.email)}>${represents}`,
            );
          }
        }
        return;
      }
      case 'revisions list': {
        const reportId = need(f, 'report');
        if (!(await storage.getReport(reportId))) throw new Error(`no report ${reportId}`);
        const adoption = await storage.getAdoption(reportId);
        for (const r of await storage.listRevisions(reportId))
          log(
            `${String(r.number).padStart(3)}  ${r.id}  ${printable(r.label)}  ${r.date}  by ${printable(r.issuedBy.name)}  ${r.bytes} bytes  sha256 ${r.sha256}${r.final ? '  final' : ''}`,
          );
        if (adoption) log(`${adoption.statement} (${adoption.revisionId})`);
        return;
      }
      case 'revisions show': {
        const id = need(f, 'revision');
        const r = await storage.getRevision(id);
        if (!r) throw new Error(`no revision ${id}`);
        log(
          `${printable(r.label)} of report ${r.reportId}, ${r.date}, issued by ${printable(r.issuedBy.name)} at ${r.issuedAt}`,
        );
        log(`sha256 ${r.sha256} (checked)`);
        if (r.coverNote) log(`cover note: ${printable(r.coverNote)}`);
        const content = JSON.parse(r.content) as RevisionContent;
        for (const n of content.nodes)
          log(
            `  ${printable(n.citation || n.kind).padEnd(14)} ${(n.status ?? '').padEnd(20)} ${printable(n.text.length > 100 ? `${n.text.slice(0, 99)}…` : n.text)}`,
          );
        return;
      }
      default:
        throw new Error(`unknown command "${argv.join(' ')}" (see server/cli.ts for the list)`);
    }
  } finally {
    await storage.close();
  }
}

/** Copies the SQLite installation into an empty PostgreSQL database and verifies the copy. */
async function migrateToPostgres(
  config: Config,
  f: Map<string, string>,
  log: (line: string) => void,
): Promise<void> {
  const url = f.get('to') ?? config.databaseUrl;
  if (!url)
    throw new Error('say where to copy to: --to postgres://… (or set CONCORD_DATABASE_URL)');
  if (!/^postgres(ql)?:\/\//.test(url)) throw new Error(`--to must be a postgres:// URL`);
  const file = path.join(config.dataDir, SQLITE_FILE);
  if (!fs.existsSync(file)) throw new Error(`no SQLite database at ${file} (CONCORD_DATA_DIR)`);
  const source = new SqliteStorage({
    dataDir: config.dataDir,
    synchronous: config.sqliteSynchronous,
  });
  try {
    const target = await PostgresStorage.open({ url });
    try {
      log(`copying ${file} into ${redactUrl(url)}`);
      const report = await copySqliteToPostgres(source, target, (line) => log(`  ${line}`));
      const rows = report.tables.reduce((n, t) => n + t.rows, 0);
      log(
        `copied ${rows} rows in ${report.tables.length} tables; verified: every table's row count, and ${report.documents.length} document(s) equal by hash:`,
      );
      for (const d of report.documents) log(`  ${d.id}  sha256 ${d.sha256}`);
      log('Start Concord with CONCORD_DATABASE_URL set to this database.');
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}
