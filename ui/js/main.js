// The app shell: sign-in, navigation, project choice, the hash router and the shared event stream.
import { session, get, list, watchEvents } from './api.js';
import { h, replace } from './dom.js';
import { signInPage } from './pages/signin.js';
import { dashboardPage } from './pages/dashboard.js';
import { instancesPage, createInstancePage } from './pages/instances.js';
import { instancePage } from './pages/instance.js';
import { storagePage } from './pages/storage.js';
import { imagesPage } from './pages/images.js';
import { networksPage } from './pages/networks.js';
import { projectsPage } from './pages/projects.js';
import { tokensPage } from './pages/tokens.js';
import { operationsPage } from './pages/operations.js';
import { auditPage } from './pages/audit.js';

/** Routes: a hash pattern and the page that renders it. A page returns a cleanup function (or nothing). */
const routes = [
  [/^#\/dashboard$/, dashboardPage],
  [/^#\/instances$/, instancesPage],
  [/^#\/instances\/new$/, createInstancePage],
  [/^#\/instances\/([^/]+)(?:\/([a-z-]+))?$/, instancePage],
  [/^#\/storage$/, storagePage],
  [/^#\/images$/, imagesPage],
  [/^#\/networks$/, networksPage],
  [/^#\/projects$/, projectsPage],
  [/^#\/tokens$/, tokensPage],
  [/^#\/operations$/, operationsPage],
  [/^#\/audit$/, auditPage],
];

/** Everything the event stream says goes to these listeners (pages add and remove theirs). */
const eventListeners = new Set();
/** The latest events since signing in, newest first (the dashboard shows them). */
export const recentEvents = [];
export function onEvent(listener) {
  eventListeners.add(listener);
  return () => eventListeners.delete(listener);
}

let cleanup = null;
let stopEvents = null;
const main = document.getElementById('main');

async function render() {
  if (typeof cleanup === 'function') { try { cleanup(); } catch { /* ignore */ } }
  cleanup = null;
  if (!session.token || !session.identity) {
    showChrome(false);
    cleanup = signInPage(main, { onSignedIn: start });
    return;
  }
  const hash = location.hash || '#/dashboard';
  for (const link of document.querySelectorAll('#nav a')) {
    const active = hash === link.getAttribute('href') || hash.startsWith(link.getAttribute('href') + '/');
    link.classList.toggle('active', active);
    if (active) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
  }
  for (const [pattern, page] of routes) {
    const match = hash.match(pattern);
    if (match) {
      replace(main);
      cleanup = await page(main, ...match.slice(1).map((part) => part && decodeURIComponent(part)));
      return;
    }
  }
  replace(main, h('h1', {}, 'Not found'), h('p', {}, 'No page at ', h('code', {}, hash), '. ', h('a', { href: '#/dashboard' }, 'Go to the dashboard')));
}

function showChrome(signedIn) {
  document.getElementById('nav').hidden = !signedIn;
  document.getElementById('session').hidden = !signedIn;
}

/** Checks the token with `GET /1.0`, then shows the app. */
async function start() {
  session.identity = await get('/1.0', {}, { project: false });
  const who = session.identity;
  document.getElementById('identity').textContent = `${who.identity} (${who.role}${who.project ? ', project ' + who.project : ''})`;
  for (const link of document.querySelectorAll('#nav a[data-role]')) link.hidden = !session.can(link.dataset.role) || !!who.project;
  if (who.project) session.setProject(who.project);
  await fillProjects();
  showChrome(true);
  stopEvents?.();
  recentEvents.length = 0;
  stopEvents = watchEvents((event) => {
    recentEvents.unshift(event);
    recentEvents.length = Math.min(recentEvents.length, 50);
    for (const listener of eventListeners) listener(event);
  });
  if (!location.hash || location.hash === '#/signin') location.hash = '#/dashboard';
  else render();
}

async function fillProjects() {
  const select = document.getElementById('project');
  let names = [session.project];
  try { names = (await list('/1.0/projects', {}, { project: false })).map((item) => item.project?.name || item.name); } catch { /* keep the current one */ }
  if (!names.includes(session.project)) session.setProject(names[0] || 'default');
  replace(select, names.map((name) => h('option', { value: name, selected: name === session.project }, name)));
  select.disabled = names.length < 2;
}

document.getElementById('project').addEventListener('change', (event) => {
  session.setProject(event.target.value);
  render();
});
document.getElementById('sign-out').addEventListener('click', () => {
  stopEvents?.();
  session.signOut();
  location.hash = '';
  render();
});
document.getElementById('menu-toggle').addEventListener('click', (event) => {
  const open = document.getElementById('nav').classList.toggle('open');
  event.target.setAttribute('aria-expanded', String(open));
});
window.addEventListener('joist:unauthenticated', () => {
  stopEvents?.();
  session.signOut();
  render();
});
// The skip link moves focus to the page's content; followed as a link, `#main` would be a route.
document.querySelector('a.skip').addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});
window.addEventListener('hashchange', () => {
  // On a phone the menu folds away again once a page is chosen.
  document.getElementById('nav').classList.remove('open');
  document.getElementById('menu-toggle').setAttribute('aria-expanded', 'false');
  render();
  main.focus({ preventScroll: true });
});

// A remembered token signs in at once; a wrong or revoked one shows the sign-in page.
if (session.token) {
  start().catch(() => { session.signOut(); render(); });
} else {
  render();
}
