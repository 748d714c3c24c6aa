/**
 * The console's browser script (plain ES2020, no framework): log in, follow the SSE stream,
 * render with textContent only (no markup from data), act through the JSON API.
 */
export const PAGE_SCRIPT = `
"use strict";
const $ = (id) => document.getElementById(id);
const el = (tag, props, ...kids) => { const e = document.createElement(tag); Object.assign(e, props || {}); for (const k of kids) e.append(k); return e; };
let me = null, state = null, es = null, refetch = null;
window.__progress = [];
async function api(path, body) {
  const r = await fetch(path, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const j = await r.json().catch(() => ({}));
  if (!r.ok) throw Object.assign(new Error(j.message || r.status), { status: r.status });
  return j;
}
async function start() {
  try { me = await api('/api/me'); } catch { $('login').hidden = false; $('app').hidden = true; return; }
  $('login').hidden = true; $('app').hidden = false;
  $('me').textContent = me.user + ' (' + me.role + ')';
  $('cmd-form').hidden = me.role === 'officer';
  $('enrol-form').hidden = me.role !== 'supervisor';
  es = new EventSource('/api/stream');
  es.onopen = () => { document.body.dataset.connected = 'true'; };
  es.onerror = () => { document.body.dataset.connected = 'false'; };
  es.addEventListener('changed', () => schedule());
  es.addEventListener('progress', (ev) => {
    const now = Date.now();
    for (const [gate, seq, oldest] of JSON.parse(ev.data)) {
      window.__progress.push([gate, seq, oldest, now]);
      const cell = document.querySelector('[data-gate="' + CSS.escape(gate) + '"] .seq');
      if (cell) cell.textContent = seq; else schedule();
    }
    schedule(2000); // charts and queues follow the new events, at most every 2 s
    if (window.__progress.length > 20000) window.__progress.splice(0, 10000);
  });
  await load();
}
function schedule(ms = 300) { if (!refetch) refetch = setTimeout(() => { refetch = null; load(); }, ms); }
async function load() {
  try { state = await api('/api/state'); render(); } catch (e) { if (e.status === 401) location.reload(); }
}
function render() {
  const lanes = $('lanes'); lanes.replaceChildren();
  let site = null, tbody = null;
  for (const l of state.lanes) {
    if (l.site !== site) {
      site = l.site; lanes.append(el('div', { className: 'site', textContent: 'Control point ' + site }));
      tbody = el('tbody'); lanes.append(el('table', {}, el('thead', {}, el('tr', {}, ...['Lane', 'Kind', 'Link', 'Mode', 'Health', 'Seq', 'Alarms', 'Trust v', 'Release'].map((t) => el('th', { textContent: t })))), tbody));
    }
    const tr = el('tr'); tr.dataset.gate = l.gate; tr.dataset.mode = l.mode || ''; tr.dataset.online = String(l.online); tr.dataset.profile = l.profile || '';
    tr.append(el('td', { textContent: l.gate }), el('td', { className: 'kind', textContent: l.profile || '—' }), el('td', { className: l.online ? 'on' : 'off', textContent: l.online ? 'online' : 'offline' }),
      el('td', {}, el('span', { className: 'badge m-' + (l.mode || 'unknown'), textContent: l.mode || '—' })),
      el('td', { className: l.healthy ? 'on' : 'bad', textContent: l.healthy ? 'ok' : l.faults.join(', ') }),
      el('td', { className: 'seq', textContent: l.head_seq ?? '' }), el('td', { textContent: l.open_alarms || '' }),
      el('td', { className: 'trust', textContent: l.trust_version ?? '—' }), el('td', { className: 'release', textContent: l.version ?? '—' }));
    tbody.append(tr);
  }
  const alarms = $('alarms');
  // a note being typed survives the live re-render (and keeps focus)
  const typed = new Map([...alarms.querySelectorAll('[data-alarm-id] .note-input')].map((i) => [i.closest('[data-alarm-id]').dataset.alarmId, i]));
  alarms.replaceChildren();
  for (const a of state.alarms) {
    const box = el('div', { className: 'alarm k-' + a.kind + (a.acked_by ? ' acked' : '') }); box.dataset.alarmId = a.id; box.dataset.code = a.code;
    box.append(el('b', { textContent: a.kind.replace('_', ' ') + ' · ' + a.code }), ' ', el('span', { textContent: a.gate + ' · ' + new Date(a.raised_at).toLocaleTimeString() + (a.cleared_at ? ' · cleared' : '') }));
    for (const n of a.notes) box.append(el('div', { className: 'note', textContent: n.by + ': ' + n.text }));
    if (!a.acked_by) {
      const note = typed.get(String(a.id)) || el('input', { placeholder: 'note', className: 'note-input' });
      const ack = el('button', { className: 'ack', textContent: 'Acknowledge' });
      ack.onclick = () => api('/api/alarms/' + a.id + '/ack', { note: note.value }).then(load);
      box.append(el('div', {}, note, ' ', ack));
    } else box.append(el('div', { className: 'dim', textContent: 'acknowledged by ' + a.acked_by }));
    alarms.append(box);
  }
  $('referrals').replaceChildren(...state.referrals.map((r) => el('tr', {}, ...[new Date(r.ts).toLocaleTimeString(), r.gate, r.outcome, r.reason || '', r.subject ? r.subject.slice(0, 8) + '…' : '—'].map((t) => el('td', { textContent: t })))));
  const by = new Map();
  for (const h of state.hourly) { if (!by.has(h.gate)) by.set(h.gate, []); by.get(h.gate).push(h); }
  $('hourly').replaceChildren(...[...by].map(([gate, hs]) => {
    const max = Math.max(...hs.map((h) => h.crossings), 1);
    const bars = el('span', { className: 'bars' }); for (const h of hs) { const i = el('i'); i.style.height = Math.max(2, (100 * h.crossings) / max) + '%'; i.title = h.hour + ': ' + h.crossings; bars.append(i); }
    const last = hs[hs.length - 1];
    const tr = el('tr', {}, el('td', { textContent: gate }), el('td', {}, bars), el('td', { textContent: last.crossings }), el('td', { textContent: last.cycle_ms ? (last.cycle_ms / 1000).toFixed(1) : '—' }));
    tr.dataset.lane = gate; return tr;
  }));
  $('commands').replaceChildren(...state.commands.map((c) => {
    const tr = el('tr', {}, el('td', { textContent: c.version }), el('td', { textContent: c.type }), el('td', { textContent: c.target }), el('td', { className: 'state', textContent: c.state + (c.approved_by ? ' (' + c.approved_by + ')' : '') }),
      el('td', { className: 'applied', textContent: c.applied + '/' + c.gates + (c.refused ? ' · ' + c.refused + ' refused' : '') }));
    const act = el('td');
    if (c.state === 'awaiting_approval' && me.role === 'supervisor' && c.requested_by !== me.user) {
      const b = el('button', { className: 'approve', textContent: 'Approve' }); b.onclick = () => api('/api/commands/' + c.id + '/approve', {}).then(load).catch((e) => alert(e.message)); act.append(b);
    }
    tr.append(act); tr.dataset.command = c.id; return tr;
  }));
}
$('login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  try { await api('/api/login', { user: $('user').value, password: $('password').value }); $('login-error').textContent = ''; start(); }
  catch (e) { $('login-error').textContent = 'Login refused'; }
});
$('logout').onclick = () => api('/api/logout', {}).finally(() => location.reload());
$('cmd-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  try {
    const r = await api('/api/commands', { type: $('cmd-type').value, target: $('cmd-target').value, args: JSON.parse($('cmd-args').value || '{}') });
    $('cmd-msg').textContent = r.state; load();
  } catch (e) { $('cmd-msg').textContent = e.message; }
});
// Enrolment changes name the subject by its pseudonymous reference only; removing narrows
// access and goes out at once, adding or restoring widens it and waits for a second supervisor
// (central/commands/service.ts widens()).
function enrol(type) {
  const sub = $('enrol-sub').value.trim(), target = $('enrol-target').value.trim();
  const args = type === 'delete_enrolments' ? { subs: [sub] } : { references: [{ sub, template: $('enrol-template').value.trim() }] };
  api('/api/commands', { type, target, args }).then((r) => { $('enrol-msg').dataset.command = r.id; $('enrol-msg').textContent = r.state; $('enrol-template').value = ''; load(); }, (e) => { $('enrol-msg').textContent = e.message; });
}
$('enrol-remove').onclick = () => enrol('delete_enrolments');
$('enrol-restore').onclick = () => enrol('upsert_enrolments');
start();
`;
