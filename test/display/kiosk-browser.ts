import type { Browser, Page } from 'playwright-core';
import type { Clock } from '../../kiosk/clock.ts';
import { kioskRoutes } from '../../kiosk/display/kiosk-routes.ts';
import { KioskSession } from '../../kiosk/display/kiosk-session.ts';
import type { KioskSource } from '../../kiosk/display/kiosk-types.ts';
import { startDisplayServer } from '../../kiosk/display/server.ts';
import { silentLogger } from '../../kiosk/log.ts';

/** The kiosks' portrait touch screen. */
export const KIOSK_VIEWPORT = { width: 1080, height: 1920 };

export interface KioskPage {
  page: Page;
  /** Page errors and console errors (CSP violations land here); network noise of a closing stream excepted. */
  problems: string[];
  session: KioskSession;
  /** The display server's base URL (ends with /). */
  url: string;
  close(): Promise<void>;
}

/**
 * A kiosk's touch page as the seat serves it (kiosk/seat/run-kiosk.ts: a session with its
 * inactivity timeout, the /kiosk routes on the display server), opened in Chromium at the
 * kiosk's size with touch, connected to its event stream.
 */
export async function openKioskPage(browser: Browser, source: KioskSource, clock: Clock, idleMs: number): Promise<KioskPage> {
  const session = new KioskSession(source, clock, idleMs);
  const routes = kioskRoutes(session);
  const server = await startDisplayServer({ screen: () => undefined, on: () => () => {} }, { host: '127.0.0.1', port: 0, log: silentLogger(), routes: routes.handle });
  const context = await browser.newContext({ viewport: KIOSK_VIEWPORT, hasTouch: true });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => m.type() === 'error' && !/net::|EventSource/.test(m.text()) && problems.push(m.text()));
  await page.goto(`${server.url}kiosk`);
  await page.waitForSelector('body[data-connected="true"]', { timeout: 20_000 });
  return {
    page,
    problems,
    session,
    url: server.url,
    async close() {
      await context.close();
      routes.close();
      session.stop();
      await server.stop();
    },
  };
}
