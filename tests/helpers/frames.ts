/**
 * Numbered payloads for tests of the broadcast write path (frame-sink): each says which
 * message it is and is filled with a pattern of that number, so a reader can tell a lost, torn,
 * corrupt or reordered message from the bytes alone.
 */
import assert from 'node:assert/strict';

/** A payload whose first 4 bytes say which message it is, the rest a pattern of that number. */
export function numbered(i: number, size: number): Buffer {
  const b = Buffer.alloc(size, i % 251);
  b.writeUInt32BE(i, 0);
  return b;
}

/** `got` is message `i` of `size` bytes, whole; `who` names the reader in the failure. */
export function assertNumbered(got: Buffer, i: number, size: number, who = 'reader'): void {
  assert.equal(got.length, size, `${who}: message ${i} has ${got.length} bytes, expected ${size}`);
  assert.equal(got.readUInt32BE(0), i, `${who}: message ${i} arrived out of order`);
  assert.ok(
    got.subarray(4).every((x) => x === i % 251),
    `${who}: message ${i} is corrupt`,
  );
}
