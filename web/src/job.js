// One job: its status and process, live stats (refreshed every second, drawn as small charts),
// the event log, and the live preview of its output next to its input (HLS written by Floe,
// fetched through short-lived signed links, played with hls.js).
import Hls from 'hls.js';
import { call } from './api.js';
import { h, clear, notify, errorText } from './dom.js';
import { guard } from './permissions.js';
import { Chart } from './chart.js';
import { STATUS, stopJob, deleteJob } from './jobs.js';
import { eventItems } from './bucket.js';

let timer = null;
let players = [];

// Leaving the page: no more polling, no players left running.
export function leaveJob() {
  if (timer) clearInterval(timer);
  timer = null;
  for (const p of players) p.destroy();
  players = [];
}

// The playlist appears a segment (2 s) after the job starts, and comes back after a restart:
// a fatal error (404 meanwhile) starts a new player a second later.
const RETRY = { default: { maxTimeToFirstByteMs: 8000, maxLoadTimeMs: 20000, timeoutRetry: null,
  errorRetry: { maxNumRetry: 30, retryDelayMs: 1000, maxRetryDelayMs: 2000 } } };

function play(video, url) {
  video.dataset.src = url;
  if (Hls.isSupported()) {
    const hls = new Hls({ liveSyncDurationCount: 2, enableWorker: true, manifestLoadPolicy: RETRY, playlistLoadPolicy: RETRY });
    hls.loadSource(url);
    hls.attachMedia(video);
    hls.on(Hls.Events.MANIFEST_PARSED, () => video.play().catch(() => {}));
    hls.on(Hls.Events.ERROR, (event, data) => {
      if (!data.fatal || !players.includes(hls)) return;
      players = players.filter((p) => p !== hls);
      hls.destroy();
      setTimeout(() => { if (timer) play(video, url); }, 1000);
    });
    players.push(hls);
  } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
    video.src = url; // Safari plays HLS itself
    video.play().catch(() => {});
  }
}

async function startPreview(id, box) {
  clear(box);
  try {
    const { Preview } = await call('GetLiveTranscodeJobPreview', { JobId: id });
    const out = h('video', { id: 'preview-output', muted: true, playsinline: true, controls: true });
    const inp = h('video', { id: 'preview-input', muted: true, playsinline: true, controls: true });
    box.append(h('div', { class: 'preview' }, h('h3', {}, 'Output'), out), h('div', { class: 'preview' }, h('h3', {}, 'Input'), inp),
      h('p', { class: 'hint' }, `Links valid until ${Preview.ExpireTime}; HLS, a few seconds behind live.`));
    out.muted = true;
    inp.muted = true;
    play(out, Preview.OutputUrl);
    play(inp, Preview.InputUrl);
  } catch (err) {
    box.append(h('p', { class: 'hint' }, `No preview: ${errorText(err)}`));
  }
}

export async function renderJob(root, id) {
  leaveJob();
  clear(root);
  const head = h('div', { class: 'card', id: 'job-head' });
  const charts = {
    fps: new Chart('Frames per second', [{ name: 'in', color: '#888' }, { name: 'out', color: '#2a7' }], { id: 'chart-fps' }),
    kbps: new Chart('Bitrate (kbit/s)', [{ name: 'in', color: '#888' }, { name: 'out', color: '#27c' }], { id: 'chart-kbps', format: (v) => v.toFixed(0) }),
    speed: new Chart('Speed (1 = real time)', [{ name: 'speed', color: '#c72' }], { id: 'chart-speed', format: (v) => v.toFixed(2) }),
    frames: new Chart('Dropped / duplicated frames', [{ name: 'dropped', color: '#c33' }, { name: 'duplicated', color: '#a6c' }], { id: 'chart-frames', format: (v) => v.toFixed(0) }),
    reconnects: new Chart('Reconnects', [{ name: 'input', color: '#888' }, { name: 'output', color: '#c33' }], { id: 'chart-reconnects', format: (v) => v.toFixed(0) }),
  };
  const events = h('ol', { class: 'events', id: 'job-events' });
  const preview = h('div', { class: 'previews', id: 'job-preview' });
  root.append(head,
    h('div', { class: 'card' }, h('h2', {}, 'Live preview'), preview),
    h('div', { class: 'card' }, h('h2', {}, 'Live stats'), h('div', { class: 'charts' }, Object.values(charts).map((c) => c.el))),
    h('div', { class: 'card' }, h('h2', {}, 'Events'), events));

  let previewing = false;
  const refresh = async () => {
    let job;
    try {
      job = (await call('GetLiveTranscodeJob', { JobId: id })).Job;
    } catch (err) {
      notify(errorText(err));
      leaveJob();
      return;
    }
    const p = job.Process || {};
    const stats = p.Stats || {};
    const input = stats.input || {};
    const o = (stats.outputs || [])[0] || {};
    clear(head).append(
      h('div', { class: 'toolbar' }, h('h2', {}, job.Name),
        job.Status === 1 ? guard(h('button', { id: 'stop-job', onclick: async () => {
          try { await stopJob(id); refresh(); } catch (err) { notify(errorText(err)); }
        } }, 'Stop'), 'job') : null,
        guard(h('button', { class: 'danger', id: 'delete-job', onclick: async () => {
          if (!confirm(`Delete job ${job.Name}?`)) return;
          try {
            if (await deleteJob(id)) location.hash = '#/jobs';
          } catch (err) { notify(errorText(err)); }
        } }, 'Delete'), 'job')),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Status'), h('dd', { id: 'job-status' }, STATUS[job.Status] || job.Status),
        h('dt', {}, 'Process'), h('dd', { id: 'job-state' }, p.State || '—'),
        h('dt', {}, 'Active input'), h('dd', { id: 'job-active-input' }, input.active || (p.Stats ? 'primary' : '—')),
        h('dt', {}, 'Input'), h('dd', { class: 'mono' }, job.StreamInput.InputUrl, job.StreamInput.BackupInputUrl ? ` (backup ${job.StreamInput.BackupInputUrl})` : ''),
        h('dt', {}, 'Output'), h('dd', { class: 'mono' }, job.OutputStream.StreamInfos[0].OutputUrl),
        h('dt', {}, 'Template'), h('dd', {}, `${job.TemplateName} (${job.TemplateId})`),
        h('dt', {}, 'Restarts'), h('dd', {}, p.Restarts ?? 0),
        p.LastError ? [h('dt', {}, 'Last error'), h('dd', {}, p.LastError)] : null));
    if (p.Stats) {
      charts.fps.push([input.fps, o.fps]);
      charts.kbps.push([input.kbps, o.kbps]);
      charts.speed.push([o.speed]);
      charts.frames.push([o.dropped, o.duplicated]);
      charts.reconnects.push([input.reconnects, o.reconnects]);
    }
    events.replaceChildren(...eventItems(job.Events));
    if (!previewing && p.State === 'running') {
      previewing = true;
      startPreview(id, preview);
    }
    if (job.Status !== 1 && !p.State) clear(preview).append(h('p', { class: 'hint' }, 'The job is not running.'));
    // An output HLS cannot carry (AAC-LD): its player stays empty, so say why (the input plays).
    const noPreview = (job.Events || []).find((e) => e.Event === 'preview_unavailable');
    if (noPreview && !document.getElementById('preview-unavailable')) {
      preview.prepend(h('p', { class: 'hint', id: 'preview-unavailable' },
        `No output preview: ${noPreview.Detail || 'HLS cannot carry this output'}.`));
    }
  };
  await refresh();
  timer = setInterval(refresh, 1000);
}
