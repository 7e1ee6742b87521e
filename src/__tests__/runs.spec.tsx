import * as React from 'react';

import { JwstLabApiError } from '../api/client';
import type { IJobRecord } from '../api/models';
import { formatEta, remainingSeconds } from '../components/format';
import { JobsModel } from '../models/jobsModel';
import { RunTracker } from '../models/runTracker';
import { MastDownloadModel } from '../mast/downloadModel';
import { layoutRunGraph } from '../runs/graph';
import { groupJobsByRun } from '../runs/grouping';
import { PlanModel } from '../runs/planModel';
import { canReduceTo, levelsOf, runInputs } from '../runs/reduceTargets';
import {
  normalizeRun,
  programOf,
  runIdOfJob,
  runTitle
} from '../runs/runRecord';
import { watchJobEnds } from '../plugins/jobs';
import { watchRunEnds } from '../plugins/runs';
import { JobsPanel } from '../widgets/jobs/panel';
import { PlanForm } from '../widgets/runs/planDialog';
import { memoryChartPoints } from '../widgets/runs/runParts';
import { RunView } from '../widgets/runs/runTab';
import {
  attach,
  click,
  FakeEvents,
  makeClient,
  makeJob,
  makeJobList,
  own,
  query,
  queryAll,
  render,
  waitFor
} from './fixtures';
import { withNotificationSpies } from './notificationFixtures';
import { image3Spec } from './jobsFixtures';
import { demoJobs, demoStages, makePlan, makeRun } from './runsFixtures';
import { loadTrans } from '../translation';

const trans = loadTrans();

/** A job of run `runId` (null: of no run). */
function child(
  id: string,
  runId: string | null,
  overrides: Partial<IJobRecord> = {}
): IJobRecord {
  return makeJob({ id, ...overrides, run_id: runId });
}

/** A client whose server provides jobs and runs. */
function runsClient() {
  return makeClient({
    features: ['info', 'events', 'jobs', 'pipelines']
  });
}

describe('run records', () => {
  it('makes a run safe to read and names it by program, level and short id', () => {
    const run = normalizeRun({
      id: 'abcdef0123456789',
      status: 'bogus',
      target_level: 2,
      inputs: ['data/jw01234001001_02101_00001_nrca1_uncal.fits'],
      jobs: [{ id: 'j', depends_on: ['x', 3] }, { no: 'id' }],
      progress: { jobs_done: 1 }
    });
    expect(run).not.toBeNull();
    expect(run!.status).toBe('queued');
    expect(run!.jobs).toHaveLength(1);
    expect(run!.jobs[0].depends_on).toEqual(['x']);
    expect(run!.jobs[0].status).toBe('planned');
    expect(run!.progress).toEqual({
      jobs_done: 1,
      jobs_total: 1,
      eta_seconds: null
    });
    expect(runTitle(run!)).toBe('jw01234 · L2 · abcdef01');
    expect(normalizeRun({ status: 'running' })).toBeNull();
  });

  it('takes the program from associations, inputs, else the folder name', () => {
    expect(runTitle(makeRun())).toBe('jw09999 · L3 · r1a2b3c4');
    expect(programOf(['data/uncal'])).toBe('uncal');
    expect(programOf([])).toBeNull();
    expect(runIdOfJob(child('a', 'r'))).toBe('r');
    expect(runIdOfJob(makeJob())).toBeNull();
  });
});

