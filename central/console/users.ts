import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { DEFAULT_SCRYPT } from '../../kiosk/cli/credentials.ts';
import { CentralError } from '../errors.ts';

export const ROLES = ['officer', 'supervisor', 'technician'] as const;
export type Role = (typeof ROLES)[number];
export const USER_ID = /^[A-Za-z0-9._-]{1,32}$/;

const userSchema = z
  .object({ role: z.enum(ROLES), hash: z.string().min(1), salt: z.string().min(1), N: z.number().int().positive(), r: z.number().int().positive(), p: z.number().int().positive(), createdAt: z.string() })
  .strict();
const fileSchema = z.object({ version: z.literal(1), users: z.record(z.string().regex(USER_ID), userSchema) }).strict();
export type UsersFile = z.infer<typeof fileSchema>;

function hash(secret: string, salt: Buffer, c: { N: number; r: number; p: number }): Promise<Buffer> {
  const opts: ScryptOptions = { N: c.N, r: c.r, p: c.p, maxmem: 256 * c.N * c.r + 1024 * 1024 };
  return new Promise((res, rej) => scrypt(Buffer.from(secret, 'utf8'), salt, 32, opts, (err, key) => (err ? rej(err) : res(key))));
}

/**
 * Console accounts: scrypt hashes (the technician CLI's cost) of each officer's password
 * with a role, in a 0600 JSON file. A missing file means nobody can log in yet.
 */
export function readUsers(path: string): UsersFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, users: {} };
    throw new CentralError('CENTRAL_CONFIG', `cannot read ${path}`);
  }
  const r = fileSchema.safeParse(JSON.parse(text));
  if (!r.success) throw new CentralError('CENTRAL_CONFIG', `${path} is not a console users file`);
  return r.data;
}

export async function setUser(path: string, id: string, role: Role, password: string, cost: { N: number; r: number; p: number } = DEFAULT_SCRYPT): Promise<void> {
  if (!USER_ID.test(id)) throw new CentralError('CENTRAL_BAD_REQUEST', 'user id: 1–32 letters, digits, dot, dash or underscore');
  if (password.length < 12) throw new CentralError('CENTRAL_BAD_REQUEST', 'a console password has at least 12 characters');
  const file = readUsers(path);
  const salt = randomBytes(16);
  const h = await hash(password, salt, cost);
  file.users[id] = { role, hash: h.toString('base64'), salt: salt.toString('base64'), ...cost, createdAt: new Date().toISOString() };
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(file, null, 2) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/** The user's role when the password matches; undefined otherwise (same work either way). */
export async function checkPassword(path: string, id: string, password: string): Promise<Role | undefined> {
  const u = USER_ID.test(id) ? readUsers(path).users[id] : undefined;
  const salt = u ? Buffer.from(u.salt, 'base64') : randomBytes(16);
  const got = await hash(password, salt, u ?? DEFAULT_SCRYPT);
  if (!u) return undefined;
  const want = Buffer.from(u.hash, 'base64');
  return want.length === got.length && timingSafeEqual(want, got) ? u.role : undefined;
}
