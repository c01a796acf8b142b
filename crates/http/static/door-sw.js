// The door page's service worker: keeps the scanner page and its script, so that a reload
// without the network still opens them. Network first (a fresh page when the server answers),
// the kept copy otherwise. The API is never kept here: the page keeps its own roster.
'use strict';

const CACHE = 'tsudoi-door-v1';

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  const page = /^\/door\/[^/]+$/.test(url.pathname) && url.pathname !== '/door/sw.js';
  if (!page && url.pathname !== '/static/door.js') return;
  event.respondWith(
    fetch(event.request)
      .then((resp) => {
        if (resp.ok) {
          const copy = resp.clone();
          caches.open(CACHE).then((cache) => cache.put(url.pathname, copy));
        }
        return resp;
      })
      .catch(() => caches.match(url.pathname).then((kept) => kept || Response.error())),
  );
});
