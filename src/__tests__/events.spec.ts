import {
  ConnectionState,
  EventStream,
  isEventsDropped,
  reconnectDelay
} from '../api/events';
import type { EventsStreamMessage } from '../api/models';
import { makeSettings } from './fixtures';

/** A WebSocket stand-in the test drives by hand. */
class FakeWebSocket {
  static instances: FakeWebSocket[] = [];

  static get latest(): FakeWebSocket {
    return FakeWebSocket.instances[FakeWebSocket.instances.length - 1];
  }

  constructor(readonly url: string) {
    FakeWebSocket.instances.push(this);
  }

  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  sent: string[] = [];
  closed = false;

  send(data: string): void {
    this.sent.push(data);
  }

  close(): void {
    this.closed = true;
  }

  /** The server accepts the connection. */
  accept(): void {
    this.onopen?.({});
  }

  /** The server sends a JSON message. */
  receive(message: unknown): void {
    this.onmessage?.({
      data: typeof message === 'string' ? message : JSON.stringify(message)
    });
  }

  /** The connection fails or is lost. */
  fail(): void {
    this.onerror?.({});
    this.onclose?.({ code: 1006 });
  }
}

function makeStream(
  options: Partial<EventStream.IOptions> & { token?: string } = {}
): EventStream {
  const { token, ...streamOptions } = options;
  return new EventStream({
    serverSettings: makeSettings({
      token: token ?? '',
      appendToken: true,
      WebSocket: FakeWebSocket as unknown as typeof WebSocket
    }),
    pingInterval: 0,
    ...streamOptions
  });
}

function recordStates(stream: EventStream): ConnectionState[] {
  const states: ConnectionState[] = [];
  stream.connectionStateChanged.connect((_, state) => states.push(state));
  return states;
}

beforeEach(() => {
  jest.useFakeTimers();
  FakeWebSocket.instances = [];
});

afterEach(() => {
  jest.useRealTimers();
});

describe('reconnectDelay', () => {
  it('doubles from the initial delay up to the cap', () => {
    const delays = [0, 1, 2, 3, 4, 5, 6, 10].map(attempt =>
      reconnectDelay(attempt, 1000, 30000)
    );
    expect(delays).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000
    ]);
  });
});

