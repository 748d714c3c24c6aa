import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Screen } from '../messages.ts';

const DIR = new URL('.', import.meta.url).pathname;

/** The page's assets, read once: the served page never requests anything but /events. */
const TEMPLATE = readFileSync(join(DIR, 'page.html'), 'utf8');
const STYLE = readFileSync(join(DIR, 'page.css'), 'utf8');
const SCRIPT = readFileSync(join(DIR, 'page.js'), 'utf8');
export const PICTOGRAMS: Readonly<Record<string, string>> = Object.fromEntries(
  readdirSync(join(DIR, 'pictograms'))
    .filter((f) => f.endsWith('.svg'))
    .map((f) => [basename(f, '.svg'), readFileSync(join(DIR, 'pictograms', f), 'utf8').trim()]),
);

export interface PageBoot {
  /** Painted before the event stream connects. */
  initial: Screen;
  /** Painted while the gate cannot be reached. */
  offline: Screen;
  heartbeatMs: number;
  retryMs: number;
}

/** JSON that is safe inside a <script> element (no "</script>", no HTML comment openers). */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** The whole page with every asset inline; `nonce` must match the response's CSP. */
export function renderPage(nonce: string, boot: PageBoot): string {
  const parts: Record<string, string> = {
    NONCE: nonce,
    STYLE,
    SCRIPT,
    PICTOGRAMS: scriptJson(PICTOGRAMS),
    BOOT: scriptJson(boot),
  };
  // One pass, so a placeholder-like text inside an asset is never substituted twice.
  return TEMPLATE.replace(/\{\{([A-Z]+)\}\}/g, (m, k: string) => parts[k] ?? m);
}