describe('layoutRunGraph', () => {
  it('puts the demo run in three columns 4/4/1, each image2 level with its detector1', () => {
    const layout = layoutRunGraph(demoStages(), demoJobs());
    expect(layout.columns.map(c => [c.pipeline, c.jobs])).toEqual([
      ['calwebb_detector1', 4],
      ['calwebb_image2', 4],
      ['calwebb_image3', 1]
    ]);
    const at = new Map(layout.nodes.map(node => [node.job.id, node]));
    // Detector1 jobs by input name; image2 jobs on the rows of what they read.
    expect([1, 2, 3, 4].map(n => at.get(`d${n}`)!.row)).toEqual([0, 1, 2, 3]);
    for (const n of [1, 2, 3, 4]) {
      expect(at.get(`i${n}`)!.row).toBe(at.get(`d${n}`)!.row);
      expect(at.get(`i${n}`)!.y).toBe(at.get(`d${n}`)!.y);
      expect(at.get(`i${n}`)!.x).toBeGreaterThan(at.get(`d${n}`)!.x);
    }
    // The lone image3 job is centred on the column of four.
    const image3 = at.get('m1')!;
    expect(image3.column).toBe(2);
    expect(image3.y).toBeCloseTo((at.get('i2')!.y + at.get('i3')!.y) / 2);
    expect(layout.edges).toHaveLength(8);
    expect(layout.edges.filter(edge => edge.to === 'm1')).toHaveLength(4);
    expect(layout.width).toBeGreaterThan(image3.x);
    expect(layout.height).toBeGreaterThan(at.get('d4')!.y);
  });

  it('gives jobs of a stage the run does not list their own column, by level', () => {
    const jobs = demoJobs().filter(job => job.level !== 2);
    const layout = layoutRunGraph([demoStages()[2]], jobs);
    expect(layout.columns.map(c => c.pipeline)).toEqual([
      'calwebb_detector1',
      'calwebb_image3'
    ]);
    // Dependencies that are not drawn make no edge.
    expect(layout.edges).toEqual([]);
    expect(layoutRunGraph([], []).nodes).toEqual([]);
  });
});

describe('ETA', () => {
  it('reads as people say it', () => {
    expect(formatEta(null)).toBeNull();
    expect(formatEta(-5)).toBeNull();
    expect(formatEta(12)).toBe('under a minute');
    expect(formatEta(240)).toBe('~4 min');
    expect(formatEta(3900)).toBe('~1 h 05 min');
  });

  it('counts down from the time the estimate was made, never below 0', () => {
    const at = '2026-12-07T00:00:00Z';
    const t0 = Date.parse(at);
    expect(remainingSeconds(300, at, t0 + 60_000)).toBe(240);
    expect(remainingSeconds(300, at, t0 + 600_000)).toBe(0);
    expect(remainingSeconds(300, null, t0)).toBe(300);
    expect(remainingSeconds(null, at, t0)).toBeNull();
  });
});

describe('groupJobsByRun', () => {
  it('puts a run’s children under one row, at the place of its newest job', () => {
    const jobs = [
      child('solo-new', null, { created: '2026-12-07T00:05:00Z' }),
      child('c2', 'r', { created: '2026-12-07T00:04:00Z' }),
      child('solo-old', null, { created: '2026-12-07T00:03:00Z' }),
      child('c1', 'r', { created: '2026-12-07T00:02:00Z' })
    ];
    const run = makeRun({ id: 'r', created: '2026-12-07T00:01:00Z' });
    const entries = groupJobsByRun(jobs, new Map([['r', run]]));
    expect(
      entries.map(e => (e.kind === 'job' ? e.job.id : `run:${e.runId}`))
    ).toEqual(['solo-new', 'run:r', 'solo-old']);
    const group = entries[1];
    expect(group.kind === 'run' && group.children.map(j => j.id)).toEqual([
      'c2',
      'c1'
    ]);
    expect(group.kind === 'run' && group.run).toBe(run);
  });

  it('lists the ended jobs of earlier attempts of a resumed run apart', () => {
    const run = makeRun({
      jobs: demoJobs('succeeded').map(job =>
        job.id === 'd1' ? { ...job, reused: true } : job
      )
    });
    const jobs = [
      child('i1', run.id, { status: 'succeeded' }),
      // Submitted by the resume, not yet in the run's record: not earlier.
      child('new', run.id, { status: 'queued' }),
      child('old-i1', run.id, { status: 'cancelled' }),
      child('d1', run.id, { status: 'succeeded' })
    ];
    const [group] = groupJobsByRun(jobs, new Map([[run.id, run]]));
    expect(group.kind === 'run' && group.children.map(j => j.id)).toEqual([
      'i1',
      'new',
      'd1'
    ]);
    expect(group.kind === 'run' && group.earlier.map(j => j.id)).toEqual([
      'old-i1'
    ]);
  });

  it('shows a run none of whose jobs is listed only when asked', () => {
    const run = makeRun({ id: 'new', created: '2026-12-07T01:00:00Z' });
    const jobs = [child('a', null)];
    expect(groupJobsByRun(jobs, new Map([['new', run]]))[0]).toMatchObject({
      kind: 'run',
      runId: 'new',
      children: []
    });
    expect(groupJobsByRun(jobs, new Map([['new', run]]), false)).toHaveLength(
      1
    );
    // A child of a run that is not known still groups, without a record.
    expect(groupJobsByRun([child('x', 'gone')], new Map())[0]).toMatchObject({
      kind: 'run',
      run: null
    });
  });
});

