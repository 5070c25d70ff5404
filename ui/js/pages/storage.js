// Storage pools with their use, and the project's volumes.
import { list, act, session } from '../api.js';
import { h, replace, table, bytes, meter, busy, toast, confirmAction, field } from '../dom.js';

export async function storagePage(main) {
  const pools = h('div'), volumes = h('div');
  const name = h('input', { id: 'volume-name', placeholder: 'data', required: true });
  const size = h('input', { id: 'volume-size', placeholder: '10GiB', required: true });
  const pool = h('select', { id: 'volume-pool' });
  const create = h('button', { type: 'submit', id: 'create-volume' }, 'Create volume');
  const form = h('form', { class: 'actions panel' }, field('Pool', pool), field('Name', name), field('Size', size), create);
  replace(main, h('h1', {}, 'Storage'), h('h2', {}, 'Pools'), pools, h('h2', {}, `Volumes in ${session.project}`), session.can('operator') ? form : null, volumes);

  const refresh = async () => {
    const [poolItems, volumeItems] = await Promise.all([list('/1.0/storage-pools', {}, { project: false }), list('/1.0/volumes')]);
    replace(pool, poolItems.map((p) => h('option', { value: p.pool.name }, p.pool.name)));
    replace(pools, table([
      ['Pool', (p) => p.pool.name],
      ['Driver', (p) => p.pool.driver, 'hide-narrow'],
      ['Used', (p) => h('div', {}, `${bytes(p.usage.capacity - p.usage.free)} of ${bytes(p.usage.capacity)}`, meter(1 - p.usage.free / p.usage.capacity, `Pool ${p.pool.name} use`))],
      ['Allocated to volumes', (p) => bytes(p.usage.allocated), 'hide-narrow'],
    ], poolItems, { label: 'Storage pools' }));
    replace(volumes, table([
      ['Volume', (v) => `${v.pool}/${v.name}`],
      ['Format', (v) => v.format, 'hide-narrow'],
      ['Size', (v) => v.size],
      ['Allocated', (v) => bytes(v.allocated), 'hide-narrow'],
      ['Used by', (v) => (v.usedBy || []).map((u) => u.instance || u.name || u).join(', ') || '–'],
      ['', (v) => session.can('operator') ? h('button', { type: 'button', class: 'secondary', 'aria-label': `Delete volume ${v.pool}/${v.name}`, onclick: async (event) => {
        if (!(await confirmAction(`Delete volume ${v.pool}/${v.name}?`, 'Its data is lost.', 'Delete'))) return;
        await busy(event.target, async () => { await act('DELETE', `/1.0/storage-pools/${encodeURIComponent(v.pool)}/volumes/${encodeURIComponent(v.name)}`); toast('Volume deleted'); await refresh(); });
      } }, 'Delete') : null],
    ], volumeItems, { empty: 'No volumes in this project.', label: 'Volumes' }));
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name.value) || !/^\d+(\.\d+)?\s*[KMGT]?i?B?$/i.test(size.value.trim())) { toast('Give a volume name and a size such as 10GiB.', { error: true }); return; }
    await busy(create, async () => {
      await act('POST', `/1.0/storage-pools/${encodeURIComponent(pool.value)}/volumes`, { name: name.value, size: size.value.trim() });
      toast(`Volume ${name.value} created`);
      name.value = ''; size.value = '';
      await refresh();
    });
  });
  await refresh();
}
