import { Widget } from '@lumino/widgets';

import { JwstLabApiError } from '../api/client';
import type { IJobList, IJobStoreInfo, IServerInfo } from '../api/models';
import { baseName, firstLine, formatElapsed } from '../components/format';
import { DEST_STORAGE_KEY, MastDownloadModel } from '../mast/downloadModel';
import { JobsModel } from '../models/jobsModel';
import { JobsPanel } from '../widgets/jobs/panel';
import {
  attach,
  click,
  deferred,
  FakeClient,
  FakeEvents,
  fill,
  makeClient,
  makeJob,
  makeJobList,
  query,
  waitFor
} from './fixtures';
import { pipelineClient } from './jobsFixtures';

/** A client whose server provides jobs, with `overrides` to its /info. */
function jobsClient(overrides: Partial<IServerInfo> = {}): FakeClient {
  return makeClient({ features: ['info', 'events', 'jobs'], ...overrides });
}

/** A jobs client whose `GET /jobs` answers `lists` in turn, then no jobs. */
function clientWith(...lists: IJobList[]): FakeClient {
  const client = jobsClient();
  client.jobsAnswer = async () => lists.shift() ?? makeJobList([]);
  return client;
}

/** The Jobs panel of `client`, attached, without live events. */
function jobsPanel(client: FakeClient): JobsPanel {
  return attach(new JobsPanel({ client, events: new FakeEvents('idle') }));
}

