// A part of a page that changes on its own (the live check-in board, the progress of a send)
// updates itself: every few seconds (its `data-live`) the page reads itself again and swaps in
// the new region, unless paused (WCAG 2.2.2) or out of sight. A region whose fresh copy is no
// longer marked live (a send that has finished) is swapped in one last time. Without JavaScript
// the page is right whenever it is reloaded.
(() => {
  const region = document.querySelector('[data-live]');
  const toggle = document.getElementById('live-pause');
  if (!region || !region.id || !toggle) return;
  let paused = false;
  toggle.hidden = false;
  toggle.addEventListener('click', () => {
    paused = !paused;
    toggle.textContent = paused ? toggle.dataset.resume : toggle.dataset.pause;
    toggle.setAttribute('aria-pressed', String(paused));
  });
  const seconds = Math.max(Number(region.dataset.live) || 10, 1);
  const timer = setInterval(async () => {
    if (paused || document.hidden) return;
    try {
      const reply = await fetch(location.href, { credentials: 'same-origin' });
      if (!reply.ok) return;
      const page = new DOMParser().parseFromString(await reply.text(), 'text/html');
      const fresh = page.getElementById(region.id);
      if (!fresh) return;
      region.replaceChildren(...fresh.childNodes);
      if (!fresh.hasAttribute('data-live')) {
        clearInterval(timer);
        region.removeAttribute('data-live');
        // Nothing updates any more: the note that it does, with its button, goes.
        (toggle.closest('p') || toggle).hidden = true;
      }
    } catch (_) {
      // The network dropped for a moment: the next round tries again.
    }
  }, seconds * 1000);
})();