describe('reduce targets', () => {
  const dir = { path: 'uncal', isDirectory: true };
  const file = (path: string) => ({ path, isDirectory: false });
  it('offers the levels each selection can reach', () => {
    expect(levelsOf(dir)).toEqual([1, 2, 3]);
    expect(levelsOf(file('a/x_uncal.fits'))).toEqual([1, 2, 3]);
    expect(levelsOf(file('x_rateints.fits'))).toEqual([2, 3]);
    expect(levelsOf(file('x_cal.fits'))).toEqual([3]);
    expect(levelsOf(file('jw1-o001_20250101t0_image3_00001_asn.json'))).toEqual(
      [3]
    );
    expect(levelsOf(file('jw1-o001_20250101t0_image2_00001_asn.json'))).toEqual(
      [2, 3]
    );
    expect(levelsOf(file('notes.txt'))).toEqual([]);
    const mixed = [file('x_rate.fits'), file('y_uncal.fits')];
    expect(canReduceTo(mixed, 1)).toBe(false);
    expect(canReduceTo(mixed, 2)).toBe(true);
    expect(canReduceTo([], 3)).toBe(false);
    expect(runInputs([dir, file('x_cal.fits')])).toEqual([
      'uncal',
      'x_cal.fits'
    ]);
    expect(runInputs([dir, file('notes.txt')])).toEqual([]);
  });
});

describe('RunTracker', () => {
  it('follows run events, children’s statuses and the memory in use', async () => {
    const events = new FakeEvents('open');
    const client = runsClient();
    const tracker = own(
      new RunTracker({ client, events, run: makeRun(), pollInterval: 0 })
    );
    const ended = jest.fn();
    tracker.ended.connect((_, run) => ended(run.status));
    expect(tracker.memory.map(s => s.inUse)).toEqual([0]);

    // A child's job.updated changes its node before the run's next event.
    events.emit({
      type: 'job.updated',
      job_id: 'd1',
      job: { ...child('d1', 'r1a2b3c4d5e6'), status: 'running' }
    });
    expect(tracker.run!.jobs.find(j => j.id === 'd1')!.status).toBe('running');
    // Another run's events do nothing.
    events.emit({
      type: 'run.updated',
      run_id: 'other',
      run: makeRun({ id: 'other', status: 'failed' })
    });
    expect(tracker.run!.status).toBe('running');

    events.emit({
      type: 'run.updated',
      run_id: 'r1a2b3c4d5e6',
      run: makeRun({
        updated: '2026-12-07T00:00:20Z',
        memory: {
          limit_bytes: 8e9,
          peak_estimate_bytes: 9e8,
          in_use_bytes: 1.2e9
        }
      })
    });
    // An older record (e.g. a slow poll) is ignored.
    tracker.apply(
      makeRun({ updated: '2026-12-07T00:00:15Z', status: 'queued' })
    );
    expect(tracker.run!.status).toBe('running');
    events.emit({
      type: 'run.updated',
      run_id: 'r1a2b3c4d5e6',
      run: makeRun({
        status: 'succeeded',
        updated: '2026-12-07T00:01:00Z',
        finished: '2026-12-07T00:01:00Z',
        jobs: demoJobs('succeeded'),
        progress: { jobs_done: 9, jobs_total: 9, eta_seconds: 0 }
      })
    });
    expect(tracker.memory.map(s => s.inUse)).toEqual([0, 1.2e9, 0]);
    expect(tracker.memory.map(s => s.limit)).toEqual([8e9, 8e9, 8e9]);
    expect(tracker.isFinal).toBe(true);
    expect(ended).toHaveBeenCalledWith('succeeded');

    events.emit({ type: 'run.deleted', run_id: 'r1a2b3c4d5e6' });
    expect(tracker.deleted).toBe(true);
  });

  it('asks over REST from its id, polls while events do not flow, and resumes', async () => {
    jest.useFakeTimers();
    try {
      const events = new FakeEvents('reconnecting');
      const client = runsClient();
      let answer = makeRun();
      client.runsApi.getRun = async () => answer;
      client.runsApi.resumeRun = async () =>
        makeRun({ status: 'queued', updated: '2026-12-07T00:02:00Z' });
      const tracker = own(
        new RunTracker({
          client,
          events,
          run: 'r1a2b3c4d5e6',
          pollInterval: 1000
        })
      );
      await jest.advanceTimersByTimeAsync(0);
      expect(tracker.run!.status).toBe('running');
      answer = makeRun({
        status: 'failed',
        updated: '2026-12-07T00:01:00Z',
        finished: '2026-12-07T00:01:00Z'
      });
      await jest.advanceTimersByTimeAsync(1000);
      expect(tracker.run!.status).toBe('failed');
      const polls = client.runsCalls.length;
      await jest.advanceTimersByTimeAsync(5000);
      // A run that ended is not asked for again.
      expect(client.runsCalls.length).toBe(polls);

      await tracker.resume();
      expect(client.runsCalls.at(-1)).toEqual(['resumeRun', 'r1a2b3c4d5e6']);
      expect(tracker.run!.status).toBe('queued');
      expect(tracker.busy).toBeNull();
    } finally {
      jest.useRealTimers();
    }
  });

  it('says why an action failed', async () => {
    const client = runsClient();
    client.runsApi.cancelRun = async () => {
      throw new JwstLabApiError('already ended', {
        status: 409,
        reason: 'conflict'
      });
    };
    const tracker = own(
      new RunTracker({ client, events: null, run: makeRun(), pollInterval: 0 })
    );
    await tracker.cancel();
    expect(tracker.actionError?.message).toBe('already ended');
  });
});

