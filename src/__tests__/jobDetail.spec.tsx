import { Signal } from '@lumino/signaling';
import * as React from 'react';

import type { IJobRecord } from '../api/models';
import { progressOf } from '../components/JobProgress';
import { watchJobEnds } from '../plugins/jobs';
import { JobDetailModel } from '../models/jobDetailModel';
import { jobTitle } from '../models/jobRecord';
import {
  IJobDetailActions,
  JobDetailView,
  JobDetailWidget,
  previewableOutputs
} from '../widgets/jobs/detail';
import { JobsPanel } from '../widgets/jobs/panel';
import {
  attach,
  cleanUp,
  failing,
  FakeClient,
  FakeEvents,
  fill,
  makeJob,
  own,
  query as $,
  render,
  trans,
  waitFor
} from './fixtures';
import { withNotificationSpies } from './notificationFixtures';
import { flush, pipelineClient } from './jobsFixtures';

const OUTPUTS = [
  'cal/image3_job-1/jw09999-o001_t001_miri_f770w_cat.ecsv',
  'cal/image3_job-1/jw09999-o001_t001_miri_f770w_i2d.fits',
  'cal/image3_job-1/jw09999001001_02101_00001_mirimage_o001_crf.fits'
];

const SUCCEEDED = makeJob({
  status: 'succeeded',
  finished: '2026-11-25T10:00:31Z',
  progress: {
    steps_total: 6,
    steps_done: 6,
    current_step: null,
    skipped_steps: []
  },
  outputs: OUTPUTS,
  steps: { resample: { pixfrac: 0.9 } },
  params: { class: 'jwst.pipeline.Image3Pipeline', steps: {} },
  crds_context_requested: null,
  crds_context_used: 'jwst_9000.pmap',
  versions: { jwst: '3.0.0', stpipe: '1.1.0', crds: '14.0.3' },
  argv: ['calwebb_image3', 'cal/x_asn.json', '--steps.resample.pixfrac=0.9'],
  commands: {
    strun: 'strun calwebb_image3 cal/x_asn.json --steps.resample.pixfrac=0.9',
    python: 'from jwst.pipeline import Image3Pipeline\nImage3Pipeline.call(...)'
  },
  exit_code: 0
});

class FakeActions implements IJobDetailActions {
  calls: unknown[][] = [];
  confirmAnswer = true;
  openFile(path: string): void {
    this.calls.push(['openFile', path]);
  }
  showInFileBrowser(path: string): void {
    this.calls.push(['showInFileBrowser', path]);
  }
  copy(text: string): void {
    this.calls.push(['copy', text]);
  }
  async confirm(title: string): Promise<boolean> {
    this.calls.push(['confirm', title]);
    return this.confirmAnswer;
  }
  openJob(id: string): void {
    this.calls.push(['openJob', id]);
  }
}

function detailClient(job: IJobRecord): FakeClient {
  const client = pipelineClient();
  client.jobsApi.getJob = async () => job;
  client.jobsApi.getJobLog = async () => ({
    text: '2026-11-26 00:32:37,732 - stpipe.step - INFO - Step tweakreg running with args\n',
    next_offset: 80,
    done: job.status !== 'running'
  });
  return client;
}

function renderDetail(
  client: FakeClient,
  events = new FakeEvents(),
  actions = new FakeActions()
): { host: HTMLElement; actions: FakeActions; deleted: number[] } {
  const deleted: number[] = [];
  // The job's tab owns the model; `cleanUp()` disposes it as closing the tab would.
  const model = own(
    new JobDetailModel({ client, events, jobId: 'job-1', logPollInterval: 0 })
  );
  model.removed.connect(() => deleted.push(1));
  const host = render(
    <JobDetailView model={model} trans={trans} actions={actions} />
  );
  return { host, actions, deleted };
}

function button(host: HTMLElement, label: string): HTMLButtonElement {
  const found = Array.from(host.querySelectorAll('button')).find(
    node => node.textContent === label
  );
  if (!found) {
    throw new Error(`no button ${label}`);
  }
  return found;
}

/** Click the button labelled `label` once it is there. */
async function press(host: HTMLElement, label: string): Promise<void> {
  await waitFor(() => button(host, label));
  button(host, label).click();
}

const buttons = (host: HTMLElement) =>
  Array.from(host.querySelectorAll('.jp-JwstLab-jobActions button')).map(
    node => node.textContent
  );

