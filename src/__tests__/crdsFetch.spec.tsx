import * as React from 'react';

import type { ICrdsStatus, IJobRecord } from '../api/models';
import { CrdsBestrefsModel } from '../crds/bestrefsModel';
import type { Feature } from '../tokens';
import { CrdsBestrefsView } from '../widgets/crds/bestrefs';
import { JobsPanel } from '../widgets/jobs/panel';
import {
  attach,
  FakeClient,
  FakeEvents,
  makeJob,
  makeJobList,
  own,
  render,
  trans,
  waitFor
} from './fixtures';
import {
  crdsClient,
  crdsStatus,
  makeBestref,
  makeBestrefs
} from './crdsFixtures';

const PATH = 'data/jw01075001001_03105_00009_nrca2_uncal.fits';

/** CRDS's status when a CRDS server answers and the cache is writable, with `overrides`. */
function status(overrides: Partial<ICrdsStatus> = {}): ICrdsStatus {
  return crdsStatus({
    mode: 'auto',
    server: {
      url: 'https://jwst-crds.stsci.edu',
      configured: true,
      reachable: true,
      error: null
    },
    ...overrides
  });
}

const BESTREFS = makeBestrefs(PATH, {
  bytes_to_fetch: 16090,
  types: [makeBestref({ reference: 'jwst_nircam_dark_9001.fits', size: 16090 })]
});

const FETCH_JOB = makeJob({
  id: 'fetch-1',
  kind: 'crds_fetch',
  status: 'running',
  input: PATH,
  pipeline: null,
  output_dir: '',
  crds_context_requested: 'jwst_0541.pmap',
  progress: {
    steps_total: 0,
    steps_done: 0,
    current_step: null,
    skipped_steps: [],
    files_done: 1,
    files_total: 3,
    bytes_done: 16090,
    bytes_total: 99870,
    files_failed: 0,
    current_file: 'jwst_nircam_gain_9001.fits'
  }
});

async function client(
  answer: ICrdsStatus,
  features: Feature[] = ['info', 'events', 'crds', 'crds_fetch', 'jobs']
): Promise<FakeClient> {
  const fake = crdsClient(
    {
      getCrdsStatus: async () => answer,
      getCrdsBestrefs: async () => BESTREFS,
      fetchCrdsReferences: async () => FETCH_JOB
    },
    features
  );
  await fake.getInfo();
  return fake;
}

/** The best-references view of PATH, its model disposed after the test. */
function renderView(
  fake: FakeClient,
  onJob?: (job: IJobRecord) => void,
  events: FakeEvents | null = null
) {
  const model = own(
    new CrdsBestrefsModel({ client: fake, events, path: PATH })
  );
  return render(<CrdsBestrefsView model={model} trans={trans} onJob={onJob} />);
}

function button(host: HTMLElement): HTMLButtonElement {
  const found = host.querySelector<HTMLButtonElement>(
    'button.jp-JwstLab-crdsFetchButton'
  );
  if (!found) {
    throw new Error('no Fetch references button');
  }
  return found;
}

