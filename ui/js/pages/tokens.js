// API tokens (administrators): list, create (the secret is shown once) and revoke.
import { list, post, del, session } from '../api.js';
import { h, replace, table, when, busy, toast, confirmAction, field } from '../dom.js';

export async function tokensPage(main) {
  if (!session.can('admin')) { replace(main, h('h1', {}, 'Tokens'), h('p', {}, 'Only administrators manage tokens.')); return; }
  const body = h('div'), secret = h('div', { role: 'status' });
  const name = h('input', { id: 'token-name', placeholder: 'ci' });
  const role = h('select', { id: 'token-role' }, ['viewer', 'operator', 'admin'].map((r) => h('option', { value: r }, r)));
  const project = h('input', { id: 'token-project', placeholder: 'every project' });
  const expires = h('input', { id: 'token-expires', placeholder: 'never, or e.g. 30d' });
  const create = h('button', { type: 'submit' }, 'Create token');
  const form = h('form', { class: 'actions panel' }, field('Name', name), field('Role', role), field('Project', project), field('Expires after', expires), create);
  replace(main, h('h1', {}, 'Tokens'), form, secret, body);
  const refresh = async () => {
    const items = await list('/1.0/tokens', {}, { project: false });
    replace(body, table([
      ['Token', (t) => t.name], ['Role', (t) => t.role], ['Project', (t) => t.project || 'all'],
      ['Created', (t) => `${when(t.createdAt)} by ${t.createdBy}`, 'hide-narrow'], ['Expires', (t) => when(t.expiresAt), 'hide-narrow'],
      ['', (t) => h('button', { type: 'button', class: 'secondary', 'aria-label': `Revoke token ${t.name}`, onclick: async (event) => {
        if (!(await confirmAction(`Revoke token ${t.name}?`, 'Clients using it are refused from now on.', 'Revoke'))) return;
        await busy(event.target, async () => { await del(`/1.0/tokens/${encodeURIComponent(t.name)}`, { project: false }); toast('Token revoked'); await refresh(); });
      } }, 'Revoke')],
    ], items, { label: 'Tokens' }));
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name.value)) { toast('Give the token a name.', { error: true }); name.focus(); return; }
    if (expires.value && !/^[1-9]\d{0,5}[smhdw]$/.test(expires.value)) { toast('Expiry is like 30d, 12h or 2w.', { error: true }); expires.focus(); return; }
    await busy(create, async () => {
      const created = await post('/1.0/tokens', { name: name.value, role: role.value, project: project.value || undefined, expires: expires.value || undefined }, { project: false });
      replace(secret, h('div', { class: 'panel' }, h('p', {}, 'The secret, shown only now:'), h('p', { class: 'mono', id: 'token-secret' }, created.secret)));
      name.value = '';
      await refresh();
    });
  });
  await refresh();
}
