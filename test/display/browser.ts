import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import * as assert from 'uvu/assert';
import type { Screen } from '../../kiosk/display/messages.ts';

export const CHROMIUM = '/usr/bin/chromium';
const ROOT = new URL('../../', import.meta.url).pathname;
export const SHOTS = join(ROOT, 'artifacts', 'display');

/** Portrait and landscape gate screens, and the small vehicle-lane kiosk. */
export const VIEWPORTS = [
  { width: 1080, height: 1920 },
  { width: 1920, height: 1080 },
  { width: 800, height: 480 },
] as const;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface DisplayPage {
  page: Page;
  size: string;
  requests: string[];
  problems: string[];
}

/** Opens the display at one viewport, recording every request and every console error (CSP violations land there). */
export async function openDisplay(browser: Browser, url: string, viewport: { width: number; height: number }): Promise<DisplayPage> {
  const page = await browser.newPage({ viewport });
  const d: DisplayPage = { page, size: `${viewport.width}x${viewport.height}`, requests: [], problems: [] };
  page.on('request', (r) => d.requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/ERR_CONNECTION_REFUSED|EventSource|net::/.test(m.text())) d.problems.push(m.text());
  });
  page.on('pageerror', (e) => d.problems.push(e.message));
  await page.goto(url);
  return d;
}

function luminance(rgb: string): number {
  const [r, g, b] = (rgb.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((v) => {
    const c = Number(v) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
}

export function contrast(fg: string, bg: string): number {
  const [a, b] = [luminance(fg), luminance(bg)].sort((x, y) => y - x) as [number, number];
  return (a + 0.05) / (b + 0.05);
}

/** The little of the DOM the waits read (the project compiles without the DOM library). */
interface InPage {
  document: { body: { dataset: Record<string, string | undefined> }; getElementById(id: string): { textContent: string | null } | null };
}

/** Waits until the page knows it is (or is not) following the gate's stream. */
export async function waitConnected(d: DisplayPage, connected: boolean): Promise<void> {
  await d.page.waitForFunction((want) => (globalThis as unknown as InPage).document.body.dataset.connected === want, String(connected), { timeout: 15_000 });
}

interface Seen {
  zh: string;
  en: string;
  zhLang: string;
  enLang: string;
  hint: { zh: string; en: string } | null;
  tone: string;
  pictogram: string;
  svg: boolean;
  fg: string;
  bg: string;
  scroll: { h: number; w: number; ih: number; iw: number };
  inside: boolean;
  textFits: boolean;
}

/** Runs in the page (a string: this project compiles without the DOM library). */
const READ_SCREEN = `(() => {
  const $ = (id) => document.getElementById(id);
  const hint = $('hint');
  const style = getComputedStyle(document.body);
  const rects = ['zh', 'en', 'hint', 'pictogram'].map((id) => $(id).getBoundingClientRect()).filter((r) => r.height > 0);
  return {
    zh: $('zh').textContent, en: $('en').textContent, zhLang: $('zh').lang, enLang: $('en').lang,
    hint: hint.hidden ? null : { zh: $('hint-zh').textContent, en: $('hint-en').textContent },
    tone: document.body.dataset.tone, pictogram: document.body.dataset.pictogram,
    svg: $('pictogram').querySelector('svg') !== null,
    fg: style.color, bg: style.backgroundColor,
    scroll: { h: document.scrollingElement.scrollHeight, w: document.scrollingElement.scrollWidth, ih: innerHeight, iw: innerWidth },
    inside: rects.every((r) => r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight + 0.5 && r.right <= innerWidth + 0.5),
    textFits: $('text').scrollHeight <= $('text').clientHeight + 1,
  };
})()`;

/**
 * Waits until the page shows `expected` and checks what a traveller sees: both languages with
 * their lang attributes, the hint, the pictogram, no scrolling, every line inside the screen,
 * WCAG AA contrast. Then writes the screenshot artefact.
 */
export async function expectShown(d: DisplayPage, expected: Screen, shot?: string): Promise<void> {
  const { page } = d;
  // Wait for the whole screen (id and both lines), not just its id: on a loaded machine the
  // page may show the id one event before the text of a quickly following screen settles.
  await page.waitForFunction(
    ([id, zh, en]) => {
      const doc = (globalThis as unknown as InPage).document;
      return doc.body.dataset.screen === id && doc.getElementById('zh')?.textContent === zh && doc.getElementById('en')?.textContent === en;
    },
    [expected.screen, expected.zh, expected.en] as const,
    { timeout: 30_000 },
  );
  const seen = await page.evaluate<Seen>(READ_SCREEN);
  const where = `${expected.screen} at ${d.size}`;
  assert.is(seen.zh, expected.zh, where);
  assert.is(seen.en, expected.en, where);
  assert.is(seen.zhLang, 'zh-Hant');
  assert.is(seen.enLang, 'en');
  const hint = expected.hint && expected.hint.en !== expected.en ? expected.hint : null;
  assert.equal(seen.hint, hint, where);
  assert.is(seen.tone, expected.tone, where);
  assert.is(seen.pictogram, expected.pictogram, where);
  assert.ok(seen.svg, `no pictogram drawn: ${where}`);
  assert.ok(seen.scroll.h <= seen.scroll.ih && seen.scroll.w <= seen.scroll.iw, `scrolls: ${where} ${JSON.stringify(seen.scroll)}`);
  assert.ok(seen.inside && seen.textFits, `text outside the screen: ${where}`);
  const ratio = contrast(seen.fg, seen.bg);
  assert.ok(ratio >= 4.5, `contrast ${ratio.toFixed(2)} < 4.5 (WCAG AA): ${where}`);
  if (shot) {
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, `${shot}-${d.size}.png`) });
  }
}
