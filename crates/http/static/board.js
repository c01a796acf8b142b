// The live check-in board updates itself: every ten seconds it reads its own page again and
// swaps in the new figures, unless paused (WCAG 2.2.2) or out of sight. Without JavaScript the
// page is right whenever it is reloaded.
(() => {
  const board = document.getElementById('board');
  const toggle = document.getElementById('board-pause');
  if (!board || !toggle) return;
  let paused = false;
  toggle.hidden = false;
  toggle.addEventListener('click', () => {
    paused = !paused;
    toggle.textContent = paused ? toggle.dataset.resume : toggle.dataset.pause;
    toggle.setAttribute('aria-pressed', String(paused));
  });
  setInterval(async () => {
    if (paused || document.hidden) return;
    try {
      const reply = await fetch(location.href, { credentials: 'same-origin' });
      if (!reply.ok) return;
      const page = new DOMParser().parseFromString(await reply.text(), 'text/html');
      const fresh = page.getElementById('board');
      if (fresh) board.replaceChildren(...fresh.childNodes);
    } catch (_) {
      // The network dropped for a moment: the next round tries again.
    }
  }, 10000);
})();
