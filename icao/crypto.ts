import { createCipheriv, createDecipheriv, createHash, timingSafeEqual } from 'node:crypto';

/**
 * The symmetric pieces of ICAO 9303 Part 11 on node:crypto: the key derivation function,
 * ISO/IEC 9797-1 padding, 3DES-CBC with the retail MAC (BAC, and PACE with 3DES) and
 * AES-CBC with CMAC (PACE with AES). Node 20's OpenSSL 3 has no single DES, so the
 * retail MAC's single-DES steps run as des-ede with the key doubled (K‖K), which is the
 * same permutation.
 */
export type CipherSuite = '3DES' | 'AES-128' | 'AES-192' | 'AES-256';

export const KDF_ENC = 1;
export const KDF_MAC = 2;
export const KDF_PACE = 3;

const ZERO8 = Buffer.alloc(8);
const ZERO16 = Buffer.alloc(16);

export function keyLength(suite: CipherSuite): number {
  return suite === '3DES' ? 16 : suite === 'AES-128' ? 16 : suite === 'AES-192' ? 24 : 32;
}

export function blockSize(suite: CipherSuite): number {
  return suite === '3DES' ? 8 : 16;
}

/** DES keys carry odd parity in the low bit of each byte (ICAO's worked examples do). */
export function adjustParity(key: Uint8Array): Buffer {
  const out = Buffer.from(key);
  for (let i = 0; i < out.length; i++) {
    const b = out[i]! & 0xfe;
    let ones = 0;
    for (let v = b; v; v >>= 1) ones += v & 1;
    out[i] = b | (ones % 2 === 0 ? 1 : 0);
  }
  return out;
}

/** KDF(K, c) of Part 11 §9.7.1: SHA-1 for 3DES and AES-128, SHA-256 above. */
export function kdf(seed: Uint8Array, counter: number, suite: CipherSuite): Buffer {
  const c = Buffer.alloc(4);
  c.writeUInt32BE(counter);
  const algo = suite === 'AES-192' || suite === 'AES-256' ? 'sha256' : 'sha1';
  const h = createHash(algo).update(seed).update(c).digest();
  const k = h.subarray(0, keyLength(suite));
  return suite === '3DES' ? adjustParity(k) : Buffer.from(k);
}

/** ISO/IEC 9797-1 padding method 2: 0x80 then zeros to a whole block (always adds a byte). */
export function pad(data: Uint8Array, block: number): Buffer {
  const padLen = block - (data.length % block);
  return Buffer.concat([data, Buffer.from([0x80]), Buffer.alloc(padLen - 1)]);
}

/** Removes method-2 padding; throws if the padding is malformed. */
export function unpad(data: Uint8Array): Buffer {
  let i = data.length - 1;
  while (i >= 0 && data[i] === 0) i--;
  if (i < 0 || data[i] !== 0x80) throw new Error('bad padding');
  return Buffer.from(data.subarray(0, i));
}

function run(cipher: ReturnType<typeof createCipheriv> | ReturnType<typeof createDecipheriv>, data: Uint8Array): Buffer {
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(data), cipher.final()]);
}

function aesName(key: Uint8Array, mode: 'cbc' | 'ecb'): string {
  return `aes-${key.length * 8}-${mode}`;
}

export function encrypt(suite: CipherSuite, key: Uint8Array, iv: Uint8Array | null, data: Uint8Array): Buffer {
  if (suite === '3DES') return run(createCipheriv('des-ede-cbc', key, iv ?? ZERO8), data);
  return run(createCipheriv(aesName(key, 'cbc'), key, iv ?? ZERO16), data);
}

export function decrypt(suite: CipherSuite, key: Uint8Array, iv: Uint8Array | null, data: Uint8Array): Buffer {
  if (suite === '3DES') return run(createDecipheriv('des-ede-cbc', key, iv ?? ZERO8), data);
  return run(createDecipheriv(aesName(key, 'cbc'), key, iv ?? ZERO16), data);
}

export function aesEcb(key: Uint8Array, block: Uint8Array): Buffer {
  return run(createCipheriv(aesName(key, 'ecb'), key, null), block);
}

/** ISO/IEC 9797-1 MAC algorithm 3 (retail MAC) with DES; `data` must already be padded. */
export function retailMac(key: Uint8Array, data: Uint8Array): Buffer {
  const ka = Buffer.from(key.subarray(0, 8));
  const kb = Buffer.from(key.subarray(8, 16));
  const chained = run(createCipheriv('des-ede-cbc', Buffer.concat([ka, ka]), ZERO8), data);
  const last = chained.subarray(chained.length - 8);
  const d = run(createDecipheriv('des-ede-ecb', Buffer.concat([kb, kb]), null), last);
  return run(createCipheriv('des-ede-ecb', Buffer.concat([ka, ka]), null), d);
}

function shiftLeft(b: Buffer): Buffer {
  const out = Buffer.alloc(b.length);
  for (let i = 0; i < b.length; i++) out[i] = ((b[i]! << 1) | (i + 1 < b.length ? b[i + 1]! >> 7 : 0)) & 0xff;
  if (b[0]! & 0x80) out[b.length - 1]! ^= 0x87;
  return out;
}

/** AES-CMAC of RFC 4493 (full 16 bytes; secure messaging truncates to 8). */
export function cmac(key: Uint8Array, data: Uint8Array): Buffer {
  const l = aesEcb(key, ZERO16);
  const k1 = shiftLeft(l);
  const k2 = shiftLeft(k1);
  const n = Math.max(1, Math.ceil(data.length / 16));
  const complete = data.length > 0 && data.length % 16 === 0;
  const lastIn = complete ? Buffer.from(data.subarray((n - 1) * 16)) : pad(data.subarray((n - 1) * 16), 16);
  const last = xor(lastIn, complete ? k1 : k2);
  const msg = Buffer.concat([data.subarray(0, (n - 1) * 16), last]);
  const c = run(createCipheriv(aesName(key, 'cbc'), key, ZERO16), msg);
  return c.subarray(c.length - 16);
}

/** The 8-byte secure-messaging MAC of either suite over already padded data. */
export function smMac(suite: CipherSuite, key: Uint8Array, padded: Uint8Array): Buffer {
  return suite === '3DES' ? retailMac(key, padded) : cmac(key, padded).subarray(0, 8);
}

export function xor(a: Uint8Array, b: Uint8Array): Buffer {
  if (a.length !== b.length) throw new Error('xor of unequal lengths');
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