describe('PlanModel', () => {
  it('asks for the dry run, then creates the run with the parameters changed', async () => {
    const client = runsClient();
    client.runsApi.planRun = async () => makePlan();
    client.runsApi.createRun = async () => makeRun();
    client.jobsApi.getPipelineSpec = async () => image3Spec();
    const model = own(
      new PlanModel({ client, inputs: ['uncal'], targetLevel: 3 })
    );
    await waitFor(() => expect(model.plan.status).toBe('ready'));
    expect(client.runsCalls[0]).toEqual([
      'planRun',
      { inputs: ['uncal'], target_level: 3, force: false }
    ]);
    expect(model.pipelines).toEqual([
      'calwebb_detector1',
      'calwebb_image2',
      'calwebb_image3'
    ]);

    model.setOpenPipeline('calwebb_image3');
    await waitFor(() => expect(model.draft('calwebb_image3')).not.toBeNull());
    model.setParam('calwebb_image3', 'resample', 'pixfrac', '2');
    // Checked before anything is sent, and placed at its field.
    expect(await model.submit()).toBeNull();
    expect(Object.keys(model.errors)).toEqual([
      'steps.calwebb_image3.resample.pixfrac'
    ]);
    expect(Object.keys(model.errorsOf('calwebb_image3'))).toEqual([
      'steps.resample.pixfrac'
    ]);
    model.setParam('calwebb_image3', 'resample', 'pixfrac', '0.8');
    model.setCrdsContext('jwst_0001.pmap');
    const run = await model.submit();
    expect(run?.id).toBe('r1a2b3c4d5e6');
    expect(client.runsCalls.at(-1)).toEqual([
      'createRun',
      {
        inputs: ['uncal'],
        target_level: 3,
        steps: { calwebb_image3: { resample: { pixfrac: 0.8 } } },
        crds_context: 'jwst_0001.pmap',
        output_dir: null,
        force: false
      }
    ]);
  });

  it('shows a memory refusal and runs anyway with force', async () => {
    const client = runsClient();
    client.runsApi.planRun = async () => makePlan();
    let calls = 0;
    client.runsApi.createRun = async request => {
      calls += 1;
      if (!request.force) {
        throw new JwstLabApiError(
          'calwebb_image3 needs an estimated 12 GB, the limit is 8 GB',
          { status: 409, reason: 'insufficient_memory' }
        );
      }
      return makeRun();
    };
    const model = own(
      new PlanModel({ client, inputs: ['uncal'], targetLevel: 3 })
    );
    await waitFor(() => expect(model.canSubmit).toBe(true));
    expect(await model.submit()).toBeNull();
    expect(model.refusal?.message).toContain('12 GB');
    expect((await model.submit(true))?.id).toBe('r1a2b3c4d5e6');
    expect(calls).toBe(2);
  });

  it('plans with force when the dry run itself is refused, and places server errors by field', async () => {
    const client = runsClient();
    client.runsApi.planRun = async request => {
      if (!request.force) {
        throw new JwstLabApiError('too big', {
          status: 409,
          reason: 'insufficient_memory'
        });
      }
      return makePlan();
    };
    client.runsApi.createRun = async () => {
      throw new JwstLabApiError('no such context', {
        status: 400,
        reason: 'invalid',
        field: 'crds_context'
      });
    };
    const model = own(
      new PlanModel({ client, inputs: ['uncal'], targetLevel: 3 })
    );
    await waitFor(() => expect(model.plan.status).toBe('ready'));
    expect(model.refusal?.message).toBe('too big');
    expect(await model.submit(true)).toBeNull();
    expect(model.errors).toEqual({ crds_context: 'no such context' });
    expect(model.generalError).toBeNull();
  });
});

