import { resolve } from 'node:path';
import { issueSlip } from '../kiosk/collection/slip.ts';
import { loadTokenWorld } from '../kiosk/tokens/world-files.ts';

/**
 * Issues a collection slip (issue 14 §4) with a token-tool world's issuer key: prints the QR
 * text `HKCS1:…` naming the resident and the card to collect (invented numbers only).
 * CLI: node --import tsx scripts/issue-slip.ts --world <token-tool dir> --sub R0012345 --card 'Z683365(5)' [--days 14]
 */
if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const { Command } = await import('commander');
  const o = new Command('issue-slip')
    .description('a signed collection slip (QR text) for the collection kiosk')
    .requiredOption('--world <dir>', 'token-tool world (issuer keys, trust list)')
    .requiredOption('--sub <ref>', 'the resident (holder reference, as in the credentials)')
    .requiredOption('--card <number>', 'the card number to collect')
    .option('--days <n>', 'days the slip stays valid', '14')
    .parse()
    .opts<{ world: string; sub: string; card: string; days: string }>();
  try {
    const days = Number(o.days);
    if (!Number.isInteger(days) || days < 1 || days > 365) throw new Error('--days is a whole number of days, 1-365');
    if (!/^[A-Za-z0-9()]{1,16}$/.test(o.card)) throw new Error('--card: letters, digits and brackets, at most 16');
    const nowMs = Date.now();
    const w = loadTokenWorld(o.world, nowMs);
    const nowS = Math.floor(nowMs / 1000);
    console.log(issueSlip({ issuerKey: w.issuer.keys.privateKey, issuerKid: w.issuer.kid, sub: o.sub, cardNumber: o.card, iat: nowS, exp: nowS + days * 86_400 }));
  } catch (err) {
    console.error(`error: ${(err as Error).message.split('\n')[0]}`);
    process.exitCode = 1;
  }
}
