import { type Static, Type } from "typebox";
import { CLOSED, Instant } from "./common.js";
import { MilestoneTrigger, Summary, TickerRow } from "./dashboard.js";
import { EventSettings } from "./event.js";
import { ScenesEvent } from "./scenes.js";

/** `GET /v1/stream`: the data of each Server-Sent Event, by event name. */

export const StreamHeaders = Type.Object({
  "last-event-id": Type.Optional(Type.String({ description: "Id of the last event the client saw" })),
});
export type StreamHeaders = Static<typeof StreamHeaders>;

/** A merchant's polls started or stopped succeeding; `last_polled_at` only while healthy. */
export const MerchantStatus = Type.Object(
  {
    id: Type.String(),
    alias: Type.String(),
    last_polled_at: Type.Optional(Instant),
    healthy: Type.Boolean(),
  },
  CLOSED,
);
export type MerchantStatus = Static<typeof MerchantStatus>;

/** The client missed more than the replay buffer holds: refetch everything over REST. */
export const Reset = Type.Object({}, CLOSED);
export type Reset = Static<typeof Reset>;

/** Every STREAM_HEARTBEAT (15 s): the stream is alive; a screen that hears nothing for two is not live. */
export const Ping = Type.Object({ interval_ms: Type.Integer({ minimum: 1 }) }, CLOSED);
export type Ping = Static<typeof Ping>;

/** Each event's schema by name; the type of the same name maps each name to that event's data. */
export const LiveEvents = {
  sale: TickerRow,
  summary: Summary,
  milestone: MilestoneTrigger,
  merchant: MerchantStatus,
  /** The venue playlist changed: the enabled scenes, by order, as GET /v1/scenes lists them. */
  scenes: ScenesEvent,
  /** An operator changed the event settings: all of them, as GET /v1/event answers (a summary follows). */
  event: EventSettings,
  reset: Reset,
  ping: Ping,
} as const;
export type LiveEventName = keyof typeof LiveEvents;
// A map, so that a publisher cannot send one event's payload under another's name.
export type LiveEvents = { [E in LiveEventName]: Static<(typeof LiveEvents)[E]> };

/**
 * One Server-Sent Event as `GET /v1/stream` writes it (`id:`, `event:`, `data:` lines), by name: the
 * OpenAPI document's `text/event-stream` answer. `ping` has no id (it never moves Last-Event-ID).
 */
export const StreamEvent = Type.Union(
  (Object.keys(LiveEvents) as LiveEventName[]).map((name) =>
    Type.Object(
      {
        ...(name === "ping"
          ? {}
          : {
              id: Type.String({
                pattern: "^\\d+(\\.[sm]\\d+)?$",
                description:
                  "A number that rises for the process's life; on PostgreSQL followed by `.` and the last sale (`s`) or milestone (`m`) seen, so that another instance can resume from it",
              }),
            }),
        event: Type.Literal(name),
        data: LiveEvents[name],
      },
      { title: name, description: `The \`${name}\` event; \`data\` is its JSON` },
    ),
  ),
  { description: "One frame of the stream: its id, its event name and its data (JSON, one line)" },
);