describe('PlanForm', () => {
  it('shows the stages with their job counts and memory bars, and runs on Enter', async () => {
    const client = runsClient();
    client.runsApi.planRun = async () =>
      makePlan({ warnings: ['notes.txt is not an exposure: skipped'] });
    client.runsApi.createRun = async () => makeRun();
    const model = own(
      new PlanModel({ client, inputs: ['uncal'], targetLevel: 3 })
    );
    const submitted = jest.fn();
    const node = render(
      <PlanForm
        model={model}
        trans={trans}
        serverContext="jwst_0001.pmap"
        onSubmitted={run => submitted(run.id)}
        onCancel={() => undefined}
      />
    );
    await waitFor(() => query(node, '.jp-JwstLab-planStage'));
    expect(
      queryAll(node, '.jp-JwstLab-planStage').map(li => li.dataset.jobs)
    ).toEqual(['4', '4', '1']);
    expect(queryAll(node, '.jp-JwstLab-memoryBar')).toHaveLength(9);
    expect(query(node, '.jp-JwstLab-planWarnings').textContent).toContain(
      'skipped'
    );
    expect(query(node, '.jp-JwstLab-planSubmit').textContent).toBe(
      'Run 9 jobs'
    );
    const form = query<HTMLFormElement>(node, 'form');
    form.dispatchEvent(
      new Event('submit', { bubbles: true, cancelable: true })
    );
    await waitFor(() => expect(submitted).toHaveBeenCalledWith('r1a2b3c4d5e6'));
  });
});

