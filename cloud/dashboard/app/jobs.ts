/**
 * The jobs view (`#/jobs`): every job with its executions counted by status and each thing's
 * execution; an OTA job's rows also show the device's download (bytes of the image received, of
 * its size, from GET /ota/jobs/{job}/progress). A `job` message from the live feed reads the job
 * again (a quarter second later, so a burst of progress updates costs one read).
 */
import type { Api, Job, JobExecution, OtaProgress } from './api.js';
import { ago, attributeList, h, show, type LiveHandler } from './dom.js';

const REREAD_MS = 250;

/** "numberOfSucceededThings" → "succeeded", for the counts that are not zero. */
const jobCounts = (details: Record<string, number>) =>
  Object.entries(details).filter(([, n]) => n > 0).map(([key, n]) => `${n} ${key.replace(/^numberOf(\w+)Things$/, '$1').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}`).join(' · ');

const isOta = (job: Job) => job.document.operation === 'ota';

/** The download's bar and numbers: "12288 / 40960 bytes · 30% · downloading". */
function download(p: OtaProgress | undefined): HTMLElement {
  if (!p || (p.received === undefined && p.percent === undefined)) return h('span', { class: 'download' }, p?.step ?? 'not started');
  const bytes = p.received !== undefined && p.size !== undefined ? `${p.received} / ${p.size} bytes` : undefined;
  const text = [bytes, p.percent !== undefined && `${p.percent}%`, p.step, p.reason].filter(Boolean).join(' · ');
  return h('span', { class: 'download' }, h('progress', { max: 100, value: p.percent ?? 0 }), ' ', text);
}

function executionRow(e: JobExecution, progress: Map<string, OtaProgress> | undefined): HTMLElement {
  return h('tr', { 'data-execution': e.thingName },
    h('td', {}, h('a', { href: `#/things/${encodeURIComponent(e.thingName)}` }, e.thingName)),
    h('td', {}, h('span', { class: `badge job-${e.status.toLowerCase()}` }, e.status)),
    progress && h('td', {}, download(progress.get(e.thingName))),
    h('td', {}, attributeList(e.statusDetails ?? {})),
    h('td', { class: 'when' }, ago(e.lastUpdatedAt)));
}

async function jobCard(api: Api, job: Job): Promise<HTMLElement> {
  const [executions, progress] = await Promise.all([
    api.executions(job.jobId),
    isOta(job) ? api.otaProgress(job.jobId).then((devices) => new Map(devices.map((d) => [d.thingName, d]))) : undefined,
  ]);
  const heads = ['thing', 'status', ...(progress ? ['download'] : []), 'status details', 'updated'];
  return h('section', { class: 'card', 'data-job': job.jobId },
    h('h2', {}, job.jobId, h('span', { class: 'version' }, `${isOta(job) ? 'OTA update · ' : ''}${job.status} · created ${ago(job.createdAt)}`)),
    job.description && h('p', {}, job.description),
    h('p', { class: 'summary' }, jobCounts(job.jobProcessDetails) || 'no executions'),
    h('table', { class: 'executions' },
      h('thead', {}, h('tr', {}, ...heads.map((name) => h('th', {}, name)))),
      h('tbody', {}, ...executions.map((e) => executionRow(e, progress)))));
}

export async function jobsView(api: Api, main: HTMLElement): Promise<LiveHandler> {
  const list = h('div');
  const problem = h('p', { class: 'error', role: 'alert' });
  const readAll = async () => {
    const jobs = await api.jobs();
    const cards = await Promise.all(jobs.map((job) => jobCard(api, job)));
    show(list, ...(jobs.length === 0 ? [h('section', { class: 'card' }, h('h2', {}, 'Jobs'), h('p', {}, 'No jobs yet: POST /jobs or POST /ota/jobs creates one.'))] : cards));
  };
  const readOne = async (jobId: string) => {
    const old = list.querySelector(`[data-job="${CSS.escape(jobId)}"]`);
    if (!old) return readAll(); // a new job
    old.replaceWith(await jobCard(api, await api.job(jobId)));
  };
  /** Jobs to read again at the next tick; '*' for all of them. */
  const pending = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Reads run one after another, so an older answer never replaces a newer one. */
  let reading: Promise<unknown> = Promise.resolve();
  const reread = () => {
    timer = undefined;
    const ids = [...pending];
    pending.clear();
    reading = reading
      .then(async () => {
        if (ids.includes('*')) await readAll();
        else await Promise.all(ids.map(readOne));
      })
      .then(() => void (problem.textContent = ''), (error: Error) => void (problem.textContent = error.message));
  };
  const refresh = h('button', { type: 'button' }, 'Refresh');
  refresh.addEventListener('click', () => (pending.add('*'), reread()));
  await readAll();
  show(main, h('p', {}, h('a', { href: '#/' }, '← fleet'), ' ', refresh), problem, list);
  return (message) => {
    if (message.type !== 'job') return;
    pending.add(message.jobId ?? '*');
    timer ??= setTimeout(reread, REREAD_MS);
  };
}
