// Short synthesised tones for a sale and a milestone (Web Audio oscillators: no audio files, nothing
// fetched). Pure data plus one function that schedules a tone on a context.

export type SoundKind = "sale" | "milestone";

export interface Note {
  /** Hz. */
  freq: number;
  /** Start, seconds after the tone starts. */
  at: number;
  /** Seconds. */
  dur: number;
  wave: OscillatorType;
  /** Peak gain; kept low: a venue's PA may be on the same wall. */
  gain: number;
}

/** A sale: a soft two-note "ding" (E6, A6). A milestone: a rising C-major arpeggio ending on a held C6. */
export const TONES: Record<SoundKind, readonly Note[]> = {
  sale: [
    { freq: 1318.5, at: 0, dur: 0.09, wave: "sine", gain: 0.16 },
    { freq: 1760, at: 0.07, dur: 0.14, wave: "sine", gain: 0.12 },
  ],
  milestone: [523.25, 659.25, 783.99, 1046.5].map((freq, i) => ({
    freq,
    at: i * 0.12,
    dur: i === 3 ? 0.6 : 0.16,
    wave: "triangle" as const,
    gain: 0.2,
  })),
};

/** How long a tone lasts, in seconds. */
export function toneLength(kind: SoundKind): number {
  return Math.max(...TONES[kind].map((n) => n.at + n.dur));
}

const ATTACK = 0.008;

/** Schedules the tone's notes on `ctx`, starting now: one oscillator and gain envelope per note. */
export function playTone(ctx: BaseAudioContext, kind: SoundKind): void {
  const start = ctx.currentTime;
  for (const note of TONES[kind]) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = note.wave;
    osc.frequency.value = note.freq;
    const t0 = start + note.at;
    // A short attack and an exponential decay: no click at either end.
    gain.gain.setValueAtTime(0.0001, t0);
    gain.gain.exponentialRampToValueAtTime(note.gain, t0 + ATTACK);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + note.dur);
    osc.connect(gain).connect(ctx.destination);
    osc.start(t0);
    osc.stop(t0 + note.dur + 0.02);
  }
}
