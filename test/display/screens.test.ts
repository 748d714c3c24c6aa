import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MESSAGES, TOKEN_REASONS } from '../../kiosk/display/messages.ts';
import { PICTOGRAMS } from '../../kiosk/display/page/render.ts';
import { pedestrianScreen } from '../../kiosk/display/pedestrian-screen.ts';
import { DOCUMENT_REASONS, expressProfile } from '../../kiosk/express/profile.ts';
import { pedestrianHarness } from '../crossing/harness.ts';

const refused = (reason: string) => ({ ok: false as const, tokenType: 'mobile', reason });

// Issue 12 item 1: the refusal's reason reached the screen only on the vehicle lane, because
// entering token_refused finishes (clears) the crossing before the screen is computed.
for (const reason of ['CREDENTIAL_EXPIRED', 'PRESENTATION_EXPIRED', 'REVOKED', 'MALFORMED', 'REPLAY', 'NOT_ELIGIBLE']) {
  test(`pedestrian lane: a token refused for ${reason} shows that reason`, async () => {
    const h = await pedestrianHarness({ bad: refused(reason) }).inService();
    await h.token('bad');
    assert.ok(h.matches({ in_service: 'token_refused' }));
    const s = pedestrianScreen(h.actor.getSnapshot());
    assert.is(s.screen, 'token_refused');
    assert.equal(s.hint, TOKEN_REASONS[reason]);
    // The reason stays on screen for refusalDisplayMs, then the lane is idle again.
    await h.advance(1000);
    assert.equal(pedestrianScreen(h.actor.getSnapshot()).hint, TOKEN_REASONS[reason]);
    await h.advance(10_000);
    assert.is(pedestrianScreen(h.actor.getSnapshot()).screen, 'idle');
  });
}

test('pedestrian lane: a token check that times out says "try again", an unknown reason sends to the counter', async () => {
  const h = await pedestrianHarness({ slow: 'hang', odd: refused('SOMETHING_NEW') }).inService();
  await h.token('slow');
  await h.advance(1000);
  assert.ok(h.matches({ in_service: 'token_refused' }));
  assert.equal(pedestrianScreen(h.actor.getSnapshot()).hint, TOKEN_REASONS.TOKEN_TIMEOUT);
  await h.advance(10_000);
  await h.token('odd');
  assert.equal(pedestrianScreen(h.actor.getSnapshot()).hint, MESSAGES.counter);
});

test('Express lane: a refused passport shows the document reason', async () => {
  const h = await pedestrianHarness({ old: refused('DOC_EXPIRED') }).inService();
  await h.token('old');
  const s = expressProfile.screenFor(h.actor.getSnapshot());
  assert.is(s.screen, 'token_refused');
  assert.equal(s.hint, DOCUMENT_REASONS.DOC_EXPIRED);
});

/** The x of an arrow's head and tail: head is where the barbs meet (the `L x y L` middle point). */
function arrow(svg: string, dir: string): { tail: number; head: number } {
  const d = new RegExp(`data-arrow="${dir}" d="([^"]+)"`).exec(svg)?.[1];
  assert.ok(d, `pictogram has an arrow marked ${dir}`);
  const m = /^M(\d+) \d+ H(\d+)/.exec(d!);
  assert.ok(m, `horizontal arrow shaft: ${d}`);
  const barbs = /M\d+ \d+ L(\d+) \d+ L\d+ \d+/.exec(d!);
  assert.ok(barbs, `arrow head: ${d}`);
  assert.is(Number(barbs![1]), Number(m![2]), 'the barbs meet at the end of the shaft');
  return { tail: Number(m![1]), head: Number(m![2]) };
}

// Issue 12 item 2: the tailgate screen asked the extra person to step back with a forward arrow.
test('the step-back pictogram points back, against the walk-in direction', () => {
  const forward = arrow(PICTOGRAMS['walk-in']!, 'forward');
  const back = arrow(PICTOGRAMS['step-back']!, 'back');
  assert.ok(forward.head > forward.tail, 'walking in goes to the right');
  assert.ok(back.head < back.tail, 'stepping back goes to the left');
});

test('tailgating shows the step-back pictogram', async () => {
  const h = await pedestrianHarness().inService();
  await h.token('alice');
  h.io({ entry_closed: false });
  h.io({ zone_mantrap: true }, { mantrap_occupancy: 2 });
  await h.advance(1000);
  const s = pedestrianScreen(h.actor.getSnapshot());
  assert.is(s.screen, 'step_back');
  assert.is(s.pictogram, 'step-back');
});

// Issue 12 item 3: the idle screen shows where the reader is; Express shows the passport open, face down.
test('idle shows the reader below the screen; Express idle the passport going face down onto it', async () => {
  const h = await pedestrianHarness().inService();
  const idle = pedestrianScreen(h.actor.getSnapshot());
  assert.is(idle.pictogram, 'reader');
  assert.equal(idle.hint, MESSAGES.reader_below);
  const express = expressProfile.screenFor(h.actor.getSnapshot());
  assert.is(express.pictogram, 'passport-down');
  assert.match(express.en, /photo page down/);
  for (const p of ['reader', 'passport-down']) {
    const svg = PICTOGRAMS[p];
    assert.ok(svg, `pictogram ${p} exists`);
    assert.match(svg!, /data-arrow="down"/, `${p}: an arrow down to the reader`);
    assert.match(svg!, /data-reader=""/, `${p}: the reader drawn`);
  }
});

test.run();
