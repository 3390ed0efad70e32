import { describe, expect, it } from 'vitest';
import { renderThroughput } from '../src/report/summary.ts';

describe('the events/s line after a run', () => {
  it('divides every run\'s events by the wall time, in k or M events/s', () => {
    // 1,855,203 / 2.5 s = 742,081.2 events/s; 3,000,000 / 1.5 s = 2.00 M events/s.
    expect(renderThroughput(1_855_203, 2.5, 3, 2)).toBe('simulated 1,855,203 events in 2.50 s (742 k events/s, 3 runs on 2 threads)\n');
    expect(renderThroughput(3_000_000, 1.5, 1, 1)).toBe('simulated 3,000,000 events in 1.50 s (2.00 M events/s, 1 run on 1 thread)\n');
  });

  it('shows a dash for the rate when no time was measured', () => {
    expect(renderThroughput(10, 0, 1, 1)).toBe('simulated 10 events in 0 s (— events/s, 1 run on 1 thread)\n');
  });
});
