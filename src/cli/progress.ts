/**
 * The progress bar on stderr: only on a terminal (a CI log or a pipe gets nothing), redrawn at most ten
 * times a second, erased when the batch ends so the summary starts on a clean line. Wall-clock time is
 * read here, in the CLI, for the ETA only; nothing simulated sees it.
 */

export interface ProgressSink {
  isTTY?: boolean;
  columns?: number;
  write(s: string): unknown;
}

export interface Progress {
  update(done: number, total: number): void;
  /** Erase the bar (idempotent). */
  end(): void;
}

const NONE: Progress = { update: () => {}, end: () => {} };
const REDRAW_MS = 100;

const LINE_EVERY_MS = 1000;

/**
 * A bar when `enabled` and the sink is a terminal; otherwise a no-op. `'lines'` (`--progress` on a pipe
 * or a CI log) prints a plain `label: done/total runs · elapsed` line instead, at most once a second.
 */
export function progressBar(sink: ProgressSink, label: string, enabled: boolean | 'lines', now: () => number = Date.now): Progress {
  if (enabled === 'lines' && !sink.isTTY) return progressLines(sink, label, now);
  if (!enabled || !sink.isTTY) return NONE;
  const start = now();
  let last = -Infinity;
  let shown = false;
  return {
    update(done, total) {
      const t = now();
      if (done < total && t - last < REDRAW_MS) return;
      last = t;
      shown = true;
      sink.write(`\r${renderBar(label, done, total, (t - start) / 1000, sink.columns ?? 80)}\x1b[K`);
    },
    end() {
      if (shown) sink.write('\r\x1b[K');
      shown = false;
    },
  };
}

function progressLines(sink: ProgressSink, label: string, now: () => number): Progress {
  const start = now();
  let last = -Infinity;
  return {
    update(done, total) {
      const t = now();
      if (done < total && t - last < LINE_EVERY_MS) return;
      last = t;
      sink.write(`${label}: ${done}/${total} runs · ${clock((t - start) / 1000)}\n`);
    },
    end() {},
  };
}

/** `label [██████░░░░░░] 12/36 runs · 0:14 · ~0:28 left`, fitted to `columns`. Pure, for tests. */
export function renderBar(label: string, done: number, total: number, elapsedS: number, columns: number): string {
  const share = total > 0 ? Math.min(1, done / total) : 0;
  const eta = done > 0 && done < total ? ` · ~${clock((elapsedS * (total - done)) / done)} left` : '';
  const tail = ` ${done}/${total} runs · ${clock(elapsedS)}${eta}`;
  const width = Math.max(10, Math.min(40, columns - label.length - tail.length - 4));
  const full = Math.round(share * width);
  return `${label} [${'█'.repeat(full)}${'░'.repeat(width - full)}]${tail}`;
}

function clock(s: number): string {
  const total = Math.max(0, Math.round(s));
  const m = Math.floor(total / 60);
  const sec = total % 60;
  return m >= 60 ? `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
}