describe('EventStream', () => {
  it('connects to /jwst-lab/events, with the token when the settings carry one', () => {
    expect(makeStream().url).toBe('ws://localhost:8888/jwst-lab/events');
    const stream = makeStream({ token: 'a b' });
    expect(stream.url).toBe('ws://localhost:8888/jwst-lab/events?token=a%20b');

    stream.connect();
    expect(FakeWebSocket.instances.map(socket => socket.url)).toEqual([
      'ws://localhost:8888/jwst-lab/events?token=a%20b'
    ]);
    stream.dispose();
  });

  it('does nothing until connect() and connects only once', () => {
    const stream = makeStream();
    expect(stream.connectionState).toBe('idle');
    expect(FakeWebSocket.instances).toHaveLength(0);

    stream.connect();
    stream.connect();
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(stream.connectionState).toBe('connecting');
    stream.dispose();
  });

  it('forwards server events, keeps hello and pong to itself', () => {
    const stream = makeStream();
    const received: EventsStreamMessage[] = [];
    stream.events.connect((_, message) => received.push(message));
    const warn = jest
      .spyOn(console, 'warn')
      .mockImplementation(() => undefined);

    stream.connect();
    const socket = FakeWebSocket.latest;
    socket.accept();
    socket.receive({ type: 'hello', version: '0.1.0' });
    socket.receive({ type: 'pong' });
    socket.receive({
      type: 'job.state',
      seq: 1,
      time: 1700000000,
      job_id: 'j1',
      state: 'running'
    });
    socket.receive('not json');
    socket.receive({ no: 'type' });
    socket.receive({ type: 'events.dropped', count: 3 });

    expect(stream.connectionState).toBe('open');
    expect(stream.serverVersion).toBe('0.1.0');
    expect(received).toEqual([
      {
        type: 'job.state',
        seq: 1,
        time: 1700000000,
        job_id: 'j1',
        state: 'running'
      },
      { type: 'events.dropped', count: 3 }
    ]);
    expect(received.map(isEventsDropped)).toEqual([false, true]);
    expect(warn).toHaveBeenCalledTimes(2);
    warn.mockRestore();
    stream.dispose();
  });

  it('reconnects with exponential backoff capped at maxDelay', () => {
    const stream = makeStream({ initialDelay: 1000, maxDelay: 30000 });
    const states = recordStates(stream);
    stream.connect();

    const delays: number[] = [];
    for (let attempt = 0; attempt < 7; attempt++) {
      const sockets = FakeWebSocket.instances.length;
      FakeWebSocket.latest.fail();
      expect(stream.connectionState).toBe('reconnecting');
      // Count the milliseconds until the next socket appears.
      let waited = 0;
      while (FakeWebSocket.instances.length === sockets) {
        jest.advanceTimersByTime(250);
        waited += 250;
        expect(waited).toBeLessThanOrEqual(60000);
      }
      delays.push(waited);
    }

    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    expect(states).toEqual(['connecting', 'reconnecting']);
    stream.dispose();
  });

  it('starts the backoff again after a connection succeeded', () => {
    const stream = makeStream({ initialDelay: 1000 });
    const states = recordStates(stream);
    stream.connect();

    FakeWebSocket.latest.fail();
    jest.advanceTimersByTime(1000);
    FakeWebSocket.latest.fail();
    jest.advanceTimersByTime(2000);
    expect(FakeWebSocket.instances).toHaveLength(3);

    FakeWebSocket.latest.accept();
    expect(stream.connectionState).toBe('open');
    FakeWebSocket.latest.fail();
    jest.advanceTimersByTime(999);
    expect(FakeWebSocket.instances).toHaveLength(3);
    jest.advanceTimersByTime(1);
    expect(FakeWebSocket.instances).toHaveLength(4);

    expect(states).toEqual([
      'connecting',
      'reconnecting',
      'open',
      'reconnecting'
    ]);
    stream.dispose();
  });

  it('pings while open and replaces a connection that stopped answering', () => {
    const stream = makeStream({ pingInterval: 30000, initialDelay: 1000 });
    stream.connect();
    const socket = FakeWebSocket.latest;
    socket.accept();

    jest.advanceTimersByTime(30000);
    expect(socket.sent).toEqual(['ping']);
    socket.receive({ type: 'pong' });
    jest.advanceTimersByTime(30000);
    expect(socket.sent).toEqual(['ping', 'ping']);
    expect(stream.connectionState).toBe('open');

    // No answer to the second ping: the socket is dead.
    jest.advanceTimersByTime(30000);
    expect(socket.closed).toBe(true);
    expect(stream.connectionState).toBe('reconnecting');
    jest.advanceTimersByTime(1000);
    expect(FakeWebSocket.instances).toHaveLength(2);
    stream.dispose();
  });

  it('retries when the WebSocket cannot even be created', () => {
    let refusals = 1;
    class RefusingWebSocket extends FakeWebSocket {
      constructor(url: string) {
        if (refusals > 0) {
          refusals -= 1;
          throw new SyntaxError('invalid URL');
        }
        super(url);
      }
    }
    const error = jest
      .spyOn(console, 'error')
      .mockImplementation(() => undefined);
    const stream = new EventStream({
      serverSettings: makeSettings({
        WebSocket: RefusingWebSocket as unknown as typeof WebSocket
      }),
      initialDelay: 1000
    });

    stream.connect();
    expect(stream.connectionState).toBe('reconnecting');
    expect(FakeWebSocket.instances).toHaveLength(0);
    jest.advanceTimersByTime(1000);
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(error).toHaveBeenCalledTimes(1);
    error.mockRestore();
    stream.dispose();
  });

  it('stops everything on dispose', () => {
    const stream = makeStream({ initialDelay: 1000 });
    const states = recordStates(stream);
    const received: EventsStreamMessage[] = [];
    stream.events.connect((_, message) => received.push(message));
    stream.connect();
    const socket = FakeWebSocket.latest;
    socket.accept();

    stream.dispose();
    expect(stream.isDisposed).toBe(true);
    expect(stream.connectionState).toBe('closed');
    expect(socket.closed).toBe(true);
    expect(states).toEqual(['connecting', 'open', 'closed']);

    socket.receive({ type: 'job.state', seq: 1, time: 0 });
    socket.fail();
    jest.advanceTimersByTime(60000);
    expect(received).toEqual([]);
    expect(FakeWebSocket.instances).toHaveLength(1);

    stream.connect();
    expect(FakeWebSocket.instances).toHaveLength(1);
  });
});
