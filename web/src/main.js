// Floe's console: sign in with an AccessKey pair, then templates and jobs of the three families
// (hash routes).
import { credentials, signIn, signOut, call } from './api.js';
import { h, clear, notify, clearNotice, errorText } from './dom.js';
import { renderTemplates, renderTemplateForm } from './templates.js';
import { renderJobs } from './jobs.js';
import { renderJob, leaveJob } from './job.js';
import { renderRecording, renderRecordJob } from './records.js';
import { renderSnapshots, renderSnapshotJob } from './snapshots.js';
import { leaveBucketPage } from './bucket.js';

const main = () => document.getElementById('main');

function renderSignIn() {
  const form = h('form', { class: 'card signin', id: 'signin' },
    h('h2', {}, 'Sign in'),
    h('p', { class: 'hint' }, 'With an AccessKey pair (the root key is in DATA_DIR/credentials.json). It is kept in this tab only (sessionStorage) and signs each request in the page.'),
    h('div', { class: 'field' }, h('label', { for: 'access-key-id' }, 'AccessKey ID'), h('input', { id: 'access-key-id', autocomplete: 'username' })),
    h('div', { class: 'field' }, h('label', { for: 'access-key-secret' }, 'AccessKey secret'),
      h('input', { id: 'access-key-secret', type: 'password', autocomplete: 'current-password' })),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Sign in')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    signIn(form.querySelector('#access-key-id').value.trim(), form.querySelector('#access-key-secret').value.trim());
    try {
      await call('ListLiveTranscodeTemplates', { PageSize: 1 }); // a read: proves the key
      clearNotice();
      location.hash = '#/jobs';
      route();
    } catch (err) {
      signOut();
      notify(errorText(err));
    }
  });
  clear(main()).append(form);
}

async function route() {
  leaveJob();
  leaveBucketPage();
  const nav = document.getElementById('nav');
  const creds = credentials();
  nav.hidden = !creds;
  if (!creds) return renderSignIn();
  document.getElementById('whoami').textContent = creds.accessKeyId;
  const [, page, id] = (location.hash || '#/jobs').split('/');
  document.querySelectorAll('#nav a[data-page]').forEach((a) => a.classList.toggle('active', a.dataset.page === page));
  try {
    if (page === 'templates' && id === 'new') await renderTemplateForm(main());
    else if (page === 'templates' && id) await renderTemplateForm(main(), id);
    else if (page === 'templates') await renderTemplates(main(), {});
    else if (page === 'jobs' && id) await renderJob(main(), id);
    else if (page === 'recording' && id) await renderRecordJob(main(), id);
    else if (page === 'recording') await renderRecording(main());
    else if (page === 'snapshots' && id) await renderSnapshotJob(main(), id);
    else if (page === 'snapshots') await renderSnapshots(main());
    else await renderJobs(main(), {});
  } catch (err) {
    notify(errorText(err));
  }
}

document.getElementById('signout').addEventListener('click', () => {
  signOut();
  location.hash = '';
  route();
});
window.addEventListener('hashchange', () => {
  clearNotice();
  route();
});
route();