describe('Fetch references in the best-references view', () => {
  it('creates a crds_fetch job when the server answers and the cache is writable', async () => {
    const fake = await client(status());
    const jobs: IJobRecord[] = [];
    const host = renderView(fake, job => jobs.push(job));
    await waitFor(() => expect(button(host).disabled).toBe(false));
    expect(button(host).textContent).toBe('Fetch references (1 missing)');
    expect(host.querySelector('.jp-JwstLab-crdsFetchNote')).toBeNull();
    button(host).click();
    await waitFor(() => expect(jobs).toHaveLength(1));
    expect(jobs[0].id).toBe('fetch-1');
    expect(fake.crdsCalls).toContainEqual([
      'fetchCrdsReferences',
      { path: PATH }
    ]);
    expect(
      host.querySelector('.jp-JwstLab-crdsFetchMessage')!.textContent
    ).toContain('Job fetch-1');
  });

  it('follows the fetch job to its end, then shows the references cached', async () => {
    const fake = await client(status());
    const events = new FakeEvents();
    const host = renderView(fake, undefined, events);
    await waitFor(() => expect(button(host).disabled).toBe(false));
    button(host).click();
    await waitFor(() =>
      expect(
        host
          .querySelector('.jp-JwstLab-crdsFetchJob')
          ?.getAttribute('data-status')
      ).toBe('running')
    );
    // one fetch at a time
    expect(button(host).disabled).toBe(true);
    events.emit({
      type: 'job.progress',
      job_id: 'fetch-1',
      progress: { files_done: 2, files_total: 3, bytes_done: 50000 }
    });
    await waitFor(() =>
      expect(
        host
          .querySelector('.jp-JwstLab-crdsFetchJob [role="progressbar"]')
          ?.getAttribute('aria-valuetext')
      ).toBe('50.0 kB of 99.9 kB · 2 of 3 files')
    );
    fake.crdsApi.getCrdsBestrefs = async () => ({
      ...BESTREFS,
      cached: 1,
      missing: 0,
      bytes_to_fetch: 0,
      types: [{ ...BESTREFS.types[0], cached: true }]
    });
    events.emit({
      type: 'job.updated',
      job_id: 'fetch-1',
      job: {
        ...FETCH_JOB,
        status: 'succeeded',
        updated: '2026-11-25T10:01:00Z'
      }
    });
    await waitFor(() =>
      expect(
        host.querySelector('.jp-JwstLab-crdsFetchMessage')!.textContent
      ).toBe('Job fetch-1 fetched the references into the cache.')
    );
    await waitFor(() =>
      expect(
        host.querySelector('[data-reftype="dark"]')!.textContent
      ).toContain('yes')
    );
    expect(
      fake.crdsCalls.filter(call => call[0] === 'getCrdsBestrefs')
    ).toHaveLength(2);
    expect(button(host).textContent).toBe('Fetch references');
  });

  it.each([
    [
      'a read-only cache',
      status({ cache: { ...status().cache, readonly: true } }),
      'Read-only cache'
    ],
    // what to set
    ['no CRDS server configured', crdsStatus(), 'crds_server_url'],
    [
      'a CRDS server that does not answer',
      status({
        server: {
          ...status().server,
          reachable: false,
          error: 'connection refused'
        }
      }),
      'connection refused'
    ]
  ])('is disabled with a note for %s', async (_, answer, note) => {
    const host = renderView(await client(answer));
    await waitFor(() =>
      expect(
        host.querySelector('.jp-JwstLab-crdsFetchNote')?.textContent
      ).toContain(note)
    );
    expect(button(host).disabled).toBe(true);
  });

  it('shows the server refusal when creating the job fails', async () => {
    const fake = await client(status());
    fake.crdsApi.fetchCrdsReferences = async () => {
      throw new Error('The CRDS cache /data/crds_cache is read-only');
    };
    const host = renderView(fake);
    await waitFor(() => expect(button(host).disabled).toBe(false));
    button(host).click();
    await waitFor(() =>
      expect(
        host.querySelector('[role="alert"].jp-JwstLab-crdsFetchMessage')
          ?.textContent
      ).toContain('read-only')
    );
  });

  it('does not ask the status of a server without the crds_fetch feature', async () => {
    const fake = await client(status(), ['info', 'events', 'crds']);
    const host = renderView(fake);
    await waitFor(() =>
      expect(host.querySelector('.jp-JwstLab-crdsBestrefsTable')).not.toBeNull()
    );
    expect(button(host).disabled).toBe(true);
    expect(fake.crdsCalls.map(call => call[0])).toEqual(['getCrdsBestrefs']);
  });
});

describe('Jobs panel with a crds_fetch job', () => {
  it('names the job and shows files and bytes progress', async () => {
    const fake = await client(status());
    fake.jobsAnswer = async () => makeJobList([FETCH_JOB]);
    const panel = attach(
      new JobsPanel({ client: fake, events: new FakeEvents() })
    );
    await waitFor(() =>
      expect(
        panel.node.querySelector('li.jp-JwstLab-jobItem[data-job-id="fetch-1"]')
      ).not.toBeNull()
    );
    const item = panel.node.querySelector<HTMLElement>(
      'li.jp-JwstLab-jobItem[data-job-id="fetch-1"]'
    )!;
    expect(item.textContent).toContain('CRDS fetch');
    expect(item.textContent).toContain('nrca2_uncal.fits');
    expect(item.textContent).toContain('16.1 kB of 99.9 kB · 1 of 3 files');
  });
});
