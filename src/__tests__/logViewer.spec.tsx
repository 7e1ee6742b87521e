import * as React from 'react';

import type { IJobLog } from '../api/models';
import { visibleRange } from '../components/VirtualTable';
import {
  filterLines,
  lineAtRow,
  lineLevel,
  LogModel,
  WRAP_STORAGE_KEY,
  wrapRows
} from '../models/logModel';
import { LOG_ROW_HEIGHT, LogViewer } from '../widgets/jobs/logViewer';
import {
  click,
  FakeClient,
  FakeEvents,
  fill,
  query as $,
  render,
  trans,
  waitFor
} from './fixtures';
import { flush, pipelineClient } from './jobsFixtures';

const STPIPE = (level: string, text: string) =>
  `2026-11-26 00:32:37,732 - stpipe.step - ${level} - ${text}\n`;

/**
 * A job log on a fake server: `written` grows as the "runner" writes; the
 * log route answers complete lines from a byte offset, at most `chunk` bytes.
 */
class FakeLogServer {
  written = '';
  done = false;
  chunk = 1 << 20;
  requests: number[] = [];

  install(client: FakeClient): void {
    client.jobsApi.getJobLog = async (_id, offset = 0) =>
      this.read(offset as number);
  }

  read(offset: number): IJobLog {
    this.requests.push(offset);
    let text = this.written.slice(offset, offset + this.chunk);
    if (!this.done || offset + text.length < this.written.length) {
      const cut = text.lastIndexOf('\n');
      text = cut < 0 ? '' : text.slice(0, cut + 1);
    }
    const next = offset + text.length;
    return {
      text,
      next_offset: next,
      done: this.done && next >= this.written.length
    };
  }
}

function logClient(server: FakeLogServer): FakeClient {
  const client = pipelineClient();
  server.install(client);
  return client;
}

/** The log of job-1 on `server`, read on when live events say so (never polled). */
function followLog(server: FakeLogServer): {
  events: FakeEvents;
  model: LogModel;
} {
  const events = new FakeEvents();
  const model = new LogModel({
    client: logClient(server),
    jobId: 'job-1',
    events,
    pollInterval: 0
  });
  return { events, model };
}

describe('log lines', () => {
  it('knows the level of stpipe lines; continuation lines take the previous one', () => {
    expect(lineLevel(STPIPE('WARNING', 'x').trim())).toBe('WARNING');
    expect(lineLevel(STPIPE('CRITICAL', 'x').trim())).toBe('ERROR');
    expect(lineLevel('JWST-LAB-EVENT {"event": "started"}')).toBe('EVENT');
    expect(lineLevel('  pixfrac: 1.0')).toBeNull();
    expect(lineLevel('Traceback (most recent call last):')).toBe('ERROR');
  });

  it('computes the rendered window of a virtual list', () => {
    expect(visibleRange(0, 180, 18, 1000, 5)).toEqual({ start: 0, end: 16 });
    expect(visibleRange(18 * 500, 180, 18, 1000, 5)).toEqual({
      start: 495,
      end: 516
    });
    expect(visibleRange(18 * 500, 180, 18, 10, 5)).toEqual({
      start: 10,
      end: 10
    });
  });

  it('filters by level and search text', () => {
    const lines = [
      { index: 0, text: 'Step tweakreg running', level: 'INFO' as const },
      { index: 1, text: 'Not enough sources', level: 'WARNING' as const },
      { index: 2, text: 'Step tweakreg done', level: 'INFO' as const }
    ];
    expect(
      filterLines(lines, new Set(['WARNING' as const]), '').map(l => l.index)
    ).toEqual([1]);
    expect(
      filterLines(
        lines,
        new Set(['INFO' as const, 'WARNING' as const]),
        'TWEAKREG'
      ).map(l => l.index)
    ).toEqual([0, 2]);
  });
});

