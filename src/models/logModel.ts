import { errorMessage } from '../api/errors';
import type { ConnectionState, IEventsConnection } from '../api/events';
import type { EventsStreamMessage } from '../api/models';
import type { IJwstLabClient } from '../tokens';
import { jobIdOfEvent } from './jobRecord';
import { Model } from './model';

/** Levels a log line can have; `EVENT` marks jwst-lab's own machine-readable lines. */
export type LogLevel = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'EVENT';

/** One line of a job's log. */
export interface ILogLine {
  /** 0-based position in the log. */
  index: number;
  text: string;
  /** The line's level; continuation lines (tracebacks, parameter dumps) take the previous one's. */
  level: LogLevel;
}

const LEVEL = / - (DEBUG|INFO|WARNING|ERROR|CRITICAL) - /;
const EVENT_PREFIX = 'JWST-LAB-EVENT ';

/** The level of `text`, or null when the line does not say (a continuation line). */
export function lineLevel(text: string): LogLevel | null {
  if (text.startsWith(EVENT_PREFIX)) {
    return 'EVENT';
  }
  const match = LEVEL.exec(text);
  if (!match) {
    return /^(Traceback|\w+(Error|Exception)\b)/.test(text) ? 'ERROR' : null;
  }
  return match[1] === 'CRITICAL' ? 'ERROR' : (match[1] as LogLevel);
}

/** Level filters in menu order; ERROR includes CRITICAL. */
export const LOG_LEVELS: LogLevel[] = [
  'DEBUG',
  'INFO',
  'WARNING',
  'ERROR',
  'EVENT'
];

/** Levels shown until the user changes the filter. */
export const DEFAULT_LOG_LEVELS: LogLevel[] = ['INFO', 'WARNING', 'ERROR'];

/** Where the "Wrap lines" choice is kept (one choice for every job's log). */
export const WRAP_STORAGE_KEY = 'jwst-lab:log-wrap';

/** The remembered "Wrap lines" choice (off until the user turns it on). */
export function storedWrap(): boolean {
  try {
    return globalThis.localStorage?.getItem(WRAP_STORAGE_KEY) === 'true';
  } catch {
    return false; // storage refused (private mode, sandboxed frame)
  }
}

function storeWrap(wrap: boolean): void {
  try {
    globalThis.localStorage?.setItem(WRAP_STORAGE_KEY, String(wrap));
  } catch {
    // Not remembered: the choice still holds for this log.
  }
}

/**
 * The rows each line takes when wrapped at `columns` characters (monospace,
 * broken anywhere), and where each line starts, in rows: `starts` has one
 * more entry than `lines`, its last the total.
 */
export function wrapRows(
  lines: readonly ILogLine[],
  columns: number
): { starts: number[] } {
  const width = Math.max(1, Math.floor(columns));
  const starts = new Array<number>(lines.length + 1);
  let row = 0;
  for (let index = 0; index < lines.length; index++) {
    starts[index] = row;
    row += Math.max(1, Math.ceil(lines[index].text.length / width));
  }
  starts[lines.length] = row;
  return { starts };
}

/** The index of the line at row `row` (the last line whose start is at or before it). */
export function lineAtRow(starts: readonly number[], row: number): number {
  let low = 0;
  let high = starts.length - 2;
  if (high < 0) {
    return 0;
  }
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (starts[middle] <= row) {
      low = middle;
    } else {
      high = middle - 1;
    }
  }
  return low;
}

/** The lines a filter keeps: at the given levels and containing `query` (any case). */
export function filterLines(
  lines: readonly ILogLine[],
  levels: ReadonlySet<LogLevel>,
  query: string
): ILogLine[] {
  const needle = query.trim().toLowerCase();
  return lines.filter(
    line =>
      levels.has(line.level) &&
      (needle === '' || line.text.toLowerCase().includes(needle))
  );
}

