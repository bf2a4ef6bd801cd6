// The fixture portal's router. Like the real portal it never reloads: links in the left
// navigation change the address with history.pushState (no hashchange event), and typed or
// scripted fragment changes arrive as hashchange; both re-render the blade and the title.
import { splitFragment, viewFor } from './routes.mjs';

const product = document.body.dataset.product;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

function render() {
  const { tenant, route } = splitFragment(location.hash);
  const view = viewFor(route);
  document.title = `${view.title} - ${product}`;
  document.getElementById('fxs-blade-title').textContent = view.heading;
  document.getElementById('fxs-commandbar').replaceChildren(
    ...view.commands.map((label) => el('button', { type: 'button', class: 'fxs-command' }, label)));
  const table = el('table', { class: 'fxs-grid' },
    el('thead', {}, el('tr', {}, ...view.content.columns.map((c) => el('th', { scope: 'col' }, c)))),
    el('tbody', {}, ...view.content.rows.map((row) => el('tr', {}, ...row.map((cell) => el('td', {}, cell))))));
  document.getElementById('fxs-blade-content').replaceChildren(table);
  for (const link of document.querySelectorAll('#fxs-sidebar a[data-route]')) {
    link.setAttribute('href', `#${tenant}${link.dataset.route}`);
    if (link.dataset.route === route) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

document.getElementById('fxs-sidebar').addEventListener('click', (event) => {
  const link = event.target.closest('a[data-route]');
  if (!link) return;
  event.preventDefault();
  history.pushState(null, '', link.getAttribute('href'));
  render();
});
// The portal applies an appearance change in place, without reloading.
document.getElementById('fxs-theme-toggle').addEventListener('click', (event) => {
  const dark = !document.documentElement.classList.contains('fxs-theme-dark');
  document.documentElement.className = dark ? 'fxs-theme-dark' : 'fxs-theme-light';
  event.currentTarget.setAttribute('aria-pressed', String(dark));
});
window.addEventListener('hashchange', render);
window.addEventListener('popstate', render);

render();
