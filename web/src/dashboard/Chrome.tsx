// The venue screen's frame: header (event, window, status, clock, QR code to the attendee page), scene
// navigation and controls.
import type { ReactNode } from "react";
import { BrandMark } from "../brand/BrandMark";
import type { ScreenEvent } from "../event/screen-event";
import { formatClock, formatWindowLabel } from "../format/time";
import type { LiveState } from "../live/state";
import { AttendeeQr } from "./AttendeeQr";
import type { PlaylistEntry } from "./playlist";
import { ConnectionStatus, LastUpdated } from "./Status";
import {
  BOARD_WINDOWS,
  type BoardWindow,
  type DashboardSettings,
  type MetricSetting,
  type SceneId,
} from "./settings";

export function VenueHeader({
  settings,
  event,
  state,
  now,
  attendeeUrl,
}: {
  settings: DashboardSettings;
  event: ScreenEvent;
  state: LiveState;
  now: number;
  /** The page the QR code opens; the attendee page on this origin when not given. */
  attendeeUrl?: string | undefined;
}) {
  return (
    <header className="venue-header">
      <div className="brand">
        <BrandMark logoUrl={event.logoUrl} />
        <div className="brand__text">
          {/* Cut with an ellipsis when long (80 characters are allowed); the title keeps it whole. */}
          <h1 className="brand__event" data-testid="event-name" title={event.name}>
            {event.name}
          </h1>
          <p className="brand__sub" data-testid="window-label">
            <span
              className={`live-dot${state.status === "live" ? "" : " live-dot--off"}`}
              aria-hidden="true"
            />
            {/* The trend window only: tiles and boards say their own (all time, last 24 h, …). */}
            {state.status === "live" ? "Live · charts: last" : "Charts: last"}{" "}
            {formatWindowLabel(settings.window)}
          </p>
        </div>
      </div>
      <div className="venue-header__right">
        <ConnectionStatus state={state} />
        <div className="clockbox">
          <time
            className="clock"
            data-testid="clock"
            data-time-zone={event.timeZone ?? ""}
            dateTime={new Date(now).toISOString()}
          >
            {formatClock(now)}
          </time>
          <LastUpdated state={state} now={now} />
        </div>
        <AttendeeQr attendeeUrl={attendeeUrl} />
      </div>
    </header>
  );
}