/**
 * A job's log: caught up over `GET /jobs/{id}/log?offset=` from byte 0, then
 * read on from the last offset whenever the events stream says lines were
 * written (`job.log`) or the job changed, and every `pollInterval` ms as a
 * fallback while the job has not ended, and again when the websocket is back
 * (lines written meanwhile were not announced). Reading by offset never
 * duplicates or loses a line, whatever order events and answers arrive in.
 *
 * It also holds what the viewer shows of it: the levels and the search text.
 */
export class LogModel extends Model {
  /** Create the model and start reading. */
  constructor(options: LogModel.IOptions) {
    super();
    this._client = options.client;
    this._jobId = options.jobId;
    this._events = options.events ?? null;
    this._pollInterval = options.pollInterval ?? 2000;
    this._connection = this._events?.connectionState ?? 'idle';
    this._events?.events.connect(this._onEvent, this);
    this._events?.connectionStateChanged.connect(this._onConnection, this);
    void this.pull();
    if (this._pollInterval > 0) {
      this._timer = setInterval(() => {
        if (!this._done) {
          void this.pull();
        }
      }, this._pollInterval);
    }
  }

  /** Every line read so far. */
  get lines(): readonly ILogLine[] {
    return this._lines;
  }

  /** The levels shown. */
  get levels(): ReadonlySet<LogLevel> {
    return this._levels;
  }

  /** Show or hide the lines of a level. */
  toggleLevel(level: LogLevel): void {
    const next = new Set(this._levels);
    if (next.has(level)) {
      next.delete(level);
    } else {
      next.add(level);
    }
    this._levels = next;
    this.emitChanged();
  }

  /** The search text: only lines containing it are shown. */
  get query(): string {
    return this._query;
  }

  setQuery(query: string): void {
    this._query = query;
    this.emitChanged();
  }

  /** Whether long lines wrap (remembered for every log) rather than scroll sideways. */
  get wrap(): boolean {
    return this._wrap;
  }

  setWrap(wrap: boolean): void {
    this._wrap = wrap;
    storeWrap(wrap);
    this.emitChanged();
  }

  /**
   * The length of the longest line shown, in characters: the sideways extent
   * of the whole log, not of the rows in view, so that a horizontal scrollbar
   * does not come and go as the view moves.
   */
  get longestShown(): number {
    const shown = this.shownLines;
    if (this._longest?.lines !== shown) {
      let value = 0;
      shown.forEach(line => (value = Math.max(value, line.text.length)));
      this._longest = { lines: shown, value };
    }
    return this._longest.value;
  }

  /** The lines shown: at the chosen levels and containing the search text. */
  get shownLines(): readonly ILogLine[] {
    const shown = this._shown;
    if (
      shown?.lines !== this._lines ||
      shown.levels !== this._levels ||
      shown.query !== this._query
    ) {
      this._shown = {
        lines: this._lines,
        levels: this._levels,
        query: this._query,
        value: filterLines(this._lines, this._levels, this._query)
      };
    }
    return this._shown!.value;
  }

  /** How many lines each level has. */
  get counts(): Record<LogLevel, number> {
    if (this._counts?.lines !== this._lines) {
      const value: Record<LogLevel, number> = {
        DEBUG: 0,
        INFO: 0,
        WARNING: 0,
        ERROR: 0,
        EVENT: 0
      };
      this._lines.forEach(line => (value[line.level] += 1));
      this._counts = { lines: this._lines, value };
    }
    return this._counts.value;
  }

  /** Whether the job has ended and its whole log was read. */
  get done(): boolean {
    return this._done;
  }

  /** Why the last read failed, or null. */
  get error(): string | null {
    return this._error;
  }

