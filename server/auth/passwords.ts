/** Password hashing: argon2id with OWASP's minimum (19 MiB, t=2, p=1), as PHC strings. */
import { hash, verify } from '@node-rs/argon2';

/** @node-rs/argon2's Algorithm.Argon2id (a const enum, which isolated modules cannot import). */
const ARGON2ID = 2;

export const ARGON2_PARAMS = {
  algorithm: ARGON2ID,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
};

export { PASSWORD_MAX, PASSWORD_MIN } from '../../shared/routes/auth.js';

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_PARAMS);
}

/** A hash of nothing anyone knows: verifying against it costs what a real check costs. */
let decoy: Promise<string> | null = null;

/**
 * Verifies `password` against `stored`; with no stored hash (unknown email) it still spends the
 * same time, so the answer does not reveal whether the account exists.
 */
export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  if (stored === null) {
    decoy ??= hash(`decoy-${Math.random()}`, ARGON2_PARAMS);
    await verify(await decoy, password).catch(() => false);
    return false;
  }
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}
