/**
 * Showing run events on a terminal: a cli-progress bar on a TTY, plain periodic lines otherwise (CI
 * logs, pipes). The library never writes to process.stdout/stderr by itself — the CLI creates a
 * renderer with the stream it wants and passes `renderer.observer` as the run's `onEvent`.
 */
import cliProgress from 'cli-progress';
import type { RunEvent, RunObserver } from './context.js';

/** A stream the renderer can write to. */
export interface OutputStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ConsoleRendererOptions {
  stream: OutputStream;
  /** Draw a progress bar (default: `stream.isTTY`). */
  tty?: boolean;
  /** Plain mode: at most one progress line per this many ms (default 10 000), plus the last one. */
  intervalMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

export interface ConsoleRenderer {
  observer: RunObserver;
  /** Stop any bar still drawn. */
  close(): void;
}

/** '1h02m', '3m07s', '12s'. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

function infoText(info: Record<string, string | number>): string {
  return Object.entries(info)
    .map(([k, v]) => `${k} ${v}`)
    .join(' · ');
}

/** Render run events to `stream`. */
export function createConsoleRenderer(options: ConsoleRendererOptions): ConsoleRenderer {
  const { stream } = options;
  const tty = options.tty ?? stream.isTTY === true;
  const interval = options.intervalMs ?? 10_000;
  let lastCheckpointLine = -Infinity;
  const now = options.now ?? Date.now;
  let multibar: cliProgress.MultiBar | null = null;
  let bar: cliProgress.SingleBar | null = null;
  const tasks = new Map<string, { total: number; unit: string; startDone: number; startedAt: number; lastLine: number; lastDone: number }>();

  const line = (text: string) => {
    if (multibar) multibar.log(text + '\n');
    else stream.write(text + '\n');
  };
  const stopBar = () => {
    multibar?.stop();
    multibar = null;
    bar = null;
  };
  const progressLine = (task: string, done: number, info: Record<string, string | number>) => {
    const t = tasks.get(task);
    if (!t) return;
    const elapsed = (now() - t.startedAt) / 1000;
    const rate = (done - t.startDone) / Math.max(elapsed, 1e-9);
    const left = rate > 0 ? (t.total - done) / rate : NaN;
    const pct = t.total ? Math.floor((100 * done) / t.total) : 100;
    const extra = infoText(info);
    stream.write(`${task} ${pct}% (${done}/${t.total} ${t.unit})${extra ? ' · ' + extra : ''} · ${formatDuration(elapsed)} elapsed${done < t.total ? `, ~${formatDuration(left)} left` : ''}\n`);
    t.lastLine = now();
    t.lastDone = done;
  };

  const observer: RunObserver = (e: RunEvent) => {
    switch (e.type) {
      case 'run-start':
        line(`▶ ${e.id} · ${e.tier} tier${e.budget ? ` (${e.budget})` : ''} · seed ${e.seed} · backend ${e.backend} (${e.device})${e.resume ? ' · resume' : ''}`);
        break;
      case 'progress-start':
        tasks.set(e.task, { total: e.total, unit: e.unit, startDone: e.done, startedAt: now(), lastLine: now(), lastDone: e.done });
        if (tty) {
          stopBar();
          multibar = new cliProgress.MultiBar(
            {
              stream: stream as NodeJS.WritableStream,
              format: `${e.task} [{bar}] {percentage}% | {value}/{total} ${e.unit} | {duration_formatted} elapsed, ETA {eta_formatted} | {info}`,
              hideCursor: true,
              clearOnComplete: false,
              etaBuffer: 50,
              fps: 5,
            },
            cliProgress.Presets.shades_classic,
          );
          bar = multibar.create(e.total, e.done, { info: '' });
        } else {
          stream.write(`${e.task}: ${e.total} ${e.unit}${e.done ? ` (${e.done} already done)` : ''}\n`);
        }
        break;
      case 'progress': {
        if (tty) {
          bar?.update(e.done, { info: infoText(e.info) });
          break;
        }
        const t = tasks.get(e.task);
        if (t && (now() - t.lastLine >= interval || e.done >= e.total) && e.done !== t.lastDone) progressLine(e.task, e.done, e.info);
        break;
      }
      case 'progress-end':
        if (tty) stopBar();
        tasks.delete(e.task);
        break;
      case 'message':
        line(e.level === 'warn' ? `warning: ${e.text}` : e.text);
        break;
      case 'checkpoint':
        // At most one line per progress interval: runs checkpoint every few minutes, sweeps after every member.
        if (now() - lastCheckpointLine < interval) break;
        if (e.partial) line(`checkpoint saved at step ${e.step}, inside epoch ${e.epoch + 1}`);
        else if (!tty) line(`checkpoint after epoch ${e.epoch} (step ${e.step})`);
        else break;
        lastCheckpointLine = now();
        break;
      case 'resume':
        line(`resuming from the checkpoint of ${e.savedAt}: epoch ${e.epoch}, step ${e.step}`);
        break;
    }
  };
  return { observer, close: stopBar };
}