describe('LogModel', () => {
  it('catches up in chunks, then reads on from its offset on job.log events, never twice', async () => {
    const server = new FakeLogServer();
    server.chunk = 120;
    for (let i = 0; i < 10; i++) {
      server.written += STPIPE('INFO', `line ${i}`);
    }
    const { events, model } = followLog(server);
    await waitFor(() => expect(model.lines).toHaveLength(10));
    expect(server.requests.length).toBeGreaterThan(3);

    // The runner writes a partial line, then finishes it; events say so.
    server.written += STPIPE('WARNING', 'slow step');
    server.written += '  continued';
    events.emit({ type: 'job.log', job_id: 'job-1', lines: [] });
    events.emit({ type: 'job.log', job_id: 'job-1', lines: [] });
    events.emit({ type: 'job.log', job_id: 'other', lines: [] });
    await waitFor(() => expect(model.lines).toHaveLength(11));
    server.written += ' here\n';
    server.done = true;
    events.emit({ type: 'job.updated', job_id: 'job-1' });
    await waitFor(() => expect(model.done).toBe(true));
    expect(model.lines.map(line => line.text.slice(-12))).toEqual(
      [
        ...Array.from({ length: 10 }, (_, i) => `INFO - line ${i}`.slice(-12)),
        'G - slow step',
        '  continued here'
      ].map(text => text.slice(-12))
    );
    expect(model.lines[11].level).toBe('WARNING');
    const requests = server.requests.length;
    events.emit({ type: 'job.log', job_id: 'other', lines: [] });
    await flush(20);
    expect(server.requests.length).toBe(requests);
    model.dispose();
  });

  it('polls while the job runs when no events come, and stops once done', async () => {
    const server = new FakeLogServer();
    const client = logClient(server);
    const model = new LogModel({ client, jobId: 'job-1', pollInterval: 20 });
    await flush(50);
    expect(model.lines).toHaveLength(0);
    server.written = STPIPE('INFO', 'Step resample running with args');
    server.done = true;
    await waitFor(() => expect(model.lines).toHaveLength(1));
    await waitFor(() => expect(model.done).toBe(true));
    const requests = server.requests.length;
    await flush(80);
    expect(server.requests.length).toBe(requests);
    model.dispose();
  });

  it('reports a failed read and recovers on the next one', async () => {
    const client = pipelineClient();
    let fail = true;
    client.jobsApi.getJobLog = async () => {
      if (fail) {
        throw new Error('HTTP 502');
      }
      return { text: STPIPE('INFO', 'ok'), next_offset: 60, done: true };
    };
    const model = new LogModel({ client, jobId: 'j', pollInterval: 0 });
    await waitFor(() => expect(model.error).toBe('HTTP 502'));
    fail = false;
    await model.pull();
    expect(model.error).toBeNull();
    expect(model.lines).toHaveLength(1);
    model.dispose();
  });
});

