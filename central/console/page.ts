import { createHash } from 'node:crypto';
import { PAGE_SCRIPT } from './page-script.ts';

const STYLE = `
:root{--bg:#0f1720;--panel:#18222d;--line:#2c3a48;--fg:#e8eef4;--dim:#a9b8c6;--ok:#3ecf8e;--warn:#f5b942;--bad:#ff6b6b;--info:#6cb6ff}
*{box-sizing:border-box}html,body{margin:0;height:100%}
body{background:var(--bg);color:var(--fg);font:clamp(14px,0.55vw + 8px,22px)/1.35 "Noto Sans","DejaVu Sans",sans-serif}
header{display:flex;gap:1em;align-items:center;padding:.5em 1em;border-bottom:1px solid var(--line)}
header h1{font-size:1.2em;margin:0;flex:1}
#conn{padding:.1em .6em;border-radius:1em;background:var(--bad);color:#111}
body[data-connected=true] #conn{background:var(--ok)}
main{display:grid;gap:.8em;padding:.8em;grid-template-columns:1fr 1fr;grid-auto-rows:minmax(0,auto)}
@media (min-width:1600px){main{grid-template-columns:1.3fr 1fr 1fr}}
section{background:var(--panel);border:1px solid var(--line);border-radius:.4em;padding:.6em;min-width:0;overflow:auto;max-height:46vh}
section h2{font-size:1em;margin:0 0 .4em;color:var(--dim);text-transform:uppercase;letter-spacing:.05em}
table{width:100%;border-collapse:collapse}td,th{padding:.2em .4em;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
th{color:var(--dim);font-weight:normal}
.site{margin:.4em 0 .2em;font-weight:bold;color:var(--info)}
.badge{display:inline-block;padding:0 .5em;border-radius:.3em;background:#2f3d4c}
.m-in_service{background:#1f5138}.m-out_of_service,.m-maintenance{background:#5a4a1a}.m-emergency{background:#6b1f1f}
.off{color:var(--bad)}.on{color:var(--ok)}.bad{color:var(--bad)}
.alarm{border-left:.3em solid var(--warn);padding:.3em .5em;margin:.3em 0;background:#1e2a36}
.alarm.k-fire,.alarm.k-forced_door,.alarm.k-chain_broken{border-color:var(--bad)}.alarm.acked{opacity:.55}
.alarm input{width:60%;background:#0f1720;color:var(--fg);border:1px solid var(--line);padding:.2em}
button{background:#2d6cdf;color:#fff;border:0;border-radius:.3em;padding:.25em .8em;font:inherit;cursor:pointer}
.bars{display:inline-flex;gap:2px;align-items:flex-end;height:1.4em}.bars i{display:block;width:.5em;background:var(--info)}
#login{max-width:24em;margin:15vh auto;background:var(--panel);padding:1.5em;border-radius:.5em}
#login input{display:block;width:100%;margin:.3em 0 .8em;padding:.4em;font:inherit}
#cmd-form textarea,#cmd-form input,#cmd-form select,#enrol-form textarea,#enrol-form input{font:inherit;background:#0f1720;color:var(--fg);border:1px solid var(--line);width:100%;margin:.2em 0}
[hidden]{display:none!important}
`;

const BODY = `
<div id="login"><h1>egate central</h1><form id="login-form"><label>User<input id="user" autocomplete="username"></label>
<label>Password<input id="password" type="password" autocomplete="current-password"></label><button>Log in</button><p id="login-error" class="bad"></p></form></div>
<div id="app" hidden>
<header><h1>egate — border control, central console</h1><span id="me"></span><span id="conn">live</span><button id="logout">Log out</button></header>
<main>
<section id="lanes-panel"><h2>Lanes and kiosks</h2><div id="lanes"></div></section>
<section id="alarms-panel"><h2>Alarms</h2><div id="alarms"></div></section>
<section id="referrals-panel"><h2>Referrals to the counter</h2><table><thead><tr><th>Time</th><th>Lane</th><th>Outcome</th><th>Reason</th><th>Subject</th></tr></thead><tbody id="referrals"></tbody></table></section>
<section id="hourly-panel"><h2>Throughput and cycle time per lane and hour</h2><table><thead><tr><th>Lane</th><th>Crossings per hour</th><th>Last hour</th><th>Cycle (s)</th></tr></thead><tbody id="hourly"></tbody></table></section>
<section id="commands-panel"><h2>Commands</h2><form id="cmd-form" hidden><select id="cmd-type"><option value="set_mode">set mode</option><option value="replace_trust_list">replace trust list</option><option value="revoke">revoke</option></select>
<input id="cmd-target" placeholder="gate, control point, group or *"><textarea id="cmd-args" rows="3" placeholder='{"mode":"out_of_service"}'></textarea><button>Send</button> <span id="cmd-msg"></span></form>
<form id="enrol-form" hidden><b>Enrolment</b> <input id="enrol-sub" placeholder="subject reference (pseudonym)" autocomplete="off"><input id="enrol-target" placeholder="gate, control point or group">
<textarea id="enrol-template" rows="2" placeholder="sealed reference template (base64), only to add or restore"></textarea><button id="enrol-remove" type="button">Suspend / remove</button> <button id="enrol-restore" type="button">Add / restore (needs a second supervisor)</button> <span id="enrol-msg"></span></form>
<table><thead><tr><th>v</th><th>Type</th><th>Target</th><th>State</th><th>Applied</th><th></th></tr></thead><tbody id="commands"></tbody></table></section>
</main></div>
`;

/** The console page: one HTML document, style and script inline, the script pinned by hash in the CSP. */
export function consolePage(): { html: string; csp: string } {
  const hash = createHash('sha256').update(PAGE_SCRIPT, 'utf8').digest('base64');
  const csp = `default-src 'none'; script-src 'sha256-${hash}'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'`;
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>egate central</title><style>${STYLE}</style></head><body data-connected="false">${BODY}<script>${PAGE_SCRIPT}</script></body></html>`;
  return { html, csp };
}
