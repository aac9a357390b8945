// Citation markers [n] in the chat (links to #qa-src-<turn>-<n>) scroll to and flash their source card.
// The chat's sanitiser keeps only class, href and title, so the target is read from href.
document.addEventListener('click', (event) => {
  const marker = event.target.closest && event.target.closest('a.qa-cite');
  if (!marker) return;
  event.preventDefault();
  const id = (marker.getAttribute('href') || '').replace(/^.*#/, '');
  if (!/^qa-src-\d+-\d+$/.test(id)) return;
  const tab = Array.from(document.querySelectorAll('button[role="tab"]'))
    .find((b) => b.textContent.trim() === 'Sources');
  if (tab && tab.getAttribute('aria-selected') !== 'true') tab.click();
  let tries = 0;
  const show = () => {
    const card = document.getElementById(id);
    if (card) {
      card.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
      card.classList.add('qa-flash');
      setTimeout(() => card.classList.remove('qa-flash'), 1600);
    } else if (tries++ < 30) {
      setTimeout(show, 100);  // another turn's sources are on their way (chat select event)
    }
  };
  show();
}, true);
