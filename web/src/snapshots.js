// Snapshots: snapshot templates (an interval, an overwrite and/or a sequence object name),
// snapshot jobs (submit, start, stop, restart), and one job's pictures as a grid, newest first.
import { call } from './api.js';
import { h, clear } from './dom.js';
import { pager } from './templates.js';
import {
  apiForm, actionButton, field, text, choice, valueOf, facts, eventItems, keepRefreshed,
  recentWindow, statusBadge, written,
} from './bucket.js';

const ONE_DAY_MS = 24 * 3600 * 1000; // ListLiveSnapshotFiles' widest window

function templateForm(root) {
  const build = (form) => {
    const params = { TemplateName: valueOf(form, 'TemplateName'), TimeInterval: valueOf(form, 'TimeInterval') };
    for (const f of ['OverwriteFormat', 'SequenceFormat']) if (valueOf(form, f)) params[f] = valueOf(form, f);
    return params;
  };
  return apiForm('new-snapshot-template', 'Create snapshot template',
    [field('Name', 'TemplateName', text('TemplateName')),
      field('Interval', 'TimeInterval', text('TimeInterval', { value: '10', inputmode: 'numeric' }), 'seconds, 5–3600'),
      field('Overwrite object', 'OverwriteFormat', text('OverwriteFormat', { value: 'snapshot/{JobId}.jpg' }), 'one picture, replaced at each shot; {JobId} only'),
      field('Sequence objects', 'SequenceFormat', text('SequenceFormat', { value: 'snapshot/{JobId}/{UnixTimestamp}.jpg' }), 'one picture per shot: {UnixTimestamp} or {Sequence}, and {JobId}, {Date}')],
    'CreateLiveSnapshotTemplate', build, () => renderSnapshots(root));
}

function submitForm(templates) {
  const build = (form) => {
    const output = { StorageType: 'oss', Bucket: valueOf(form, 'SnapshotOutput.Bucket') };
    if (valueOf(form, 'SnapshotOutput.Endpoint')) output.Endpoint = valueOf(form, 'SnapshotOutput.Endpoint');
    const params = {
      JobName: valueOf(form, 'JobName'),
      TemplateId: valueOf(form, 'TemplateId'),
      StreamInput: { Type: 'rtmp', Url: valueOf(form, 'StreamInput.Url') },
      SnapshotOutput: output,
    };
    if (valueOf(form, 'CallbackUrl')) params.CallbackUrl = valueOf(form, 'CallbackUrl');
    return params;
  };
  return apiForm('submit-snapshot-job', 'Submit snapshot job',
    [field('Name', 'JobName', text('JobName')),
      field('Template', 'TemplateId', choice('TemplateId', templates.map((t) => [t.TemplateId, `${t.TemplateName} (every ${t.TimeInterval} s)`]))),
      field('Input URL', 'StreamInput.Url', text('StreamInput.Url', { placeholder: 'rtmp://host/app/stream' })),
      field('Bucket', 'SnapshotOutput.Bucket', text('SnapshotOutput.Bucket'), 'one of this account\'s buckets (floe admin bucket add)'),
      field('Endpoint', 'SnapshotOutput.Endpoint', text('SnapshotOutput.Endpoint'), 'optional: the bucket\'s, if the operator set one'),
      field('Callback URL', 'CallbackUrl', text('CallbackUrl'), 'optional: a JSON POST for each picture and at the end')],
    'SubmitLiveSnapshotJob', build, (done) => { location.hash = `#/snapshots/${done.JobId}`; });
}

// Start, stop and restart as the job's status allows; `after` redraws.
function commands(job, after) {
  const command = (c, label) => actionButton(label, { class: 'small', id: `snapshot-${c}` }, 'SendLiveSnapshotJobCommand',
    { JobId: job.JobId, Command: c }, after);
  return job.Status === 'started' ? [command('stop', 'Stop'), command('restart', 'Restart')] : [command('start', 'Start')];
}

