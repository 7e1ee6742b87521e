import * as React from 'react';

import { errorMessage, JwstLabApiError, problemOf } from '../api/errors';
import type { IJobRecord } from '../api/models';
import { formErrorsOf } from '../mast/form';
import { JobTracker } from '../models/jobTracker';
import { Loader } from '../models/loadable';
import { LogModel } from '../models/logModel';
import { Model } from '../models/model';
import { useModel } from '../models/useModel';
import {
  cleanUp,
  failing,
  FakeClient,
  FakeEvents,
  makeJob,
  own,
  query as $,
  render,
  waitFor
} from './fixtures';
import { flush, pipelineClient } from './jobsFixtures';

afterEach(() => jest.useRealTimers());

/** A counter model: the smallest model there is. */
class Counter extends Model {
  count = 0;
  increment(): void {
    this.count += 1;
    this.emitChanged();
  }
}

describe('useModel', () => {
  it('renders again on each change, and stops listening when unmounted', async () => {
    const counter = own(new Counter());
    let renders = 0;
    function View({ model }: { model: Counter }): JSX.Element {
      const counted = useModel(model);
      renders += 1;
      return <p className="count">{counted.count}</p>;
    }
    const host = render(<View model={counter} />);
    await waitFor(() => expect($(host, '.count').textContent).toBe('0'));
    counter.increment();
    counter.increment();
    await waitFor(() => expect($(host, '.count').textContent).toBe('2'));
    expect(counter.version).toBe(2);
    cleanUp();
    const before = renders;
    counter.increment();
    await flush(10);
    expect(renders).toBe(before);
  });

  it('says nothing once the model is disposed', () => {
    const counter = new Counter();
    const seen: number[] = [];
    counter.changed.connect(() => seen.push(counter.count));
    counter.increment();
    counter.dispose();
    counter.increment();
    expect(seen).toEqual([1]);
    expect(counter.isDisposed).toBe(true);
  });
});

describe('Loader', () => {
  it('keeps the latest answer: an older request that answers late is dropped', async () => {
    const changes: string[] = [];
    const loader = new Loader<string>(() => changes.push(loader.state.status));
    let release!: (value: string) => void;
    const slow = loader.load(
      () => new Promise<string>(resolve => (release = resolve))
    );
    await loader.load(async () => 'new');
    release('old');
    await expect(slow).resolves.toBeUndefined();
    expect(loader.state).toEqual({
      status: 'ready',
      value: 'new',
      error: null
    });
    await expect(
      loader.load(async () => {
        throw new JwstLabApiError('gone', { status: 404, reason: 'not_found' });
      })
    ).resolves.toMatchObject({ status: 404, message: 'gone' });
    // A failure keeps the last answer for the view, with the problem.
    expect(loader.state.value).toBe('new');
    expect(loader.state.error?.reason).toBe('not_found');
    expect(changes).toEqual([
      'loading',
      'loading',
      'ready',
      'loading',
      'error'
    ]);
  });
});

describe('errors', () => {
  it('formats any thrown value one way', () => {
    expect(
      problemOf(
        new JwstLabApiError('bad', {
          status: 400,
          reason: 'bad_request',
          field: 'target',
          detail: 'what the resolver said'
        })
      )
    ).toEqual({
      message: 'bad',
      status: 400,
      reason: 'bad_request',
      field: 'target',
      detail: 'what the resolver said'
    });
    expect(problemOf(new Error('plain'))).toEqual({
      message: 'plain',
      status: 0,
      reason: null,
      field: null,
      detail: null
    });
    expect(errorMessage('a string')).toBe('a string');
  });

  it('places a MAST search problem by its field, never by its message', () => {
    const problem = (field: string | null, message = 'm') =>
      problemOf(
        new JwstLabApiError(message, { status: 400, reason: null, field })
      );
    expect(formErrorsOf(problem('radius'))).toEqual({ radius: 'm' });
    expect(formErrorsOf(problem('ra'))).toEqual({ target: 'm' });
    expect(formErrorsOf(problem('dec'))).toEqual({ target: 'm' });
    expect(formErrorsOf(problem('t_max'))).toEqual({ t_max: 'm' });
    expect(formErrorsOf(problem('page_size'))).toEqual({ form: 'm' });
    expect(formErrorsOf(problem('constructor'))).toEqual({ form: 'm' });
    expect(formErrorsOf(problem(null, 'radius: too big'))).toEqual({
      form: 'radius: too big'
    });
  });
});

