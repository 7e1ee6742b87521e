import * as React from 'react';

import type { IJobLog } from '../api/models';
import { visibleRange } from '../components/VirtualTable';
import { LogModel, WRAP_STORAGE_KEY } from '../models/logModel';
import { LOG_ROW_HEIGHT, LogViewer } from '../widgets/jobs/logViewer';
import {
  cleanUp,
  FakeEvents,
  query as $,
  render,
  trans,
  waitFor
} from './fixtures';
import { flush, pipelineClient } from './jobsFixtures';

/**
 * Issue 14, defect 1: the job tab went blank mid-run (React #185) while the
 * log viewer's size never settled. The mechanism, reproduced here with a
 * model of the browser's layout (jsdom has none): following the tail, the
 * rows rendered depend on the viewport's height; a long line such as
 * `S_REGION = POLYGON …` rendered at the top of the window brings a
 * horizontal scrollbar, which takes 15 px of the viewport's inner height; the
 * ResizeObserver reports the smaller height, the window moves down a row,
 * the long line is no longer rendered, the scrollbar goes, the height comes
 * back … forever, one re-render per frame. The viewer must settle: after the
 * first measure, what it renders must not change the size it measures.
 */

/** The viewport's box in the model: its CSS height, a width, a scrollbar's thickness. */
const HEIGHT = 320;
const WIDTH = 800;
const SCROLLBAR = 15;
/** Width of a monospace character, px; a log line's horizontal padding. */
const CHAR = 7;
const PADDING = 12;
/** Rows the viewer renders above the visible ones (`OVERSCAN` in logViewer.tsx). */
const OVERSCAN = 20;

const STPIPE = (text: string) =>
  `2026-11-26 00:32:37,732 - stpipe.step - INFO - ${text}\n`;
const S_REGION = `S_REGION = POLYGON ICRS ${'80.48452 -69.49989 '.repeat(12)}`;

/**
 * A ResizeObserver as browsers deliver it: once per rendering frame
 * ({@link frame}), for each observed element whose box changed since the
 * last notification (and once after `observe`).
 */
class FrameResizeObserver {
  static observers = new Set<FrameResizeObserver>();

  constructor(private readonly callback: ResizeObserverCallback) {}

  observe(target: Element): void {
    this.boxes.set(target, '');
    FrameResizeObserver.observers.add(this);
  }

  unobserve(target: Element): void {
    this.boxes.delete(target);
  }

  disconnect(): void {
    this.boxes.clear();
    FrameResizeObserver.observers.delete(this);
  }

  /** Notify what changed; the number of notifications. */
  deliver(): number {
    const entries: ResizeObserverEntry[] = [];
    for (const [target, last] of this.boxes) {
      const box = `${target.clientWidth}x${target.clientHeight}`;
      if (box !== last) {
        this.boxes.set(target, box);
        entries.push({
          target,
          contentRect: {
            width: target.clientWidth,
            height: target.clientHeight
          } as DOMRectReadOnly
        } as ResizeObserverEntry);
      }
    }
    if (entries.length > 0) {
      this.callback(entries, this as unknown as ResizeObserver);
    }
    return entries.length;
  }

  private readonly boxes = new Map<Element, string>();
}

/** One rendering frame: resize notifications, then React renders what they set. */
async function frame(): Promise<number> {
  let delivered = 0;
  for (const observer of Array.from(FrameResizeObserver.observers)) {
    delivered += observer.deliver();
  }
  await flush();
  await flush();
  return delivered;
}

/**
 * Give the viewport a browser's layout: a vertical scrollbar always (the CSS
 * says `overflow: auto scroll`), a horizontal one when the content (the
 * spacer's min-width, the rendered lines) is wider than the inside.
 */
function layOut(viewport: HTMLElement): void {
  const inner = WIDTH - SCROLLBAR;
  const contentWidth = () => {
    let widest = 0;
    const spacer = viewport.querySelector<HTMLElement>('.jp-JwstLab-logSpacer');
    const min = /calc\((\d+)ch \+ (\d+)px\)/.exec(spacer?.style.minWidth ?? '');
    if (min) {
      widest = Number(min[1]) * CHAR + Number(min[2]);
    }
    viewport.querySelectorAll('.jp-JwstLab-logLine').forEach(line => {
      widest = Math.max(
        widest,
        (line.textContent ?? '').length * CHAR + PADDING
      );
    });
    return widest;
  };
  const horizontal = () =>
    viewport.dataset.wrap !== 'true' && contentWidth() > inner;
  const clientHeight = () => HEIGHT - (horizontal() ? SCROLLBAR : 0);
  let scrollTop = 0;
  const scrollHeight = () => {
    const spacer = viewport.querySelector<HTMLElement>('.jp-JwstLab-logSpacer');
    return Math.max(clientHeight(), parseFloat(spacer?.style.height ?? '0'));
  };
  Object.defineProperties(viewport, {
    offsetHeight: { configurable: true, get: () => HEIGHT },
    clientWidth: { configurable: true, get: () => inner },
    clientHeight: { configurable: true, get: clientHeight },
    scrollHeight: { configurable: true, get: scrollHeight },
    scrollTop: {
      configurable: true,
      get: () => scrollTop,
      set: (value: number) => {
        scrollTop = Math.max(
          0,
          Math.min(value, scrollHeight() - clientHeight())
        );
      }
    }
  });
}

