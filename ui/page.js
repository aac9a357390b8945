// Citation markers [n] in the chat scroll to (and flash) their source card.
document.addEventListener('click', (event) => {
  const marker = event.target.closest && event.target.closest('a.qa-cite');
  if (!marker) return;
  event.preventDefault();
  const id = 'qa-src-' + marker.dataset.turn + '-' + marker.dataset.n;
  const tab = document.querySelector('#qa-tab-sources-button, button[role="tab"][id$="sources-button"]')
    || Array.from(document.querySelectorAll('button[role="tab"]')).find((b) => b.textContent.trim() === 'Sources');
  if (tab && tab.getAttribute('aria-selected') !== 'true') tab.click();
  let tries = 0;
  const show = () => {
    const card = document.getElementById(id);
    if (card) {
      card.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
      card.classList.add('qa-flash');
      setTimeout(() => card.classList.remove('qa-flash'), 1600);
    } else if (tries++ < 30) {
      setTimeout(show, 100);
    }
  };
  show();
}, true);
