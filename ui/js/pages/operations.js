// Operations: running and recent, live through the event stream; cancel where allowed.
import { list, del } from '../api.js';
import { h, replace, table, when, stateBadge, progressOf, busy, toast } from '../dom.js';
import { onEvent } from '../main.js';

export async function operationsPage(main) {
  const body = h('div');
  replace(main, h('h1', {}, 'Operations'), body);
  const refresh = async () => {
    const items = (await list('/1.0/operations')).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    replace(body, table([
      ['Operation', (op) => h('div', {}, op.description, op.error ? h('div', { class: 'field-error' }, op.error.message) : null)],
      ['Status', (op) => stateBadge(op.status)],
      ['Progress', (op) => (op.status === 'running' ? progressOf(op) : '–')],
      ['By', (op) => op.requestedBy, 'hide-narrow'],
      ['Started', (op) => when(op.createdAt), 'hide-narrow'],
      ['', (op) => (op.mayCancel && op.status === 'running' ? h('button', { type: 'button', class: 'secondary', 'aria-label': `Cancel operation ${op.id}`, onclick: (event) => busy(event.target, async () => { await del(`/1.0/operations/${op.id}`, { project: false }); toast('Cancelling'); }) }, 'Cancel') : null)],
    ], items, { empty: 'No operations yet.', label: 'Operations' }));
  };
  await refresh();
  let pending;
  const stop = onEvent((event) => {
    if (event.type !== 'operation') return;
    clearTimeout(pending);
    pending = setTimeout(refresh, 200);
  });
  return () => { stop(); clearTimeout(pending); };
}
