/**
 * The standalone e-Visa verifier for airline staff (docs/evisa.md): checks the e-Visa PDF,
 * a photo or scan of its QR code, or the seal text, offline, against a cached trust list.
 *
 *   node --import tsx scripts/visa-verify.ts check evisa.pdf --trust trust.json [--revocations revoked.json] [--json]
 *   node --import tsx scripts/visa-verify.ts serve --trust trust.json [--port 8091]   (the web page)
 *
 * `check` exits 0 for a genuine visa, 2 for one that is not, 1 when it cannot run.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Command, InvalidArgumentError } from 'commander';
import { inspectVisa, MAX_INPUT_BYTES, type VisaSource } from '../kiosk/visa/inspect.ts';
import { VisaRevocationList } from '../kiosk/visa/revocations.ts';
import { VisaTrust } from '../kiosk/visa/trust.ts';
import { VisaVerifier, type VisaResult } from '../kiosk/visa/verifier.ts';
import { airlinePage } from './visa/airline-page.ts';

interface Common {
  trust: string;
  revocations?: string;
  now?: string;
  utcOffset: number;
}

function verifierFor(o: Common): { verifier: VisaVerifier; trust: VisaTrust } {
  const trust = VisaTrust.loadBundle(o.trust);
  const revocations = o.revocations ? VisaRevocationList.load(o.revocations) : new VisaRevocationList();
  return { trust, verifier: new VisaVerifier({ trust: () => trust, revocations, zoneOffsetMinutes: o.utcOffset }) };
}

/** What the staff member reads: the verdict and the visa's details (only signature-checked data). */
export function details(source: VisaSource, r: VisaResult): { genuine: boolean; details: Record<string, string | number> } {
  const v = r.visa;
  const d: Record<string, string | number> = {};
  if (!r.ok) Object.assign(d, { reason: r.reason, layer: r.layer });
  if (v) {
    Object.assign(d, {
      vn: v.vn, vt: v.vt, name: v.pid.n.replace(/<+/g, ' ').trim(), passport: v.pid.i.replace(/<+$/, ''), nationality: v.pid.nat.replace(/<+$/, ''), dob: v.pid.dob,
      vf: v.vf, vu: v.vu, ne: v.ne === 'M' ? 'multiple' : v.ne, dos: v.dos, ...(v.cond ? { cond: v.cond } : {}),
    });
  }
  if (r.ok) Object.assign(d, { state: r.state, signer: r.signer.subject.replace(/\n/g, ', ') });
  d.source = source;
  return { genuine: r.ok, details: d };
}

const program = new Command('visa-verify').description('offline e-Visa verifier for airline staff: PDF, QR photo/scan or seal text, against a cached trust list');
const common = (c: Command): Command =>
  c
    .requiredOption('--trust <file>', 'cached trust list (JSON: {fetched, roots: {STATE: [PEM]}})')
    .option('--revocations <file>', 'cached list of revoked visa numbers (JSON: {visas: [...]})')
    .option('--now <iso>', 'check at this time instead of now')
    .option('--utc-offset <minutes>', "the issuing state's calendar offset from UTC", (v) => {
      if (!/^-?\d+$/.test(v)) throw new InvalidArgumentError('whole minutes');
      return Number(v);
    }, 480);

common(program.command('check').description('check one file; exit 0 genuine, 2 not genuine').argument('<file>').option('--json', 'one JSON line'))
  .action(async (file: string, o: Common & { json?: boolean }) => {
    const { verifier } = verifierFor(o);
    const bytes = readFileSync(file);
    const { source, result } = await inspectVisa(bytes, verifier, { nowMs: o.now ? Date.parse(o.now) : Date.now() });
    const out = details(source, result);
    if (o.json) console.log(JSON.stringify(out));
    else {
      console.log(out.genuine ? 'GENUINE' : 'NOT GENUINE');
      for (const [k, v] of Object.entries(out.details)) console.log(`  ${k.padEnd(12)} ${v}`);
    }
    process.exitCode = out.genuine ? 0 : 2;
  });

common(program.command('serve').description('serve the verifier page on 127.0.0.1 (works without a network)').option('--port <port>', 'TCP port (0: any free one)', '8091').option('--host <addr>', 'address to listen on', '127.0.0.1'))
  .action((o: Common & { port: string; host: string }) => {
    const { verifier, trust } = verifierFor(o);
    const page = airlinePage({ trustFetched: trust.fetched ?? 'unknown', states: trust.states() });
    const server = createServer((req, res) => {
      if (req.method === 'GET' && (req.url === '/' || req.url === '/index.html')) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'" });
        res.end(page);
        return;
      }
      if (req.method !== 'POST' || req.url !== '/verify') {
        res.writeHead(404).end();
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_INPUT_BYTES) req.destroy();
        else chunks.push(c);
      });
      req.on('end', () => {
        void inspectVisa(Buffer.concat(chunks), verifier, { nowMs: o.now ? Date.parse(o.now) : Date.now() }).then(({ source, result }) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(details(source, result)));
        });
      });
    });
    // A staff member may take a minute between loading the page and choosing a file.
    server.keepAliveTimeout = 65_000;
    server.listen(Number(o.port), o.host, () => {
      const a = server.address();
      console.log(`e-Visa verifier on http://${o.host}:${typeof a === 'object' && a ? a.port : o.port}/ (trust list of ${trust.fetched ?? 'unknown date'})`);
    });
    const stop = (): void => void server.close();
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });

await program.parseAsync(process.argv);