  /**
   * Read what was written since the last read (one request at a time; a call
   * while one is under way reads again after it).
   */
  async pull(): Promise<void> {
    if (this.isDisposed) {
      return;
    }
    if (this._inFlight) {
      this._again = true;
      return this._inFlight;
    }
    this._inFlight = this._read();
    try {
      await this._inFlight;
    } finally {
      this._inFlight = null;
    }
    if (this._again && !this.isDisposed) {
      this._again = false;
      await this.pull();
    }
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    if (this._timer !== null) {
      clearInterval(this._timer);
    }
    this._events?.events.disconnect(this._onEvent, this);
    this._events?.connectionStateChanged.disconnect(this._onConnection, this);
    super.dispose();
  }

  private async _read(): Promise<void> {
    // Long logs come in chunks: keep reading while the server has more.
    for (let round = 0; round < 1000 && !this.isDisposed; round++) {
      let chunk;
      try {
        chunk = await this._client.getJobLog(this._jobId, this._offset);
      } catch (error) {
        this._error = errorMessage(error);
        this.emitChanged();
        return;
      }
      if (this.isDisposed) {
        return;
      }
      this._error = null;
      const advanced = chunk.next_offset > this._offset;
      this._offset = Math.max(this._offset, chunk.next_offset);
      this._append(chunk.text);
      const wasDone = this._done;
      this._done = chunk.done;
      if (advanced || this._done !== wasDone) {
        this.emitChanged();
      }
      if (!advanced || chunk.done) {
        return;
      }
    }
  }

  private _append(text: string): void {
    if (!text) {
      return;
    }
    // The server sends complete lines (a last line without a newline only
    // once the job has ended), so every piece is a line.
    const parts = text.split(/\r?\n/);
    if (parts[parts.length - 1] === '') {
      parts.pop();
    }
    const lines = this._lines.slice();
    for (const part of parts) {
      const level = lineLevel(part) ?? this._lastLevel;
      if (level !== 'EVENT') {
        this._lastLevel = level;
      }
      lines.push({ index: lines.length, text: part, level });
    }
    this._lines = lines;
  }

  private _onEvent(_: IEventsConnection, message: EventsStreamMessage): void {
    const jobId = jobIdOfEvent(message);
    if (
      message.type === 'events.dropped' ||
      (jobId === this._jobId &&
        (message.type === 'job.log' || message.type === 'job.updated'))
    ) {
      void this.pull();
    }
  }

  private _onConnection(_: IEventsConnection, state: ConnectionState): void {
    const previous = this._connection;
    this._connection = state;
    if (state === 'open' && previous !== 'open') {
      void this.pull();
    }
  }

  private readonly _client: IJwstLabClient;
  private readonly _jobId: string;
  private readonly _events: IEventsConnection | null;
  private readonly _pollInterval: number;
  private _timer: ReturnType<typeof setInterval> | null = null;
  private _lines: ILogLine[] = [];
  private _offset = 0;
  private _lastLevel: LogLevel = 'INFO';
  private _done = false;
  private _error: string | null = null;
  private _inFlight: Promise<void> | null = null;
  private _again = false;
  private _connection: ConnectionState;
  private _levels: ReadonlySet<LogLevel> = new Set(DEFAULT_LOG_LEVELS);
  private _query = '';
  private _wrap = storedWrap();
  private _longest: { lines: readonly ILogLine[]; value: number } | null = null;
  private _shown: {
    lines: readonly ILogLine[];
    levels: ReadonlySet<LogLevel>;
    query: string;
    value: readonly ILogLine[];
  } | null = null;
  private _counts: {
    lines: readonly ILogLine[];
    value: Record<LogLevel, number>;
  } | null = null;
}

/** The namespace for `LogModel` statics. */
export namespace LogModel {
  /** Options to create a log model. */
  export interface IOptions {
    client: IJwstLabClient;
    jobId: string;
    /** The events stream; without it the log is only polled. */
    events?: IEventsConnection | null;
    /** Fallback polling interval in ms while the job runs; 0 disables (default 2000). */
    pollInterval?: number;
  }
}
