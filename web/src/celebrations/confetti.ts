// Canvas confetti without a library: pure particle physics plus a tiny renderer.

export interface Particle {
  x: number;
  y: number;
  vx: number;
  vy: number;
  rotation: number;
  spin: number;
  size: number;
  color: string;
  shape: "rect" | "coin";
  wobble: number;
}

const COLORS = ["#f7931a", "#ffb347", "#ffd166", "#ffffff", "#fff1d6", "#f25f1c"];

/** A burst of particles from (x, y), thrown upwards in a cone. `random` is injectable for tests. */
export function burst(count: number, x: number, y: number, spread: number, random = Math.random): Particle[] {
  return Array.from({ length: count }, () => {
    const angle = -Math.PI / 2 + (random() - 0.5) * spread;
    const speed = 9 + random() * 11;
    return {
      x,
      y,
      vx: Math.cos(angle) * speed,
      vy: Math.sin(angle) * speed,
      rotation: random() * Math.PI * 2,
      spin: (random() - 0.5) * 0.3,
      size: 8 + random() * 10,
      color: COLORS[Math.floor(random() * COLORS.length)] ?? "#f7931a",
      shape: random() < 0.18 ? "coin" : "rect",
      wobble: random() * Math.PI * 2,
    };
  });
}

/** One physics step (≈16 ms): gravity, air drag, flutter. Returns particles still on screen. */
export function step(particles: Particle[], height: number, scale = 1): Particle[] {
  const next: Particle[] = [];
  for (const p of particles) {
    const vx = p.vx * 0.985;
    const vy = Math.min(p.vy * 0.985 + 0.32 * scale, 9 * scale);
    const wobble = p.wobble + 0.12;
    const moved = {
      ...p,
      vx,
      vy,
      wobble,
      x: p.x + vx + Math.sin(wobble) * 0.8,
      y: p.y + vy,
      rotation: p.rotation + p.spin,
    };
    if (moved.y < height + 40) next.push(moved);
  }
  return next;
}

/**
 * Runs confetti on `canvas` for `durationMs`; returns a stop function. `amount` scales the particles
 * (1: the wall's full burst; a phone's lighter moment throws a fraction of them and no rain).
 */
export function runConfetti(canvas: HTMLCanvasElement, durationMs: number, amount = 1): () => void {
  const ctx = canvas.getContext("2d");
  if (!ctx) return () => {};
  const dpr = Math.min(2, window.devicePixelRatio || 1);
  const resize = () => {
    canvas.width = canvas.clientWidth * dpr;
    canvas.height = canvas.clientHeight * dpr;
  };
  resize();
  const w = () => canvas.width;
  const h = () => canvas.height;
  const scale = dpr * Math.max(0.6, canvas.clientWidth / 1920);
  const n = (count: number) => Math.round(count * amount);
  let particles = [
    ...burst(n(140), w() * 0.15, h() * 1.02, 1.0),
    ...burst(n(140), w() * 0.85, h() * 1.02, 1.0),
    ...burst(n(90), w() * 0.5, h() * 1.02, 0.7),
  ].map((p) => ({ ...p, vx: p.vx * scale * 1.6, vy: p.vy * scale * 2.2, size: p.size * scale }));
  const start = performance.now();
  let lastRain = start;
  let frame = 0;
  const draw = (t: number) => {
    const elapsed = t - start;
    if (amount >= 1 && elapsed < durationMs * 0.6 && t - lastRain > 90) {
      lastRain = t;
      const rain = burst(6, Math.random() * w(), -20, Math.PI * 2).map((p) => ({
        ...p,
        vx: (p.vx / 4) * scale,
        vy: Math.abs(p.vy / 6) * scale,
        size: p.size * scale,
      }));
      particles = particles.concat(rain);
    }
    particles = step(particles, h(), scale);
    ctx.clearRect(0, 0, w(), h());
    for (const p of particles) {
      ctx.save();
      ctx.translate(p.x, p.y);
      ctx.rotate(p.rotation);
      ctx.fillStyle = p.color;
      if (p.shape === "coin") {
        ctx.beginPath();
        ctx.ellipse(0, 0, p.size * 0.55, p.size * 0.55 * Math.abs(Math.cos(p.wobble)) + 1, 0, 0, Math.PI * 2);
        ctx.fill();
      } else {
        ctx.fillRect(
          -p.size / 2,
          (-p.size / 4) * Math.abs(Math.cos(p.wobble)),
          p.size,
          (p.size / 2) * Math.abs(Math.cos(p.wobble)) + 1,
        );
      }
      ctx.restore();
    }
    if (elapsed < durationMs || particles.length > 0) frame = requestAnimationFrame(draw);
  };
  frame = requestAnimationFrame(draw);
  window.addEventListener("resize", resize);
  return () => {
    cancelAnimationFrame(frame);
    window.removeEventListener("resize", resize);
    ctx.clearRect(0, 0, w(), h());
  };
}
