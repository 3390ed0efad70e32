/**
 * Fault windows: the intervals during which a service is down or a link is degraded. A window is either
 * scheduled (`at` + `duration`) or random: alternating up and down periods drawn from exponential
 * distributions with means MTBF and MTTR (the classic alternating-renewal availability model;
 * availability = MTBF / (MTBF + MTTR)), starting up at `from`. Random windows are drawn for the release
 * window [0, duration) only — a window may end after it — so a run always drains.
 */
import { z } from 'zod';
import { zDuration } from '../scenario/units.ts';
import type { Rng } from '../kernel/index.ts';

/** The timing fields every fault window takes (checked by `windowTimingIssue`). */
export const WindowTiming = {
  at: zDuration.optional().describe('scheduled: when the window starts'),
  duration: zDuration.optional().describe('scheduled: how long it lasts'),
  mtbf: zDuration.optional().describe('random: mean time between failures (exponential up times)'),
  mttr: zDuration.optional().describe('random: mean time to repair (exponential down times)'),
  from: zDuration.optional().describe('random: when the first up period starts (default 0)'),
};

export interface TimingFields {
  at?: number;
  duration?: number;
  mtbf?: number;
  mttr?: number;
  from?: number;
}

/** A user mistake in a window's timing, or null: either at + duration or mtbf + mttr. */
export function windowTimingIssue(w: TimingFields): { path: string; message: string; hint: string } | null {
  const scheduled = w.at !== undefined || w.duration !== undefined;
  const random = w.mtbf !== undefined || w.mttr !== undefined || w.from !== undefined;
  if (scheduled && random)
    return { path: 'at', message: 'a window is either scheduled (at, duration) or random (mtbf, mttr), not both', hint: 'drop at/duration or mtbf/mttr/from' };
  if (scheduled) {
    if (w.at === undefined) return { path: 'at', message: 'a scheduled window needs at', hint: 'e.g. at: "1h"' };
    if (!(w.duration! > 0)) return { path: 'duration', message: 'a scheduled window needs a duration > 0', hint: 'e.g. duration: "15m"' };
    return null;
  }
  if (!random) return { path: 'at', message: 'a window needs at + duration (scheduled) or mtbf + mttr (random)', hint: 'e.g. at: "1h", duration: "15m"' };
  if (!(w.mtbf! > 0)) return { path: 'mtbf', message: 'a random window needs mtbf > 0', hint: 'e.g. mtbf: "7d"' };
  if (!(w.mttr! > 0)) return { path: 'mttr', message: 'a random window needs mttr > 0', hint: 'e.g. mttr: "30m"' };
  return null;
}

/** [start, end) intervals, seconds. */
export type Interval = readonly [number, number];

/** The windows one spec produces over [0, horizonS); random specs draw from `rng`. */
export function windowsOf(w: TimingFields, rng: Rng, horizonS: number): Interval[] {
  if (w.at !== undefined) return [[w.at, w.at + (w.duration ?? 0)]];
  const out: Interval[] = [];
  let t = w.from ?? 0;
  for (;;) {
    t += rng.exponential(w.mtbf!);
    if (t >= horizonS) return out;
    const end = t + rng.exponential(w.mttr!);
    out.push([t, end]);
    t = end;
  }
}

/** Sorted, non-overlapping union of intervals (touching ones merge). */
export function mergeIntervals(xs: readonly Interval[]): Interval[] {
  const sorted = [...xs].filter(([a, b]) => b > a).sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** Index of the interval containing t, or −1 (binary search over merged intervals). */
export function intervalAt(xs: readonly Interval[], t: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (t < xs[mid][0]) hi = mid - 1;
    else if (t >= xs[mid][1]) lo = mid + 1;
    else return mid;
  }
  return -1;
}
