/**
 * One frame to many sockets in one system call: Linux io_uring, reached through the koffi FFI.
 *
 * A relay (every edit, every presence batch) sends the same bytes to every socket of a report.
 * Written one socket at a time, each recipient costs a `write` system call, and on the virtual
 * machines Concord runs on a system call is dear (about 1.1 µs just to enter and leave the kernel
 * here, before any TCP work). io_uring takes a whole list of sends at once: the server fills one
 * submission entry per socket in memory it shares with the kernel, then a single
 * `io_uring_enter` sends them all and waits for their results. Measured on the 2-core VM of
 * tests/bench: about half the server CPU per delivery of one write per socket (README,
 * "Benchmarks").
 *
 * Used synchronously only: every send carries MSG_DONTWAIT, so the kernel either copies the
 * bytes into the socket at once or answers EAGAIN; nothing is left in flight when `send`
 * returns, the frame's memory is free again, and no other write can come between a send and the
 * results (frame.ts hands anything the kernel did not take to libuv, in order).
 *
 * Where io_uring cannot be had (not Linux, an old kernel, `kernel.io_uring_disabled`, a seccomp
 * profile that forbids it, as Docker's default one does; koffi without a binary for this
 * platform) `openRing` says why and the caller writes one socket at a time. A ring that fails
 * later is closed for good and says why once; the sends it could not vouch for come back as
 * NOT_SENT or LOST, never as sent.
 */
import { createRequire } from 'node:module';

/** What `send` puts in `results[i]` for a send that never reached the kernel: write it yourself. */
export const NOT_SENT = -11; // -EAGAIN: the same answer as a socket that had no room
/** A send that reached the kernel but whose outcome is unknown: the connection must be dropped. */
export const LOST = -5; // -EIO

export interface Ring {
  /** Largest frame `send` takes; a larger one is for the caller to write itself. */
  readonly maxFrame: number;
  /**
   * Sends `frame` to `fds[0 .. count)`. `results[i]` becomes the bytes the kernel took for
   * `fds[i]` (possibly fewer than the frame, possibly 0) or a negative errno. Returns false
   * when the ring is (now) closed: the results then say NOT_SENT or LOST.
   */
  send(fds: Int32Array, count: number, frame: Uint8Array, results: Int32Array): boolean;
  /** Why the ring closed, or null while it works. */
  readonly failure: string | null;
  close(): void;
}

export type RingResult = { ring: Ring; reason: null } | { ring: null; reason: string };

// Syscall numbers of io_uring are the same on every Linux architecture (added after the tables
// were unified); the constants below are from <linux/io_uring.h> and <sys/mman.h>.
const SYS_IO_URING_SETUP = 425;
const SYS_IO_URING_ENTER = 426;
const IORING_SETUP_SUBMIT_ALL = 1 << 7; // Linux 5.18: one bad entry does not stop the others
const IORING_FEAT_SINGLE_MMAP = 1 << 0;
const IORING_FEAT_NODROP = 1 << 1;
const IORING_ENTER_GETEVENTS = 1 << 0;
const IORING_OP_SEND = 26;
const IORING_OFF_SQ_RING = 0;
const IORING_OFF_SQES = 0x10000000;
const MSG_DONTWAIT = 0x40;
const MSG_NOSIGNAL = 0x4000;
const PROT_READ = 1;
const PROT_WRITE = 2;
const MAP_SHARED = 0x01;
const MAP_PRIVATE = 0x02;
const MAP_ANONYMOUS = 0x20;
const MAP_POPULATE = 0x8000;
const MAP_FAILED = 0xffffffffffffffffn;
const EINTR = 4;
const SQE_BYTES = 64;
const CQE_BYTES = 16;
/** A result the kernel has not answered yet (no errno is this large). */
const PENDING = -0x80000000;

const DEFAULT_ENTRIES = 1024;
/** Frames up to this size are staged for the ring (relays are small: an edit, a presence batch). */
const STAGING_BYTES = 256 * 1024;

interface Libc {
  setup(entries: number, params: Uint8Array): number;
  enter(fd: number, toSubmit: number, minComplete: number, flags: number): number;
  mmap(length: number, prot: number, flags: number, fd: number, offset: number): unknown;
  munmap(addr: unknown, length: number): number;
  close(fd: number): number;
  errno(): number;
  address(pointer: unknown): bigint;
  view(pointer: unknown, length: number): ArrayBuffer;
}

