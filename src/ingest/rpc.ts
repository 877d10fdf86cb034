/**
 * Request and answer between two threads, typed by one table of handlers: the side that owns them
 * (`serveCalls`) answers each call with its result or its error's message; the other side
 * (`CallClient`) awaits them. Messages that are not calls or answers pass by untouched, so one port
 * also carries the thread's own events.
 */

// biome-ignore lint/suspicious/noExplicitAny: handlers take any argument shape; Calls<H> types each one.
export type Handlers = Record<string, (args: any) => unknown>;

export type Call = { rpc: "call"; id: number; name: string; args: unknown };
export type Answer = { rpc: "answer"; id: number; ok: true; result: unknown } | AnswerError;
/** `code`: the error's own (SQLITE_FULL, ECONNREFUSED, PostgreSQL's SQLSTATE): the caller tells a storage failure by it. */
type AnswerError = { rpc: "answer"; id: number; ok: false; error: string; code?: string };

export type CallArgs<H extends Handlers, N extends keyof H> = Parameters<H[N]>[0];
export type CallResult<H extends Handlers, N extends keyof H> = Awaited<ReturnType<H[N]>>;

const isCall = (m: unknown): m is Call => (m as Call | null)?.rpc === "call";
const isAnswer = (m: unknown): m is Answer => (m as Answer | null)?.rpc === "answer";

/**
 * Answers calls arriving as `message` with `handlers`; returns false for any other message. A bad
 * call (unknown name, a handler that throws) is answered as an error and never ends the thread.
 */
export function serveCalls(handlers: Handlers, post: (answer: Answer) => void) {
  return (message: unknown): boolean => {
    if (!isCall(message)) return false;
    const { id, name, args } = message;
    Promise.resolve()
      .then(() => {
        const handler = Object.hasOwn(handlers, name) ? handlers[name] : undefined;
        if (!handler) throw new Error(`unknown call ${JSON.stringify(name)}`);
        return handler(args);
      })
      .then(
        (result) => post({ rpc: "answer", id, ok: true, result }),
        (e: unknown) =>
          post({
            rpc: "answer",
            id,
            ok: false,
            error: e instanceof Error ? e.message : String(e),
            ...codeOf(e),
          }),
      );
    return true;
  };
}

function codeOf(e: unknown): { code?: string } {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" ? { code } : {};
}

/** The calling side: one pending promise per call, settled by its answer or failed all at once. */
export class CallClient<H extends Handlers> {
  private readonly pending = new Map<number, { resolve: (v: never) => void; reject: (e: Error) => void }>();
  private nextId = 0;

  call<N extends keyof H & string>(
    post: (call: Call) => void,
    name: N,
    args: CallArgs<H, N>,
  ): Promise<CallResult<H, N>> {
    const id = ++this.nextId;
    return new Promise<CallResult<H, N>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: never) => void, reject });
      try {
        post({ rpc: "call", id, name, args });
      } catch (e) {
        // Never sent (arguments the port cannot copy): no answer will come for it.
        this.pending.delete(id);
        reject(e);
      }
    });
  }

  /** Calls sent and not yet answered. */
  get waiting(): number {
    return this.pending.size;
  }

  /** Settles the call `message` answers; false when it is not an answer. */
  take(message: unknown): boolean {
    if (!isAnswer(message)) return false;
    const p = this.pending.get(message.id);
    this.pending.delete(message.id);
    if (message.ok) p?.resolve(message.result as never);
    else
      p?.reject(
        Object.assign(new Error(message.error), message.code === undefined ? {} : { code: message.code }),
      );
    return true;
  }

  /** The other side is gone: every call still waiting fails with `error`. */
  failAll(error: Error): void {
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }
}