describe('RunView', () => {
  it('draws a node per job coloured by status; a node opens its job', async () => {
    const client = runsClient();
    const tracker = own(
      new RunTracker({
        client,
        events: null,
        pollInterval: 0,
        run: makeRun({
          jobs: demoJobs('succeeded', { i4: 'running', m1: 'queued' }),
          progress: { jobs_done: 7, jobs_total: 9, eta_seconds: 120 }
        })
      })
    );
    const openJob = jest.fn();
    const node = render(
      <RunView
        model={tracker}
        trans={trans}
        actions={{ openJob, openFolder: () => undefined }}
      />
    );
    await waitFor(() =>
      expect(queryAll(node, '.jp-JwstLab-runNode')).toHaveLength(9)
    );
    const nodes = queryAll(node, '.jp-JwstLab-runNode');
    expect(nodes.filter(n => n.dataset.status === 'succeeded')).toHaveLength(7);
    expect(query(node, '[data-job-id="i4"]').dataset.status).toBe('running');
    // SVG nodes: a click, and Enter from the keyboard.
    query(node, '[data-job-id="m1"]').dispatchEvent(
      new MouseEvent('click', { bubbles: true })
    );
    expect(openJob).toHaveBeenCalledWith('m1');
    query(node, '[data-job-id="d2"]').dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })
    );
    expect(openJob).toHaveBeenCalledWith('d2');
    const bar = query(node, '.jp-JwstLab-runProgress [role="progressbar"]');
    expect(bar.getAttribute('aria-valuenow')).toBe('7');
    expect(bar.getAttribute('aria-valuetext')).toMatch(
      /7 of 9 jobs · ~\d min left|7 of 9 jobs/
    );
    expect(query(node, '.jp-JwstLab-memoryChart')).toBeTruthy();
  });

  it('asks before Cancel, and counts the jobs a resume reused', async () => {
    const client = runsClient();
    client.runsApi.cancelRun = async () =>
      makeRun({ status: 'cancelled', updated: '2026-12-07T00:01:00Z' });
    const jobs = demoJobs('queued', { d1: 'succeeded', d2: 'running' });
    jobs.forEach(job => {
      job.reused = job.id === 'd1';
    });
    const tracker = own(
      new RunTracker({
        client,
        events: null,
        pollInterval: 0,
        run: makeRun({ jobs })
      })
    );
    const answers = [false, true];
    const confirm = jest.fn(async () => answers.shift() ?? false);
    const node = render(
      <RunView
        model={tracker}
        trans={trans}
        actions={{
          openJob: () => undefined,
          openFolder: () => undefined,
          confirm
        }}
      />
    );
    await waitFor(() => query(node, '.jp-JwstLab-runReused'));
    expect(query(node, '.jp-JwstLab-runReused').textContent).toBe(
      '1 job reused'
    );
    const cancel = () =>
      [...node.querySelectorAll('.jp-JwstLab-runViewActions button')]
        .find(button => button.textContent === 'Cancel')
        ?.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    // Kept running: nothing asked of the server.
    cancel();
    await waitFor(() => expect(confirm).toHaveBeenCalledTimes(1));
    expect(confirm.mock.calls[0]).toEqual([
      'Cancel the run?',
      expect.stringContaining('1 running and 7 waiting jobs'),
      'Cancel the run'
    ]);
    expect(client.runsCalls).toEqual([]);
    cancel();
    await waitFor(() => expect(tracker.run!.status).toBe('cancelled'));
    expect(client.runsCalls).toEqual([['cancelRun', 'r1a2b3c4d5e6']]);
  });
});

describe('memoryChartPoints', () => {
  it('draws a step line of the memory in use under the limit', () => {
    const samples = [
      { time: 0, inUse: 0, limit: 100 },
      { time: 10, inUse: 50, limit: 100 }
    ];
    const { points, limitY } = memoryChartPoints(samples, 20, 200, 100);
    expect(points).toBe('0.0,100.0 100.0,100.0 100.0,50.0 200.0,50.0');
    expect(limitY).toBe(0);
    expect(memoryChartPoints([], 0, 200, 100).points).toBe('');
    // A limit far above the peak is off the chart: the line uses the height.
    const far = memoryChartPoints(
      [
        { time: 0, inUse: 0, limit: 20e9 },
        { time: 10, inUse: 800e6, limit: 20e9 }
      ],
      10,
      200,
      100
    );
    expect(far.limitY).toBeNull();
    expect(far.top).toBe(1e9);
    expect(far.points.split(' ').at(-1)).toBe('200.0,20.0');
  });
});

