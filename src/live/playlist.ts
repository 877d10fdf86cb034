import type { Scene } from "../contract/index.js";

export interface ChangeFeedOptions<T> {
  /** The value as stored now (read past any cache). */
  read: () => Promise<T>;
  publish: (value: T) => void;
  onError: (err: unknown) => void;
}

export type PlaylistFeedOptions = ChangeFeedOptions<Scene[]>;

/**
 * Puts what an operator changed on the live stream after each stored change (the playlist, the event
 * settings). The value is read again after
 * the change was answered, one read at a time: a change stored while a read is in flight gets another
 * read after it, and lists go out in the order they were read. Each read starts after the changes it
 * answers for were committed, so the last list published is never older than the last change, however
 * close two changes come (answers and the events that announce them may cross on the way).
 */
export class ChangeFeed<T> {
  private reading = false;
  private again = false;
  private stopped = false;

  constructor(private readonly opts: ChangeFeedOptions<T>) {}

  /** A change has been stored. */
  changed(): void {
    if (this.stopped) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    void this.readAndPublish();
  }

  stop(): void {
    this.stopped = true;
  }

  private async readAndPublish(): Promise<void> {
    do {
      this.again = false;
      try {
        const value = await this.opts.read();
        if (!this.stopped) this.opts.publish(value);
      } catch (e) {
        // Screens keep what they have; the next change (or their next REST read) brings it.
        if (!this.stopped) this.opts.onError(e);
      }
    } while (this.again && !this.stopped);
    this.reading = false;
  }
}

/** The venue playlist after each stored scene change. */
export class PlaylistFeed extends ChangeFeed<Scene[]> {}