function loadLibc(): Libc {
  // koffi is loaded lazily and only here: a platform without its binary just goes without.
  const require = createRequire(import.meta.url);
  const koffi = require('koffi') as typeof import('koffi');
  const lib = koffi.load('libc.so.6');
  const setup = lib.func('long syscall(long nr, uint32_t entries, void *params)');
  const enter = lib.func(
    'long syscall(long nr, int fd, uint32_t toSubmit, uint32_t minComplete, uint32_t flags, void *sig, size_t sigsz)',
  );
  const mmap = lib.func(
    'void *mmap(void *addr, size_t length, int prot, int flags, int fd, long offset)',
  );
  const munmap = lib.func('int munmap(void *addr, size_t length)');
  const close = lib.func('int close(int fd)');
  const errnoLocation = lib.func('int *__errno_location()');
  return {
    setup: (entries, params) => Number(setup(SYS_IO_URING_SETUP, entries, params)),
    enter: (fd, toSubmit, minComplete, flags) =>
      Number(enter(SYS_IO_URING_ENTER, fd, toSubmit, minComplete, flags, null, 0)),
    mmap: (length, prot, flags, fd, offset) => mmap(null, length, prot, flags, fd, offset),
    munmap: (addr, length) => munmap(addr, length) as number,
    close: (fd) => close(fd) as number,
    errno: () => koffi.decode(errnoLocation(), 'int') as number,
    address: (pointer) => koffi.address(pointer),
    view: (pointer, length) => koffi.view(pointer, length),
  };
}

/** Opens a ring of `entries` submission slots, or says why there is none. */
export function openRing(entries = DEFAULT_ENTRIES): RingResult {
  if (process.platform !== 'linux') return { ring: null, reason: 'not Linux' };
  let libc: Libc;
  try {
    libc = loadLibc();
  } catch (err) {
    return { ring: null, reason: `no FFI (koffi): ${(err as Error).message.split('\n')[0]}` };
  }
  const params = new Uint8Array(120);
  const p = new DataView(params.buffer);
  p.setUint32(8, IORING_SETUP_SUBMIT_ALL, true);
  const fd = libc.setup(entries, params);
  if (fd < 0) {
    const errno = libc.errno();
    const why =
      errno === 1
        ? 'forbidden (EPERM: kernel.io_uring_disabled or a seccomp profile)'
        : errno === 38
          ? 'not in this kernel (ENOSYS)'
          : errno === 22
            ? 'kernel older than 5.18 (EINVAL)'
            : `errno ${errno}`;
    return { ring: null, reason: `io_uring_setup: ${why}` };
  }
  const features = p.getUint32(20, true);
  if (!(features & IORING_FEAT_SINGLE_MMAP) || !(features & IORING_FEAT_NODROP)) {
    libc.close(fd);
    return { ring: null, reason: 'io_uring without SINGLE_MMAP/NODROP (kernel older than 5.5)' };
  }
  try {
    return { ring: new UringRing(libc, fd, params), reason: null };
  } catch (err) {
    libc.close(fd);
    return { ring: null, reason: (err as Error).message };
  }
}

class UringRing implements Ring {
  readonly maxFrame = STAGING_BYTES;
  failure: string | null = null;
  private readonly sqEntries: number;
  private readonly sqMask: number;
  private readonly cqMask: number;
  /** The rings' shared memory as 32-bit words, and the indexes of the counters in it. */
  private readonly words: Uint32Array;
  private readonly sqHead: number;
  private readonly sqTail: number;
  private readonly cqHead: number;
  private readonly cqTail: number;
  /** Word index of the first completion entry. */
  private readonly cqes: number;
  private readonly sqes: Uint32Array;
  private readonly staging: Uint8Array;
  private readonly stagingLow: number;
  private readonly stagingHigh: number;
  /** Set by fail(): entries below this index had reached the kernel. */
  private lostBefore = 0;
  private readonly maps: { pointer: unknown; length: number }[] = [];