describe('JobsModel', () => {
  it('asks nothing before start, then loads with the filter as status', async () => {
    const client = clientWith(makeJobList([makeJob()]));
    const model = new JobsModel({
      client,
      events: new FakeEvents('idle'),
      filter: 'running'
    });
    expect(model.state).toBe('idle');
    expect(client.listJobsCalls).toEqual([]);

    model.start();
    expect(model.state).toBe('loading');
    await waitFor(() => expect(model.state).toBe('ready'));
    expect(client.listJobsCalls).toEqual([
      { status: 'running', pageSize: 100 }
    ]);
    expect(model.jobs.map(job => job.id)).toEqual(['job-1']);
    model.dispose();
  });

  it('asks without a status for all, and again when the filter changes', async () => {
    const client = clientWith(makeJobList([]), makeJobList([]));
    const model = new JobsModel({ client, events: new FakeEvents('idle') });
    model.start();
    await waitFor(() => expect(model.state).toBe('ready'));

    model.filter = 'failed';
    expect(model.state).toBe('loading');
    await waitFor(() => expect(model.state).toBe('ready'));
    expect(client.listJobsCalls).toEqual([
      { status: undefined, pageSize: 100 },
      { status: 'failed', pageSize: 100 }
    ]);
    model.dispose();
  });

  it('updates rows in place from job events', async () => {
    const events = new FakeEvents('idle');
    const client = clientWith(
      makeJobList([
        makeJob({ id: 'b', created: '2026-11-25T10:00:00Z' }),
        makeJob({ id: 'a', created: '2026-11-25T09:00:00Z' })
      ])
    );
    const model = new JobsModel({ client, events });
    model.start();
    await waitFor(() => expect(model.state).toBe('ready'));
    let changes = 0;
    model.changed.connect(() => (changes += 1));

    events.emit({
      type: 'job.created',
      job_id: 'c',
      job: makeJob({ id: 'c', status: 'queued', created: '2026-11-25T11:00Z' })
    });
    expect(model.jobs.map(job => job.id)).toEqual(['c', 'b', 'a']);
    expect(model.total).toBe(3);

    events.emit({
      type: 'job.progress',
      job_id: 'b',
      progress: { steps_total: 6, steps_done: 5, current_step: 'resample' }
    });
    expect(model.jobs[1].progress).toEqual({
      steps_total: 6,
      steps_done: 5,
      current_step: 'resample',
      skipped_steps: []
    });

    events.emit({
      type: 'job.updated',
      job_id: 'b',
      job: makeJob({ id: 'b', status: 'failed', error: 'boom\ntrace' })
    });
    expect(model.jobs[1].status).toBe('failed');

    events.emit({ type: 'job.deleted', job_id: 'a' });
    expect(model.jobs.map(job => job.id)).toEqual(['c', 'b']);

    events.emit({ type: 'job.log', job_id: 'c', line: 'hello' });
    events.emit({ type: 'job.progress', job_id: 'nope', progress: {} });
    expect(changes).toBe(4);
    expect(client.listJobsCalls).toHaveLength(1);
    model.dispose();
  });

  it('drops a job that leaves the filter and adds one that enters it', async () => {
    const events = new FakeEvents('idle');
    const client = clientWith(
      makeJobList([makeJob({ id: 'r1' }), makeJob({ id: 'r2' })])
    );
    const model = new JobsModel({ client, events, filter: 'running' });
    model.start();
    await waitFor(() => expect(model.state).toBe('ready'));

    events.emit({
      type: 'job.updated',
      job_id: 'r1',
      job: makeJob({ id: 'r1', status: 'succeeded' })
    });
    expect(model.jobs.map(job => job.id)).toEqual(['r2']);

    events.emit({
      type: 'job.created',
      job_id: 'q',
      job: makeJob({ id: 'q', status: 'queued' })
    });
    expect(model.jobs.map(job => job.id)).toEqual(['r2']);

    events.emit({
      type: 'job.updated',
      job_id: 'q',
      job: makeJob({ id: 'q', status: 'running' })
    });
    expect(model.jobs.map(job => job.id).sort()).toEqual(['q', 'r2']);
    model.dispose();
  });

  it('reloads after events.dropped and after the websocket reconnects', async () => {
    const events = new FakeEvents('idle');
    events.set('open');
    const client = clientWith(
      makeJobList([]),
      makeJobList([makeJob({ id: 'x' })]),
      makeJobList([makeJob({ id: 'x' }), makeJob({ id: 'y' })])
    );
    const model = new JobsModel({ client, events });
    model.start();
    await waitFor(() => expect(model.state).toBe('ready'));

    events.emit({ type: 'events.dropped', count: 3 });
    await waitFor(() => expect(model.jobs.map(job => job.id)).toEqual(['x']));

    events.set('reconnecting');
    expect(client.listJobsCalls).toHaveLength(2);
    events.set('open');
    await waitFor(() =>
      expect(model.jobs.map(job => job.id)).toEqual(['x', 'y'])
    );
    expect(client.listJobsCalls).toHaveLength(3);
    model.dispose();
  });

  it('applies events that arrive during a reload on top of its answer', async () => {
    const events = new FakeEvents('idle');
    const answer = deferred<IJobList>();
    const client = jobsClient();
    client.jobsAnswer = () => answer.promise;
    const model = new JobsModel({ client, events });
    model.start();

    events.emit({
      type: 'job.updated',
      job_id: 'a',
      job: makeJob({ id: 'a', status: 'succeeded' })
    });
    answer.resolve(makeJobList([makeJob({ id: 'a', status: 'running' })]));
    await waitFor(() => expect(model.state).toBe('ready'));
    expect(model.jobs.map(job => job.status)).toEqual(['succeeded']);
    model.dispose();
  });

  it('keeps the error message and retries', async () => {
    let fail = true;
    const client = jobsClient();
    client.jobsAnswer = async () => {
      if (fail) {
        throw new JwstLabApiError('jobs are down', {
          status: 503,
          reason: null
        });
      }
      return makeJobList([makeJob()]);
    };
    const model = new JobsModel({ client, events: new FakeEvents('idle') });
    model.start();
    await waitFor(() => expect(model.state).toBe('error'));
    expect(model.error).toBe('jobs are down');

    fail = false;
    await model.refresh();
    expect(model.state).toBe('ready');
    expect(model.error).toBeNull();
    expect(model.jobs).toHaveLength(1);
    model.dispose();
  });

  it('tolerates records with missing or extra fields', async () => {
    const client = jobsClient();
    client.jobsAnswer = async () =>
      ({
        jobs: [{ id: 'z', status: 'queued', surprise: 1 }, { nope: true }],
        total: 1,
        page: 1,
        page_size: 100
      }) as unknown as IJobList;
    const model = new JobsModel({ client, events: new FakeEvents('idle') });
    model.start();
    await waitFor(() => expect(model.state).toBe('ready'));
    expect(model.jobs).toHaveLength(1);
    expect(model.jobs[0]).toMatchObject({
      id: 'z',
      status: 'queued',
      pipeline: null,
      surprise: 1,
      progress: {
        steps_total: 0,
        steps_done: 0,
        current_step: null,
        skipped_steps: []
      }
    });
    model.dispose();
  });
});

