import type { Browser, Page } from 'playwright-core';
import * as assert from 'uvu/assert';

/** The officers' console on a control-room wall screen. */
export const WALL = { width: 1920, height: 1080 };

/**
 * Logs `user` in to the console at `url` in a new Chromium page and waits for its live
 * stream; page and console errors (CSP violations land there) fail the login.
 */
export async function consoleLogin(browser: Browser, url: string, user: string, password: string, viewport = WALL): Promise<Page> {
  const page = await browser.newPage({ viewport });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => m.type() === 'error' && !/401|Failed to load resource/.test(m.text()) && problems.push(m.text()));
  await page.goto(url);
  await page.fill('#user', user);
  await page.fill('#password', password);
  await page.click('#login-form button');
  await page.waitForSelector('body[data-connected=true]', { timeout: 15_000 });
  assert.equal(problems, [], 'no page errors (CSP violations land here)');
  return page;
}
