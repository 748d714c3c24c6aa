// The traveller display: renders the gate's Screen, follows /events (SSE) and shows a neutral
// "please wait" while the gate is unreachable; reconnects by itself when the gate comes back.
(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const pictograms = JSON.parse($('pictograms').textContent);
  const boot = JSON.parse($('boot').textContent);
  const body = document.body;

  // Shrinks the text until the longest message fits its area: no scrolling at any kiosk size.
  function fit() {
    const box = $('text');
    let s = 1;
    body.style.setProperty('--s', String(s));
    while (s > 0.3 && (box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1)) {
      s = Math.round((s - 0.05) * 100) / 100;
      body.style.setProperty('--s', String(s));
    }
  }

  const shown = (window.egateShown = []);

  function render(screen) {
    shown.push(String(screen.screen));
    body.dataset.screen = String(screen.screen);
    body.dataset.tone = String(screen.tone);
    $('pictogram').innerHTML = pictograms[screen.pictogram] || pictograms.wait;
    body.dataset.pictogram = pictograms[screen.pictogram] ? screen.pictogram : 'wait';
    $('zh').textContent = screen.zh;
    $('en').textContent = screen.en;
    const hint = $('hint');
    // Guidance that only repeats the main line (no face seen: "look at the camera") adds nothing.
    if (screen.hint && screen.hint.en !== screen.en) {
      $('hint-zh').textContent = screen.hint.zh;
      $('hint-en').textContent = screen.hint.en;
      hint.hidden = false;
    } else hint.hidden = true;
    document.title = screen.zh + ' ' + screen.en;
    fit();
  }

  let source = null;
  let stale = 0;
  let retry = 0;

  function offline() {
    body.dataset.connected = 'false';
    if (body.dataset.screen !== 'offline') render(boot.offline);
  }

  // A half-open link never errors; silence longer than three heartbeats counts as a drop.
  function alive() {
    clearTimeout(stale);
    stale = setTimeout(() => { offline(); reconnect(); }, boot.heartbeatMs * 3);
  }

  function reconnect() {
    if (source) source.close();
    source = null;
    clearTimeout(retry);
    retry = setTimeout(connect, boot.retryMs);
  }

  function connect() {
    source = new EventSource('/events');
    source.onopen = alive;
    source.onmessage = (e) => {
      alive();
      body.dataset.connected = 'true';
      try { render(JSON.parse(e.data)); } catch { /* a bad frame is ignored; the next one repaints */ }
    };
    source.addEventListener('heartbeat', alive);
    source.onerror = () => {
      offline();
      // The browser retries by itself after a dropped link, but gives up on an HTTP error or a
      // wrong content type (a gate half-way through restarting): then we retry ourselves.
      if (source && source.readyState === EventSource.CLOSED) reconnect();
    };
  }

  addEventListener('resize', fit);
  render(boot.initial);
  connect();
})();