describe('job formatting helpers', () => {
  it('formats elapsed time', () => {
    const started = '2026-11-25T10:00:00Z';
    const at = (seconds: number) => Date.parse(started) + seconds * 1000;
    expect(formatElapsed({ started: null, finished: null }, at(5))).toBeNull();
    expect(formatElapsed({ started, finished: null }, at(42))).toBe('42s');
    expect(formatElapsed({ started, finished: null }, at(185))).toBe('3m 05s');
    expect(
      formatElapsed({ started, finished: '2026-11-25T11:02:00Z' }, at(99999))
    ).toBe('1h 02m');
  });

  it('takes the base name and the first error line', () => {
    expect(baseName('a/b/c_asn.json')).toBe('c_asn.json');
    expect(baseName('c_asn.json')).toBe('c_asn.json');
    expect(firstLine('\n  Step failed: x  \nTraceback')).toBe('Step failed: x');
  });
});

function row(panel: Widget, id: string): HTMLElement {
  return query(panel, `li.jp-JwstLab-jobItem[data-job-id="${id}"]`);
}

describe('JobsPanel with the jobs feature', () => {
  it('lists jobs with pipeline, input, status, progress and error', async () => {
    const client = clientWith(
      makeJobList([
        makeJob({ id: 'run' }),
        makeJob({
          id: 'bad',
          status: 'failed',
          finished: '2026-11-25T10:01:01Z',
          error: 'CRDS lookup failed\nTraceback (most recent call last)'
        })
      ])
    );
    const panel = jobsPanel(client);

    await waitFor(() => query(panel, 'ul.jp-JwstLab-jobList'));
    expect(panel.node.querySelector('.jp-JwstLab-capabilityNote')).toBeNull();
    expect(panel.node.querySelector('.jp-JwstLab-emptyState')).toBeNull();

    const running = row(panel, 'run');
    expect(running.dataset.status).toBe('running');
    // Program, stage and short id: the same title as the job's tab.
    expect(query(panel, '.jp-JwstLab-jobPipeline').textContent).toBe(
      'jw02733 image3 · run'
    );
    expect(running.title).toContain('calwebb_image3 on ');
    expect(running.querySelector('.jp-JwstLab-jobInput')!.textContent).toBe(
      'jw02733-o001_image3_asn.json'
    );
    expect(running.querySelector('.jp-JwstLab-jobStatus')!.textContent).toBe(
      'Running'
    );
    expect(running.querySelector('.jp-JwstLab-jobElapsed')).not.toBeNull();
    const bar = running.querySelector('[role="progressbar"]')!;
    expect(bar.getAttribute('aria-valuenow')).toBe('2');
    expect(bar.getAttribute('aria-valuemax')).toBe('6');
    expect(running.querySelector('.jp-JwstLab-jobStep')!.textContent).toBe(
      'tweakreg (2/6)'
    );

    const failed = row(panel, 'bad');
    expect(failed.dataset.status).toBe('failed');
    expect(failed.querySelector('.jp-JwstLab-jobError')!.textContent).toBe(
      'CRDS lookup failed'
    );
    expect(failed.querySelector('.jp-JwstLab-jobElapsed')!.textContent).toBe(
      '1m 00s'
    );
    expect(failed.querySelector('[role="progressbar"]')).toBeNull();
  });

  it('updates a row from events', async () => {
    const events = new FakeEvents('idle');
    const client = clientWith(makeJobList([makeJob({ id: 'run' })]));
    const panel = attach(new JobsPanel({ client, events }));
    await waitFor(() => row(panel, 'run'));

    events.emit({
      type: 'job.progress',
      job_id: 'run',
      progress: { steps_total: 6, steps_done: 4, current_step: 'outlier' }
    });
    await waitFor(() =>
      expect(
        row(panel, 'run')
          .querySelector('[role="progressbar"]')!
          .getAttribute('aria-valuenow')
      ).toBe('4')
    );

    events.emit({
      type: 'job.updated',
      job_id: 'run',
      job: makeJob({
        id: 'run',
        status: 'succeeded',
        finished: '2026-11-25T10:05:00Z'
      })
    });
    await waitFor(() =>
      expect(row(panel, 'run').dataset.status).toBe('succeeded')
    );

    events.emit({ type: 'job.deleted', job_id: 'run' });
    await waitFor(() =>
      expect(query(panel, '.jp-JwstLab-emptyState').textContent).toBe(
        'No jobs yet. Right-click a folder of exposures in the file browser and choose Reduce to Level 3…, or an association (*_asn.json) to run one pipeline.'
      )
    );
  });

  it('asks the server for the filtered status and shows its empty state', async () => {
    const client = jobsClient();
    client.jobsAnswer = async options =>
      options.status === 'failed'
        ? makeJobList([])
        : makeJobList([makeJob({ id: 'run' })]);
    const panel = jobsPanel(client);
    await waitFor(() => row(panel, 'run'));

    fill(panel, 'select.jp-JwstLab-jobsStatusFilter', 'failed');
    await waitFor(() =>
      expect(query(panel, '.jp-JwstLab-emptyState').textContent).toBe(
        'No failed jobs.'
      )
    );
    expect(panel.node.querySelector('ul.jp-JwstLab-jobList')).toBeNull();
    expect(client.listJobsCalls.map(options => options.status)).toEqual([
      undefined,
      'failed'
    ]);
  });

  it('shows loading, then the error with a Retry that works', async () => {
    const answer = deferred<IJobList>();
    const client = jobsClient();
    client.jobsAnswer = () => answer.promise;
    const panel = jobsPanel(client);

    await waitFor(() =>
      expect(query(panel, '.jp-JwstLab-jobsLoading').textContent).toBe(
        'Loading jobs…'
      )
    );
    answer.reject(
      new JwstLabApiError('Cannot reach the Jupyter server: down', {
        status: 0,
        reason: 'network_error'
      })
    );
    await waitFor(() =>
      expect(query(panel, '.jp-JwstLab-jobsError').textContent).toContain(
        'Cannot load the jobs: Cannot reach the Jupyter server: down'
      )
    );

    client.jobsAnswer = async () => makeJobList([makeJob({ id: 'ok' })]);
    click(panel, 'button.jp-JwstLab-retry');
    await waitFor(() => row(panel, 'ok'));
    expect(panel.node.querySelector('.jp-JwstLab-jobsError')).toBeNull();
  });

  it('does not ask for jobs when the server lacks them', async () => {
    const client = makeClient();
    const panel = jobsPanel(client);
    await waitFor(() => query(panel, '.jp-JwstLab-capabilityNote'));
    expect(query(panel, '.jp-JwstLab-emptyState').textContent).toContain(
      'No jobs yet.'
    );
    expect(client.listJobsCalls).toEqual([]);
  });
});

