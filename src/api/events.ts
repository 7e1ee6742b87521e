import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { API_NAMESPACE } from '../tokens';
import type {
  EventsStreamMessage,
  IEventsDroppedMessage,
  IHelloMessage
} from './models';

/**
 * State of the events websocket.
 *
 * - `idle`: `connect()` was not called yet.
 * - `connecting`: the first connection attempt is under way.
 * - `open`: events arrive live.
 * - `reconnecting`: the connection was lost or refused; waiting to retry or retrying.
 * - `closed`: disposed; no more events.
 */
export type ConnectionState =
  'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

/** What widgets need from an events stream (tests hand in a fake). */
export interface IEventsConnection {
  /** The current state of the connection. */
  readonly connectionState: ConnectionState;
  /** Emitted when `connectionState` changes. */
  readonly connectionStateChanged: ISignal<IEventsConnection, ConnectionState>;
  /** Server events, in order; `events.dropped` means some were missed. */
  readonly events: ISignal<IEventsConnection, EventsStreamMessage>;
}

/**
 * The delay before reconnection attempt number `attempt` (0-based): it doubles
 * from `initialDelay` and never exceeds `maxDelay`.
 */
export function reconnectDelay(
  attempt: number,
  initialDelay: number,
  maxDelay: number
): number {
  return Math.min(maxDelay, initialDelay * 2 ** attempt);
}

/** Whether a message from the events stream says that events were missed. */
export function isEventsDropped(
  message: EventsStreamMessage
): message is IEventsDroppedMessage {
  return message.type === 'events.dropped';
}

/**
 * The websocket at `/jwst-lab/events`, reconnected with exponential backoff.
 *
 * While open it sends `ping` every `pingInterval`; when nothing at all arrived
 * between two pings the connection is taken as dead and replaced, which
 * catches proxies and sleeping laptops that drop sockets without closing them.
 */
export class EventStream implements IEventsConnection, IDisposable {
  /** Create a stream; it does not connect until `connect()` is called. */
  constructor(options: EventStream.IOptions) {
    this._settings = options.serverSettings;
    this._initialDelay = options.initialDelay ?? 1000;
    this._maxDelay = options.maxDelay ?? 30000;
    this._pingInterval = options.pingInterval ?? 30000;
  }

  /** The websocket URL, with the token appended when the settings ask for it. */
  get url(): string {
    const settings = this._settings;
    const url = URLExt.join(settings.wsUrl, API_NAMESPACE, 'events');
    // Like JupyterLab's kernel and terminal sockets: same-origin pages
    // authenticate with the cookie, so the token is appended only when needed.
    if (settings.token && settings.appendToken) {
      return `${url}?token=${encodeURIComponent(settings.token)}`;
    }
    return url;
  }

  get connectionState(): ConnectionState {
    return this._state;
  }

  get connectionStateChanged(): ISignal<this, ConnectionState> {
    return this._connectionStateChanged;
  }

  get events(): ISignal<this, EventsStreamMessage> {
    return this._events;
  }

  /** The server version from the last `hello` message, or null. */
  get serverVersion(): string | null {
    return this._serverVersion;
  }

  get isDisposed(): boolean {
    return this._state === 'closed';
  }

  /** Open the websocket; does nothing unless the stream is `idle`. */
  connect(): void {
    if (this._state !== 'idle') {
      return;
    }
    this._setState('connecting');
    this._openSocket();
  }

