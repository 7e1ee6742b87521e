import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import type { IEventsConnection } from '../api/events';
import type { EventsStreamMessage } from '../api/types';
import type { IJwstLabClient } from '../tokens';

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

/**
 * A job's log: caught up over `GET /jobs/{id}/log?offset=` from byte 0, then
 * read on from the last offset whenever the events stream says lines were
 * written (`job.log`) or the job changed, and every `pollInterval` ms as a
 * fallback while the job has not ended. Reading by offset never duplicates or
 * loses a line, whatever order events and answers arrive in.
 */
export class LogModel implements IDisposable {
  /** Create the model and start reading. */
  constructor(options: LogModel.IOptions) {
    this._client = options.client;
    this._jobId = options.jobId;
    this._events = options.events ?? null;
    this._pollInterval = options.pollInterval ?? 2000;
    this._events?.events.connect(this._onEvent, this);
    void this.pull();
    if (this._pollInterval > 0) {
      this._timer = setInterval(() => {
        if (!this._done) {
          void this.pull();
        }
      }, this._pollInterval);
    }
  }

  /** Emitted when lines were added or the state changed. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Every line read so far. */
  get lines(): readonly ILogLine[] {
    return this._lines;
  }

  /** Whether the job has ended and its whole log was read. */
  get done(): boolean {
    return this._done;
  }

  /** Why the last read failed, or null. */
  get error(): string | null {
    return this._error;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Read what was written since the last read (one request at a time; a call
   * while one is under way reads again after it).
   */
  async pull(): Promise<void> {
    if (this._isDisposed) {
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
    if (this._again && !this._isDisposed) {
      this._again = false;
      await this.pull();
    }
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    if (this._timer !== null) {
      clearInterval(this._timer);
    }
    this._events?.events.disconnect(this._onEvent, this);
    Signal.clearData(this);
  }

  private async _read(): Promise<void> {
    // Long logs come in chunks: keep reading while the server has more.
    for (let round = 0; round < 1000 && !this._isDisposed; round++) {
      let chunk;
      try {
        chunk = await this._client.getJobLog(this._jobId, this._offset);
      } catch (error) {
        this._error = error instanceof Error ? error.message : String(error);
        this._changed.emit();
        return;
      }
      if (this._isDisposed) {
        return;
      }
      this._error = null;
      const advanced = chunk.next_offset > this._offset;
      this._offset = Math.max(this._offset, chunk.next_offset);
      this._append(chunk.text);
      const wasDone = this._done;
      this._done = chunk.done;
      if (advanced || this._done !== wasDone) {
        this._changed.emit();
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
    const jobId = (message as { job_id?: unknown }).job_id;
    if (
      message.type === 'events.dropped' ||
      (jobId === this._jobId &&
        (message.type === 'job.log' || message.type === 'job.updated'))
    ) {
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
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
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
