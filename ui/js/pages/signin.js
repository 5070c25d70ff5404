// Sign in with an API token (`joist token create NAME --role …`).
import { session } from '../api.js';
import { h, replace } from '../dom.js';

export function signInPage(main, { onSignedIn }) {
  const token = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false', placeholder: 'joist_…' });
  const remember = h('input', { id: 'remember', type: 'checkbox' });
  const problem = h('div', { role: 'alert' });
  const submit = h('button', { type: 'submit', id: 'sign-in' }, 'Sign in');
  const form = h('form', { class: 'stack panel signin', 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, 'Sign in to Joist'),
    h('label', { for: 'token' }, 'API token', token,
      h('span', { class: 'hint' }, 'Create one on the host with ', h('code', {}, 'joist token create NAME --role operator'), '.')),
    h('label', { class: 'inline' }, remember, 'Remember on this device'),
    problem,
    h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    replace(problem);
    const value = token.value.trim();
    if (!/^joist_[A-Za-z0-9]+\.[A-Za-z0-9]+$/.test(value)) {
      replace(problem, h('p', { class: 'error-box' }, 'That is not a Joist token: it looks like joist_1a2b3c….secret.'));
      token.focus();
      return;
    }
    submit.disabled = true;
    session.signIn(value, remember.checked);
    try {
      await onSignedIn();
    } catch (error) {
      session.signOut();
      replace(problem, h('p', { class: 'error-box' }, error.status === 401 ? 'The token was not accepted (wrong, expired or revoked).' : error.message));
      token.focus();
    } finally {
      submit.disabled = false;
    }
  });
  replace(main, form);
  token.focus();
}
