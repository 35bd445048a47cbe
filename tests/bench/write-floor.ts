/**
 * The floor under "server CPU per delivery": what one `net.Socket.write` of a small, ready-made
 * frame costs this process, with nothing else to do (no Yjs, no websocket library, no storage).
 * That is the whole per-recipient work of a fanout once the frame is encoded once, for a server
 * that writes through net.Socket, one system call per socket, as Concord does (server/sync/frame.ts).
 * Same shape as the fanout scenario: N sockets,
 * 20 rounds a second, each round one frame to every socket; a separate process reads.
 *
 *   node --import tsx tests/bench/write-floor.ts [--sockets 1000] [--seconds 10] [--bytes 60]
 *                                                [--runs 3] [--json]
 *
 * Prints µs of this process's CPU (user + system) per write, median and range over the runs.
 * `npm run bench` runs it once per repetition after the fanout scenarios' targets, with the same
 * N and duration, and puts it in the fanout table as "bare socket.write".
 */
import { fork } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
};

if (process.argv[2] === '--reader') {
  // Child: open the sockets, read and drop everything, report bytes when asked.
  const port = Number(process.argv[3]);
  const count = Number(process.argv[4]);
  let bytes = 0;
  let open = 0;
  for (let i = 0; i < count; i++) {
    const s = net.connect(port, '127.0.0.1', () => {
      open++;
      if (open === count) process.send?.({ ready: true });
    });
    s.on('data', (d) => {
      bytes += d.length;
    });
    s.on('error', () => {});
  }
  process.on('message', () => {
    process.send?.({ bytes });
    setTimeout(() => process.exit(0), 50);
  });
} else {
  const sockets = arg('sockets', 1000);
  const seconds = arg('seconds', 10);
  const size = arg('bytes', 60);
  const count = arg('runs', 3);
  const runs: number[] = [];
  for (let run = 0; run < count; run++) runs.push(await once(sockets, seconds, size));
  runs.sort((a, b) => a - b);
  if (process.argv.includes('--json')) {
    // For the harness (tests/bench/harness.ts), which runs it beside the targets.
    console.log(JSON.stringify({ usPerWrite: runs }));
  } else {
    const median = runs[Math.floor(runs.length / 2)]!;
    console.log(
      `write floor: ${sockets} sockets, ${size}-byte frames, 20 rounds/s for ${seconds} s: ` +
        `${median.toFixed(2)} µs CPU per write (range ${runs[0]!.toFixed(2)}–${runs.at(-1)!.toFixed(2)})`,
    );
  }
}

async function once(count: number, seconds: number, size: number): Promise<number> {
  const accepted: net.Socket[] = [];
  const server = net.createServer((s) => {
    s.setNoDelay(true);
    accepted.push(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const child = fork(fileURLToPath(import.meta.url), ['--reader', String(port), String(count)], {
    execArgv: ['--import', 'tsx'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('reader did not connect in 30 s')), 30_000);
    child.once('message', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  while (accepted.length < count) await new Promise((r) => setTimeout(r, 10));
  const frame = Buffer.alloc(size, 7);
  frame[0] = 0x82;
  frame[1] = size - 2;
  const rounds = seconds * 20;
  const before = process.cpuUsage();
  for (let r = 0; r < rounds; r++) {
    for (const s of accepted) s.write(frame);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const used = process.cpuUsage(before);
  child.send('done');
  const got = await new Promise<number>((resolve) =>
    child.once('message', (m: { bytes: number }) => resolve(m.bytes)),
  );
  if (got !== rounds * count * size) {
    throw new Error(`reader got ${got} bytes, expected ${rounds * count * size}`);
  }
  for (const s of accepted) s.destroy();
  await new Promise((r) => server.close(r));
  // The timer wakeups are in the figure too; at 20/s they are noise next to 1000 writes.
  return (used.user + used.system) / (rounds * count);
}