describe('Jobs panel with runs', () => {
  it('groups a run’s children under its row, live from run events', async () => {
    const events = new FakeEvents('open');
    const client = runsClient();
    await client.getInfo();
    const jobs = [
      ...demoJobs('succeeded').map(job =>
        child(job.id, 'r1a2b3c4d5e6', {
          pipeline: job.pipeline,
          input: job.input,
          status: 'succeeded'
        })
      ),
      child('solo', null, { created: '2026-11-01T00:00:00Z' })
    ];
    client.jobsAnswer = async () => makeJobList(jobs);
    client.runsApi.listRuns = async () => ({
      runs: [makeRun()],
      total: 1,
      page: 1,
      page_size: 100
    });
    const model = own(new JobsModel({ client, events }));
    model.start();
    await waitFor(() => expect(model.state).toBe('ready'));
    expect(model.entries.map(e => e.kind)).toEqual(['run', 'job']);

    const openRun = jest.fn();
    const panel = attach(new JobsPanel({ client, events, onOpenRun: openRun }));
    await waitFor(() => query(panel.node, '.jp-JwstLab-runItem'));
    const row = query(panel.node, '.jp-JwstLab-runItem');
    expect(row.dataset.children).toBe('9');
    expect(row.dataset.status).toBe('running');
    expect(queryAll(panel.node, '.jp-JwstLab-runChildren')).toHaveLength(0);
    click(panel.node, '.jp-JwstLab-runItemToggle');
    await waitFor(() =>
      expect(
        queryAll(panel.node, '.jp-JwstLab-runChildren .jp-JwstLab-jobItem')
      ).toHaveLength(9)
    );
    click(panel.node, '.jp-JwstLab-runItemMain');
    expect(openRun).toHaveBeenCalledWith('r1a2b3c4d5e6');

    events.emit({
      type: 'run.updated',
      run_id: 'r1a2b3c4d5e6',
      run: makeRun({ status: 'succeeded', updated: '2026-12-07T00:05:00Z' })
    });
    await waitFor(() =>
      expect(query(panel.node, '.jp-JwstLab-runItem').dataset.status).toBe(
        'succeeded'
      )
    );
  });
});

describe('Download and reduce', () => {
  it('creates a run to Level 3 on the folder the download wrote to, once it succeeded', async () => {
    const events = new FakeEvents('open');
    const client = runsClient();
    client.runsApi.createRun = async () => makeRun();
    const model = own(
      new MastDownloadModel({ client, events, pollInterval: 0 })
    );
    const created = jest.fn();
    model.runCreated.connect((_, run) => created(run.id));
    model.setDest('data');
    await model.start(['mast:JWST/product/a_uncal.fits'], 'local', {
      reduce: true
    });
    expect(model.reduceStatus).toBe('waiting');
    const job = model.job!;
    events.emit({
      type: 'job.updated',
      job_id: job.id,
      job: {
        ...job,
        status: 'succeeded',
        updated: '2030-01-01T00:00:00Z',
        outputs: ['data/jw09999/a_uncal.fits', 'data/jw09999/b_uncal.fits']
      }
    });
    await waitFor(() => expect(model.reduceStatus).toBe('created'));
    expect(client.runsCalls).toEqual([
      ['createRun', { inputs: ['data/jw09999'], target_level: 3 }]
    ]);
    expect(created).toHaveBeenCalledWith('r1a2b3c4d5e6');
  });
});

describe('run end notifications', () => {
  it('notifies once per run that ends (again after a resume), not per child job', () => {
    const events = new FakeEvents();
    const opened: string[] = [];
    withNotificationSpies(({ success, error }) => {
      watchRunEnds(events, trans, id => opened.push(id));
      watchJobEnds(events, trans, () => undefined);
      const failed = makeRun({
        status: 'failed',
        finished: '2026-12-07T00:01:00Z',
        progress: { jobs_done: 8, jobs_total: 9, eta_seconds: null }
      });
      events.emit({ type: 'run.updated', run_id: failed.id, run: makeRun() });
      events.emit({ type: 'run.updated', run_id: failed.id, run: failed });
      events.emit({ type: 'run.updated', run_id: failed.id, run: failed });
      // A child's end is the run's business.
      events.emit({
        type: 'job.updated',
        job_id: 'm1',
        job: child('m1', failed.id, { status: 'failed' })
      });
      expect(error).toHaveBeenCalledTimes(1);
      expect(error.mock.calls[0][0]).toBe(
        'Run failed: jw09999 · L3 · r1a2b3c4 (8 of 9 jobs)'
      );
      // Resumed, it ends again.
      events.emit({
        type: 'run.updated',
        run_id: failed.id,
        run: makeRun({
          status: 'succeeded',
          finished: '2026-12-07T00:05:00Z',
          progress: { jobs_done: 9, jobs_total: 9, eta_seconds: 0 }
        })
      });
      expect(success).toHaveBeenCalledTimes(1);
      success.mock.calls[0][1]!.actions![0].callback(new MouseEvent('click'));
      expect(opened).toEqual([failed.id]);
    });
  });
});
