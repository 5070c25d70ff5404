// Networks: the list, and creating and deleting them (administrators).
import { list, post, act, session } from '../api.js';
import { h, replace, table, busy, toast, confirmAction, field } from '../dom.js';

export async function networksPage(main) {
  const body = h('div');
  const name = h('input', { id: 'network-name', placeholder: 'lan', required: true });
  const kind = h('select', { id: 'network-type' }, ['nat', 'isolated'].map((k) => h('option', { value: k }, k)));
  const subnet = h('input', { id: 'network-subnet', placeholder: 'automatic, e.g. 10.20.0.0/24' });
  const create = h('button', { type: 'submit' }, 'Create network');
  const form = h('form', { class: 'actions panel' }, field('Name', name), field('Type', kind), field('Subnet', subnet), create);
  replace(main, h('h1', {}, 'Networks'), session.can('admin') && !session.identity?.project ? form : null, body);
  const refresh = async () => {
    const items = await list('/1.0/networks', {}, { project: false });
    replace(body, table([
      ['Network', (n) => n.config?.name || n.name],
      ['Type', (n) => n.config?.kind || n.type],
      ['Subnet', (n) => n.config?.subnet || '–'],
      ['Gateway', (n) => n.gateway || '–', 'hide-narrow'],
      ['Bridge', (n) => h('span', { class: 'mono' }, n.bridge || '–'), 'hide-narrow'],
      ['Used by', (n) => (n.usedBy || []).map((u) => u.instance || u.name || u).join(', ') || '–'],
      ['', (n) => session.can('admin') ? h('button', { type: 'button', class: 'secondary', 'aria-label': `Delete network ${n.config?.name || n.name}`, onclick: async (event) => {
        const networkName = n.config?.name || n.name;
        if (!(await confirmAction(`Delete network ${networkName}?`, 'Its bridge, DHCP and firewall rules go too.', 'Delete'))) return;
        await busy(event.target, async () => { await act('DELETE', `/1.0/networks/${encodeURIComponent(networkName)}`); toast('Network deleted'); await refresh(); });
      } }, 'Delete') : null],
    ], items, { empty: 'No networks yet.', label: 'Networks' }));
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!/^[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(name.value)) { toast('A network name is letters, digits and -, starting with a letter.', { error: true }); name.focus(); return; }
    await busy(create, async () => {
      await post('/1.0/networks', { name: name.value, type: kind.value, subnet: subnet.value.trim() || undefined }, { project: false });
      toast(`Network ${name.value} created`);
      name.value = ''; subnet.value = '';
      await refresh();
    });
  });
  await refresh();
}