/** The playlist's scenes by their operator's names; the current one's track fills over its duration. */
export function SceneNav({
  scenes,
  current,
  step,
  durationMs,
  running,
  interactive,
  onSelect,
}: {
  scenes: readonly PlaylistEntry[];
  current: SceneId;
  step: number;
  durationMs: number | null;
  running: boolean;
  interactive: boolean;
  onSelect: (scene: SceneId) => void;
}) {
  return (
    <nav className="scene-nav" aria-label="Scenes" data-testid="scene-nav">
      <ol className="scene-nav__list">
        {scenes.map(({ id: scene, name }) => {
          const active = scene === current;
          const content = (
            <>
              <span className="scene-nav__label">{name}</span>
              <span className="scene-nav__track" aria-hidden="true">
                {active && durationMs !== null ? (
                  <span
                    key={step}
                    className="scene-nav__progress"
                    style={{
                      animationDuration: `${durationMs}ms`,
                      animationPlayState: running ? "running" : "paused",
                    }}
                  />
                ) : null}
              </span>
            </>
          );
          return (
            <li
              key={scene}
              className={`scene-nav__item${active ? " is-active" : ""}`}
              data-testid="scene-nav-item"
              data-scene-id={scene}
            >
              {interactive ? (
                <button
                  type="button"
                  className="scene-nav__button"
                  aria-current={active ? "true" : undefined}
                  onClick={() => onSelect(scene)}
                  data-testid={`scene-tab-${scene}`}
                >
                  {content}
                </button>
              ) : (
                <span className="scene-nav__button" aria-current={active ? "true" : undefined}>
                  {content}
                </span>
              )}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}

const ROTATE_OPTIONS = [10_000, 20_000, 30_000, 60_000];
const rotateChoice = (value: string): DashboardSettings["rotateMs"] =>
  value === "playlist" ? "playlist" : value ? Number(value) : null;
const WINDOW_OPTIONS = ["15m", "30m", "60m", "2h", "6h", "24h"];
const METRICS: { value: MetricSetting; label: string }[] = [
  { value: "auto", label: "Auto" },
  { value: "transactions", label: "Sales" },
  { value: "volume", label: "Sats" },
];

function Segmented<T extends string>({
  label,
  options,
  value,
  onChange,
  testId,
}: {
  label: string;
  options: { value: T; label: string }[];
  value: T;
  onChange: (v: T) => void;
  testId: string;
}) {
  return (
    <fieldset className="segmented" data-testid={testId}>
      <legend className="segmented__legend">{label}</legend>
      {options.map((o) => (
        <button
          key={o.value}
          type="button"
          className="segmented__option"
          aria-pressed={o.value === value}
          onClick={() => onChange(o.value)}
          data-testid={`${testId}-${o.value}`}
        >
          {o.label}
        </button>
      ))}
    </fieldset>
  );
}

export function Controls({
  settings,
  paused,
  onPause,
  onChange,
  children,
}: {
  settings: DashboardSettings;
  paused: boolean;
  onPause: (paused: boolean) => void;
  onChange: (next: DashboardSettings) => void;
  /** More controls of the screen's own, after these (the sound switch). */
  children?: ReactNode;
}) {
  const rotateOptions =
    typeof settings.rotateMs === "number" && !ROTATE_OPTIONS.includes(settings.rotateMs)
      ? [...ROTATE_OPTIONS, settings.rotateMs].sort((a, b) => a - b)
      : ROTATE_OPTIONS;
  const windowOptions = WINDOW_OPTIONS.includes(settings.window)
    ? WINDOW_OPTIONS
    : [settings.window, ...WINDOW_OPTIONS];
  const rotationOff = settings.rotateMs === null;
  return (
    <section className="controls" aria-label="Display controls" data-testid="controls">
      <button
        type="button"
        className="controls__pause"
        aria-pressed={paused || rotationOff}
        onClick={() => (rotationOff ? onChange({ ...settings, rotateMs: "playlist" }) : onPause(!paused))}
        data-testid="pause-rotation"
      >
        {paused || rotationOff ? "▶ Rotate" : "❚❚ Pause"}
      </button>
      <label className="controls__field">
        <span>Every</span>
        <select
          value={settings.rotateMs ?? ""}
          onChange={(e) => onChange({ ...settings, rotateMs: rotateChoice(e.target.value) })}
          data-testid="rotate-select"
        >
          <option value="playlist">each scene's own</option>
          {rotateOptions.map((ms) => (
            <option key={ms} value={ms}>
              {ms / 1000} s
            </option>
          ))}
          <option value="">off</option>
        </select>
      </label>
      <label className="controls__field">
        <span>Trend</span>
        <select
          value={settings.window}
          onChange={(e) => onChange({ ...settings, window: e.target.value })}
          data-testid="window-select"
        >
          {windowOptions.map((w) => (
            <option key={w} value={w}>
              {formatWindowLabel(w)}
            </option>
          ))}
        </select>
      </label>
      <Segmented<BoardWindow>
        label="Board"
        testId="board-window"
        value={settings.board}
        options={BOARD_WINDOWS.map((w) => ({ value: w, label: w === "all" ? "All" : w }))}
        onChange={(board) => onChange({ ...settings, board })}
      />
      <Segmented<MetricSetting>
        label="Rank by"
        testId="board-metric"
        value={settings.metric}
        options={METRICS}
        onChange={(metric) => onChange({ ...settings, metric })}
      />
      {children}
    </section>
  );
}
