import type { KioskView } from './kiosk-session.ts';
import { KIOSK_LANGUAGES } from './kiosk-types.ts';

/** JSON that is safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** The switch's own labels are each in their language, so a visitor finds theirs. */
const LANGUAGE_NAMES = { 'zh-Hant': '繁體中文', en: 'English', 'zh-Hans': '简体中文' } as const;
/** BCP 47 tags for screen readers: Cantonese-region Traditional, Mainland Simplified. */
const LANG_TAGS = { 'zh-Hant': 'zh-HK', en: 'en', 'zh-Hans': 'zh-CN' } as const;

const STYLE = `
:root { --fg: #111; --bg: #fff; --go: #0b6b2e; --stop: #a4161a; --wait: #7a4d00; --focus: #1a4dd6; }
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; background: var(--bg); color: var(--fg); font-family: "Noto Sans CJK TC", "Noto Sans CJK SC", "Noto Sans", sans-serif; }
body { display: flex; flex-direction: column; }
nav { display: flex; gap: 16px; padding: 24px; justify-content: center; border-bottom: 2px solid #ccc; }
button { font: inherit; font-size: 32px; min-height: 96px; min-width: 200px; padding: 16px 32px; border-radius: 16px; border: 3px solid var(--fg); background: #f2f2f2; color: var(--fg); touch-action: manipulation; }
button[aria-pressed="true"] { background: var(--fg); color: var(--bg); }
button.primary { background: var(--go); border-color: var(--go); color: #fff; font-weight: 700; }
button:focus-visible { outline: 6px solid var(--focus); outline-offset: 4px; }
button:disabled { opacity: 0.5; }
main { flex: 1; display: flex; flex-direction: column; align-items: center; justify-content: center; padding: 48px; gap: 32px; text-align: center; }
h1 { font-size: 64px; margin: 0; }
h1:focus { outline: none; }
body[data-tone="stop"] h1 { color: var(--stop); }
body[data-tone="go"] h1 { color: var(--go); }
body[data-tone="wait"] h1 { color: var(--wait); }
#lines p { font-size: 34px; line-height: 1.4; margin: 8px 0; max-width: 900px; }
#actions { display: flex; flex-wrap: wrap; gap: 32px; justify-content: center; }
#qr svg { width: 600px; height: 600px; display: block; }
`;

const SCRIPT = `
const LANGS = ${scriptJson(KIOSK_LANGUAGES)};
const NAMES = ${scriptJson(LANGUAGE_NAMES)};
const TAGS = ${scriptJson(LANG_TAGS)};
let view = JSON.parse(document.getElementById('boot').textContent);
let lang = LANGS[0];
let shown = '';
const nav = document.getElementById('languages');
const title = document.getElementById('title');
const lines = document.getElementById('lines');
const actions = document.getElementById('actions');
const qr = document.getElementById('qr');
function post(body) {
  return fetch('/kiosk/act', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).catch(() => {});
}
for (const l of LANGS) {
  const b = document.createElement('button');
  b.type = 'button';
  b.lang = TAGS[l];
  b.textContent = NAMES[l];
  b.dataset.lang = l;
  b.addEventListener('click', () => { lang = l; paint(false); post({ touch: true }); });
  nav.appendChild(b);
}
function paint(newScreen) {
  const s = view.screen;
  document.documentElement.lang = TAGS[lang];
  document.body.dataset.lang = lang;
  document.body.dataset.screen = s.id;
  document.body.dataset.tone = s.tone;
  document.body.dataset.resets = String(view.resets);
  for (const b of nav.children) b.setAttribute('aria-pressed', String(b.dataset.lang === lang));
  title.textContent = s.title[lang];
  lines.replaceChildren(...s.lines.map((t) => { const p = document.createElement('p'); p.textContent = t[lang]; return p; }));
  qr.hidden = !s.qr;
  if (!s.qr) qr.replaceChildren();
  else if (qr.dataset.svg !== s.qr.svg) { qr.dataset.svg = s.qr.svg; qr.replaceChildren(new DOMParser().parseFromString(s.qr.svg, 'image/svg+xml').documentElement); }
  const ordered = [...s.actions].sort((a, b) => Number(!!b.primary) - Number(!!a.primary));
  actions.replaceChildren(...ordered.map((a) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = a.label[lang];
    b.dataset.action = a.id;
    if (a.primary) b.className = 'primary';
    b.addEventListener('click', () => { for (const x of actions.children) x.disabled = true; post({ action: a.id }); });
    return b;
  }));
  // a new screen takes the focus to its title: the screen reader reads it, the keyboard starts there
  if (newScreen) title.focus();
}
let lastResets = view.resets;
paint(true);
shown = view.screen.id;
const events = new EventSource('/kiosk/events');
events.onopen = () => { document.body.dataset.connected = 'true'; };
events.onerror = () => { document.body.dataset.connected = 'false'; };
events.onmessage = (e) => {
  view = JSON.parse(e.data);
  if (view.resets !== lastResets) { lastResets = view.resets; lang = LANGS[0]; }
  const changed = view.screen.id !== shown || document.activeElement === document.body;
  shown = view.screen.id;
  paint(changed);
};
let lastTouch = 0;
// buttons report their own tap; this covers reading, scrolling and keys between them
const activity = (e) => { if (e.target && e.target.closest && e.target.closest('button') && e.type === 'pointerdown') return; const now = Date.now(); if (now - lastTouch > 2000) { lastTouch = now; post({ touch: true }); } };
document.addEventListener('pointerdown', activity, { passive: true });
document.addEventListener('keydown', activity);
`;

/** The touch page, every asset inline; `nonce` must match the response's CSP. */
export function renderKioskPage(nonce: string, view: KioskView): string {
  return `<!doctype html>
<html lang="zh-HK">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, user-scalable=no">
<title>e-Channel kiosk · e-道自助服務機</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body data-connected="false">
<nav id="languages" aria-label="Language · 語言 · 语言"></nav>
<main aria-live="polite">
<h1 id="title" tabindex="-1"></h1>
<div id="lines"></div>
<div id="qr" role="img" aria-label="QR code · 二維碼 · 二维码" hidden></div>
<div id="actions" role="group" aria-labelledby="title"></div>
</main>
<script type="application/json" id="boot" nonce="${nonce}">${scriptJson(view)}</script>
<script nonce="${nonce}">${SCRIPT}</script>
</body>
</html>
`;
}