describe('JobDetailView', () => {
  it('draws where the time went: a bar per step, placed on one axis (issue 14, feature 4)', async () => {
    const job = makeJob({
      progress: {
        steps_total: 6,
        steps_done: 2,
        current_step: 'outlier_detection',
        skipped_steps: ['skymatch'],
        step_times: [
          { name: 'tweakreg', start: 1, seconds: 3, skipped: false },
          { name: 'skymatch', start: 4, seconds: 0.5, skipped: true },
          { name: 'outlier_detection', start: 5, seconds: null, skipped: false }
        ]
      }
    });
    const { host } = renderDetail(detailClient(job));
    await waitFor(() => $(host, '.jp-JwstLab-stepTimes'));
    const rows = Array.from(
      host.querySelectorAll<HTMLElement>('.jp-JwstLab-stepTime')
    );
    expect(rows.map(row => row.dataset.step)).toEqual([
      'tweakreg',
      'skymatch',
      'outlier_detection'
    ]);
    expect(rows.map(row => row.dataset.state)).toEqual([
      'done',
      'skipped',
      'running'
    ]);
    expect(
      rows.map(row => $(row, '.jp-JwstLab-stepTimeText').textContent)
    ).toEqual(['3.0 s', 'skipped', 'running']);
    // The axis spans 0 to the latest end known (5 s): tweakreg is 1 → 4 s.
    const bar = $(rows[0], '.jp-JwstLab-stepTimeBar');
    expect(bar.style.left).toBe('20.00%');
    expect(bar.style.width).toBe('60.00%');
  });

  it('names its tab by program, stage and short id, as the Jobs list does (issue 14, defect 11)', async () => {
    const job = makeJob({ id: '3f2a9c01bd77' });
    const client = detailClient(job);
    const widget = own(
      new JobDetailWidget({
        client,
        events: new FakeEvents(),
        jobId: job.id,
        actions: new FakeActions()
      })
    );
    expect(widget.title.label).toBe('Job 3f2a');
    await waitFor(() =>
      expect(widget.title.label).toBe('jw02733 image3 · 3f2a')
    );
    expect(widget.title.caption).toContain('calwebb_image3');
    expect(widget.title.caption).toContain('3f2a9c01bd77');
    expect(
      jobTitle(
        { ...job, kind: 'crds_fetch', pipeline: null, input: '' },
        { download: 'download', crdsFetch: 'CRDS fetch', job: 'job' }
      )
    ).toBe('CRDS fetch · 3f2a');
  });

  it('shows a running job with its progress and log, and cancels it', async () => {
    const running = makeJob();
    const client = detailClient(running);
    client.jobsApi.cancelJob = async () => ({ ...running, status: 'running' });
    const events = new FakeEvents();
    const { host } = renderDetail(client, events);
    await waitFor(() =>
      expect($(host, '.jp-JwstLab-jobDetail').dataset.status).toBe('running')
    );
    expect(buttons(host)).toEqual([
      'Cancel',
      'Copy as strun',
      'Copy as Python'
    ]);
    expect($(host, '[role="progressbar"]').getAttribute('aria-valuenow')).toBe(
      '2'
    );
    await waitFor(() =>
      expect($(host, '.jp-JwstLab-logLine').textContent).toContain(
        'Step tweakreg running'
      )
    );

    // Live progress and state from the events stream.
    events.emit({
      type: 'job.progress',
      job_id: 'job-1',
      progress: { steps_done: 4, current_step: 'resample' }
    });
    await waitFor(() =>
      expect($(host, '.jp-JwstLab-jobStep').textContent).toBe('resample (4/6)')
    );

    button(host, 'Cancel').click();
    await waitFor(() =>
      expect(client.jobsCalls).toContainEqual(['cancelJob', 'job-1'])
    );
    await waitFor(() =>
      expect($(host, '.jp-JwstLab-jobNotice').textContent).toBe('Cancelling…')
    );
    events.emit({
      type: 'job.updated',
      job_id: 'job-1',
      job: { ...running, status: 'cancelled', finished: '2026-11-25T10:00:20Z' }
    });
    await waitFor(() =>
      expect($(host, '.jp-JwstLab-jobDetail').dataset.status).toBe('cancelled')
    );
    // The badge says Cancelled: the notice does not say it is still under way.
    expect(host.querySelector('.jp-JwstLab-jobNotice')).toBeNull();
    expect(buttons(host)).toEqual([
      'Rerun',
      'Delete',
      'Copy as strun',
      'Copy as Python'
    ]);
  });

  it('reloads the job when the events stream reconnects (e.g. after a server restart)', async () => {
    let answer: IJobRecord = makeJob();
    const client = detailClient(answer);
    client.jobsApi.getJob = async () => answer;
    const events = new FakeEvents();
    const { host } = renderDetail(client, events);
    await waitFor(() =>
      expect($(host, '.jp-JwstLab-jobDetail').dataset.status).toBe('running')
    );
    answer = makeJob({
      status: 'interrupted',
      finished: '2026-11-25T10:01:00Z'
    });
    events.connectionState = 'reconnecting';
    (events.connectionStateChanged as Signal<unknown, string>).emit(
      'reconnecting'
    );
    events.connectionState = 'open';
    (events.connectionStateChanged as Signal<unknown, string>).emit('open');
    await waitFor(() =>
      expect($(host, '.jp-JwstLab-jobDetail').dataset.status).toBe(
        'interrupted'
      )
    );
  });

  it('shows a server error of an action, e.g. 409 on cancelling a finished job', async () => {
    const client = detailClient(makeJob());
    client.jobsApi.cancelJob = failing(
      'job job-1 is already succeeded; it cannot be cancelled',
      {
        status: 409,
        reason: 'conflict'
      }
    );
    const { host } = renderDetail(client);
    await press(host, 'Cancel');
    await waitFor(() =>
      expect(
        $(host, '.jp-JwstLab-jobActions + [role="alert"]').textContent
      ).toContain('cannot be cancelled')
    );
  });

  it('reruns, deletes after confirmation, and copies the commands', async () => {
    const client = detailClient(SUCCEEDED);
    client.jobsApi.rerunJob = async () =>
      makeJob({ id: 'job-2', status: 'queued', rerun_of: 'job-1' });
    client.jobsApi.deleteJob = async () => undefined;
    const { host, actions, deleted } = renderDetail(client);
    await waitFor(() => button(host, 'Rerun'));

    button(host, 'Rerun').click();
    await waitFor(() =>
      expect(actions.calls).toContainEqual(['openJob', 'job-2'])
    );
    expect(client.jobsCalls).toContainEqual(['rerunJob', 'job-1']);

    button(host, 'Copy as strun').click();
    button(host, 'Copy as Python').click();
    expect(actions.calls).toContainEqual(['copy', SUCCEEDED.commands!.strun]);
    expect(actions.calls).toContainEqual(['copy', SUCCEEDED.commands!.python]);

    // Declining the confirmation deletes nothing.
    actions.confirmAnswer = false;
    button(host, 'Delete').click();
    await waitFor(() =>
      expect(actions.calls.filter(call => call[0] === 'confirm')).toHaveLength(
        1
      )
    );
    await flush(10);
    expect(client.jobsCalls.filter(call => call[0] === 'deleteJob')).toEqual(
      []
    );

    actions.confirmAnswer = true;
    button(host, 'Delete').click();
    await waitFor(() => expect(deleted).toEqual([1]));
    expect(client.jobsCalls).toContainEqual(['deleteJob', 'job-1']);
    await waitFor(() =>
      expect(host.textContent).toContain('Job job-1 was deleted.')
    );
  });

  it('lists outputs that open, show in the file browser, and the i2d quick look', async () => {
    const client = detailClient(SUCCEEDED);
    const previews: unknown[][] = [];
    client.jobsApi.getPreview = async (path, options) => {
      previews.push([path, options]);
      return new Blob(['png'], { type: 'image/png' });
    };
    const created: Blob[] = [];
    const revoked: string[] = [];
    const url = URL as unknown as {
      createObjectURL: (blob: Blob) => string;
      revokeObjectURL: (url: string) => void;
    };
    const saved = { create: url.createObjectURL, revoke: url.revokeObjectURL };
    url.createObjectURL = blob => {
      created.push(blob);
      return `blob:preview-${created.length}`;
    };
    url.revokeObjectURL = value => revoked.push(value);
    try {
      const { host, actions } = renderDetail(client);
      await waitFor(() =>
        expect(host.querySelectorAll('.jp-JwstLab-output')).toHaveLength(3)
      );
      const i2d = $(host, `.jp-JwstLab-output[data-path="${OUTPUTS[1]}"]`);
      const catalog = $(host, `.jp-JwstLab-output[data-path="${OUTPUTS[0]}"]`);
      button(catalog, 'Open').click();
      button(i2d, 'Show in file browser').click();
      expect(actions.calls).toEqual([
        ['openFile', OUTPUTS[0]],
        ['showInFileBrowser', OUTPUTS[1]]
      ]);
      // JupyterLab cannot open FITS files: they get the quick look instead.
      expect(() => button(i2d, 'Open')).toThrow();
      // The catalog has no quick look; the mosaic and crf files have.
      expect(
        $(host, `.jp-JwstLab-output[data-path="${OUTPUTS[0]}"]`).querySelector(
          '.jp-JwstLab-quickLookButton'
        )
      ).toBeNull();

      button(i2d, 'Quick look').click();
      await waitFor(() =>
        expect(
          $<HTMLImageElement>(host, '.jp-JwstLab-quickLookImage').src
        ).toBe('blob:preview-1')
      );
      expect(previews).toEqual([[OUTPUTS[1], { stretch: 'asinh' }]]);
      fill(host, '.jp-JwstLab-quickLook select', 'zscale');
      await waitFor(() =>
        expect(
          $<HTMLImageElement>(host, '.jp-JwstLab-quickLookImage').src
        ).toBe('blob:preview-2')
      );
      expect(previews[1]).toEqual([OUTPUTS[1], { stretch: 'zscale' }]);
      expect(revoked).toEqual(['blob:preview-1']);
      // Closing the view frees the image.
      cleanUp();
      expect(revoked).toEqual(['blob:preview-1', 'blob:preview-2']);
    } finally {
      url.createObjectURL = saved.create;
      url.revokeObjectURL = saved.revoke;
    }
  });

  it('says why a quick look failed', async () => {
    const client = detailClient(SUCCEEDED);
    client.jobsApi.getPreview = failing('x_i2d.fits has no 2-D image', {
      status: 400,
      reason: 'bad_request'
    });
    const { host } = renderDetail(client);
    await press(host, 'Quick look');
    await waitFor(() =>
      expect($(host, '.jp-JwstLab-quickLook [role="alert"]').textContent).toBe(
        'No quick look: x_i2d.fits has no 2-D image'
      )
    );
  });

  it('shows provenance: versions, CRDS context requested and used, params, argv', async () => {
    const client = detailClient(SUCCEEDED);
    const { host } = renderDetail(client);
    await waitFor(() => $(host, '.jp-JwstLab-provenance'));
    const rows: Record<string, string> = {};
    host.querySelectorAll('.jp-JwstLab-provenanceTable tr').forEach(row => {
      rows[row.querySelector('th')!.textContent!] =
        row.querySelector('td')!.textContent!;
    });
    expect(rows['CRDS context requested']).toBe('server default');
    expect(rows['CRDS context used']).toBe('jwst_9000.pmap');
    expect(rows['jwst version']).toBe('3.0.0');
    expect(rows['Exit code']).toBe('0');
    const text = $(host, '.jp-JwstLab-provenance').textContent!;
    expect(text).toContain('"pixfrac": 0.9');
    expect(text).toContain('Image3Pipeline');
    expect(text).toContain('--steps.resample.pixfrac=0.9');
  });

  it('says when the job cannot be loaded', async () => {
    const client = pipelineClient();
    client.jobsApi.getJob = failing("no job 'job-1'", {
      status: 404,
      reason: 'not_found'
    });
    client.jobsApi.getJobLog = async () => ({
      text: '',
      next_offset: 0,
      done: true
    });
    const { host } = renderDetail(client);
    await waitFor(() =>
      expect($(host, '[role="alert"]').textContent).toBe(
        "Cannot load job job-1: no job 'job-1'"
      )
    );
  });
});

