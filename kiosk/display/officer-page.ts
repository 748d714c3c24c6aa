import type { CounterCase } from '../counter/counter-station.ts';

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const STYLE = `body{font:16px/1.4 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#111}
main{max-width:760px;margin:0 auto;padding:16px}h1{font-size:20px}
table{border-collapse:collapse;width:100%;background:#fff}td,th{border:1px solid #ccd;padding:6px 10px;text-align:left}
.ok{color:#0a6b2b}.bad{color:#a31212}.doubts li{color:#a31212}
form.inline{display:inline}button{font-size:18px;padding:10px 22px;margin:8px 8px 0 0}
.msg{background:#fde8e8;border:1px solid #a31212;padding:8px}`;

function shell(nonce: string, title: string, body: string, refresh: boolean): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>${refresh ? '<meta http-equiv="refresh" content="1">' : ''}<style nonce="${nonce}">${STYLE}</style></head>${body}</html>`;
}

/** The login form; `message` says why the last try failed (never echoes what was typed). */
export function renderOfficerLogin(nonce: string, message: string | null): string {
  return shell(
    nonce,
    'Counter officer login',
    `<body data-page="login"><main><h1>Counter officer login</h1>${message ? `<p class="msg" id="message">${esc(message)}</p>` : ''}
<form method="post" action="/officer/login"><p><label>Officer id <input name="officer" id="officer" autocomplete="username" required maxlength="32"></label></p>
<p><label>PIN <input name="pin" id="pin" type="password" autocomplete="current-password" required maxlength="64"></label></p><button id="login">Log in</button></form></main></body>`,
    false,
  );
}

const BAND: Record<string, string> = { strong: 'Strong match', match: 'Match', weak: 'Near the threshold', no_match: 'No match', none: 'No score' };

/** The case page: verdicts, reasons for doubt and the officer's buttons. Refreshes itself until a case awaits the officer. */
export function renderOfficerCase(nonce: string, officer: string, c: CounterCase, message: string | null): string {
  const cls = (ok: boolean | undefined): string => (ok ? 'ok' : 'bad');
  const rows: string[] = [];
  if (c.document) rows.push(`<tr><th>Document</th><td id="document" class="${cls(c.document.ok)}">${c.document.ok ? 'Genuine, eligible' : `Refused (${esc(c.document.reason ?? '')})`}${c.document.issuingState ? ` — ${esc(c.document.issuingState)}` : ''}</td></tr>`);
  if (c.face) rows.push(`<tr><th>Face vs chip photo</th><td id="face" class="${cls(c.face.band === 'strong' || c.face.band === 'match')}" data-band="${c.face.band}">${BAND[c.face.band]}${c.face.score !== null ? ` (${c.face.score.toFixed(2)}; threshold ${c.face.threshold.toFixed(2)})` : ''}</td></tr>`);
  if (c.liveness) rows.push(`<tr><th>Liveness</th><td id="liveness" class="${cls(c.liveness.live)}">${c.liveness.live ? 'Live' : 'Not live'}${c.liveness.score !== null ? ` (${c.liveness.score.toFixed(2)})` : ''}</td></tr>`);
  if (c.quality) rows.push(`<tr><th>Portrait quality</th><td id="quality" class="${cls(c.quality.compliant)}">${c.quality.compliant ? 'Compliant' : 'Not compliant'} (${c.quality.score}/100)</td></tr>`);
  const doubts = c.doubts.length ? `<h2>Reasons for doubt</h2><ul class="doubts" id="doubts">${c.doubts.map((d) => `<li>${esc(d)}</li>`).join('')}</ul>` : c.step === 'review' ? '<p id="doubts" class="ok">No reason for doubt</p>' : '';
  const buttons = c.allowed
    .map((d) => `<form class="inline" method="post" action="/officer/decide"><input type="hidden" name="arrival" value="${esc(c.arrival)}"><input type="hidden" name="decision" value="${d}"><button id="${d}">${d[0]!.toUpperCase()}${d.slice(1)}</button></form>`)
    .join('');
  const status: Record<string, string> = { ready: 'Waiting for the next passport', checking: 'Reading the passport…', capturing: 'Taking the photo…', review: 'Decide', accepted: 'Accepted — waiting for the next passport', referred: 'Referred — waiting for the next passport' };
  return shell(
    nonce,
    'Counter',
    `<body data-page="case" data-step="${c.step}" data-arrival="${esc(c.arrival)}"><main><p>Officer <b id="who">${esc(officer)}</b> <form class="inline" method="post" action="/officer/logout"><button id="logout">Log out</button></form></p>
${message ? `<p class="msg" id="message">${esc(message)}</p>` : ''}<h1 id="status">${status[c.step]}</h1>${rows.length ? `<table>${rows.join('')}</table>` : ''}${doubts}<div id="actions">${buttons}</div></main></body>`,
    c.step !== 'review',
  );
}