  constructor(
    private readonly libc: Libc,
    private readonly fd: number,
    params: Uint8Array,
  ) {
    const p = new DataView(params.buffer);
    const u32 = (offset: number) => p.getUint32(offset, true);
    this.sqEntries = u32(0);
    const cqEntries = u32(4);
    // struct io_sqring_offsets at 40, struct io_cqring_offsets at 80.
    const sqArray = u32(64);
    const cqesOffset = u32(100);
    const ringBytes = Math.max(sqArray + this.sqEntries * 4, cqesOffset + cqEntries * CQE_BYTES);
    const shared = PROT_READ | PROT_WRITE;
    const rings = this.map(ringBytes, shared, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQ_RING);
    this.words = new Uint32Array(libc.view(rings, ringBytes));
    this.sqHead = u32(40) / 4;
    this.sqTail = u32(44) / 4;
    this.sqMask = this.words[u32(48) / 4]!;
    this.cqHead = u32(80) / 4;
    this.cqTail = u32(84) / 4;
    this.cqMask = this.words[u32(88) / 4]!;
    this.cqes = cqesOffset / 4;
    // Slot i of the submission queue always names entry i.
    for (let i = 0; i < this.sqEntries; i++) this.words[sqArray / 4 + i] = i;
    const sqesBytes = this.sqEntries * SQE_BYTES;
    const sqes = this.map(sqesBytes, shared, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQES);
    this.sqes = new Uint32Array(libc.view(sqes, sqesBytes));
    const staging = this.map(STAGING_BYTES, shared, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    this.staging = new Uint8Array(libc.view(staging, STAGING_BYTES));
    const address = libc.address(staging);
    this.stagingLow = Number(address & 0xffffffffn);
    this.stagingHigh = Number(address >> 32n);
  }

  private map(length: number, prot: number, flags: number, fd: number, offset: number): unknown {
    const pointer = this.libc.mmap(length, prot, flags, fd, offset);
    if (this.libc.address(pointer) === MAP_FAILED) {
      const errno = this.libc.errno();
      this.unmapAll();
      throw new Error(`io_uring mmap: errno ${errno}`);
    }
    this.maps.push({ pointer, length });
    return pointer;
  }

  private unmapAll(): void {
    for (const { pointer, length } of this.maps) this.libc.munmap(pointer, length);
    this.maps.length = 0;
  }

  send(fds: Int32Array, count: number, frame: Uint8Array, results: Int32Array): boolean {
    if (frame.length > STAGING_BYTES) throw new RangeError('frame larger than the ring stages');
    results.fill(PENDING, 0, count);
    if (this.failure === null) {
      this.staging.set(frame);
      for (let start = 0; start < count && this.failure === null; start += this.sqEntries)
        this.submitAndReap(
          fds,
          start,
          Math.min(this.sqEntries, count - start),
          frame.length,
          results,
        );
    }
    // What the kernel never answered: LOST if it took the entry, NOT_SENT if it never saw it.
    for (let i = 0; i < count; i++)
      if (results[i] === PENDING) results[i] = i < this.lostBefore ? LOST : NOT_SENT;
    this.lostBefore = 0;
    return this.failure === null;
  }

  /** Queues sends to fds[start .. start + batch) and collects their results. */
  private submitAndReap(
    fds: Int32Array,
    start: number,
    batch: number,
    length: number,
    results: Int32Array,
  ): void {
    const words = this.words;
    const sqes = this.sqes;
    let tail = words[this.sqTail]!;
    for (let i = 0; i < batch; i++) {
      // Every word of the 64-byte entry is written: slots are reused.
      const at = (tail & this.sqMask) * (SQE_BYTES / 4);
      sqes[at] = IORING_OP_SEND; // opcode; flags and ioprio 0
      sqes[at + 1] = fds[start + i]!;
      sqes[at + 2] = 0; // off
      sqes[at + 3] = 0;
      sqes[at + 4] = this.stagingLow; // addr
      sqes[at + 5] = this.stagingHigh;
      sqes[at + 6] = length; // len
      sqes[at + 7] = MSG_DONTWAIT | MSG_NOSIGNAL; // msg_flags
      sqes[at + 8] = start + i; // user_data: the index
      sqes.fill(0, at + 9, at + SQE_BYTES / 4); // user_data high word, buf_index, personality...
      tail = (tail + 1) >>> 0;
    }
    // The kernel reads the tail only inside io_uring_enter, which is a full barrier.
    Atomics.store(words, this.sqTail, tail);
    let reaped = 0;
    // EINTR (a signal while waiting) is retried; bounded, so that nothing can spin for ever.
    for (let attempt = 0; reaped < batch && attempt < 100; attempt++) {
      const queued = (tail - Atomics.load(words, this.sqHead)) >>> 0;
      const ret = this.libc.enter(this.fd, queued, batch - reaped, IORING_ENTER_GETEVENTS);
      const errno = ret < 0 ? this.libc.errno() : 0;
      reaped += this.reap(results);
      if (ret < 0 && errno !== EINTR) {
        this.fail(`io_uring_enter: errno ${errno}`, start, batch);
        return;
      }
    }
    if (reaped < batch) this.fail('io_uring_enter: sends did not complete', start, batch);
  }

  /** Copies every posted completion's result to `results[user_data]`; how many there were. */
  private reap(results: Int32Array): number {
    const words = this.words;
    let head = words[this.cqHead]!;
    const tail = Atomics.load(words, this.cqTail);
    let n = 0;
    while (head !== tail) {
      const at = this.cqes + (head & this.cqMask) * (CQE_BYTES / 4);
      // user_data is the index (only its low word is used); res follows it.
      results[words[at]!] = words[at + 2]! | 0;
      head = (head + 1) >>> 0;
      n++;
    }
    Atomics.store(words, this.cqHead, head);
    return n;
  }

  /** Closes the ring after a failure; notes how many of this batch the kernel had taken. */
  private fail(reason: string, start: number, batch: number): void {
    const queued =
      (Atomics.load(this.words, this.sqTail) - Atomics.load(this.words, this.sqHead)) >>> 0;
    // The kernel takes entries in order: the first (batch - queued) of this batch were taken.
    this.lostBefore = start + batch - queued;
    this.failure = reason;
    this.close();
  }

  close(): void {
    if (this.maps.length === 0) return;
    this.failure ??= 'closed';
    this.unmapAll();
    this.libc.close(this.fd);
  }
}
