import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { choosePace, parseCardAccess } from '../../icao/card-access.ts';
import { ChipChannel } from '../../kiosk/passport/channel.ts';
import { checkDigit, parseTd3 } from '../../icao/mrz.ts';
import { paceKey } from '../../icao/access-keys.ts';
import { performPace } from '../../kiosk/passport/pace.ts';
import { hex, ScriptedChip, toHex } from './scripted.ts';

// ICAO Doc 9303 Part 11, Appendix G.1: PACE ECDH generic mapping, brainpoolP256r1, AES-128.
const CARD_ACCESS = hex('31143012060A04007F0007020204020202010202010D');
// A TD3 MRZ carrying the worked example's key fields T22000129 / 640812 / 101031.
const l2 = 'T22000129' + '3' + 'UTO' + '640812' + '5' + 'F' + '101031' + '8' + '<<<<<<<<<<<<<<' + '<';
const composite = checkDigit(l2.slice(0, 10) + l2.slice(13, 20) + l2.slice(21, 43));
const MRZ = { lines: ['P<UTOSPECIMEN<<TEST<<<<<<<<<<<<<<<<<<<<<<<<<', l2 + String(composite)] as const };

const EXCHANGE: [string, string][] = [
  ['0022C1A412800A04007F0007020204020283010184010D', '9000'],
  ['10860000027C0000', '7C12801095A3A016522EE98D01E76CB6B98B42C39000'],
  [
    '10860000457C438141047ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D00',
    '7C43824104824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F5730D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C549000',
  ],
  [
    '10860000457C438341042DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB3646200',
    '7C438441049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F0949000',
  ],
  ['008600000C7C0A8508C2B0BD78D94BA86600', '7C0A86083ABB9674BCE93C089000'],
];
const KEYS = {
  mapping: BigInt('0x7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99'),
  agreement: BigInt('0xA73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595'),
};

const t = suite('passport: PACE generic mapping, ICAO 9303-11 Appendix G.1');

t('the MRZ of the example parses (its check digits are right)', () => {
  parseTd3([...MRZ.lines]);
});

t('EF.CardAccess offers ECDH-GM AES-128 on brainpoolP256r1 and Kπ matches', () => {
  const info = choosePace(parseCardAccess(CARD_ACCESS));
  assert.ok(info);
  assert.is(info.parameterId, 13);
  assert.is(info.suite, 'AES-128');
  assert.is(toHex(paceKey(MRZ, 'AES-128')), '89DED1B26624EC1E634C1989302849DD');
});

t('every APDU and the session keys equal the worked example', async () => {
  const chip = new ScriptedChip(EXCHANGE);
  const info = choosePace(parseCardAccess(CARD_ACCESS))!;
  const sm = await performPace(new ChipChannel(chip), MRZ, info, { privateKey: (_c, step) => KEYS[step] });
  assert.ok(chip.finished);
  assert.is(toHex(sm.ksEnc), 'F5F0E35C0D7161EE6724EE513A0D9A7F');
  assert.is(toHex(sm.ksMac), 'FE251C7858B356B24514B3BD5F4297D1');
  assert.is(toHex(sm.ssc), '00'.repeat(16));
});

t('a chip token off by one bit is ACCESS_DENIED', async () => {
  const bad = EXCHANGE.map(([c, r], i) => [c, i === 4 ? '7C0A86083ABB9674BCE93C099000' : r] as [string, string]);
  const info = choosePace(parseCardAccess(CARD_ACCESS))!;
  try {
    await performPace(new ChipChannel(new ScriptedChip(bad)), MRZ, info, { privateKey: (_c, step) => KEYS[step] });
    assert.unreachable();
  } catch (e) {
    assert.is((e as { code: string }).code, 'ACCESS_DENIED');
  }
});

t.run();