describe('JobsPanel and the job database', () => {
  const STORE_PATH =
    '/home/u/.local/share/jupyter/jwst_lab/roots/ab12/jobs.sqlite';

  /** A jobs client whose job database at STORE_PATH is in the state of `store`. */
  function storeClient(store: Partial<IJobStoreInfo>): FakeClient {
    return jobsClient({
      job_store: {
        path: STORE_PATH,
        state: 'ok',
        message: null,
        moved_to: null,
        restored: 0,
        skipped: 0,
        ...store
      }
    });
  }

  it('says nothing about a job database that is ok', async () => {
    const client = storeClient({ state: 'ok' });
    client.jobsAnswer = async () => makeJobList([makeJob({ id: 'run' })]);
    const panel = jobsPanel(client);
    await waitFor(() => row(panel, 'run'));
    expect(panel.node.querySelector('.jp-JwstLab-jobStoreBanner')).toBeNull();
  });

  it('shows a repaired database with its message, lists the jobs and can be dismissed', async () => {
    const moved = `${STORE_PATH}.damaged-20260101T000000Z`;
    const message = `The job database ${STORE_PATH} was damaged (file is not a database). It was moved to ${moved}; 3 jobs were restored.`;
    const client = storeClient({
      state: 'repaired',
      message,
      moved_to: moved,
      restored: 3
    });
    client.jobsAnswer = async () => makeJobList([makeJob({ id: 'back' })]);
    const panel = jobsPanel(client);

    await waitFor(() => row(panel, 'back'));
    const banner = query(panel, '.jp-JwstLab-jobStoreBanner');
    expect(banner.dataset.state).toBe('repaired');
    expect(banner.getAttribute('role')).toBe('status');
    expect(
      banner.querySelector('.jp-JwstLab-jobStoreBannerTitle')!.textContent
    ).toBe('The job database was repaired');
    expect(
      banner.querySelector('.jp-JwstLab-jobStoreBannerMessage')!.textContent
    ).toBe(message);
    expect(
      Array.from(banner.querySelectorAll('code')).map(code => code.textContent)
    ).toEqual([STORE_PATH, moved]);

    click(banner, 'button.jp-JwstLab-jobStoreBannerDismiss');
    await waitFor(() =>
      expect(panel.node.querySelector('.jp-JwstLab-jobStoreBanner')).toBeNull()
    );
    expect(row(panel, 'back')).toBeTruthy();
  });

  it('shows an unusable database as an alert and asks for no jobs', async () => {
    const message = `The job database path ${STORE_PATH} is a folder, not a database file. Move the folder away, or set c.JwstLabApp.db_url.`;
    const client = storeClient({
      state: 'unusable',
      message
    });
    const panel = jobsPanel(client);

    await waitFor(() => query(panel, '.jp-JwstLab-jobStoreBanner'));
    const banner = query(panel, '.jp-JwstLab-jobStoreBanner');
    expect(banner.dataset.state).toBe('unusable');
    expect(banner.getAttribute('role')).toBe('alert');
    expect(banner.textContent).toContain(
      'Jobs are unavailable: the job database cannot be used'
    );
    expect(
      banner.querySelector('.jp-JwstLab-jobStoreBannerMessage')!.textContent
    ).toBe(message);
    expect(
      banner.querySelector('button.jp-JwstLab-jobStoreBannerDismiss')
    ).toBeNull();
    expect(panel.node.querySelector('ul.jp-JwstLab-jobList')).toBeNull();
    expect(panel.node.querySelector('.jp-JwstLab-emptyState')).toBeNull();
    expect(panel.node.querySelector('.jp-JwstLab-jobsLoading')).toBeNull();
    expect(client.listJobsCalls).toEqual([]);
  });
});

