import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EgateError } from '../errors.ts';
import { assertStrictModes } from '../strict-modes.ts';
import { checkKid, kidBytes, kidIndex } from './kid.ts';

const PEM_SUFFIX = '.pem';

/**
 * The fleet decryption keys this gate holds: kid → P-256 private key. Several kids live at
 * once so the fleet can rotate: phones encrypt to the new kid while the old one still
 * decrypts, then the old one is removed. Keys live in a directory, one PKCS#8 PEM per kid
 * (`<kid>.pem`), mode 0600; a file that group or others can read is refused.
 */
export class FleetKeys {
  #keys = new Map<string, { kid: string; key: KeyObject }>();

  static loadDir(dir: string): FleetKeys {
    const keys = new FleetKeys();
    keys.reload(dir);
    return keys;
  }

  /** Reads every `<kid>.pem` in `dir` and swaps the whole set at once; on any error the current set stays. */
  reload(dir: string): void {
    const next = new Map<string, { kid: string; key: KeyObject }>();
    let names: string[];
    assertStrictModes(dir, 'fleet key directory');
    try {
      names = readdirSync(dir).filter((n) => n.endsWith(PEM_SUFFIX)).sort();
    } catch (err) {
      throw new EgateError('FLEET_KEYS_UNREADABLE', `cannot read fleet key directory ${dir}`, { cause: err });
    }
    for (const name of names) {
      const kid = checkKid(name.slice(0, -PEM_SUFFIX.length));
      const path = join(dir, name);
      if ((statSync(path).mode & 0o077) !== 0) throw new EgateError('KEY_FILE_MODE', `fleet key ${kid}: file must be mode 0600`);
      assertStrictModes(path, `fleet key ${kid}`, { secret: true });
      next.set(kidIndex(kidBytes(kid)), { kid, key: parsePrivateKey(readFileSync(path, 'utf8'), kid) });
    }
    this.#keys = next;
  }

  add(kid: string, privateKey: KeyObject): void {
    if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new EgateError('FLEET_KEY_INVALID', `fleet key ${checkKid(kid)}: P-256 private key expected`);
    }
    this.#keys.set(kidIndex(kidBytes(kid)), { kid, key: privateKey });
  }

  remove(kid: string): boolean {
    return this.#keys.delete(kidIndex(kidBytes(kid)));
  }

  /** The private key for a recipient kid read from a token, if this gate holds it. */
  get(kid: Uint8Array): { kid: string; key: KeyObject } | undefined {
    return this.#keys.get(kidIndex(kid));
  }

  kids(): string[] {
    return [...this.#keys.values()].map((e) => e.kid).sort();
  }
}

function parsePrivateKey(pem: string, kid: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (err) {
    throw new EgateError('FLEET_KEY_INVALID', `fleet key ${kid}: not a PEM private key`, { cause: err });
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new EgateError('FLEET_KEY_INVALID', `fleet key ${kid}: P-256 private key expected`);
  }
  return key;
}

/** Writes a private key as `<dir>/<kid>.pem`, mode 0600 (directory 0700). */
export function writePrivateKeyFile(dir: string, kid: string, privateKey: KeyObject): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${checkKid(kid)}${PEM_SUFFIX}`);
  writeFileSync(path, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}

export function readPrivateKeyFile(path: string): KeyObject {
  return parsePrivateKey(readFileSync(path, 'utf8'), path);
}

export function publicOf(privateKey: KeyObject): KeyObject {
  return createPublicKey(privateKey);
}
