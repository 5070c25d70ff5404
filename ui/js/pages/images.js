// Images: the list, and uploading an ISO or disk image with a progress bar.
import { list, upload, finish, act, session } from '../api.js';
import { h, replace, table, bytes, when, busy, toast, confirmAction, field, progressOf } from '../dom.js';

export async function imagesPage(main) {
  const body = h('div');
  const file = h('input', { type: 'file', id: 'image-file', accept: '.iso,.img,.qcow2,.raw,.vmdk,.vdi,.vhdx' });
  const alias = h('input', { id: 'image-alias', placeholder: 'debian-installer' });
  const send = h('button', { type: 'submit', id: 'upload-image' }, 'Upload');
  const bar = h('progress', { id: 'upload-progress', max: 100, value: 0, hidden: true, class: 'progress', 'aria-label': 'Upload progress' });
  const note = h('div', { class: 'hint', id: 'upload-note', role: 'status' });
  const form = h('form', { class: 'panel stack', 'aria-label': 'Upload an image' },
    h('div', { class: 'row' }, field('ISO or disk image', file, 'qcow2, raw, vmdk, vdi, vhdx or ISO 9660'), field('Alias', alias, 'Optional; a name to launch it by.')),
    h('div', { class: 'actions' }, send), bar, note);
  replace(main, h('h1', {}, 'Images'), session.can('admin') && !session.identity?.project ? form : null, body);

  const refresh = async () => {
    const items = await list('/1.0/images', {}, { project: false });
    replace(body, table([
      ['Aliases', (i) => (i.aliases || []).join(', ') || h('span', { class: 'muted' }, 'none')],
      ['Fingerprint', (i) => h('span', { class: 'mono' }, i.fingerprint.slice(0, 12)), 'hide-narrow'],
      ['Type', (i) => i.type],
      ['Size', (i) => `${i.virtualSize} (${bytes(i.fileSize)} stored)`],
      ['Added', (i) => when(i.createdAt), 'hide-narrow'],
      ['', (i) => session.can('admin') ? h('button', { type: 'button', class: 'secondary', 'aria-label': `Delete image ${(i.aliases || [])[0] || i.fingerprint.slice(0, 12)}`, onclick: async (event) => {
        if (!(await confirmAction(`Delete image ${(i.aliases || [])[0] || i.fingerprint.slice(0, 12)}?`, 'Volumes cloned from it keep working only if they were flattened.', 'Delete'))) return;
        await busy(event.target, async () => { await act('DELETE', `/1.0/images/${i.fingerprint}`); toast('Image deleted'); await refresh(); });
      } }, 'Delete') : null],
    ], items, { empty: 'No images yet.', label: 'Images' }));
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const chosen = file.files[0];
    if (!chosen) { toast('Choose a file first.', { error: true }); file.focus(); return; }
    if (alias.value && !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(alias.value)) { toast('An alias is letters, digits, ., _ and -.', { error: true }); alias.focus(); return; }
    await busy(send, async () => {
      bar.hidden = false;
      bar.value = 0;
      try {
        const operation = await upload('/1.0/images', chosen, { alias: alias.value || undefined, project: undefined }, (done, total) => {
          bar.value = Math.round((done / total) * 100);
          note.textContent = `Uploading: ${bytes(done)} of ${bytes(total)}`;
        });
        note.textContent = 'Uploaded; importing…';
        await finish(operation, (op) => replace(note, progressOf(op)));
        note.textContent = `Imported ${chosen.name}.`;
        toast(`Image ${alias.value || chosen.name} imported`);
        await refresh();
      } catch (error) {
        note.textContent = error.message;
        throw error;
      } finally {
        bar.hidden = true;
      }
    });
  });
  await refresh();
}