describe('JobTracker', () => {
  function download(overrides: Partial<IJobRecord> = {}): IJobRecord {
    return makeJob({
      id: 'dl-1',
      kind: 'download',
      status: 'queued',
      pipeline: null,
      progress: {
        steps_total: 0,
        steps_done: 0,
        current_step: null,
        skipped_steps: []
      },
      ...overrides
    });
  }

  it('follows one job through its events and reports its end once', () => {
    const client = pipelineClient();
    const events = new FakeEvents();
    const tracker = own(
      new JobTracker({ client, events, job: download(), pollInterval: 0 })
    );
    const ended: string[] = [];
    tracker.ended.connect((_, job) => ended.push(job.status));
    let changes = 0;
    tracker.changed.connect(() => (changes += 1));

    events.emit({
      type: 'job.progress',
      job_id: 'other',
      progress: { bytes_done: 1 }
    });
    expect(changes).toBe(0);
    events.emit({
      type: 'job.progress',
      job_id: 'dl-1',
      progress: { bytes_done: 5, bytes_total: 10, files_done: 0 }
    });
    // Progress means it runs.
    expect(tracker.job?.status).toBe('running');
    expect(tracker.progress?.bytes_done).toBe(5);
    expect(tracker.isFinal).toBe(false);

    const done = download({
      status: 'succeeded',
      updated: '2026-11-25T10:01:00Z',
      outputs: ['data/a.fits']
    });
    events.emit({ type: 'job.updated', job_id: 'dl-1', job: done });
    events.emit({ type: 'job.updated', job_id: 'dl-1', job: done });
    expect(tracker.isFinal).toBe(true);
    expect(tracker.job?.outputs).toEqual(['data/a.fits']);
    expect(ended).toEqual(['succeeded']);
    // An older record (e.g. a slow answer) does not move the job back.
    tracker.apply(download({ status: 'running' }));
    expect(tracker.job?.status).toBe('succeeded');

    events.emit({ type: 'job.deleted', job_id: 'dl-1' });
    expect(tracker.deleted).toBe(true);
    expect(client.jobsCalls).toEqual([]);
  });

  it('asks over REST when events were dropped or the websocket is back', async () => {
    const client = pipelineClient();
    let answer = download({ status: 'running' });
    client.jobsApi.getJob = async () => answer;
    const events = new FakeEvents();
    const tracker = own(
      new JobTracker({ client, events, job: 'dl-1', pollInterval: 0 })
    );
    await waitFor(() => expect(tracker.job?.status).toBe('running'));
    answer = download({ status: 'running', updated: '2026-11-25T10:00:30Z' });
    events.emit({ type: 'events.dropped', count: 3 });
    await waitFor(() =>
      expect(tracker.job?.updated).toBe('2026-11-25T10:00:30Z')
    );
    answer = download({
      status: 'interrupted',
      updated: '2026-11-25T10:02:00Z'
    });
    events.set('reconnecting');
    events.set('open');
    await waitFor(() => expect(tracker.job?.status).toBe('interrupted'));
    expect(client.jobsCalls.filter(call => call[0] === 'getJob')).toHaveLength(
      3
    );
  });

  it('polls while events do not flow, only until the job ends', async () => {
    jest.useFakeTimers();
    const client = pipelineClient();
    const answers = [
      download({ status: 'running' }),
      download({ status: 'succeeded', updated: '2026-11-25T10:01:00Z' })
    ];
    client.jobsApi.getJob = async () => answers.shift() ?? answers[0];
    const events = new FakeEvents();
    events.connectionState = 'reconnecting';
    const tracker = own(
      new JobTracker({ client, events, job: download(), pollInterval: 1000 })
    );
    const gets = () =>
      client.jobsCalls.filter(call => call[0] === 'getJob').length;
    await jest.advanceTimersByTimeAsync(1000);
    expect(gets()).toBe(1);
    expect(tracker.job?.status).toBe('running');
    await jest.advanceTimersByTimeAsync(1000);
    expect(gets()).toBe(2);
    expect(tracker.job?.status).toBe('succeeded');
    await jest.advanceTimersByTimeAsync(5000);
    expect(gets()).toBe(2);
  });

  it('does not poll while events flow, nor once disposed', async () => {
    jest.useFakeTimers();
    const client = pipelineClient();
    client.jobsApi.getJob = async () => download({ status: 'running' });
    const events = new FakeEvents();
    const tracker = new JobTracker({
      client,
      events,
      job: download(),
      pollInterval: 1000
    });
    await jest.advanceTimersByTimeAsync(3000);
    expect(client.jobsCalls).toEqual([]);
    events.connectionState = 'reconnecting';
    tracker.dispose();
    await jest.advanceTimersByTimeAsync(3000);
    expect(client.jobsCalls).toEqual([]);
    events.emit({ type: 'events.dropped', count: 1 });
    expect(client.jobsCalls).toEqual([]);
  });

  it('says why the job cannot be asked for', async () => {
    const client = pipelineClient();
    client.jobsApi.getJob = failing("no job 'x'", {
      status: 404,
      reason: 'not_found'
    });
    const tracker = own(new JobTracker({ client, job: 'x', pollInterval: 0 }));
    await waitFor(() => expect(tracker.error?.status).toBe(404));
    expect(tracker.job).toBeNull();
  });
});

describe('LogModel', () => {
  it('reads on when the websocket is back (lines written meanwhile were not announced)', async () => {
    const client: FakeClient = pipelineClient();
    let written = 'a\n';
    client.jobsApi.getJobLog = async (_id, offset = 0) => ({
      text: written.slice(offset as number),
      next_offset: written.length,
      done: false
    });
    const events = new FakeEvents();
    const log = own(
      new LogModel({ client, jobId: 'job-1', events, pollInterval: 0 })
    );
    await waitFor(() =>
      expect(log.lines.map(line => line.text)).toEqual(['a'])
    );
    written += 'b\n';
    events.set('reconnecting');
    events.set('open');
    await waitFor(() =>
      expect(log.lines.map(line => line.text)).toEqual(['a', 'b'])
    );
    // The viewer's filter lives in the model too.
    log.setQuery('B');
    expect(log.shownLines.map(line => line.text)).toEqual(['b']);
  });
});