/** A log `lines` long on a fake server; `long` lines are S_REGION polygons. */
function logOf(
  count: number,
  long: (index: number) => boolean
): { model: LogModel; events: FakeEvents; add: (text: string) => void } {
  let written = '';
  for (let i = 0; i < count; i++) {
    written += STPIPE(long(i) ? `${S_REGION} (line ${i})` : `line ${i}`);
  }
  const client = pipelineClient();
  client.jobsApi.getJobLog = async (_id, offset = 0): Promise<IJobLog> => {
    const text = written.slice(offset as number);
    return {
      text,
      next_offset: (offset as number) + text.length,
      done: false
    };
  };
  const events = new FakeEvents();
  const model = new LogModel({
    client,
    jobId: 'job-1',
    events,
    pollInterval: 0
  });
  return {
    model,
    events,
    add: text => {
      written += STPIPE(text);
      events.emit({ type: 'job.log', job_id: 'job-1', lines: [] });
    }
  };
}

/** The first line rendered (the window's top, overscan included). */
function firstRendered(host: HTMLElement): string {
  return host.querySelector('.jp-JwstLab-logLine')?.textContent ?? '';
}

/** The globals the test replaces. */
const globals = globalThis as unknown as { ResizeObserver?: unknown };

describe('LogViewer sizing (issue 14, defect 1)', () => {
  let savedObserver: unknown;
  let savedContext: typeof HTMLCanvasElement.prototype.getContext;
  let errors: jest.SpyInstance;

  beforeEach(() => {
    localStorage.removeItem(WRAP_STORAGE_KEY);
    savedObserver = globals.ResizeObserver;
    globals.ResizeObserver = FrameResizeObserver;
    // Text metrics of the monospace font (jsdom has no canvas).
    savedContext = HTMLCanvasElement.prototype.getContext;
    HTMLCanvasElement.prototype.getContext = function () {
      return {
        font: '',
        measureText: (text: string) => ({ width: text.length * CHAR })
      };
    } as unknown as typeof HTMLCanvasElement.prototype.getContext;
    errors = jest.spyOn(console, 'error');
  });

  afterEach(() => {
    globals.ResizeObserver = savedObserver;
    HTMLCanvasElement.prototype.getContext = savedContext;
    FrameResizeObserver.observers.clear();
    errors.mockRestore();
    cleanUp();
  });

  it('settles when a long line sits where a horizontal scrollbar would move the window', async () => {
    const count = 300;
    // Following the tail, the window's first rendered line with and without a
    // horizontal scrollbar (the viewport 15 px shorter): the long line goes
    // where it is rendered only without one.
    const total = count * LOG_ROW_HEIGHT;
    const without = visibleRange(
      total - HEIGHT,
      HEIGHT,
      LOG_ROW_HEIGHT,
      count,
      OVERSCAN
    ).start;
    const withBar = visibleRange(
      total - (HEIGHT - SCROLLBAR),
      HEIGHT - SCROLLBAR,
      LOG_ROW_HEIGHT,
      count,
      OVERSCAN
    ).start;
    expect(withBar).toBe(without + 1);
    const { model } = logOf(count, index => index === without);
    const host = render(<LogViewer model={model} trans={trans} />);
    await waitFor(() => expect(model.lines).toHaveLength(count));
    const viewport = $(host, '.jp-JwstLab-logViewport');
    layOut(viewport);
    await waitFor(() => expect(FrameResizeObserver.observers.size).toBe(1));

    // Frames go by: the size is measured once, then nothing changes.
    const notifications: number[] = [];
    const tops: string[] = [];
    for (let i = 0; i < 30; i++) {
      notifications.push(await frame());
      tops.push(firstRendered(host));
    }
    expect(notifications[0]).toBe(1);
    expect(notifications.slice(2)).toEqual(new Array(28).fill(0));
    expect(new Set(tops.slice(2)).size).toBe(1);
    expect(host.querySelectorAll('.jp-JwstLab-logLine').length).toBeGreaterThan(
      0
    );
    expect(viewport.dataset.follow).toBe('true');
    expect(
      errors.mock.calls.filter(call =>
        String(call[0]).includes('Maximum update depth')
      )
    ).toEqual([]);
    model.dispose();
  });

  it('keeps its size while a run writes lines and long lines scroll out of the window', async () => {
    const { model, add } = logOf(60, index => index % 50 === 3);
    const host = render(<LogViewer model={model} trans={trans} />);
    await waitFor(() => expect(model.lines).toHaveLength(60));
    const viewport = $(host, '.jp-JwstLab-logViewport');
    layOut(viewport);
    await waitFor(() => expect(FrameResizeObserver.observers.size).toBe(1));
    expect(await frame()).toBe(1);
    await frame();

    // Every new line moves the window down one row: long lines enter the
    // window at the bottom and leave it at the top. The viewport's box must
    // not change with them.
    const changes: number[] = [];
    for (let i = 60; i < 160; i++) {
      add(i % 50 === 3 ? `${S_REGION} (line ${i})` : `line ${i}`);
      await waitFor(() => expect(model.lines).toHaveLength(i + 1));
      changes.push(await frame());
    }
    expect(changes).toEqual(new Array(100).fill(0));
    await waitFor(() => expect(firstRendered(host)).not.toBe(''));
    const shown = Array.from(
      host.querySelectorAll('.jp-JwstLab-logLine'),
      line => line.textContent ?? ''
    );
    expect(shown[shown.length - 1]).toContain('line 159');
    model.dispose();
  });
});