describe('job progress', () => {
  it('shows bytes and files for download jobs', () => {
    const download = makeJob({
      kind: 'download',
      pipeline: null,
      progress: {
        steps_total: 0,
        steps_done: 0,
        current_step: null,
        skipped_steps: [],
        bytes_done: 2_500_000,
        bytes_total: 10_000_000,
        files_done: 1,
        files_total: 4
      }
    });
    expect(progressOf(download, trans)).toEqual({
      fraction: 0.25,
      now: 25,
      max: 100,
      text: '2.5 MB of 10.0 MB · 1 of 4 files',
      label: 'Bytes downloaded'
    });
    expect(progressOf(makeJob(), trans).text).toBe('tweakreg (2/6)');
  });

  it("lists a failed job's files as partial outputs, with what was left out", async () => {
    const failed = makeJob({
      ...SUCCEEDED,
      status: 'failed',
      exit_code: 1,
      error: 'disk full: no space left in cal/image3_job-1 (0 B free)',
      outputs: [],
      partial_outputs: [OUTPUTS[1]],
      warnings: [
        'cal/image3_job-1/escape is a symbolic link (to a place outside the server root); links are not listed as outputs'
      ]
    });
    const { host } = renderDetail(detailClient(failed));
    await waitFor(() =>
      expect(
        host.querySelector('.jp-JwstLab-outputList.jp-mod-partial')
      ).not.toBeNull()
    );
    const section = $(host, '.jp-JwstLab-jobOutputs');
    expect(section.getAttribute('aria-label')).toBe('Partial outputs');
    expect(section.textContent).toContain('these files may be incomplete');
    expect(section.querySelectorAll('.jp-JwstLab-output')).toHaveLength(1);
    expect($(host, '.jp-JwstLab-outputWarnings').textContent).toContain(
      'escape is a symbolic link'
    );
    // A succeeded job has no partial note.
    cleanUp();
    const ok = renderDetail(detailClient(SUCCEEDED));
    await waitFor(() =>
      expect(ok.host.querySelectorAll('.jp-JwstLab-output')).toHaveLength(3)
    );
    expect(ok.host.querySelector('.jp-JwstLab-outputsPartialNote')).toBeNull();
  });

  it('knows which outputs have a quick look, mosaics first', () => {
    expect(previewableOutputs([...OUTPUTS].reverse())).toEqual([
      OUTPUTS[1],
      OUTPUTS[2]
    ]);
  });
});

