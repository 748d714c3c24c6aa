import type { Browser, Page } from 'playwright-core';
import * as assert from 'uvu/assert';
import type { KioskSession } from '../../kiosk/display/kiosk-session.ts';
import type { KioskScreen, KioskSource, Tri } from '../../kiosk/display/kiosk-types.ts';
import { SimulatedClock } from '../../kiosk/clock.ts';
import { silentLogger } from '../../kiosk/log.ts';
import { peerSuite } from '../helpers/suite.ts';
import { openKioskPage } from './kiosk-browser.ts';
import { CHROMIUM, launchChromium } from './browser.ts';

/** The registration kiosk's screen: 21.5-inch portrait touch panel. */
const IDLE_MS = 60_000;

const tri = (zhHant: string, en: string, zhHans: string): Tri => ({ 'zh-Hant': zhHant, en, 'zh-Hans': zhHans });
const SCREENS: Record<string, KioskScreen> = {
  start: { id: 'start', tone: 'neutral', title: tri('歡迎', 'Welcome', '欢迎'), lines: [], actions: [{ id: 'start', label: tri('開始', 'Start', '开始'), primary: true }], awaitsVisitor: false },
  consent: {
    id: 'consent',
    tone: 'neutral',
    title: tri('同意', 'Consent', '同意'),
    lines: [tri('模板保存至護照屆滿', 'Kept until your passport expires', '模板保存至护照届满')],
    actions: [
      { id: 'decline', label: tri('不同意', 'I do not agree', '不同意') },
      { id: 'agree', label: tri('我同意', 'I agree', '我同意'), primary: true },
    ],
    awaitsVisitor: true,
  },
  done: { id: 'done', tone: 'go', title: tri('完成', 'Done', '完成'), lines: [], actions: [], awaitsVisitor: false },
};
const NEXT: Record<string, string> = { start: 'consent', agree: 'done', decline: 'start' };

/** A three-screen profile: enough to drive every part of the page. */
class ScriptedKiosk implements KioskSource {
  current = SCREENS.start!;
  acts: string[] = [];
  resets = 0;
  readonly #fns = new Set<(s: KioskScreen) => void>();
  screen(): KioskScreen {
    return this.current;
  }
  on(_e: 'screen', fn: (s: KioskScreen) => void): () => void {
    this.#fns.add(fn);
    return () => this.#fns.delete(fn);
  }
  act(action: string): void {
    this.acts.push(action);
    this.#go(NEXT[action]!);
  }
  reset(): void {
    this.resets++;
    this.#go('start');
  }
  #go(id: string): void {
    this.current = SCREENS[id]!;
    for (const fn of this.#fns) fn(this.current);
  }
}

interface Ctx {
  browser: Browser;
  closePage?: () => Promise<void>;
  url: string;
  session: KioskSession;
  kiosk: ScriptedKiosk;
  clock: SimulatedClock;
  page: Page;
  problems: string[];
}

const t = peerSuite<Ctx>('kiosk touch page in headless Chromium at the kiosk screen size', [CHROMIUM]);

t.before(async (ctx) => {
  ctx.browser = await launchChromium();
});
t.after(async (ctx) => {
  await ctx.browser?.close();
});
t.before.each(async (ctx) => {
  ctx.clock = new SimulatedClock();
  ctx.kiosk = new ScriptedKiosk();
  const k = await openKioskPage(ctx.browser, ctx.kiosk, ctx.clock, IDLE_MS);
  Object.assign(ctx, { page: k.page, problems: k.problems, session: k.session, url: k.url, closePage: k.close });
});
t.after.each(async (ctx) => {
  await ctx.closePage?.();
});

const title = (p: Page): Promise<string | null> => p.locator('h1').textContent();
const on = (p: Page, screen: string, lang: string): Promise<unknown> =>
  p.waitForSelector(`body[data-screen="${screen}"][data-lang="${lang}"]`, { timeout: 20_000 });

