/**
 * The airline verifier's page: self-contained (no script, style or font from elsewhere), so
 * it works on a counter PC with no network. The file (camera photo, scan or PDF) is posted
 * to the local verifier, which decodes the QR code and checks the seal against its cached
 * trust list.
 */
export function airlinePage(info: { trustFetched: string; states: string[] }): string {
  const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>e-Visa verifier</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;max-width:46rem}
#verdict{font-size:2rem;font-weight:700;padding:1rem;border-radius:.5rem;margin:1rem 0;display:none}
.genuine{background:#d9f2dd;color:#0b5d1e}.not{background:#f8d7da;color:#842029}
table{border-collapse:collapse}td{padding:.25rem .75rem;border-bottom:1px solid #ddd}td:first-child{color:#555}
small{color:#666}
</style></head><body>
<h1>e-Visa verifier</h1>
<p>Take a photo of the e-Visa QR code, or choose the e-Visa PDF or a scan.</p>
<input id="file" type="file" accept="image/*,application/pdf" capture="environment">
<div id="verdict"></div>
<table id="details"></table>
<p><small>Offline check against the trust list copied ${esc(info.trustFetched)} (issuing states: ${esc(info.states.join(', '))}).</small></p>
<script>
const $ = (id) => document.getElementById(id);
const LABELS = { vn: 'Visa number', vt: 'Visa type', name: 'Name', passport: 'Passport number', nationality: 'Nationality', dob: 'Date of birth', vf: 'Valid from', vu: 'Valid until', ne: 'Entries', dos: 'Stay (days)', cond: 'Conditions', state: 'Issued by', signer: 'Signed by', reason: 'Reason', layer: 'Failed check', source: 'Read from' };
$('file').addEventListener('change', async () => {
  const f = $('file').files[0];
  if (!f) return;
  $('verdict').style.display = 'block';
  $('verdict').className = '';
  $('verdict').textContent = 'Checking…';
  $('details').replaceChildren();
  try {
    const res = await fetch('/verify', { method: 'POST', body: await f.arrayBuffer(), headers: { 'content-type': 'application/octet-stream' } });
    const r = await res.json();
    $('verdict').className = r.genuine ? 'genuine' : 'not';
    $('verdict').textContent = r.genuine ? 'GENUINE' : 'NOT GENUINE';
    for (const [k, v] of Object.entries(r.details)) {
      const tr = document.createElement('tr');
      const a = document.createElement('td'); a.textContent = LABELS[k] || k;
      const b = document.createElement('td'); b.textContent = String(v);
      tr.append(a, b); $('details').append(tr);
    }
  } catch (e) {
    $('verdict').className = 'not';
    $('verdict').textContent = 'The verifier did not answer';
  }
});
</script>
</body></html>`;
}