describe('job end notifications', () => {
  it('notifies once per job that ends, with an action that opens it', () => {
    const events = new FakeEvents();
    const opened: string[] = [];
    withNotificationSpies(({ success, error }) => {
      watchJobEnds(events, trans, id => opened.push(id));
      events.emit({ type: 'job.updated', job_id: 'job-1', job: makeJob() });
      events.emit({ type: 'job.updated', job_id: 'job-1', job: SUCCEEDED });
      events.emit({ type: 'job.updated', job_id: 'job-1', job: SUCCEEDED });
      events.emit({
        type: 'job.updated',
        job_id: 'bad',
        job: makeJob({ id: 'bad', status: 'failed', error: 'CRDS error' })
      });
      expect(success).toHaveBeenCalledTimes(1);
      expect(success.mock.calls[0][0]).toBe(
        'Job succeeded: calwebb_image3 · jw02733-o001_image3_asn.json'
      );
      expect(error).toHaveBeenCalledTimes(1);
      const options = success.mock.calls[0][1]!;
      options.actions![0].callback(new MouseEvent('click'));
      expect(opened).toEqual(['job-1']);
    });
  });
});

describe('JobsPanel download jobs', () => {
  it('shows a running download with its folder, bytes and files', async () => {
    const client = pipelineClient();
    client.jobsAnswer = async () => ({
      jobs: [
        makeJob({
          id: 'dl',
          kind: 'download',
          pipeline: null,
          input: 'jw02733',
          output_dir: 'downloads/jw02733',
          progress: {
            steps_total: 0,
            steps_done: 0,
            current_step: null,
            skipped_steps: [],
            bytes_done: 1_500_000,
            bytes_total: 3_000_000,
            files_done: 1,
            files_total: 2
          }
        })
      ],
      total: 1,
      page: 1,
      page_size: 100
    });
    const panel = attach(new JobsPanel({ client, events: new FakeEvents() }));
    await waitFor(() => $(panel.node, '[data-job-id="dl"]'));
    const row = $(panel.node, '[data-job-id="dl"]');
    expect($(row, '.jp-JwstLab-jobPipeline').textContent).toBe(
      'jw02733 download · dl'
    );
    expect($(row, '.jp-JwstLab-jobInput').textContent).toBe('jw02733');
    expect($(row, '.jp-JwstLab-jobStep').textContent).toBe(
      '1.5 MB of 3.0 MB · 1 of 2 files'
    );
    expect($(row, '[role="progressbar"]').getAttribute('aria-valuenow')).toBe(
      '50'
    );
  });
});

describe('JobsPanel selection', () => {
  it('opens a job on click or Enter and marks it selected', async () => {
    const client = pipelineClient();
    client.jobsAnswer = async () => ({
      jobs: [makeJob({ id: 'a' }), makeJob({ id: 'b' })],
      total: 2,
      page: 1,
      page_size: 100
    });
    const opened: string[] = [];
    const panel = attach(
      new JobsPanel({
        client,
        events: new FakeEvents(),
        onOpenJob: id => opened.push(id)
      })
    );
    const row = (id: string) =>
      $(panel.node, `.jp-JwstLab-jobItem[data-job-id="${id}"]`);
    await waitFor(() => row('b'));
    row('b').click();
    expect(opened).toEqual(['b']);
    await waitFor(() => expect(row('b').dataset.selected).toBe('true'));
    expect(row('a').dataset.selected).toBe('false');
    row('a').dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })
    );
    expect(opened).toEqual(['b', 'a']);
    expect(panel.selectedJob).toBe('a');
  });
});