  /** Close the websocket and stop reconnecting. */
  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._clearTimers();
    const socket = this._socket;
    this._socket = null;
    if (socket) {
      Private.detach(socket);
      socket.close(1000, 'disposed');
    }
    this._setState('closed');
    Signal.clearData(this);
  }

  private _openSocket(): void {
    let socket: WebSocket;
    try {
      socket = new this._settings.WebSocket(this.url);
    } catch (error) {
      console.error('jwst-lab: cannot open the events websocket', error);
      this._scheduleReconnect();
      return;
    }
    this._socket = socket;
    socket.onopen = () => this._onOpen();
    socket.onmessage = event => this._onMessage(event);
    // An `error` event is always followed by `close`, which does the work.
    socket.onclose = () => this._onClosed(socket);
  }

  private _onOpen(): void {
    this._attempt = 0;
    this._setState('open');
    this._startHeartbeat();
  }

  private _onMessage(event: MessageEvent): void {
    this._heardSincePing = true;
    const message = Private.parseMessage(event.data);
    if (message === null) {
      console.warn('jwst-lab: ignoring a malformed events message', event.data);
      return;
    }
    if (message.type === 'pong') {
      return;
    }
    if (message.type === 'hello') {
      this._serverVersion = (message as unknown as IHelloMessage).version;
      return;
    }
    this._events.emit(message as EventsStreamMessage);
  }

  private _onClosed(socket: WebSocket): void {
    if (socket !== this._socket || this.isDisposed) {
      return;
    }
    this._socket = null;
    this._scheduleReconnect();
  }

  private _scheduleReconnect(): void {
    this._clearTimers();
    const delay = reconnectDelay(
      this._attempt,
      this._initialDelay,
      this._maxDelay
    );
    this._attempt += 1;
    this._setState('reconnecting');
    this._reconnectTimer = setTimeout(() => {
      this._reconnectTimer = null;
      this._openSocket();
    }, delay);
  }

  private _startHeartbeat(): void {
    if (this._pingInterval <= 0) {
      return;
    }
    this._heardSincePing = true;
    this._heartbeatTimer = setInterval(() => {
      const socket = this._socket;
      if (!socket) {
        return;
      }
      if (!this._heardSincePing) {
        Private.detach(socket);
        socket.close();
        this._onClosed(socket);
        return;
      }
      this._heardSincePing = false;
      socket.send('ping');
    }, this._pingInterval);
  }

  private _clearTimers(): void {
    if (this._reconnectTimer !== null) {
      clearTimeout(this._reconnectTimer);
      this._reconnectTimer = null;
    }
    if (this._heartbeatTimer !== null) {
      clearInterval(this._heartbeatTimer);
      this._heartbeatTimer = null;
    }
  }

  private _setState(state: ConnectionState): void {
    if (this._state === state) {
      return;
    }
    this._state = state;
    this._connectionStateChanged.emit(state);
  }

  private readonly _settings: ServerConnection.ISettings;
  private readonly _initialDelay: number;
  private readonly _maxDelay: number;
  private readonly _pingInterval: number;
  private _state: ConnectionState = 'idle';
  private _socket: WebSocket | null = null;
  private _attempt = 0;
  private _heardSincePing = false;
  private _serverVersion: string | null = null;
  private _reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private _heartbeatTimer: ReturnType<typeof setInterval> | null = null;
  private _connectionStateChanged = new Signal<this, ConnectionState>(this);
  private _events = new Signal<this, EventsStreamMessage>(this);
}

/** The namespace for `EventStream` statics. */
export namespace EventStream {
  /** Options to create an events stream. */
  export interface IOptions {
    /** Server settings: `wsUrl`, `token`, `appendToken` and the `WebSocket` class. */
    serverSettings: ServerConnection.ISettings;
    /** Delay before the first reconnection attempt, in ms (default 1000). */
    initialDelay?: number;
    /** Longest delay between reconnection attempts, in ms (default 30000). */
    maxDelay?: number;
    /** Interval between `ping` messages while open, in ms; 0 disables (default 30000). */
    pingInterval?: number;
  }
}

namespace Private {
  /** Stop listening to a socket we are abandoning. */
  export function detach(socket: WebSocket): void {
    socket.onopen = null;
    socket.onmessage = null;
    socket.onclose = null;
    socket.onerror = null;
  }

  /** A JSON object with a string `type`, or null. */
  export function parseMessage(data: unknown): { type: string } | null {
    if (typeof data !== 'string') {
      return null;
    }
    let value: unknown;
    try {
      value = JSON.parse(data);
    } catch {
      return null;
    }
    if (
      typeof value === 'object' &&
      value !== null &&
      typeof (value as { type?: unknown }).type === 'string'
    ) {
      return value as { type: string };
    }
    return null;
  }
}