describe('the MAST download folder (issue 14, defect 8)', () => {
  it('keeps the folder the user chose over later suggestions, after a reload too', () => {
    const first = new MastDownloadModel({ client: pipelineClient() });
    // Nothing chosen yet: the file browser's folder is suggested, and said so.
    first.setDefaultDest('notebooks');
    expect(first.dest).toBe('notebooks');
    expect(first.destOrigin).toBe('suggested');
    first.setDest('data/mast');
    expect(first.destOrigin).toBe('yours');
    first.setDefaultDest('notebooks/elsewhere');
    expect(first.dest).toBe('data/mast');
    expect(localStorage.getItem(DEST_STORAGE_KEY)).toBe('data/mast');
    first.dispose();

    // The page reloaded: the choice is back, and the file browser's folder
    // does not replace it.
    const second = new MastDownloadModel({ client: pipelineClient() });
    expect(second.dest).toBe('data/mast');
    expect(second.destOrigin).toBe('yours');
    second.setDefaultDest('notebooks');
    expect(second.dest).toBe('data/mast');
    // Emptied on purpose: the server's download folder, kept as the choice.
    second.setDest('');
    expect(second.destOrigin).toBe('server');
    second.setDefaultDest('notebooks');
    expect(second.dest).toBe('');
    second.dispose();
  });
});
