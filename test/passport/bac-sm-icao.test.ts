import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { bacKeys } from '../../icao/access-keys.ts';
import { performBac } from '../../kiosk/passport/bac.ts';
import { ChipChannel } from '../../kiosk/passport/channel.ts';
import { cmac, kdf, retailMac, pad } from '../../icao/crypto.ts';
import { parseTd3 } from '../../icao/mrz.ts';
import { protectCommand, unprotectResponse } from '../../icao/secure-messaging.ts';
import { fixedRandom, hex, ScriptedChip, toHex } from './scripted.ts';

// ICAO Doc 9303 Part 11, Appendix D (BAC and secure messaging worked example).
const MRZ = parseTd3(['P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L898902C<3UTO6908061F9406236ZE184226B<<<<<14']);

const t = suite('passport: BAC and 3DES secure messaging, ICAO 9303-11 Appendix D');

t('D.2 key derivation from the MRZ', () => {
  const k = bacKeys(MRZ);
  assert.is(toHex(k.kSeed), '239AB9CB282DAF66231DC5A4DF6BFBAE');
  assert.is(toHex(k.kEnc), 'AB94FDECF2674FDFB9B391F85D7F76F2');
  assert.is(toHex(k.kMac), '7962D9ECE03D1ACD4C76089DCE131543');
});

t('D.3 mutual authentication, then D.4 SELECT and READ BINARY under secure messaging', async () => {
  const chip = new ScriptedChip([
    ['0084000008', '4608F919887022129000'],
    [
      '008200002872C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F25F1448EEA8AD90A728',
      '46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D74499000',
    ],
  ]);
  const sm = await performBac(new ChipChannel(chip), MRZ, fixedRandom('781723860C06C226', '0B795240CB7049B01C19B33E32804F0B'));
  assert.ok(chip.finished);
  assert.is(toHex(sm.ksEnc), '979EC13B1CBFE9DCD01AB0FED307EAE5');
  assert.is(toHex(sm.ksMac), 'F1CB1F1FB5ADF208806B89DC579DC1F8');
  assert.is(toHex(sm.ssc), '887022120C06C226');

  const select = protectCommand(sm, { cla: 0, ins: 0xa4, p1: 0x02, p2: 0x0c, data: hex('011E') });
  assert.is(toHex(select), '0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800');
  assert.is(unprotectResponse(sm, hex('990290008E08FA855A5D4C50A8ED9000')).sw, 0x9000);

  const read4 = protectCommand(sm, { cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 4 });
  assert.is(toHex(read4), '0CB000000D9701048E08ED6705417E96BA5500');
  const r1 = unprotectResponse(sm, hex('8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000'));
  assert.is(toHex(r1.data), '60145F01');

  const read18 = protectCommand(sm, { cla: 0, ins: 0xb0, p1: 0, p2: 4, le: 0x12 });
  assert.is(toHex(read18), '0CB000040D9701128E082EA28A70F3C7B53500');
  const r2 = unprotectResponse(sm, hex('871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000'));
  assert.is(toHex(r2.data), '04303130365F36063034303030305C026175');
});

t('a response with one MAC bit flipped is SM_ERROR', async () => {
  const chip = new ScriptedChip([
    ['0084000008', '4608F919887022129000'],
    [
      '008200002872C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F25F1448EEA8AD90A728',
      '46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D74499000',
    ],
  ]);
  const sm = await performBac(new ChipChannel(chip), MRZ, fixedRandom('781723860C06C226', '0B795240CB7049B01C19B33E32804F0B'));
  protectCommand(sm, { cla: 0, ins: 0xa4, p1: 0x02, p2: 0x0c, data: hex('011E') });
  assert.throws(() => unprotectResponse(sm, hex('990290008E08FA855A5D4C50A8EC9000')), (e: { code: string }) => e.code === 'SM_ERROR');
});

t('a chip MAC that does not verify in MUTUAL AUTHENTICATE is ACCESS_DENIED', async () => {
  const chip = new ScriptedChip([
    ['0084000008', '4608F919887022129000'],
    [
      '008200002872C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F25F1448EEA8AD90A728',
      '46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D74489000',
    ],
  ]);
  try {
    await performBac(new ChipChannel(chip), MRZ, fixedRandom('781723860C06C226', '0B795240CB7049B01C19B33E32804F0B'));
    assert.unreachable();
  } catch (e) {
    assert.is((e as { code: string }).code, 'ACCESS_DENIED');
  }
});

t('RFC 4493 AES-CMAC and raw retail MAC', () => {
  const k = hex('2b7e151628aed2a6abf7158809cf4f3c');
  assert.is(toHex(cmac(k, Buffer.alloc(0))), 'BB1D6929E95937287FA37D129B756746');
  assert.is(toHex(cmac(k, hex('6bc1bee22e409f96e93d7e117393172a'))), '070A16B46B4D4144F79BDD9DD04A287C');
  // D.3: M.IFD over E.IFD.
  const eIfd = hex('72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2');
  assert.is(toHex(retailMac(hex('7962D9ECE03D1ACD4C76089DCE131543'), pad(eIfd, 8))), '5F1448EEA8AD90A7');
  assert.is(toHex(kdf(hex('7E2D2A41C74EA0B38CD36F863939BFA8E9032AAD'), 3, 'AES-128')), '89DED1B26624EC1E634C1989302849DD');
});

t.run();
