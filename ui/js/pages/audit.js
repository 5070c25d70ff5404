// The audit log (administrators): who changed what, newest first.
import { get, session } from '../api.js';
import { h, replace, table, when, stateBadge } from '../dom.js';

export async function auditPage(main) {
  if (!session.can('admin')) { replace(main, h('h1', {}, 'Audit log'), h('p', {}, 'Only administrators read the audit log.')); return; }
  const body = h('div');
  const more = h('button', { type: 'button', class: 'secondary' }, 'Older entries');
  replace(main, h('h1', {}, 'Audit log'), body, more);
  const rows = [];
  let next;
  const load = async () => {
    const page = await get('/1.0/audit', next ? { after: next } : {}, { project: false });
    rows.push(...(page.items || []));
    next = page.next;
    more.hidden = !next;
    const newest = [...rows].sort((a, b) => b.id - a.id);
    replace(body, table([
      ['When', (e) => when(e.at)], ['Who', (e) => `${e.actor} (${e.role})`], ['Action', (e) => e.action],
      ['Target', (e) => e.target || '–', 'hide-narrow'], ['Project', (e) => e.project || '–', 'hide-narrow'],
      ['Outcome', (e) => h('span', {}, stateBadge(e.outcome === 'succeeded' ? 'succeeded' : 'failed'), ` ${e.status}`, e.error ? h('div', { class: 'hint' }, e.error) : null)],
    ], newest, { empty: 'Nothing recorded yet.', label: 'Audit log' }));
  };
  more.addEventListener('click', load);
  await load();
}
