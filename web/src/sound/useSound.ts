// One screen's sound: off unless its settings say on; an AudioContext made on demand; browsers keep a
// context made without a user gesture "suspended", so the screen asks for a click (SoundPrompt) and
// any click or key on the page resumes it.
import { useCallback, useEffect, useRef, useState } from "react";
import { playTone, type SoundKind } from "./tones";

export type SoundState = "off" | "suspended" | "running" | "unsupported";

export interface Sound {
  state: SoundState;
  /** Tones scheduled since load: a test hook (data-sounds-played), and honest about what played. */
  played: number;
  last: SoundKind | null;
  play: (kind: SoundKind) => void;
  /** Resumes the context; call it from a click or key handler (a user gesture). */
  unlock: () => void;
}

type Ctor = typeof AudioContext;

function audioContextCtor(): Ctor | null {
  if (typeof window === "undefined") return null;
  const w = window as unknown as { AudioContext?: Ctor; webkitAudioContext?: Ctor };
  return w.AudioContext ?? w.webkitAudioContext ?? null;
}

/** A sale tone at most this often: a busy venue sells several times a second. */
const SALE_GAP_MS = 250;

export function useSound(enabled: boolean): Sound {
  const ctxRef = useRef<AudioContext | null>(null);
  const [state, setState] = useState<SoundState>("off");
  const [count, setCount] = useState<{ played: number; last: SoundKind | null }>({ played: 0, last: null });
  const lastSale = useRef(0);

  const unlock = useCallback(() => {
    const ctx = ctxRef.current;
    if (ctx && ctx.state !== "running" && ctx.state !== "closed") void ctx.resume().catch(() => {});
  }, []);

  useEffect(() => {
    if (!enabled) {
      setState("off");
      void ctxRef.current?.suspend().catch(() => {});
      return;
    }
    const Audio = audioContextCtor();
    if (!Audio) {
      setState("unsupported");
      return;
    }
    const ctx = ctxRef.current ?? new Audio();
    ctxRef.current = ctx;
    const sync = () => setState(ctx.state === "running" ? "running" : "suspended");
    ctx.addEventListener("statechange", sync);
    // Switched on by a click (the toggle) the context may resume at once; on load it stays suspended.
    void ctx.resume().catch(() => {});
    sync();
    // Any gesture on the page counts, not only the prompt's button.
    window.addEventListener("pointerdown", unlock);
    window.addEventListener("keydown", unlock);
    return () => {
      ctx.removeEventListener("statechange", sync);
      window.removeEventListener("pointerdown", unlock);
      window.removeEventListener("keydown", unlock);
    };
  }, [enabled, unlock]);

  // Closed with the screen (and forgotten: React's strict mode mounts twice and needs a fresh one).
  useEffect(
    () => () => {
      const ctx = ctxRef.current;
      ctxRef.current = null;
      void ctx?.close().catch(() => {});
    },
    [],
  );

  const play = useCallback(
    (kind: SoundKind) => {
      const ctx = ctxRef.current;
      if (!enabled || !ctx || ctx.state !== "running") return;
      if (kind === "sale") {
        const now = Date.now();
        if (now - lastSale.current < SALE_GAP_MS) return;
        lastSale.current = now;
      }
      playTone(ctx, kind);
      setCount((c) => ({ played: c.played + 1, last: kind }));
    },
    [enabled],
  );

  return { state, played: count.played, last: count.last, play, unlock };
}

/** The data-* attributes a screen's root carries for its sound (read by tests and nothing else). */
export function soundData(sound: Sound): Record<`data-${string}`, string> {
  return {
    "data-sound": sound.state,
    "data-sounds-played": String(sound.played),
    "data-sound-last": sound.last ?? "",
  };
}
