import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import * as assert from 'uvu/assert';
import { SerialPrinter } from '../../drivers/printer/serial-printer.ts';
import { SimulatedClock } from '../../kiosk/clock.ts';
import { silentLogger } from '../../kiosk/log.ts';
import { enrolmentSlipJob, slipQrText, type EnrolmentSlip } from '../../kiosk/registration/slip.ts';
import { peerSuite } from '../helpers/suite.ts';
import { PtyPrinter } from './printer-pty.ts';

/**
 * The enrolment slip checked by code we did not write: the bytes captured at the far end
 * of a pty are parsed by npos (an ESC/POS parser from the npm registry) back into text and a
 * bitmap, and the bitmap's QR code is read by Debian's zbarimg.
 */
interface NposBitmap {
  width: number;
  height: number;
  getPixel(x: number, y: number): number;
}
interface NposEntry {
  type: string;
  data: Buffer | NposBitmap;
}
const npos = createRequire(import.meta.url)('npos') as { parser(): { parse(b: Buffer): Promise<{ entries: NposEntry[] }> } };

const t = peerSuite('enrolment slip: ESC/POS on a pty, npos, zbarimg', ['socat', 'zbarimg']);

const SLIP: EnrolmentSlip = { reference: 'ENR-7Q2K-9XDM-4HWA', validUntil: '2031-05-17', issuedAt: '2026-12-02 14:05', kiosk: 'REG-03' };

t('the slip decodes to its three-language text and a QR code zbarimg reads as the reference', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'egate-slip-'));
  const far = new PtyPrinter();
  try {
    await far.start();
    const printer = new SerialPrinter({ port: far.path, baudRate: 115200, rtscts: false, statusTimeoutMs: 10_000 }, { clock: new SimulatedClock(), log: silentLogger() });
    await printer.open();
    await printer.print(enrolmentSlipJob(SLIP));
    await printer.close();
    assert.is(far.model.unknown, 0);

    const ast = await npos.parser().parse(Buffer.from(far.captured));
    const text = ast.entries
      .filter((e) => e.type === 'text')
      .map((e) => new TextDecoder('gb18030').decode(e.data as Buffer))
      .join('');
    for (const expected of ['e-道登記', '登記成功 Enrolment done 登记成功', `Ref 編號: ${SLIP.reference}`, `Valid until 有效至: ${SLIP.validUntil}`, 'passport expires. To withdraw consent,', '撤回同意：請在任何櫃檯出示此二維碼。', '撤回同意：请在任何柜台出示此二维码。']) {
      assert.ok(text.includes(expected), `decoded text lacks: ${expected}\n---\n${text}`);
    }
    const images = ast.entries.filter((e) => e.type === 'raster').map((e) => e.data as NposBitmap);
    assert.is(images.length, 1);
    const img = images[0]!;
    const grey = Buffer.alloc(img.width * img.height);
    for (let y = 0; y < img.height; y++) for (let x = 0; x < img.width; x++) grey[y * img.width + x] = img.getPixel(x, y) === 0 ? 0 : 255;
    const png = join(dir, 'slip-qr.png');
    writeFileSync(png, await sharp(grey, { raw: { width: img.width, height: img.height, channels: 1 } }).png().toBuffer());
    const read = execFileSync('zbarimg', ['--raw', '-q', png], { stdio: ['ignore', 'pipe', 'ignore'], timeout: 30_000 }).toString('utf8').replace(/\n$/, '');
    assert.is(read, slipQrText(SLIP));
  } finally {
    await far.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

t.run();
