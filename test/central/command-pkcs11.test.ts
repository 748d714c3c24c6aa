import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseCentralConfig } from '../../central/config.ts';
import { derToP1363, openCommandSigner, sealCommandWith, signCommandWith } from '../../central/commands/signer.ts';
import { generateP256KeyPair } from '../../core/pkcs11-signer.ts';
import { openCommand } from '../../kiosk/sync/command-open.ts';

/**
 * The central command key on a PKCS#11 token (SoftHSM2 in a token directory of its own): a
 * command signed there, plain or sealed to the gate's key, is accepted by the gate's own
 * verifier (kiosk/sync/command-open.ts) with the public half; a file key still works, and
 * the config takes exactly one of the two.
 */
const MODULE = '/usr/lib/softhsm/libsofthsm2.so';
const have = existsSync(MODULE) && existsSync('/usr/bin/softhsm2-util');
const dir = mkdtempSync(join(tmpdir(), 'egate-central-hsm-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const config = (commands: Record<string, unknown>): ReturnType<typeof parseCentralConfig> =>
  parseCentralConfig({ mqtt: { url: 'mqtt://127.0.0.1:1' }, db: { url: 'postgres://x' }, console: { usersPath: join(dir, 'users.json') }, commands });
const body = (gate: string, type: string, args: Record<string, unknown>): Record<string, unknown> => ({ id: `cmd-${type}-1`, iat: Math.floor(Date.now() / 1000), gate, type, args });
const open = (bytes: Uint8Array, key: Parameters<typeof openCommand>[1]['key'], gateKey?: Parameters<typeof openCommand>[1]['gateKey']) =>
  openCommand(bytes, { key, gateKey, gate: 'LMC-A-01', nowMs: Date.now(), windowS: 300, maxBytes: 1 << 20 });

test('the config names the key in a file or on a token, not both, not neither', () => {
  assert.throws(() => config({}), /commands/);
  assert.throws(() => config({ keyPath: '/k.pem', pkcs11: { module: MODULE, tokenLabel: 't', keyLabel: 'k' } }), /commands/);
  assert.ok(config({ keyPath: '/k.pem' }).commands.keyPath);
  assert.ok(config({ pkcs11: { module: MODULE, tokenLabel: 't', keyLabel: 'k' } }).commands.pkcs11);
});

test('a file key still signs commands the gate accepts', () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  writeFileSync(join(dir, 'central.key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  const s = openCommandSigner(config({ keyPath: join(dir, 'central.key.pem') }).commands);
  const r = open(signCommandWith(s, body('LMC-A-01', 'set_mode', { mode: 'maintenance' })), s.publicKey);
  assert.ok(r.ok, JSON.stringify(r));
});

test('a token\'s DER signature becomes COSE\'s r‖s, also when r or s is short', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  let short = 0;
  for (let i = 0; i < 2000 && short < 3; i++) {
    const msg = Buffer.from(`m${i}`);
    const der = sign('sha256', msg, privateKey);
    if (der[3]! < 32 || der[5 + der[3]!]! < 32) short++;
    else if (i % 50 !== 0) continue;
    assert.ok(verify('sha256', msg, { key: publicKey, dsaEncoding: 'ieee-p1363' }, derToP1363(der)), `signature ${i}`);
  }
  assert.ok(short > 0, 'no short r or s in 2000 signatures');
  assert.throws(() => derToP1363(new Uint8Array([0x31, 0])), /malformed/);
});

if (!have) {
  if (process.env.CI === 'true') throw new Error(`SoftHSM2 missing (${MODULE}, softhsm2-util): apt-get install softhsm2`);
  console.log('SKIP central command key on PKCS#11: softhsm2 not installed (apt-get install softhsm2)');
} else {
  test('a command signed on the token is accepted by the gate; sealed ones too; another key is refused', () => {
    mkdirSync(join(dir, 'tokens'));
    writeFileSync(join(dir, 'softhsm2.conf'), `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\n`);
    process.env.SOFTHSM2_CONF = join(dir, 'softhsm2.conf');
    execFileSync('softhsm2-util', ['--init-token', '--free', '--label', 'egate-central', '--pin', '123456', '--so-pin', '654321'], { stdio: 'ignore', env: process.env });
    const ref = { module: MODULE, tokenLabel: 'egate-central', keyLabel: 'central-command-1' };
    const pub = generateP256KeyPair({ ...ref, pin: '123456' });
    const cfg = config({ pkcs11: ref }).commands;
    assert.throws(() => openCommandSigner(cfg, ''), /EGATE_PKCS11_PIN/);
    assert.throws(() => openCommandSigner(cfg, '000000'), /token/);
    const s = openCommandSigner(cfg, '123456');
    try {
      assert.equal(s.publicKey.export({ type: 'spki', format: 'der' }), pub.export({ type: 'spki', format: 'der' }));
      for (let i = 0; i < 20; i++) {
        // r or s with a leading zero (DER pads/shortens them) happens about 1 in 128: sign a few
        const r = open(signCommandWith(s, { ...body('LMC-A-01', 'set_mode', { mode: 'out_of_service' }), id: `cmd-hsm-${i}` }), pub);
        assert.ok(r.ok, JSON.stringify(r));
      }
      const gateKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const sealed = open(sealCommandWith(s, gateKey.publicKey, body('LMC-A-01', 'delete_enrolments', { subs: ['PSN-1'] })), pub, gateKey);
      assert.ok(sealed.ok && sealed.command.type === 'delete_enrolments', JSON.stringify(sealed));
      const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
      const refused = open(signCommandWith(s, body('LMC-A-01', 'set_mode', { mode: 'maintenance' })), other);
      assert.equal(refused.ok ? 'accepted' : refused.code, 'CMD_BAD_SIGNATURE');
    } finally {
      s.close();
    }
  });
}

test.run();
