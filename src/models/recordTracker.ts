import { ISignal, Signal } from '@lumino/signaling';

import { IProblem, problemOf } from '../api/errors';
import type { ConnectionState, IEventsConnection } from '../api/events';
import type { EventsStreamMessage } from '../api/models';
import type { IJwstLabClient } from '../tokens';
import { Model } from './model';

/** What a tracker follows: a record with an id and when it was last updated. */
export interface ITrackedRecord {
  id: string;
  updated?: string | null;
}

/** Whether `record` was updated before `current` (both timestamps known). */
export function isUpdatedBefore(
  record: Pick<ITrackedRecord, 'updated'>,
  current: Pick<ITrackedRecord, 'updated'> | null
): boolean {
  if (!current?.updated || !record.updated) {
    return false;
  }
  const then = Date.parse(record.updated);
  const now = Date.parse(current.updated);
  return !Number.isNaN(then) && !Number.isNaN(now) && then < now;
}

/**
 * Follows one server record: live through the page's events stream, over
 * REST when events may have been missed (`events.dropped`, a reconnected
 * websocket) and, every `pollInterval`, while the websocket is not open and
 * the record has not reached a final state.
 *
 * A subclass says how to ask for the record, how to read one, when it is
 * final and what its events mean; it calls `start` at the end of its
 * constructor, once its own fields exist.
 */
export abstract class RecordTracker<T extends ITrackedRecord> extends Model {
  /** Listen to the events stream for the record `id`. */
  protected constructor(options: RecordTracker.IContext, id: string) {
    super();
    this.id = id;
    this._client = options.client;
    this._events = options.events ?? null;
    this._pollInterval = options.pollInterval ?? RecordTracker.POLL_INTERVAL;
    this._events?.events.connect(this._onEvent, this);
    this._events?.connectionStateChanged.connect(this._onConnection, this);
    this._connection = this._events?.connectionState ?? 'idle';
  }

  /** The id of the record followed. */
  readonly id: string;

  /** Whether the record has reached a final state. */
  get isFinal(): boolean {
    return this.record !== null && this.isFinalRecord(this.record);
  }

  /** Whether the record was deleted. */
  get deleted(): boolean {
    return this._deleted;
  }

  /** Why asking the server for the record failed the last time, or null. */
  get error(): IProblem | null {
    return this._error;
  }

  /** Emitted with the record each time it reaches a final state. */
  get ended(): ISignal<this, T> {
    return this._ended;
  }

  /**
   * Ask the server for the record. Never rejects: a failure lands in `error`
   * and the next event or poll tries again.
   */
  async refresh(): Promise<void> {
    if (this.isDisposed || this._deleted) {
      return;
    }
    const generation = this._eventGeneration;
    try {
      const record = this.normalize(await this.requestRecord(this.client));
      if (this.isDisposed || !record || record.id !== this.id) {
        return;
      }
      // A newer event may have been applied while the request was under way.
      if (
        generation !== this._eventGeneration &&
        !(this.record !== null && isUpdatedBefore(this.record, record))
      ) {
        return;
      }
      this._error = null;
      this.apply(record);
    } catch (error) {
      if (this.isDisposed) {
        return;
      }
      this._error = problemOf(error);
      this.emitChanged();
    }
  }

  /** Take a record received another way (e.g. the answer to an action). */
  apply(value: T): void {
    const record = this.normalize(value);
    if (this.isDisposed || !record || record.id !== this.id) {
      return;
    }
    if (isUpdatedBefore(record, this.record)) {
      return;
    }
    const wasFinal = this.isFinal;
    this.record = record;
    this._error = null;
    this.recordApplied(record);
    this._schedulePolling();
    this.emitChanged();
    if (!wasFinal && this.isFinal) {
      this._ended.emit(record);
    }
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._stopPolling();
    this._events?.events.disconnect(this._onEvent, this);
    this._events?.connectionStateChanged.disconnect(this._onConnection, this);
    super.dispose();
  }

  /** Where the tracker asks. */
  protected get client(): IJwstLabClient {
    return this._client;
  }

  /** Begin from the record, or from its id alone (then it is asked for at once). */
  protected start(record: T | string): void {
    if (typeof record === 'string') {
      void this.refresh();
    } else {
      this.apply(record);
    }
  }

  /** Note that an event brought news of the record (a refresh under way may be stale). */
  protected noteEvent(): void {
    this._eventGeneration++;
  }

  /** The record was deleted: stop polling and say so. */
  protected markDeleted(): void {
    this._deleted = true;
    this._stopPolling();
    this.emitChanged();
  }

  /** Called with each record taken, before views hear of it. */
  protected recordApplied(record: T): void {
    // Nothing by default.
  }

  /** Ask the server for the record. */
  protected abstract requestRecord(client: IJwstLabClient): Promise<unknown>;

  /** The record read from a value, or null when it is not one. */
  protected abstract normalize(value: unknown): T | null;

  /** Whether the record is in a final state. */
  protected abstract isFinalRecord(record: T): boolean;

  /** Take an event of the stream other than `events.dropped`. */
  protected abstract handleEvent(message: EventsStreamMessage): void;

  /** The record's last known value, or null before the first answer. */
  protected record: T | null = null;

  private _onEvent(_: IEventsConnection, message: EventsStreamMessage): void {
    if (message.type === 'events.dropped') {
      void this.refresh();
      return;
    }
    this.handleEvent(message);
  }

  private _onConnection(_: IEventsConnection, state: ConnectionState): void {
    const previous = this._connection;
    this._connection = state;
    // Events published while the socket was down are lost: ask again.
    if (state === 'open' && previous !== 'open') {
      void this.refresh();
    }
  }

  /** Poll until final; each tick asks only when live events are not flowing. */
  private _schedulePolling(): void {
    if (this.isFinal || this._deleted || this._pollInterval <= 0) {
      this._stopPolling();
      return;
    }
    if (this._timer !== null) {
      return;
    }
    this._timer = setInterval(() => {
      if (this._events?.connectionState !== 'open') {
        void this.refresh();
      }
    }, this._pollInterval);
  }

  private _stopPolling(): void {
    if (this._timer !== null) {
      clearInterval(this._timer);
      this._timer = null;
    }
  }

  private readonly _client: IJwstLabClient;
  private readonly _events: IEventsConnection | null;
  private readonly _pollInterval: number;
  private _connection: ConnectionState;
  private _error: IProblem | null = null;
  private _deleted = false;
  private _eventGeneration = 0;
  private _timer: ReturnType<typeof setInterval> | null = null;
  private _ended = new Signal<this, T>(this);
}

/** The namespace for `RecordTracker` statics. */
export namespace RecordTracker {
  /** How often a record is asked for while live events are not flowing, ms. */
  export const POLL_INTERVAL = 2000;

  /** Where trackers ask: what a model that follows records is given. */
  export interface IContext {
    client: IJwstLabClient;
    /** The page's events stream; without it the record is only polled. */
    events?: IEventsConnection | null;
    /** Polling interval while events do not flow, ms; 0 never polls (default 2000). */
    pollInterval?: number;
  }
}
