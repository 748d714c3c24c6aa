import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { assertStrictModes } from '../strict-modes.ts';
import { CliError } from './errors.ts';

/**
 * Technician credentials: a JSON file mapping a technician id to the scrypt hash of one
 * secret — a PIN typed at the prompt or the contents of a key file. Only hashes, salts and
 * cost parameters are stored; the file is still written 0600 so nobody can grind offline.
 */
export const TECHNICIAN_ID = /^[A-Za-z0-9._-]{1,32}$/;
export const PIN = /^[0-9]{6,12}$/;

const entrySchema = z.object({
  kind: z.enum(['pin', 'key']),
  hash: z.string().min(1),
  salt: z.string().min(1),
  N: z.number().int().positive(),
  r: z.number().int().positive(),
  p: z.number().int().positive(),
  createdAt: z.string(),
});
const fileSchema = z.object({ version: z.literal(1), technicians: z.record(z.string().regex(TECHNICIAN_ID), entrySchema) });
export type TechnicianEntry = z.infer<typeof entrySchema>;
export type CredentialsFile = z.infer<typeof fileSchema>;

/** Cost of a new hash: about 32 MiB and a tenth of a second per login attempt. */
export const DEFAULT_SCRYPT = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LEN = 32;

function hashSecret(secret: Buffer, salt: Buffer, c: { N: number; r: number; p: number }): Promise<Buffer> {
  const opts: ScryptOptions = { N: c.N, r: c.r, p: c.p, maxmem: 256 * c.N * c.r + 1024 * 1024 };
  return new Promise((resolve, reject) => scrypt(secret, salt, KEY_LEN, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

/** Reads the credentials file; a missing file is an empty one (nobody can log in yet). */
export function readCredentials(path: string): CredentialsFile {
  assertStrictModes(path, 'technician credentials file', { secret: true });
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, technicians: {} };
    throw new CliError('CREDENTIALS_INVALID', `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  try {
    return fileSchema.parse(JSON.parse(text));
  } catch {
    throw new CliError('CREDENTIALS_INVALID', `${path} is not a technician credentials file`);
  }
}

/** Writes the whole file atomically (temp file + rename), mode 0600. */
export function writeCredentials(path: string, file: CredentialsFile): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(file, null, 2) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/** Adds or replaces a technician's secret. PINs must be 6–12 digits; key secrets 32+ characters. */
export async function setTechnician(
  path: string,
  id: string,
  kind: 'pin' | 'key',
  secret: string,
  cost: { N: number; r: number; p: number } = DEFAULT_SCRYPT,
): Promise<void> {
  if (!TECHNICIAN_ID.test(id)) throw new CliError('BAD_REQUEST', 'technician id: 1–32 letters, digits, dot, dash or underscore');
  if (kind === 'pin' && !PIN.test(secret)) throw new CliError('BAD_REQUEST', 'a PIN is 6 to 12 digits');
  if (kind === 'key' && secret.length < 32) throw new CliError('BAD_REQUEST', 'a key file holds at least 32 characters');
  const file = readCredentials(path);
  const salt = randomBytes(16);
  const hash = await hashSecret(Buffer.from(secret, 'utf8'), salt, cost);
  file.technicians[id] = { kind, hash: hash.toString('base64'), salt: salt.toString('base64'), ...cost, createdAt: new Date().toISOString() };
  writeCredentials(path, file);
}

export function removeTechnician(path: string, id: string): boolean {
  const file = readCredentials(path);
  if (!file.technicians[id]) return false;
  delete file.technicians[id];
  writeCredentials(path, file);
  return true;
}

const DUMMY: TechnicianEntry = { kind: 'pin', hash: Buffer.alloc(KEY_LEN).toString('base64'), salt: 'ZHVtbXk=', ...DEFAULT_SCRYPT, createdAt: '' };

/**
 * True when `secret` of `kind` is the technician's. An unknown technician or the wrong kind
 * costs one scrypt all the same, so timing does not tell which ids exist.
 */
export async function verifyTechnician(file: CredentialsFile, id: string, kind: 'pin' | 'key', secret: string): Promise<boolean> {
  const known = Object.hasOwn(file.technicians, id) ? file.technicians[id] : undefined;
  const entry = known ?? DUMMY;
  const got = await hashSecret(Buffer.from(secret, 'utf8'), Buffer.from(entry.salt, 'base64'), entry);
  const want = Buffer.from(entry.hash, 'base64');
  return known !== undefined && known.kind === kind && want.length === got.length && timingSafeEqual(want, got);
}

/** A new random key file (43 base64url characters), mode 0600; returns its secret. */
export function generateKeyFile(path: string): string {
  const secret = randomBytes(32).toString('base64url');
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, secret + '\n', { mode: 0o600, flag: 'wx' });
  return secret;
}

/** Reads a key file, refusing one that others can read (as ssh refuses a private key). */
export function readKeyFile(path: string): string {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    throw new CliError('BAD_REQUEST', `cannot read key file ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  if ((st.mode & 0o077) !== 0) throw new CliError('BAD_REQUEST', `key file ${path} is readable by others: chmod 600 it`);
  const secret = readFileSync(path, 'utf8').trim();
  if (secret.length < 32 || secret.length > 1024) throw new CliError('BAD_REQUEST', `${path} is not a technician key file`);
  return secret;
}