export async function renderSnapshots(root, query = {}) {
  const q = { PageNo: 1, PageSize: 20, ...query };
  const [tpls, jobs] = await Promise.all([
    call('ListLiveSnapshotTemplates', { PageSize: 100 }),
    call('ListLiveSnapshotJobs', q),
  ]);
  const templates = tpls.TemplateList || [];
  const redraw = () => renderSnapshots(root, q);
  clear(root).append(
    h('div', { class: 'toolbar' }, h('h2', {}, 'Snapshot jobs')),
    h('table', { class: 'list', id: 'snapshot-jobs' },
      h('thead', {}, h('tr', {}, ['Name', 'JobId', 'Status', 'Template', 'Every', 'Bucket', 'Created', ''].map((c) => h('th', {}, c)))),
      h('tbody', {}, (jobs.JobList || []).map((j) => h('tr', { 'data-job-id': j.JobId },
        h('td', {}, h('a', { href: `#/snapshots/${j.JobId}` }, j.JobName)),
        h('td', { class: 'mono' }, j.JobId),
        h('td', {}, statusBadge(j.Status)),
        h('td', {}, j.TemplateName || j.TemplateId),
        h('td', {}, `${j.TimeInterval} s`),
        h('td', {}, (j.SnapshotOutput || {}).Bucket),
        h('td', {}, j.CreateTime),
        h('td', {}, commands(j, redraw)))))),
    pager(q, jobs.TotalCount, 'snapshot jobs', (n) => renderSnapshots(root, { ...q, PageNo: n })),
    h('div', { class: 'toolbar' }, h('h2', {}, 'Snapshot templates')),
    h('table', { class: 'list', id: 'snapshot-templates' },
      h('thead', {}, h('tr', {}, ['Name', 'TemplateId', 'Every', 'Created', ''].map((c) => h('th', {}, c)))),
      h('tbody', {}, templates.map((t) => h('tr', { 'data-template-id': t.TemplateId },
        h('td', {}, t.TemplateName), h('td', { class: 'mono' }, t.TemplateId), h('td', {}, `${t.TimeInterval} s`),
        h('td', {}, t.CreateTime),
        h('td', {}, t.Type === 'system' ? null : actionButton('Delete', { class: 'danger small', confirm: `Delete template ${t.TemplateName}?` },
          'DeleteLiveSnapshotTemplate', { TemplateId: t.TemplateId }, redraw)))))),
    templates.length ? submitForm(templates) : h('p', { class: 'hint' }, 'Create a snapshot template to submit a job.'),
    templateForm(root));
}

export async function renderSnapshotJob(root, id) {
  clear(root);
  const head = h('div', { class: 'card', id: 'snapshot-job-head' });
  const grid = h('div', { class: 'shots', id: 'snapshot-grid' });
  const events = h('ol', { class: 'events', id: 'snapshot-events' });
  root.append(head,
    h('div', { class: 'card' }, h('h2', {}, 'Pictures'), h('p', { class: 'hint' }, 'The newest 100 of the last day, newest first; links valid for a while.'), grid),
    h('div', { class: 'card' }, h('h2', {}, 'Events'), events));
  const shown = new Map(); // CreateTimestamp/overlay → its figure, kept across refreshes (no reload flicker)
  const refresh = async () => {
    const job = await call('GetLiveSnapshotJob', { JobId: id });
    const p = job.Process || {};
    clear(head).append(
      h('div', { class: 'toolbar' }, h('h2', {}, job.JobName), statusBadge(job.Status, 'snapshot-job-status'), commands(job, refresh)),
      facts([
        ['JobId', job.JobId],
        ['Process', p.State, 'snapshot-job-state'],
        ['Written', written(p, 'pictures'), 'snapshot-job-written'],
        ['Input', (job.StreamInput || {}).Url],
        ['Bucket', (job.SnapshotOutput || {}).Bucket],
        ['Every', `${job.TimeInterval} s`],
        ['Overwrite object', job.OverwriteFormat || null],
        ['Sequence objects', job.SequenceFormat || null],
        job.CallbackUrl ? ['Callback URL', job.CallbackUrl] : null,
        ['Created', job.CreateTime],
      ]));
    events.replaceChildren(...eventItems(job.Events));
    const list = await call('ListLiveSnapshotFiles', { JobId: id, Limit: 100, SortBy: 'desc', ...recentWindow(job.CreateTime, ONE_DAY_MS) });
    const figures = (list.FileList || []).map((f) => {
      const key = `${f.CreateTimestamp}/${f.IsOverlay}/${f.OssObject}`;
      if (!shown.has(key)) {
        shown.set(key, h('figure', { class: 'shot', 'data-create-timestamp': f.CreateTimestamp, 'data-overlay': String(f.IsOverlay) },
          f.Url ? h('img', { src: f.Url, alt: f.OssObject, loading: 'lazy' }) : h('div', { class: 'hint' }, 'no link (bucket gone)'),
          h('figcaption', {}, h('time', {}, f.CreateTime), f.IsOverlay ? ' · overwrite' : '', ` · ${f.Width}×${f.Height}`,
            f.IsOverlay ? null : [' ', actionButton('Delete', { class: 'danger small' }, 'DeleteLiveSnapshotFiles',
              { JobId: id, CreateTimestampList: [f.CreateTimestamp], DeleteOriginalFile: 'true' }, refresh)])));
      }
      return shown.get(key);
    });
    grid.replaceChildren(...figures);
  };
  await keepRefreshed(refresh, 3000);
}
