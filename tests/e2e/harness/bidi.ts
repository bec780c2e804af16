// A small WebDriver BiDi client (https://w3c.github.io/webdriver-bidi/) over one WebSocket: commands with
// ids, results and errors, and events. Firefox speaks BiDi natively (no geckodriver here); this is all the
// Firefox e2e tests and bench need of it. Node 20 has no global WebSocket, hence `ws`.
import WebSocket from 'ws';

export interface BidiEvent {
  method: string;
  params: Record<string, unknown>;
}

export class BidiError extends Error {
  constructor(
    readonly command: string,
    readonly error: string,
    message: string,
  ) {
    super(`${command}: ${error}: ${message}`);
  }
}

export class BidiConnection {
  private nextId = 0;
  private readonly waiting = new Map<
    number,
    { command: string; resolve(v: unknown): void; reject(e: Error): void }
  >();
  private readonly listeners = new Set<(e: BidiEvent) => void>();
  private closed: Error | null = null;

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => this.receive(String(data)));
    socket.on('close', () => this.fail(new Error('BiDi connection closed')));
    socket.on('error', (e) => this.fail(e instanceof Error ? e : new Error(String(e))));
  }

  /** Connects to a BiDi endpoint (ws://host:port/session) and starts a session. */
  static async connect(url: string): Promise<BidiConnection> {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const conn = new BidiConnection(socket);
    await conn.send('session.new', { capabilities: {} });
    return conn;
  }

  /** Sends a command and resolves with its result (rejects with a BidiError). */
  send<T = Record<string, unknown>>(method: string, params: object = {}): Promise<T> {
    if (this.closed) return Promise.reject(this.closed);
    const id = ++this.nextId;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { command: method, resolve: resolve as (v: unknown) => void, reject });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Calls `fn` for every event; returns a function that stops it. */
  on(fn: (e: BidiEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  close(): void {
    this.socket.close();
  }

  private receive(text: string): void {
    const m = JSON.parse(text) as {
      id?: number;
      type?: string;
      result?: unknown;
      error?: string;
      message?: string;
      method?: string;
      params?: Record<string, unknown>;
    };
    if (m.type === 'event' && m.method) {
      for (const fn of this.listeners) fn({ method: m.method, params: m.params ?? {} });
      return;
    }
    if (m.id === undefined) return;
    const w = this.waiting.get(m.id);
    if (!w) return;
    this.waiting.delete(m.id);
    if (m.type === 'error') w.reject(new BidiError(w.command, m.error ?? 'error', m.message ?? ''));
    else w.resolve(m.result);
  }

  private fail(e: Error): void {
    if (this.closed) return;
    this.closed = e;
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }
}

/** A BiDi RemoteValue, as script.evaluate and script.callFunction return it. */
interface RemoteValue {
  type: string;
  value?: unknown;
}

/**
 * Runs `fn(arg)` in a browsing context's page and returns its (awaited) result, both passed as JSON, as
 * Playwright's page.evaluate does: `fn` must be self-contained.
 */
export async function callFunction<A, R>(
  bidi: BidiConnection,
  context: string,
  fn: (arg: A) => R | Promise<R>,
  arg: A,
): Promise<R> {
  const declaration = `async (json) => { const r = await (${fn.toString()})(JSON.parse(json)); return r === undefined ? '__undefined__' : JSON.stringify(r); }`;
  const res = await bidi.send<{
    type: 'success' | 'exception';
    result?: RemoteValue;
    exceptionDetails?: { text: string };
  }>('script.callFunction', {
    functionDeclaration: declaration,
    target: { context },
    arguments: [{ type: 'string', value: JSON.stringify(arg ?? null) }],
    awaitPromise: true,
    resultOwnership: 'none',
  });
  if (res.type === 'exception') throw new Error(`in page: ${res.exceptionDetails?.text ?? 'exception'}`);
  const value = res.result?.value;
  if (value === '__undefined__') return undefined as R;
  return JSON.parse(String(value)) as R;
}
