/**
 * The running server's announcement, `<dataDir>/server.json`: the address it is reached at
 * (CONCORD_PUBLIC_URL, or http://localhost:<the port it listens on>) and, until the first account
 * exists, the one-time setup link. Written at start and removed at shutdown, so the CLI prints
 * links with the right address (and `setup-link` finds a lost setup link) without the operator
 * repeating the server's settings. Readable by the owner only: the setup link is a secret, as
 * the database beside it is.
 */
import fs from 'node:fs';
import path from 'node:path';

export const ANNOUNCEMENT_FILE = 'server.json';

export interface Announcement {
  url: string;
  pid: number;
  startedAt: string;
  setupUrl?: string;
  /** Where the CLI reaches the server on this machine, and the token it sends. */
  operatorUrl?: string;
  operatorToken?: string;
}

export function announcementPath(dataDir: string): string {
  return path.join(dataDir, ANNOUNCEMENT_FILE);
}

/** Writes the announcement atomically (a reader never sees half a file). */
export function announce(dataDir: string, a: Announcement): void {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = announcementPath(dataDir);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(a, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** Removes the announcement if it is this process's. */
export function withdraw(dataDir: string, pid = process.pid): void {
  const current = readFile(dataDir);
  if (current && current.pid !== pid) return;
  try {
    fs.rmSync(announcementPath(dataDir), { force: true });
  } catch {
    // Left behind: readers see its process is gone and ignore it.
  }
}

function readFile(dataDir: string): Announcement | null {
  try {
    const a = JSON.parse(fs.readFileSync(announcementPath(dataDir), 'utf8')) as Announcement;
    if (typeof a?.url !== 'string' || !Number.isInteger(a.pid)) return null;
    return a;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The announcement of a server that is still running, or null (none, unreadable, or stale). */
export function readAnnouncement(dataDir: string): Announcement | null {
  const a = readFile(dataDir);
  return a && alive(a.pid) ? a : null;
}

/**
 * Where links should point: CONCORD_PUBLIC_URL, else the running server's announced address,
 * else http://localhost:<CONCORD_PORT> with a note saying that this was assumed.
 */
export function linkOrigin(config: { publicUrl: string | null; dataDir: string; port: number }): {
  origin: string;
  assumed: string | null;
} {
  if (config.publicUrl) return { origin: config.publicUrl, assumed: null };
  const running = readAnnouncement(config.dataDir);
  if (running) return { origin: running.url, assumed: null };
  const origin = `http://localhost:${config.port}`;
  return {
    origin,
    assumed: `note: links assume ${origin}: CONCORD_PUBLIC_URL is not set and no running server announced its address in ${announcementPath(config.dataDir)}; set CONCORD_PUBLIC_URL (or CONCORD_PORT) if users reach Concord elsewhere`,
  };
}
