// The door-staff scanner page (/door/{pass}): a handheld scanner (which types the code and
// Enter), the keyboard, or the camera where the browser reads QR codes itself. Each scan goes to
// the check-in API with the pass from the address; the answer fills the screen: green, amber or
// red. Tsudoi's own code, no libraries.
'use strict';

(() => {
  const root = document.getElementById('door');
  if (!root) return;
  const t = root.dataset;
  const pass = decodeURIComponent(location.pathname.split('/')[2] || '');
  const form = document.getElementById('scan-form');
  const input = document.getElementById('code');
  const result = document.getElementById('result');
  const title = document.getElementById('result-title');
  const detail = document.getElementById('result-detail');
  const undo = document.getElementById('undo');
  const feeTake = document.getElementById('fee-take');
  const counts = document.getElementById('counts');
  const cameraButton = document.getElementById('camera');
  const cameraNote = document.getElementById('camera-note');
  const video = document.getElementById('video');
  const headers = { 'content-type': 'application/json', 'x-door-pass': pass };
  let lastCheckIn = null;
  let busy = false;

  const camel = (s) => s.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
  const nonce = () => (window.crypto && crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`);
  const clock = (iso) => new Date(iso).toLocaleTimeString(document.documentElement.lang, { hour: '2-digit', minute: '2-digit' });
  // An amount in the currency's smallest unit (yen; cents), as people read it.
  const money = (amount, currency) => {
    const format = new Intl.NumberFormat(document.documentElement.lang, { style: 'currency', currency });
    return format.format(amount / 10 ** format.resolvedOptions().maximumFractionDigits);
  };

  function show(tone, heading, lines) {
    result.className = `result ${tone}`;
    title.textContent = heading;
    detail.textContent = '';
    for (const line of lines.filter(Boolean)) {
      const p = document.createElement('p');
      p.textContent = line;
      detail.appendChild(p);
    }
    feedback(tone);
  }

  // A short beep and a buzz, where the browser allows them.
  let audio = null;
  function feedback(tone) {
    if (navigator.vibrate) navigator.vibrate(tone === 'ok' ? 80 : [120, 80, 120]);
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      const osc = audio.createOscillator();
      osc.frequency.value = tone === 'ok' ? 880 : tone === 'amber' ? 520 : 220;
      osc.connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + 0.12);
    } catch (_) { /* no sound here: the screen says it all */ }
  }

  function render(answer) {
    const who = answer.attendee;
    const lines = [];
    if (who) {
      lines.push(who.party > 1 ? `${who.name} (${who.checked_in}/${who.party})` : who.name);
      if (who.slot) lines.push(who.slot);
    }
    const fee = answer.fee;
    if (fee) lines.push(`${fee.paid ? t.feePaid : t.fee}: ${money(fee.amount, fee.currency)}`);
    if (answer.result === 'ok') {
      show('ok', t.ok, lines);
    } else if (answer.result === 'already') {
      if (answer.first) lines.push(`${t.since} ${clock(answer.first.at)} · ${answer.first.gate}`);
      show('amber', t.already, lines);
    } else {
      show('red', t[camel(answer.result)] || t.unknown, lines);
    }
    lastCheckIn = answer.check_in_id || null;
    undo.hidden = !lastCheckIn;
    if (feeTake) feeTake.hidden = !(lastCheckIn && fee && !fee.paid);
  }

  async function scan(raw) {
    const code = raw.trim();
    if (!code || busy) return;
    busy = true;
    try {
      const resp = await fetch('/api/v1/door/scans', { method: 'POST', headers, body: JSON.stringify({ code, nonce: nonce() }) });
      if (resp.status === 401) {
        show('red', t.passInvalid, []);
      } else if (resp.ok) {
        render(await resp.json());
      } else {
        show('red', t.unknown, []);
      }
    } catch (_) {
      show('red', t.offline, []);
    } finally {
      busy = false;
      input.value = '';
      input.focus();
      refreshCounts();
    }
  }

  function showCounts(c) {
    const gates = c.gates.map((g) => `${g.gate} ${g.checked_in}`).join(' · ');
    const fees = c.fees_collected ? ` · ${t.fees} ${money(c.fees_collected, c.fee_currency)}` : '';
    counts.textContent = `${t.inside} ${c.checked_in} / ${c.expected}${gates ? ` (${gates})` : ''}${fees}`;
  }

  async function refreshCounts() {
    try {
      const resp = await fetch('/api/v1/door/status', { headers });
      if (resp.ok) showCounts(await resp.json());
    } catch (_) { /* the next refresh will try again */ }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    scan(input.value);
  });

  undo.addEventListener('click', async () => {
    if (!lastCheckIn) return;
    const resp = await fetch(`/api/v1/door/check-ins/${lastCheckIn}/undo`, { method: 'POST', headers });
    if (resp.ok) {
      const who = await resp.json();
      show('amber', t.undone, [who.name]);
      lastCheckIn = null;
      undo.hidden = true;
      if (feeTake) feeTake.hidden = true;
    }
    input.focus();
    refreshCounts();
  });

  // Cash taken at the door for the people just let in.
  if (feeTake) {
    feeTake.addEventListener('click', async () => {
      if (!lastCheckIn) return;
      try {
        const resp = await fetch(`/api/v1/door/check-ins/${lastCheckIn}/fee`, { method: 'POST', headers });
        if (resp.ok) {
          const fee = await resp.json();
          const line = document.createElement('p');
          line.textContent = `${t.feePaid}: ${money(fee.amount, fee.currency)}`;
          detail.appendChild(line);
          feeTake.hidden = true;
        }
      } catch (_) {
        show('red', t.offline, []);
      }
      input.focus();
      refreshCounts();
    });
  }

  // The camera: where the browser reads QR codes itself. The same code held in front of it is
  // not sent twice.
  cameraButton.addEventListener('click', async () => {
    if (!window.isSecureContext) {
      cameraNote.textContent = t.cameraNeedsHttps;
      cameraNote.hidden = false;
      return;
    }
    if (!('BarcodeDetector' in window) || !navigator.mediaDevices) {
      cameraNote.textContent = t.cameraUnsupported;
      cameraNote.hidden = false;
      return;
    }
    const detector = new window.BarcodeDetector({ formats: ['qr_code'] });
    video.srcObject = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
    video.hidden = false;
    await video.play();
    let seen = '';
    let seenAt = 0;
    const look = async () => {
      try {
        const codes = await detector.detect(video);
        const value = codes.length ? codes[0].rawValue : '';
        if (value && (value !== seen || Date.now() - seenAt > 3000)) {
          seen = value;
          seenAt = Date.now();
          await scan(value);
        }
      } catch (_) { /* a frame that could not be read */ }
      setTimeout(look, 200);
    };
    look();
  });

  // Search by name, reading, email or door code; check in from the result.
  const search = document.getElementById('search');
  const found = document.getElementById('found');
  const reasons = {
    waitlisted: 'waitlisted', entered: 'waitlisted', pending: 'waitlisted',
    cancelled: 'cancelled', expired: 'cancelled', rejected: 'cancelled', not_selected: 'cancelled',
    holding: 'notConfirmed', offered: 'notConfirmed',
  };

  async function lookUp() {
    const q = search.value.trim();
    if (!q) {
      found.textContent = '';
      return;
    }
    try {
      const resp = await fetch(`/api/v1/door/search?q=${encodeURIComponent(q)}`, { headers });
      if (!resp.ok) return;
      const results = await resp.json();
      found.textContent = '';
      for (const f of results) {
        const who = f.attendee;
        const li = document.createElement('li');
        const reading = who.name_reading ? ` (${who.name_reading})` : '';
        li.textContent = `${who.name}${reading} · ${who.door_code} · ${who.checked_in}/${who.party}`;
        if (f.status === 'confirmed' && who.checked_in < who.party) {
          const button = document.createElement('button');
          button.type = 'button';
          button.className = 'secondary';
          button.textContent = t.checkIn;
          button.addEventListener('click', () => admit(who.rsvp_id));
          li.appendChild(button);
        } else if (f.status !== 'confirmed') {
          li.append(` · ${t[reasons[f.status]] || f.status}`);
        }
        found.appendChild(li);
      }
    } catch (_) { /* offline: the next keystroke tries again */ }
  }

  async function admit(id) {
    try {
      const resp = await fetch(`/api/v1/door/rsvps/${id}/check-in`, { method: 'POST', headers, body: JSON.stringify({ nonce: nonce() }) });
      if (resp.ok) render(await resp.json());
    } catch (_) {
      show('red', t.offline, []);
    }
    lookUp();
    refreshCounts();
  }

  // A walk-in: registered (if a seat is free) and in at once.
  const walkIn = document.getElementById('walk-in');
  if (walkIn) {
    walkIn.addEventListener('submit', async (event) => {
      event.preventDefault();
      const value = (id) => { const el = document.getElementById(id); return el ? el.value : ''; };
      const body = { name: value('walk-name'), email: value('walk-email') || null };
      if (value('walk-guests')) body.guests = Number(value('walk-guests'));
      if (value('walk-slot')) body.slot_id = value('walk-slot');
      body.language = document.documentElement.lang === 'en' ? 'en' : 'ja';
      try {
        const resp = await fetch('/api/v1/door/walk-ins', { method: 'POST', headers, body: JSON.stringify(body) });
        if (resp.status === 201) {
          render(await resp.json());
          walkIn.reset();
        } else if (resp.status === 409) {
          const problem = await resp.json().catch(() => ({}));
          show('red', problem.code === 'door_closed' ? t.doorClosed : t.full, []);
        } else {
          const problem = await resp.json().catch(() => ({}));
          const errors = (problem.errors || []).map((e) => `${e.field}: ${e.message}`);
          show('red', t.checkFields, errors);
        }
      } catch (_) {
        show('red', t.offline, []);
      }
      refreshCounts();
    });
  }

  if (search) {
    let timer = null;
    search.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(lookUp, 250);
    });
  }

  // Live counts, pushed by the server as other gates let people in; the browser reconnects by
  // itself after a drop, and a slow poll covers browsers without EventSource.
  if (window.EventSource) {
    const live = new EventSource(`/door/${encodeURIComponent(pass)}/live`);
    live.addEventListener('counts', (event) => showCounts(JSON.parse(event.data)));
  }
  refreshCounts();
  setInterval(refreshCounts, window.EventSource ? 30000 : 5000);
  input.focus();
})();
