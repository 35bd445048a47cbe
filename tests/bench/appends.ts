/**
 * Append latency and throughput on both storage engines, side by side (not part of `npm run
 * bench`'s table; run it alone: node --import tsx tests/bench/appends.ts). Latency: one append
 * at a time, awaited (a quiet room: every append its own commit). Throughput: bursts of appends
 * issued in the same turn (group commit), durable on resolve.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PostgresStorage } from '../../server/storage/postgres.js';
import { SqliteStorage } from '../../server/storage/sqlite.js';
import type { Storage } from '../../server/storage/types.js';
import { createTestDatabase } from '../helpers/engines.js';

const LATENCY_N = 300;
const BURST = 200;
const BURSTS = 10;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function measure(name: string, storage: Storage): Promise<void> {
  const now = new Date().toISOString();
  await storage.createReport(
    {
      id: 'rbench',
      groupId: null,
      title: 'bench',
      template: 'blank',
      createdAt: now,
      updatedAt: now,
    },
    new Uint8Array([0, 0]),
  );
  const update = new Uint8Array(60).fill(7);
  let seq = 1;
  const lat: number[] = [];
  for (let i = 0; i < LATENCY_N; i++) {
    const t0 = performance.now();
    await storage.appendUpdate('rbench', ++seq, update);
    lat.push(performance.now() - t0);
  }
  const rates: number[] = [];
  for (let b = 0; b < BURSTS; b++) {
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: BURST }, () => storage.appendUpdate('rbench', ++seq, update)),
    );
    rates.push(BURST / ((performance.now() - t0) / 1000));
  }
  console.log(
    `${name.padEnd(10)} one at a time: median ${median(lat).toFixed(2)} ms, p90 ${[...lat].sort((a, b) => a - b)[Math.floor(lat.length * 0.9)]!.toFixed(2)} ms; bursts of ${BURST}: median ${Math.round(median(rates))} appends/s`,
  );
  await storage.close();
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'concord-appends-'));
const db = await createTestDatabase();
try {
  for (let round = 0; round < 2; round++) {
    await measure('sqlite', new SqliteStorage({ dataDir: fs.mkdtempSync(path.join(dir, 'r')) }));
    const pgDb = round === 0 ? db : await createTestDatabase();
    await measure('postgres', await PostgresStorage.open({ url: pgDb.url }));
    if (round > 0) await pgDb.drop();
  }
} finally {
  await db.drop();
  fs.rmSync(dir, { recursive: true, force: true });
}