t('tapping through: language switch in all three languages, start, agree — large targets, no page error', async ({ page, kiosk, problems }) => {
  assert.is(await title(page), '歡迎');
  assert.is(await page.evaluate('document.documentElement.lang'), 'zh-HK');
  await page.getByRole('button', { name: 'English' }).tap();
  await on(page, 'start', 'en');
  assert.is(await title(page), 'Welcome');
  assert.is(await page.evaluate('document.documentElement.lang'), 'en');
  assert.is(await page.getByRole('button', { name: 'English' }).getAttribute('aria-pressed'), 'true');
  await page.getByRole('button', { name: '简体中文' }).tap();
  await on(page, 'start', 'zh-Hans');
  assert.is(await title(page), '欢迎');
  await page.getByRole('button', { name: '开始' }).tap();
  await on(page, 'consent', 'zh-Hans');
  assert.is(await page.locator('#lines p').first().textContent(), '模板保存至护照届满');
  for (const b of await page.getByRole('button').all()) {
    const box = await b.boundingBox();
    assert.ok(box && box.width >= 96 && box.height >= 96, `button too small for a finger: ${JSON.stringify(box)}`);
  }
  await page.getByRole('button', { name: '我同意' }).tap();
  await on(page, 'done', 'zh-Hans');
  assert.equal(kiosk.acts, ['start', 'agree']);
  const scroll = (await page.evaluate('[document.scrollingElement.scrollHeight, innerHeight]')) as number[];
  assert.ok(scroll[0]! <= scroll[1]!, 'the kiosk page scrolls');
  assert.equal(problems, []);
});

t('keyboard only: the new screen focuses its title, Tab reaches the primary action first, Enter presses it', async ({ page, kiosk }) => {
  await page.keyboard.press('Tab'); // from the title into the actions
  assert.is(await page.evaluate('document.activeElement.dataset.action'), 'start');
  await page.keyboard.press('Enter');
  await on(page, 'consent', 'zh-Hant');
  await page.waitForFunction('document.activeElement && document.activeElement.id === "title"', undefined, { timeout: 10_000 });
  await page.keyboard.press('Tab');
  assert.is(await page.evaluate('document.activeElement.dataset.action'), 'agree');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await on(page, 'start', 'zh-Hant');
  assert.equal(kiosk.acts, ['start', 'decline']);
});

t('screen reader: named buttons with their language, a live main region, the title as heading', async ({ page }) => {
  assert.is(await page.getByRole('navigation', { name: 'Language · 語言 · 语言' }).count(), 1);
  for (const [name, lang] of [['繁體中文', 'zh-HK'], ['English', 'en'], ['简体中文', 'zh-CN']] as const) {
    assert.is(await page.getByRole('button', { name }).getAttribute('lang'), lang);
  }
  assert.is(await page.getByRole('heading', { level: 1, name: '歡迎' }).count(), 1);
  assert.is(await page.locator('main').getAttribute('aria-live'), 'polite');
  assert.is(await page.getByRole('group', { name: '歡迎' }).getByRole('button', { name: '開始' }).count(), 1);
});

t('inactivity: untouched for the timeout, the kiosk returns to the start and forgets the language', async ({ page, kiosk, clock, session }) => {
  await page.getByRole('button', { name: 'English' }).tap();
  await page.getByRole('button', { name: 'Start' }).tap();
  await on(page, 'consent', 'en');
  clock.advance(IDLE_MS - 1);
  assert.is(kiosk.resets, 0);
  let touches = 0;
  const touched = session.touched.bind(session);
  session.touched = () => {
    touches++;
    touched();
  };
  await page.getByRole('button', { name: '简体中文' }).tap(); // a touch restarts the wait
  await on(page, 'consent', 'zh-Hans');
  await page.waitForFunction(() => true); // let the page run its handlers
  const deadline = Date.now() + 10_000;
  while (touches === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.is(touches, 1, 'the language tap reached the kiosk once');
  clock.advance(IDLE_MS - 1);
  assert.is(kiosk.resets, 0);
  clock.advance(1);
  assert.is(kiosk.resets, 1);
  await on(page, 'start', 'zh-Hant');
  assert.is(await title(page), '歡迎');
});

t('only actions on the current screen reach the profile; malformed taps are refused', async ({ url, kiosk }) => {
  const post = (body: string, type = 'application/json'): Promise<number> =>
    fetch(`${url}kiosk/act`, { method: 'POST', headers: { 'content-type': type }, body }).then((r) => r.status);
  assert.is(await post(JSON.stringify({ action: 'agree' })), 409); // not on the start screen
  assert.is(await post('{"action":"start","x":1}'), 400);
  assert.is(await post('not json'), 400);
  assert.is(await post(JSON.stringify({ action: 'start' }), 'text/plain'), 400);
  assert.is(await post(JSON.stringify({ action: 'x'.repeat(300) })), 400);
  assert.equal(kiosk.acts, []);
  assert.is(await post(JSON.stringify({ action: 'start' })), 204);
  assert.equal(kiosk.acts, ['start']);
});

t.run();
