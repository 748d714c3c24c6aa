import { randomBytes } from 'node:crypto';
import * as assert from 'uvu/assert';
import { suite } from 'uvu';
import { EMRTD_AID, SimulatedChip } from '../../../drivers/chip/sim-chip.ts';
import { SimulatedChipReader } from '../../../drivers/chip/sim-reader.ts';
import { decodeResponse, encodeCommand } from '../../../icao/apdu.ts';
import { performBac } from '../../../kiosk/passport/bac.ts';
import { ChipChannel } from '../../../kiosk/passport/channel.ts';
import { readFile } from '../../../kiosk/passport/lds-read.ts';
import { performPace } from '../../../kiosk/passport/pace.ts';
import { encodeCardAccess } from '../../../icao/card-access.ts';
import { tlv } from '../../../icao/tlv.ts';
import { makeMrz } from '../../../scripts/make-passport.ts';

const MRZ = makeMrz({ surname: 'SPECIMEN', given: 'ALEX', number: 'UT1234567', birth: '850101', expiry: '340515' });
// A 40 KB DG2 stand-in: reading past offset 32767 needs the odd READ BINARY.
const BIG = tlv(0x75, randomBytes(40000));
const COM = tlv(0x60, tlv(0x5c, Buffer.from([0x61, 0x75])));

function chip(extra: { cardAccess?: Buffer; bac?: boolean } = {}): SimulatedChip {
  return new SimulatedChip({ mrz: MRZ, files: new Map([[0x011e, COM], [0x0102, BIG]]), ...extra });
}

async function plain(reader: SimulatedChipReader, hex: string): Promise<number> {
  return decodeResponse(await reader.transmit(Buffer.from(hex, 'hex'))).sw;
}

const t = suite('chip twin: access control, offsets, PACE curves');

t('refuses to read data groups before access control (6982), plain or by short EF id', async () => {
  const reader = new SimulatedChipReader();
  reader.insert(chip());
  await reader.connect();
  assert.is(await plain(reader, '00A4040C07' + EMRTD_AID.toString('hex')), 0x9000);
  assert.is(await plain(reader, '00A4020C02011E'), 0x6982);
  assert.is(await plain(reader, '00B09E0004'), 0x6982); // short EF id 1E
  assert.is(await plain(reader, '0CB0000004'), 0x6988); // SM without a session
});

t('after BAC: a file past 32 KB reads whole (odd READ BINARY with DO54 offsets), byte for byte', async () => {
  const reader = new SimulatedChipReader();
  reader.insert(chip());
  await reader.connect();
  const ch = new ChipChannel(reader);
  await ch.expectOk({ cla: 0, ins: 0xa4, p1: 4, p2: 0x0c, data: EMRTD_AID }, 'CHIP_UNREADABLE', 'select');
  ch.secure(await performBac(ch, { lines: MRZ }));
  const got = await readFile(ch, 0x0102);
  assert.ok(got.equals(BIG));
});

t('a plain command inside a session ends it (6988) and nothing more is readable', async () => {
  const c = chip();
  const reader = new SimulatedChipReader();
  reader.insert(c);
  await reader.connect();
  const ch = new ChipChannel(reader);
  await ch.expectOk({ cla: 0, ins: 0xa4, p1: 4, p2: 0x0c, data: EMRTD_AID }, 'CHIP_UNREADABLE', 'select');
  ch.secure(await performBac(ch, { lines: MRZ }));
  assert.ok(c.inSession);
  assert.is(await plain(reader, encodeCommand({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 4 }).toString('hex')), 0x6988);
  assert.not.ok(c.inSession);
});

for (const [parameterId, name] of [[12, 'P-256'], [13, 'brainpoolP256r1']] as const) {
  for (const [suiteId, suiteName] of [['1', '3DES'], ['2', 'AES-128']] as const) {
    t(`PACE-GM ${name} ${suiteName} between terminal and twin, then a protected read`, async () => {
      const oid = `0.4.0.127.0.7.2.2.4.2.${suiteId}`;
      const reader = new SimulatedChipReader();
      reader.insert(chip({ cardAccess: encodeCardAccess([{ oid, version: 2, parameterId }]), bac: false }));
      await reader.connect();
      const ch = new ChipChannel(reader);
      ch.secure(await performPace(ch, { lines: MRZ }, { oid, version: 2, parameterId, mapping: 'GM', agreement: 'ECDH', suite: suiteName }));
      await ch.expectOk({ cla: 0, ins: 0xa4, p1: 4, p2: 0x0c, data: EMRTD_AID }, 'CHIP_UNREADABLE', 'select');
      assert.ok((await readFile(ch, 0x011e)).equals(COM));
    });
  }
}

t('a PACE-only chip refuses BAC', async () => {
  const reader = new SimulatedChipReader();
  reader.insert(chip({ cardAccess: encodeCardAccess([{ oid: '0.4.0.127.0.7.2.2.4.2.2', version: 2, parameterId: 13 }]), bac: false }));
  await reader.connect();
  const ch = new ChipChannel(reader);
  await ch.expectOk({ cla: 0, ins: 0xa4, p1: 4, p2: 0x0c, data: EMRTD_AID }, 'CHIP_UNREADABLE', 'select');
  try {
    await performBac(ch, { lines: MRZ });
    assert.unreachable();
  } catch (e) {
    assert.is((e as { code: string }).code, 'ACCESS_DENIED');
  }
});

t('transmits are serialised: a second one while the first is pending is CHIP_BUSY', async () => {
  const reader = new SimulatedChipReader();
  reader.insert(chip());
  await reader.connect();
  const first = reader.transmit(Buffer.from('0084000008', 'hex'));
  let code = '';
  try {
    await reader.transmit(Buffer.from('0084000008', 'hex'));
  } catch (e) {
    code = (e as { code: string }).code;
  }
  assert.is(code, 'CHIP_BUSY');
  assert.is(decodeResponse(await first).sw, 0x9000);
});

t.run();
