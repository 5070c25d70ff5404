// Projects with their quota use.
import { list, post, session } from '../api.js';
import { h, replace, table, meter, busy, toast, field } from '../dom.js';

function usageCell(used, limit, label, format = (v) => v) {
  if (limit == null) return `${format(used)} (no limit)`;
  const number = (v) => (typeof v === 'string' ? parseSize(v) : v);
  return h('div', {}, `${format(used)} of ${format(limit)}`, meter(number(used) / Math.max(1, number(limit)), label));
}

/** "512MiB" → bytes (for the meters). */
export function parseSize(text) {
  const match = /^([\d.]+)\s*([KMGTP]?)(i?)B?$/i.exec(String(text).trim());
  if (!match) return Number(text) || 0;
  const power = ' KMGTP'.indexOf(match[2].toUpperCase() || ' ');
  return Number(match[1]) * (match[3] || match[2] ? 1024 : 1) ** Math.max(0, power);
}

export async function projectsPage(main) {
  const body = h('div');
  const name = h('input', { id: 'project-name', placeholder: 'team-a' });
  const create = h('button', { type: 'submit' }, 'Create project');
  const form = h('form', { class: 'actions panel' }, field('Name', name), create);
  replace(main, h('h1', {}, 'Projects'), session.can('admin') && !session.identity?.project ? form : null, body);
  const refresh = async () => {
    const items = await list('/1.0/projects', {}, { project: false });
    replace(body, table([
      ['Project', (p) => h('span', {}, p.project.name, p.project.description ? h('div', { class: 'hint' }, p.project.description) : null)],
      ['Instances', (p) => usageCell(p.usage.instances, p.project.limits?.instances, 'Instances')],
      ['CPUs', (p) => usageCell(p.usage.cpus, p.project.limits?.cpus, 'CPUs')],
      ['Memory', (p) => usageCell(p.usage.memory, p.project.limits?.memory, 'Memory')],
      ['Disk', (p) => usageCell(p.usage.disk, p.project.limits?.disk, 'Disk'), 'hide-narrow'],
      ['Networks', (p) => usageCell(p.usage.networks, p.project.limits?.networks, 'Networks'), 'hide-narrow'],
    ], items, { label: 'Projects' }));
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!/^[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(name.value)) { toast('A project name is letters, digits and -, starting with a letter.', { error: true }); return; }
    await busy(create, async () => { await post('/1.0/projects', { name: name.value }, { project: false }); toast(`Project ${name.value} created`); name.value = ''; await refresh(); });
  });
  await refresh();
}
