/**
 * A request's timeout that counts only the time spent waiting for upstream: paused while the client
 * works on what has arrived (parsing a streamed body, storing its batches), when upstream is held back
 * by the connection's flow control and cannot be late. One timer, re-armed for the rest when it fires
 * early, and cleared as soon as the request ends: AbortSignal.timeout keeps its timer (and
 * AbortSignal.any its listeners) alive for the whole timeout, which with hundreds of polls a second
 * kept thousands of them in memory.
 */
export class UpstreamTimer {
  private waitedMs = 0;
  /** Start of the current wait, or undefined while paused. */
  private since: number | undefined = performance.now();
  private handle: NodeJS.Timeout;
  timedOut = false;

  constructor(
    private readonly timeoutMs: number,
    private readonly onTimeout: () => void,
  ) {
    this.handle = setTimeout(() => this.check(), timeoutMs);
  }

  pause(): void {
    if (this.since === undefined) return;
    this.waitedMs += performance.now() - this.since;
    this.since = undefined;
  }

  resume(): void {
    this.since ??= performance.now();
  }

  clear(): void {
    clearTimeout(this.handle);
  }

  private check(): void {
    const waited = this.waitedMs + (this.since === undefined ? 0 : performance.now() - this.since);
    if (waited >= this.timeoutMs) {
      this.timedOut = true;
      this.onTimeout();
    } else this.handle = setTimeout(() => this.check(), Math.max(1, this.timeoutMs - waited));
  }
}
