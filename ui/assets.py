"""CSS and JavaScript of the page, as strings (so they ship inside the Python package)."""

CSS = """
/* Newsroom QA: sources panel, article viewer, citation markers. */
.qa-empty { color: var(--body-text-color-subdued); padding: 12px 4px; }
.qa-note { margin: 6px 0 10px; color: var(--body-text-color-subdued); font-style: italic; }
.qa-src-question { font-weight: 600; margin: 2px 0 10px; }
.qa-card {
  border: 1px solid var(--border-color-primary); border-radius: 8px;
  padding: 10px 12px; margin: 0 0 10px; cursor: pointer;
  background: var(--background-fill-primary); transition: box-shadow .15s, border-color .15s;
}
.qa-card:hover, .qa-card:focus { border-color: var(--color-accent); box-shadow: 0 1px 6px rgba(0,0,0,.12); outline: none; }
.qa-card.qa-flash { border-color: var(--color-accent); box-shadow: 0 0 0 3px var(--color-accent-soft); }
.qa-src-title { font-weight: 600; line-height: 1.35; }
.qa-n { color: var(--color-accent); margin-right: 4px; }
.qa-score { font-weight: 400; color: var(--body-text-color-subdued); font-size: .85em; }
.qa-meta { font-size: .85em; color: var(--body-text-color-subdued); margin: 2px 0 6px; }
.qa-context { font-size: .92em; line-height: 1.5; white-space: pre-wrap; }
mark.qa-quote { background: #fde68a; color: inherit; padding: 0 2px; border-radius: 3px; }
.dark mark.qa-quote { background: #854d0e; }
.qa-article-title { margin: 0 0 4px; }
.qa-article-body p { margin: 0 0 .8em; line-height: 1.55; }
.qa-error { color: var(--error-text-color, #b91c1c); padding: 10px; border: 1px solid currentColor; border-radius: 8px; }
a.qa-cite {
  text-decoration: none; font-weight: 600; font-size: .85em; vertical-align: super;
  color: var(--color-accent); padding: 0 1px; cursor: pointer;
}
a.qa-cite:hover { text-decoration: underline; }
"""

# In the page's <head>: citation markers in the chat scroll to their source card.
PAGE_JS = r"""
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
"""

SOURCES_JS = """
const open = (card) => trigger('click', {
  article_id: card.dataset.article,
  start: Number(card.dataset.start),
  end: Number(card.dataset.end),
});
element.addEventListener('click', (e) => {
  if (e.target.closest('a.qa-link')) return;  // the original's link opens the original, not the viewer
  const card = e.target.closest('.qa-card');
  if (card) open(card);
});
element.addEventListener('keydown', (e) => {
  const card = e.target.closest('.qa-card');
  if (card && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); open(card); }
});
"""

ARTICLE_JS = """
watch('value', () => {
  setTimeout(() => {
    const mark = element.querySelector('#qa-article-mark');
    if (mark) mark.scrollIntoView({block: 'center'});
  }, 150);
});
"""
