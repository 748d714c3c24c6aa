import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verify } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { normalize } from 'node:path';
import { readFileSync } from 'node:fs';
import { installTrustedRoot, GateUpdater } from '../../kiosk/update/updater.ts';
import { generateKeys, initRepository, publishRelease } from '../../scripts/release/tuf-repository.ts';
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

  test('a gate accepts a release whose targets metadata the token signed (release tool keys: a .pkcs11.json beside key files)', async () => {
    const keys = join(dir, 'keys');
    const repo = join(dir, 'repo');
    const dataDir = join(dir, 'data');
    generateKeys(keys);
    for (const f of ['targets-1.key', 'targets-2.key']) rmSync(join(keys, f));
    generateP256KeyPair({ ...ref, keyLabel: 'tuf-targets' });
    writeFileSync(join(keys, 'targets-1.pkcs11.json'), JSON.stringify({ module: MODULE, tokenLabel: ref.tokenLabel, keyLabel: 'tuf-targets' }));
    process.env.EGATE_PKCS11_PIN = ref.pin;
    initRepository({ repoDir: repo, keyDir: keys });
    const root = JSON.parse(readFileSync(join(repo, 'metadata', '1.root.json'), 'utf8')) as { signed: { keys: Record<string, { keytype: string }>; roles: { targets: { keyids: string[] } } } };
    assert.equal(root.signed.roles.targets.keyids.map((k) => root.signed.keys[k]!.keytype), ['ecdsa'], 'the targets role is the token key');
    installTrustedRoot(dataDir, readFileSync(join(repo, 'metadata', '1.root.json')));
    const app = join(dir, 'egate.tar.gz');
    writeFileSync(app, 'bundle bytes');
    publishRelease({ repoDir: repo, keyDir: keys, version: '1.0.0', files: [{ file: app, name: 'app/egate.tar.gz', kind: 'app' }] });
    const server = createServer((req, res) => {
      const f = join(repo, normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
      if (!f.startsWith(repo) || !existsSync(f)) res.writeHead(404).end();
      else res.writeHead(200).end(readFileSync(f));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const staged = await new GateUpdater({ dataDir, repositoryUrl: url, onEvent: () => {} }).fetchRelease();
      assert.is(staged.release, '1.0.0');
      // The same targets with a flipped signature bit is refused (the snapshot's hash catches it first).
      const tf = join(repo, 'metadata', '1.targets.json');
      const t = JSON.parse(readFileSync(tf, 'utf8')) as { signatures: { sig: string }[] };
      const sig = Buffer.from(t.signatures[0]!.sig, 'hex');
      sig[sig.length - 1]! ^= 1;
      t.signatures[0]!.sig = sig.toString('hex');
      writeFileSync(tf, JSON.stringify(t));
      installTrustedRoot(join(dir, 'data2'), readFileSync(join(repo, 'metadata', '1.root.json')));
      let refused = '';
      await new GateUpdater({ dataDir: join(dir, 'data2'), repositoryUrl: url, onEvent: () => {} })
        .fetchRelease()
        .catch((e: unknown) => (refused = (e as Error).message));
      assert.match(refused, /update refused \(UPDATE_/, `a changed targets file is refused: ${refused}`);
    } finally {
      server.close();
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
