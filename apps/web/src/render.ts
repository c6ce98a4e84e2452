/** Canvas drawings of the classic-control envs from their internal state (as Gymnasium's renderers draw them). */

type Ctx = CanvasRenderingContext2D;

function clear(ctx: Ctx): void {
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  ctx.strokeStyle = '#222';
  ctx.fillStyle = '#222';
  ctx.lineWidth = 2;
}

/** CartPole: cart on a track at x, pole at angle θ (state [x, ẋ, θ, θ̇]). */
function cartPole(ctx: Ctx, s: ArrayLike<number>): void {
  const { width: w, height: h } = ctx.canvas;
  const scale = w / 4.8;
  const cx = w / 2 + s[0]! * scale;
  const cy = h * 0.7;
  ctx.beginPath();
  ctx.moveTo(0, cy + 15);
  ctx.lineTo(w, cy + 15);
  ctx.stroke();
  ctx.fillStyle = '#333';
  ctx.fillRect(cx - 25, cy - 15, 50, 30);
  const len = scale * 1.0;
  ctx.strokeStyle = '#c87';
  ctx.lineWidth = 8;
  ctx.beginPath();
  ctx.moveTo(cx, cy - 10);
  ctx.lineTo(cx + len * Math.sin(s[2]!), cy - 10 - len * Math.cos(s[2]!));
  ctx.stroke();
}

/** Acrobot: two links hanging from a pivot (state [θ1, θ2, θ̇1, θ̇2]). */
function acrobot(ctx: Ctx, s: ArrayLike<number>): void {
  const { width: w, height: h } = ctx.canvas;
  const l = h / 4.6;
  const px = w / 2;
  const py = h / 2;
  ctx.beginPath();
  ctx.moveTo(0, py - l);
  ctx.lineTo(w, py - l); // the goal height: tip above one link length
  ctx.strokeStyle = '#aaa';
  ctx.stroke();
  const x1 = px + l * Math.sin(s[0]!);
  const y1 = py + l * Math.cos(s[0]!);
  const x2 = x1 + l * Math.sin(s[0]! + s[1]!);
  const y2 = y1 + l * Math.cos(s[0]! + s[1]!);
  ctx.strokeStyle = '#07a';
  ctx.lineWidth = 8;
  ctx.beginPath();
  ctx.moveTo(px, py);
  ctx.lineTo(x1, y1);
  ctx.lineTo(x2, y2);
  ctx.stroke();
}

/** Pendulum: a rod at angle θ from upright (state [θ, θ̇]). */
function pendulum(ctx: Ctx, s: ArrayLike<number>): void {
  const { width: w, height: h } = ctx.canvas;
  const l = h * 0.4;
  ctx.strokeStyle = '#c33';
  ctx.lineWidth = 10;
  ctx.beginPath();
  ctx.moveTo(w / 2, h / 2);
  ctx.lineTo(w / 2 + l * Math.sin(s[0]!), h / 2 - l * Math.cos(s[0]!));
  ctx.stroke();
}

/** MountainCar: the hill y = sin(3x) and the car at position x (state [x, ẋ]). */
function mountainCar(ctx: Ctx, s: ArrayLike<number>, goal: number): void {
  const { width: w, height: h } = ctx.canvas;
  const X = (x: number) => ((x + 1.2) / 1.8) * w;
  const Y = (x: number) => h * 0.85 - (Math.sin(3 * x) * 0.45 + 0.55) * h * 0.7;
  ctx.beginPath();
  for (let i = 0; i <= 100; i++) {
    const x = -1.2 + (1.8 * i) / 100;
    if (i === 0) ctx.moveTo(X(x), Y(x));
    else ctx.lineTo(X(x), Y(x));
  }
  ctx.stroke();
  ctx.fillStyle = '#2a2';
  ctx.fillRect(X(goal) - 2, Y(goal) - 30, 4, 30);
  ctx.fillStyle = '#333';
  ctx.beginPath();
  ctx.arc(X(s[0]!), Y(s[0]!) - 8, 10, 0, 2 * Math.PI);
  ctx.fill();
}

/** Draws env `id` in `state` onto the canvas. */
export function drawEnv(ctx: Ctx, id: string, state: ArrayLike<number>): void {
  clear(ctx);
  if (id.startsWith('CartPole')) cartPole(ctx, state);
  else if (id.startsWith('Acrobot')) acrobot(ctx, state);
  else if (id.startsWith('Pendulum')) pendulum(ctx, state);
  else if (id.startsWith('MountainCarContinuous')) mountainCar(ctx, state, 0.45);
  else if (id.startsWith('MountainCar')) mountainCar(ctx, state, 0.5);
}

/** The learning curve: mean return per iteration. */
export function drawCurve(ctx: Ctx, points: readonly { x: number; y: number }[], label: string): void {
  clear(ctx);
  const { width: w, height: h } = ctx.canvas;
  ctx.font = '12px system-ui';
  ctx.fillText(label, 8, 14);
  const pts = points.filter((p) => Number.isFinite(p.y));
  if (pts.length === 0) return;
  const xs = pts.map((p) => p.x);
  const ys = pts.map((p) => p.y);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs, Math.min(...xs) + 1)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (y1 - y0 < 1e-9) [y0, y1] = [y0 - 1, y1 + 1];
  const X = (x: number) => 40 + ((x - x0) / (x1 - x0)) * (w - 50);
  const Y = (y: number) => h - 20 - ((y - y0) / (y1 - y0)) * (h - 40);
  ctx.fillText(y1.toFixed(1), 2, 28);
  ctx.fillText(y0.toFixed(1), 2, h - 20);
  ctx.strokeStyle = '#07a';
  ctx.beginPath();
  pts.forEach((p, i) => (i === 0 ? ctx.moveTo(X(p.x), Y(p.y)) : ctx.lineTo(X(p.x), Y(p.y))));
  ctx.stroke();
  ctx.fillStyle = '#07a';
  for (const p of pts) ctx.fillRect(X(p.x) - 2, Y(p.y) - 2, 4, 4);
}
