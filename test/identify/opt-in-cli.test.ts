import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GalleryIndex } from '../../kiosk/identify/index.ts';
import { QUALITY, storeFixture, template } from '../enrolment/helpers.ts';

const ROOT = new URL('../..', import.meta.url).pathname;

test('enrol opt-in / opt-out: only enrolled residents opt in; the 1:N gallery holds opted-in templates only; list shows who is token-free', () => {
  const f = storeFixture();
  try {
    const s = f.open();
    s.upsert('R0000001', template(1), { source: 'enrolment-photo', quality: QUALITY });
    s.upsert('R0000002', template(2), { source: 'enrolment-photo', quality: QUALITY });
    s.close();
    const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'scripts/enrol.ts', '--store', f.path, '--key', f.keyPath, ...args], { encoding: 'utf8', cwd: ROOT, timeout: 60_000 });
    const gallery = (): GalleryIndex => {
      const st = f.open();
      try {
        return GalleryIndex.build(st.optedInReferences());
      } finally {
        st.close();
      }
    };
    assert.is(gallery().size, 0, 'nobody is in the gallery before opting in');

    const inn = cli('opt-in', 'R0000001');
    assert.is(inn.status, 0, inn.stderr);
    assert.match(inn.stdout, /^R0000001 opted in to token-free identification/);
    assert.match(cli('opt-in', 'R0000001').stdout, /already opted in/);
    const unknown = cli('opt-in', 'R0000009');
    assert.is(unknown.status, 1, unknown.stderr);
    assert.match(unknown.stderr, /^refused: only an enrolled resident can opt in/);

    const g = gallery();
    assert.is(g.size, 1);
    assert.is(g.search(template(1), 1)[0]!.sub, 'R0000001');
    // A resident who did not opt in is never a candidate, however alike the probe.
    assert.ok(g.search(template(2), 2).every((c) => c.sub !== 'R0000002'));
    g.close();

    const list = cli('list', '--json');
    assert.is(list.status, 0, list.stderr);
    assert.equal((JSON.parse(list.stdout) as { sub: string; identificationOptIn: boolean }[]).map((r) => [r.sub, r.identificationOptIn]), [['R0000001', true], ['R0000002', false]]);

    const out = cli('opt-out', 'R0000001');
    assert.is(out.status, 0, out.stderr);
    assert.match(out.stdout, /^R0000001 opted out/);
    assert.match(cli('opt-out', 'R0000001').stdout, /was not opted in/);
    assert.is(gallery().size, 0, 'withdrawn consent leaves the gallery');
    const st = f.open();
    assert.ok(st.has('R0000001'), 'opting out keeps the enrolment (a token tap still works)');
    st.close();
  } finally {
    f.cleanup();
  }
});

test.run();
