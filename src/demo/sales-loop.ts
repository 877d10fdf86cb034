/**
 * The demo's clock for its BTCPay and LNbits stands: every interval, a round runs what earlier sales
 * left for later (a payment that comes late, an invoice that expires) and sells at each stand a
 * Poisson-drawn number of times. One round at a time (a slow webhook delays the next round, never
 * doubles it), and `stop()` waits for the round in flight so no delivery outlives the demo.
 */
import { poisson, type Rng } from "../mock/random.js";
import type { SaleContext } from "./pos-sales.js";

export interface LoopStall {
  /** Mean sales per round at speed 5. */
  rate: number;
  rng: Rng;
  sell(ctx: SaleContext): Promise<void> | void;
  /** Where its webhooks go, once the server is up. */
  retarget(serverBase: string): void;
}

interface Deferred {
  due: number;
  then: () => Promise<void> | void;
}

export class SalesLoop {
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private tick = 0;
  private started = false;
  private stopped = false;
  private deferred: Deferred[] = [];
  private readonly ctx: SaleContext;

  constructor(
    private readonly stalls: readonly LoopStall[],
    private readonly opts: { speed: number; intervalMs: number; log: (line: string) => void },
  ) {
    this.ctx = {
      later: (ticks, then) => this.deferred.push({ due: this.tick + ticks, then }),
      notify: (what, send) => this.notify(what, send),
    };
  }

  start(serverBase: string): void {
    if (this.started || this.stopped) return;
    this.started = true;
    for (const s of this.stalls) s.retarget(serverBase);
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.round;
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.round = this.runRound().finally(() => {
        this.round = undefined;
        if (!this.stopped) this.schedule();
      });
    }, this.opts.intervalMs);
  }

  private async runRound(): Promise<void> {
    const t = ++this.tick;
    const due = this.deferred.filter((d) => d.due <= t);
    this.deferred = this.deferred.filter((d) => d.due > t);
    const work: Promise<void>[] = due.map((d) => this.guard(d.then));
    for (const s of this.stalls) {
      const n = poisson(s.rng, (s.rate * this.opts.speed) / 5);
      for (let i = 0; i < n; i++) work.push(this.guard(() => s.sell(this.ctx)));
    }
    await Promise.all(work);
  }

  /** A sale that throws (it should not) costs one log line, not the loop. */
  private async guard(run: () => Promise<void> | void): Promise<void> {
    try {
      await run();
    } catch (e) {
      if (!this.stopped) this.opts.log(`demo: a BTCPay/LNbits sale failed: ${(e as Error).message}`);
    }
  }

  private async notify(what: string, send: () => Promise<{ status: number }>): Promise<void> {
    const later = "the next poll picks the sale up";
    try {
      const answer = await send();
      if (answer.status >= 300 && !this.stopped)
        this.opts.log(`demo: ${what} answered ${answer.status}; ${later}`);
    } catch (e) {
      if (!this.stopped) this.opts.log(`demo: ${what} failed (${(e as Error).message}); ${later}`);
    }
  }
}
