// The door-staff scanner page (/door/{pass}): a handheld scanner (which types the code and
// Enter), the keyboard, or the camera where the browser reads QR codes itself. Each scan goes to
// the check-in API with the pass from the address; the answer fills the screen: green, amber or
// red. When the network drops, the page goes on with the roster it keeps in the browser and
// sends the scans it made when the server answers again; a service worker keeps the page itself.
// Tsudoi's own code, no libraries.
'use strict';

(() => {
  const root = document.getElementById('door');
  if (!root) return;
  const t = root.dataset;
  const pass = decodeURIComponent(location.pathname.split('/')[2] || '');
  const scanOnly = t.scanOnly === 'true';
  const codeLength = Number(t.codeLength);
  const form = document.getElementById('scan-form');
  const input = document.getElementById('code');
  const result = document.getElementById('result');
  const title = document.getElementById('result-title');
  const detail = document.getElementById('result-detail');
  const undo = document.getElementById('undo');
  const feeTake = document.getElementById('fee-take');
  const counts = document.getElementById('counts');
  const network = document.getElementById('network');
  const ready = document.getElementById('offline-ready');
  const cameraButton = document.getElementById('camera');
  const cameraNote = document.getElementById('camera-note');
  const video = document.getElementById('video');
  const peopleChoice = document.getElementById('people');
  const headers = { 'content-type': 'application/json', 'x-door-pass': pass };
  let lastCheckIn = null;
  let busy = false;
  let online = true;

  const camel = (s) => s.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
  const nonce = () => (window.crypto && crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`);
  const clock = (iso) => new Date(iso).toLocaleTimeString(document.documentElement.lang, { hour: '2-digit', minute: '2-digit' });
  const fill = (text, n) => text.replace('{n}', String(n));
  // How many of a party come in with the next check-in (all by default); back to all after it.
  const takePeople = () => {
    if (!peopleChoice || !peopleChoice.value) return undefined;
    const people = Number(peopleChoice.value);
    peopleChoice.value = '';
    return people;
  };
  // An amount in the currency's smallest unit (yen; cents), as people read it.
  const money = (amount, currency) => {
    const format = new Intl.NumberFormat(document.documentElement.lang, { style: 'currency', currency });
    return format.format(amount / 10 ** format.resolvedOptions().maximumFractionDigits);
  };

  // What this phone keeps: the roster (from the server, with what was done here offline) and
  // the scans waiting to be sent. Kept per pass, in the browser's storage.
  const storeKey = `tsudoi-door:${pass}`;
  let saved = { version: null, feeCurrency: 'JPY', entries: {}, queue: [] };
  try {
    saved = { ...saved, ...JSON.parse(localStorage.getItem(storeKey) || '{}') };
  } catch (_) { /* nothing kept yet */ }
  const keep = () => {
    try { localStorage.setItem(storeKey, JSON.stringify(saved)); } catch (_) { /* storage full or off */ }
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

  function render(answer, extra) {
    const who = answer.attendee;
    const lines = [];
    if (who) {
      lines.push(who.party > 1 ? `${who.name} (${who.checked_in}/${who.party})` : who.name);
      if (who.slot) lines.push(who.slot);
    }
    const fee = answer.fee;
    if (fee) lines.push(`${fee.paid ? t.feePaid : t.fee}: ${money(fee.amount, fee.currency)}`);
    if (extra) lines.push(extra);
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

  // The network: a request that cannot reach the server turns the page offline; the next one
  // that does turns it back.
  function setOnline(value) {
    online = value;
    if (!online) synced = '';
    updateNetwork();
  }

  // What the last upload of offline scans came to, shown until the network drops again.
  let synced = '';
  function updateNetwork() {
    const waiting = saved.queue.length;
    network.hidden = online && !waiting && !synced;
    network.className = online ? 'notice' : 'banner';
    if (!online || waiting) {
      network.textContent = `${online ? t.syncing : t.offlineMode} · ${fill(t.waiting, waiting)}`;
    } else {
      network.textContent = synced;
    }
  }

  // The ticket code in what a scanner typed, as the server reads it: full-width characters made
  // half-width, a whole ticket URL reduced to its code.
  function codeOf(raw) {
    const half = raw
      .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xFEE0))
      .replace(/\u3000/g, ' ')
      .trim();
    const at = half.lastIndexOf('/t/');
    const code = (at >= 0 ? half.slice(at + 3) : half).split(/[?#/]/)[0];
    return code.length === codeLength && /^[A-Za-z0-9_-]+$/.test(code) ? code : null;
  }

  async function sha256(text) {
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
  }

  const reasons = {
    waitlisted: 'waitlisted', entered: 'waitlisted', pending: 'waitlisted',
    cancelled: 'cancelled', expired: 'cancelled', rejected: 'cancelled', not_selected: 'cancelled',
    holding: 'not_confirmed', offered: 'not_confirmed',
  };

  // A scan kept to be sent later, unchecked (no roster here, or no way to hash the code).
  function keepUnchecked(scan) {
    saved.queue.push({ ...scan, scanned_at: new Date().toISOString() });
    keep();
    show('amber', t.unchecked, [t.offlineMode]);
    updateNetwork();
  }

  // Lets a roster entry in here, without the server; the scan waits to be sent (with the nonce
  // it was first sent with, so that a request that did reach the server counts once).
  function admitOffline(entry, scan) {
    const who = entry.attendee;
    if (entry.status !== 'confirmed') {
      render({ result: reasons[entry.status] || 'cancelled', attendee: who }, t.offlineMode);
      return;
    }
    if (who.checked_in >= who.party) {
      const first = entry.inAt ? { at: entry.inAt, gate: t.thisPhone } : null;
      render({ result: 'already', attendee: who, first }, t.offlineMode);
      return;
    }
    const people = Math.min(scan.people || who.party, who.party - who.checked_in);
    who.checked_in += people;
    entry.inAt = new Date().toISOString();
    saved.queue.push({ ...scan, people, nonce: scan.nonce || nonce(), scanned_at: entry.inAt });
    keep();
    const fee = entry.fee ? { amount: entry.fee * people, currency: saved.feeCurrency, paid: false } : null;
    render({ result: 'ok', attendee: who, fee }, t.offlineMode);
    updateNetwork();
    showCounts(localCounts());
  }

  async function scanOffline(raw, people, id) {
    const code = codeOf(raw);
    if (!code) {
      render({ result: 'unknown' }, t.offlineMode);
      return;
    }
    // No roster (a scan-only pass) or no hashing (a plain-HTTP address): the scan waits
    // unchecked, and the server decides when it is sent.
    if (scanOnly || !saved.version || !window.crypto || !crypto.subtle) {
      keepUnchecked({ code, people, nonce: id });
      return;
    }
    const hash = await sha256(code);
    const entry = Object.values(saved.entries).find((e) => e.ticket_hash === hash);
    if (!entry) {
      render({ result: 'unknown' }, t.offlineMode);
      return;
    }
    admitOffline(entry, { code, people, nonce: id });
  }

  // Scans wait their turn: a handheld scanner may send the next code before the answer to
  // the last one is back, and none is dropped.
  const pending = [];
  function scan(raw) {
    const code = raw.trim();
    if (!code) return;
    pending.push({ code, people: takePeople() });
    if (!busy) drain();
  }

  async function drain() {
    busy = true;
    while (pending.length) {
      const { code, people } = pending.shift();
      const id = nonce();
      try {
        const resp = await fetch('/api/v1/door/scans', { method: 'POST', headers, body: JSON.stringify({ code, people, nonce: id }) });
        setOnline(true);
        if (resp.status === 401) {
          show('red', t.passInvalid, []);
        } else if (resp.ok) {
          render(await resp.json());
          flush();
        } else if (resp.status === 429 || resp.status >= 500) {
          // The server cannot answer now: as if offline, and sent again later.
          await scanOffline(code, people, id);
        } else {
          show('red', t.unknown, []);
        }
      } catch (_) {
        // No answer: the scan may or may not have reached the server; its nonce tells.
        setOnline(false);
        await scanOffline(code, people, id);
      }
    }
    busy = false;
    input.focus();
    refreshCounts();
  }

  // Sends the scans made offline, oldest first; the server settles two gates' scans of one
  // ticket in favour of the earlier.
  let flushing = false;
  async function flush() {
    if (flushing || !saved.queue.length) return;
    flushing = true;
    const batch = saved.queue.slice(0, 500);
    try {
      const resp = await fetch('/api/v1/door/scans/batch', { method: 'POST', headers, body: JSON.stringify({ scans: batch }) });
      setOnline(true);
      if (resp.ok) {
        const answers = await resp.json();
        // A scan the server could not settle now (its error, or a race) is sent again later;
        // one it answered, or refused as malformed, is done.
        const again = (a) => a.problem && (a.problem.status >= 500 || a.problem.code === 'concurrent_change');
        const retry = batch.filter((_, i) => answers[i] && again(answers[i]));
        saved.queue = retry.concat(saved.queue.slice(batch.length));
        keep();
        const settled = answers.filter((a) => !again(a) && (a.duplicates.length || !a.answer || a.answer.result !== 'ok')).length;
        synced = `${fill(t.synced, batch.length - retry.length)}${settled ? ` · ${fill(t.settled, settled)}` : ''}`;
        updateNetwork();
        refreshRoster();
        refreshCounts();
      } else if (resp.status === 401) {
        // The pass was revoked or its hours are over: the scans stay kept on this phone.
        network.hidden = false;
        network.className = 'banner';
        network.textContent = `${t.passInvalid} · ${fill(t.waiting, saved.queue.length)}`;
      }
    } catch (_) {
      setOnline(false);
    } finally {
      flushing = false;
    }
  }

  // The roster: fetched whole once, then what changed since the copy held.
  async function refreshRoster() {
    if (scanOnly) return;
    const since = saved.version ? `?since=${encodeURIComponent(saved.version)}` : '';
    try {
      const resp = await fetch(`/api/v1/door/roster${since}`, { headers });
      if (!resp.ok) return;
      const roster = await resp.json();
      if (roster.complete) saved.entries = {};
      for (const entry of roster.entries) saved.entries[entry.attendee.rsvp_id] = entry;
      saved.version = roster.version;
      saved.feeCurrency = roster.fee_currency;
      keep();
      updateReady();
    } catch (_) { /* offline: the copy held stays */ }
  }

  let workerReady = false;
  function updateReady() {
    if (!ready) return;
    const people = Object.values(saved.entries).filter((e) => e.status === 'confirmed').length;
    ready.hidden = !(workerReady && saved.version);
    ready.textContent = fill(t.offlineReady, people);
  }

  // The page and its script, kept for a reload without the network.
  if ('serviceWorker' in navigator && window.isSecureContext && window.caches) {
    navigator.serviceWorker.register('/door/sw.js')
      .then(() => navigator.serviceWorker.ready)
      .then(() => caches.open('tsudoi-door-v1'))
      .then((cache) => cache.addAll([location.pathname, '/static/door.js']))
      .then(() => { workerReady = true; updateReady(); })
      .catch(() => { /* no offline copy of the page: the roster still works while it is open */ });
  }

  function showCounts(c) {
    const gates = c.gates.map((g) => `${g.gate} ${g.checked_in}`).join(' · ');
    const fees = c.fees_collected ? ` · ${t.fees} ${money(c.fees_collected, c.fee_currency)}` : '';
    counts.textContent = `${t.inside} ${c.checked_in} / ${c.expected}${gates ? ` (${gates})` : ''}${fees}`;
  }

  // Counts from the roster held, while the server cannot say.
  function localCounts() {
    const confirmed = Object.values(saved.entries).filter((e) => e.status === 'confirmed');
    const sum = (f) => confirmed.reduce((n, e) => n + f(e.attendee), 0);
    return { checked_in: sum((a) => a.checked_in), expected: sum((a) => a.party), gates: [], fees_collected: 0 };
  }

  async function refreshCounts() {
    try {
      const resp = await fetch('/api/v1/door/status', { headers });
      setOnline(true);
      if (resp.ok) showCounts(await resp.json());
    } catch (_) {
      setOnline(false);
      if (saved.version) showCounts(localCounts());
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const raw = input.value;
    input.value = '';
    scan(raw);
  });

  undo.addEventListener('click', async () => {
    if (!lastCheckIn) return;
    try {
      const resp = await fetch(`/api/v1/door/check-ins/${lastCheckIn}/undo`, { method: 'POST', headers });
      if (resp.ok) {
        const who = await resp.json();
        show('amber', t.undone, [who.name]);
        lastCheckIn = null;
        undo.hidden = true;
        if (feeTake) feeTake.hidden = true;
      }
    } catch (_) {
      show('red', t.offline, []);
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

  // The camera. Where the browser reads QR codes itself (BarcodeDetector), it does, offline
  // too; elsewhere (iPhones, desktop Linux) the page sends small grayscale frames to the server
  // to read. A code held in front of the camera is sent once, and again only after it left the
  // picture for a moment.
  const canvas = document.createElement('canvas');

  async function readOnServer() {
    const scale = Math.min(1, 640 / (video.videoWidth || 1));
    const width = Math.round(video.videoWidth * scale);
    const height = Math.round(video.videoHeight * scale);
    if (!width || !height) return '';
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext('2d', { willReadFrequently: true });
    context.drawImage(video, 0, 0, width, height);
    const rgba = context.getImageData(0, 0, width, height).data;
    const gray = new Uint8Array(width * height);
    for (let i = 0; i < gray.length; i += 1) {
      gray[i] = (rgba[4 * i] * 77 + rgba[4 * i + 1] * 150 + rgba[4 * i + 2] * 29) >> 8;
    }
    const resp = await fetch(`/api/v1/door/frames?width=${width}&height=${height}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'x-door-pass': pass },
      body: gray,
    });
    return resp.ok ? ((await resp.json()).code || '') : '';
  }

  cameraButton.addEventListener('click', async () => {
    if (!window.isSecureContext) {
      cameraNote.textContent = t.cameraNeedsHttps;
      cameraNote.hidden = false;
      return;
    }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      cameraNote.textContent = t.cameraUnsupported;
      cameraNote.hidden = false;
      return;
    }
    const detector = 'BarcodeDetector' in window ? new window.BarcodeDetector({ formats: ['qr_code'] }) : null;
    const read = detector
      ? async () => { const codes = await detector.detect(video); return codes.length ? codes[0].rawValue : ''; }
      : readOnServer;
    try {
      video.srcObject = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
    } catch (_) {
      cameraNote.textContent = t.cameraUnsupported;
      cameraNote.hidden = false;
      return;
    }
    video.hidden = false;
    cameraButton.hidden = true;
    await video.play();
    let seen = '';
    let goneSince = 0;
    const look = async () => {
      try {
        const value = await read();
        if (value && value !== seen) {
          seen = value;
          await scan(value);
        } else if (!value && seen) {
          goneSince = goneSince || Date.now();
          if (Date.now() - goneSince > 1500) seen = '';
        }
        if (value) goneSince = 0;
      } catch (_) { /* a frame that could not be read, or no network for the server to read it */ }
      setTimeout(look, detector ? 200 : 300);
    };
    look();
  });

  // Search by name, reading, email or door code; check in from the result. Offline, the
  // roster held answers, folded the way the server folds: NFKC, katakana as hiragana, case and
  // spaces ignored.
  const search = document.getElementById('search');
  const found = document.getElementById('found');
  const fold = (text) => (text || '')
    .normalize('NFKC')
    .replace(/\s+/g, '')
    .toLowerCase()
    .replace(/[\u30A1-\u30F6]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60));

  function localSearch(q) {
    const wanted = fold(q);
    return Object.values(saved.entries)
      .filter((e) => [e.attendee.name, e.attendee.name_reading, e.attendee.door_code].some((f) => fold(f).includes(wanted)))
      .slice(0, 20)
      .map((e) => ({ attendee: e.attendee, status: e.status }));
  }

  function list(results, offline) {
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
        button.addEventListener('click', () => admit(who.rsvp_id, offline));
        li.appendChild(button);
      } else if (f.status !== 'confirmed') {
        li.append(` · ${t[camel(reasons[f.status] || f.status)] || f.status}`);
      }
      found.appendChild(li);
    }
  }

  async function lookUp() {
    const q = search.value.trim();
    if (!q) {
      found.textContent = '';
      return;
    }
    try {
      const resp = await fetch(`/api/v1/door/search?q=${encodeURIComponent(q)}`, { headers });
      setOnline(true);
      if (resp.ok) list(await resp.json(), false);
    } catch (_) {
      setOnline(false);
      list(localSearch(q), true);
    }
  }

  async function admit(id, offline) {
    const entry = saved.entries[id];
    const people = takePeople();
    if (!offline) {
      try {
        const resp = await fetch(`/api/v1/door/rsvps/${id}/check-in`, { method: 'POST', headers, body: JSON.stringify({ people, nonce: nonce() }) });
        setOnline(true);
        if (resp.ok) render(await resp.json());
        lookUp();
        refreshCounts();
        return;
      } catch (_) {
        setOnline(false);
      }
    }
    if (entry) admitOffline(entry, { rsvp_id: id, people });
    lookUp();
  }

  // A walk-in: registered (if a seat is free) and in at once. Needs the server.
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
  updateNetwork();
  updateReady();
  refreshRoster();
  refreshCounts();
  flush();
  setInterval(refreshCounts, window.EventSource ? 30000 : 5000);
  // Scans waiting are sent as soon as the server answers again.
  setInterval(flush, 3000);
  setInterval(refreshRoster, 60000);
  window.addEventListener('online', flush);
  input.focus();
})();