describe('LogViewer', () => {
  function setup(lines: number): {
    server: FakeLogServer;
    events: FakeEvents;
    model: LogModel;
    host: HTMLElement;
  } {
    const server = new FakeLogServer();
    for (let i = 0; i < lines; i++) {
      server.written += STPIPE(i % 50 === 7 ? 'WARNING' : 'INFO', `line ${i}`);
    }
    const { events, model } = followLog(server);
    const host = render(<LogViewer model={model} trans={trans} />);
    return { server, events, model, host };
  }

  const rendered = (host: HTMLElement) =>
    Array.from(host.querySelectorAll('.jp-JwstLab-logLine')).map(
      node => node.textContent ?? ''
    );

  it('renders only the rows in view, and follows the tail as lines arrive', async () => {
    const { server, events, model, host } = setup(2000);
    await waitFor(() => expect(model.lines).toHaveLength(2000));
    await waitFor(() => expect(rendered(host).pop()).toContain('line 1999'));
    // Virtualised: a few dozen rows, not 2000.
    expect(rendered(host).length).toBeLessThan(80);
    const spacer = $(host, '.jp-JwstLab-logSpacer');
    expect(spacer.style.height).toBe(`${2000 * LOG_ROW_HEIGHT}px`);

    server.written += STPIPE('INFO', 'line 2000');
    events.emit({ type: 'job.log', job_id: 'job-1', lines: [] });
    await waitFor(() => expect(model.lines).toHaveLength(2001));
    await waitFor(() => expect(rendered(host).pop()).toContain('line 2000'));
    expect($(host, '.jp-JwstLab-logViewport').dataset.follow).toBe('true');
    model.dispose();
  });

  it('stops following when the user scrolls up, until asked to follow again', async () => {
    const { server, events, model, host } = setup(2000);
    await waitFor(() => expect(rendered(host).pop()).toContain('line 1999'));
    const viewport = $(host, '.jp-JwstLab-logViewport');
    Object.defineProperty(viewport, 'clientHeight', {
      configurable: true,
      value: 180
    });
    Object.defineProperty(viewport, 'scrollHeight', {
      configurable: true,
      value: 2000 * LOG_ROW_HEIGHT
    });
    viewport.scrollTop = 18 * 100;
    viewport.dispatchEvent(new Event('scroll'));
    await waitFor(() => expect(viewport.dataset.follow).toBe('false'));
    await waitFor(() => expect(rendered(host)[0]).toContain('line 80'));

    server.written += STPIPE('INFO', 'line 2000');
    events.emit({ type: 'job.log', job_id: 'job-1', lines: [] });
    await waitFor(() => expect(model.lines).toHaveLength(2001));
    await flush(20);
    // The window stays where the user is reading.
    expect(rendered(host)[0]).toContain('line 80');
    expect(rendered(host).join('\n')).not.toContain('line 2000');

    click(host, '.jp-JwstLab-logFollow');
    await waitFor(() => expect(rendered(host).pop()).toContain('line 2000'));
    expect(viewport.dataset.follow).toBe('true');
    model.dispose();
  });

  it('filters by level and highlights search matches', async () => {
    const { model, host } = setup(120);
    await waitFor(() => expect(model.lines).toHaveLength(120));
    await waitFor(() => expect(rendered(host).pop()).toContain('line 119'));
    const info = Array.from(
      host.querySelectorAll<HTMLInputElement>('.jp-JwstLab-logLevel input')
    ).find(box => box.parentElement?.dataset.level === 'INFO')!;
    expect(info.checked).toBe(true);
    info.click();
    await waitFor(() => expect(rendered(host)).toHaveLength(3));
    expect(rendered(host).every(text => text.includes('WARNING'))).toBe(true);
    info.click();
    await waitFor(() => expect(rendered(host).length).toBeGreaterThan(3));

    fill(host, '.jp-JwstLab-logSearch', 'LINE 11');
    await waitFor(() => expect(rendered(host)).toHaveLength(11));
    expect($(host, '.jp-JwstLab-logMatches').textContent).toBe(
      '11 matching lines'
    );
    const marks = host.querySelectorAll('.jp-JwstLab-logLine mark');
    expect(marks).toHaveLength(11);
    expect(marks[0].textContent).toBe('line 11');

    fill(host, '.jp-JwstLab-logSearch', 'no such text');
    await waitFor(() =>
      expect($(host, '.jp-JwstLab-logEmpty').textContent).toBe(
        'No lines match the filter.'
      )
    );
    model.dispose();
  });

  it('is as wide as the longest line of the whole log, in view or not (issue 14, defect 1)', async () => {
    // A long line far above the rows in view: the horizontal extent must not
    // depend on which rows are rendered, or the scrollbar comes and goes.
    localStorage.removeItem(WRAP_STORAGE_KEY);
    const server = new FakeLogServer();
    for (let i = 0; i < 2000; i++) {
      server.written += STPIPE(
        'INFO',
        i === 3
          ? `S_REGION = POLYGON ICRS ${'80.4845 -69.4999 '.repeat(20)}`
          : `line ${i}`
      );
    }
    const { model } = followLog(server);
    const host = render(<LogViewer model={model} trans={trans} />);
    await waitFor(() => expect(rendered(host).pop()).toContain('line 1999'));
    expect(rendered(host).join('\n')).not.toContain('S_REGION');
    const longest = model.lines[3].text.length;
    expect(model.longestShown).toBe(longest);
    expect($(host, '.jp-JwstLab-logSpacer').style.minWidth).toBe(
      `calc(${longest}ch + 12px)`
    );
    model.dispose();
  });

  it('wraps long lines on request, each over the rows it needs, and remembers it', async () => {
    localStorage.removeItem(WRAP_STORAGE_KEY);
    const { model, host } = setup(30);
    const long = `S_REGION = POLYGON ICRS ${'1234567890'.repeat(30)}`;
    await waitFor(() => expect(model.lines).toHaveLength(30));
    expect(model.wrap).toBe(false);
    const viewport = $(host, '.jp-JwstLab-logViewport');
    expect(viewport.dataset.wrap).toBe('false');

    click(host, '.jp-JwstLab-logWrap input');
    await waitFor(() => expect(viewport.dataset.wrap).toBe('true'));
    expect(localStorage.getItem(WRAP_STORAGE_KEY)).toBe('true');
    expect($(host, '.jp-JwstLab-logSpacer').style.minWidth).toBe('');
    // A new log (another job's tab) starts wrapped.
    const again = new LogModel({
      client: pipelineClient(),
      jobId: 'job-2',
      pollInterval: 0
    });
    expect(again.wrap).toBe(true);
    again.dispose();
    model.setWrap(false);
    expect(localStorage.getItem(WRAP_STORAGE_KEY)).toBe('false');
    model.setWrap(true);

    // Rows are placed by the rows the lines above them take.
    const lines = [
      { index: 0, text: 'short', level: 'INFO' as const },
      { index: 1, text: long, level: 'INFO' as const },
      { index: 2, text: 'after', level: 'INFO' as const }
    ];
    const { starts } = wrapRows(lines, 120);
    expect(starts).toEqual([
      0,
      1,
      1 + Math.ceil(long.length / 120),
      2 + Math.ceil(long.length / 120)
    ]);
    expect(lineAtRow(starts, 0)).toBe(0);
    expect(lineAtRow(starts, 1)).toBe(1);
    expect(lineAtRow(starts, 3)).toBe(1);
    expect(lineAtRow(starts, starts[2])).toBe(2);
    model.dispose();
  });
});
