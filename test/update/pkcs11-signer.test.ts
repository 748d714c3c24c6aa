import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verify } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateP256KeyPair, Pkcs11Signer, type Pkcs11KeyRef } from '../../core/pkcs11-signer.ts';

/**
 * core/pkcs11-signer.ts against SoftHSM2 (Debian package softhsm2) in a token directory of
 * its own (SOFTHSM2_CONF): a P-256 key generated on the token signs, node:crypto verifies
 * with the public key read back; a changed message fails; absent key and token are typed errors.
 */
const MODULE = '/usr/lib/softhsm/libsofthsm2.so';
const have = existsSync(MODULE) && existsSync('/usr/bin/softhsm2-util');
const dir = mkdtempSync(join(tmpdir(), 'egate-softhsm-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

if (!have) {
  if (process.env.CI === 'true') throw new Error(`SoftHSM2 missing (${MODULE}, softhsm2-util): apt-get install softhsm2`);
  console.log('SKIP pkcs11-signer: softhsm2 not installed (apt-get install softhsm2)');
} else {
  mkdirSync(join(dir, 'tokens'));
  writeFileSync(join(dir, 'softhsm2.conf'), `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\n`);
  process.env.SOFTHSM2_CONF = join(dir, 'softhsm2.conf');
  execFileSync('softhsm2-util', ['--init-token', '--free', '--label', 'egate-release', '--pin', '123456', '--so-pin', '654321'], { stdio: 'ignore', env: process.env });
  const ref: Pkcs11KeyRef = { module: MODULE, tokenLabel: 'egate-release', pin: '123456', keyLabel: 'targets-1' };

  test('a P-256 key on the token signs; node:crypto verifies with the public key the token gives', () => {
    const generated = generateP256KeyPair(ref);
    const s = Pkcs11Signer.open(ref);
    try {
      assert.equal(s.publicKey.export({ format: 'der', type: 'spki' }), generated.export({ format: 'der', type: 'spki' }));
      const msg = Buffer.from('{"signed":{"_type":"targets","version":2}}');
      const sig = s.sign(msg);
      assert.ok(verify('sha256', msg, s.publicKey, sig), 'signature verifies');
      assert.not.ok(verify('sha256', Buffer.from('{"signed":{"_type":"targets","version":3}}'), s.publicKey, sig), 'another message does not');
      assert.ok(verify('sha256', msg, s.publicKey, s.sign(msg)), 'a second signature verifies too');
    } finally {
      s.close();
    }
  });

  test('an absent key or token is a typed error', () => {
    for (const [r, code] of [
      [{ ...ref, keyLabel: 'nope' }, 'PKCS11_KEY_NOT_FOUND'],
      [{ ...ref, tokenLabel: 'nope' }, 'PKCS11_TOKEN_NOT_FOUND'],
      [{ ...ref, pin: '000000' }, 'PKCS11_FAILED'],
    ] as const) {
      try {
        Pkcs11Signer.open(r).close();
        assert.unreachable(`opened ${JSON.stringify(r)}`);
      } catch (err) {
        assert.is((err as { code?: string }).code, code);
      }
    }
  });
}

test.run();
