/**
 * Retry with exponential back-off and jitter, up to a limit: what a client does after a refused request
 * (HTTP 429 quota, 503 overload, a registry that is down). Two clients use it:
 *
 * - kubelet's image-pull back-off: after a failed pull the pod waits 10 s, 20 s, 40 s, … capped at 300 s
 *   (kubernetes/website content/en/docs/concepts/containers/images.md "ImagePullBackOff": "a compiled-in
 *   limit, which is 300 seconds"; kubelet.go `flowcontrol.NewBackOff(backOffPeriod, MaxContainerBackOff)`,
 *   10 s and 300 s). That back-off has no jitter of its own, but kubelet's pod workers re-sync a failed pod
 *   on a jittered period, which spreads the retries by seconds: modelled as `jitter` (assumption, 10 %).
 *   kubelet retries for as long as the pod exists; `attempts` is where the model stops and counts the
 *   pull failed. The default 7 attempts wait 10 + 20 + 40 + 80 + 160 + 300 = 610 s, just past a
 *   Deployment's default progressDeadlineSeconds (600 s), when the rollout is reported failed.
 * - an object store's SDK after 503 Slow Down (AWS SDK standard retry mode: 3 attempts, full jitter,
 *   back-off capped at 20 s, throttling base 500 ms: aws-sdk-go-v2 docs retries-timeouts.md; aws-sdk-js
 *   middleware-retry constants THROTTLING_RETRY_DELAY_BASE / MAXIMUM_RETRY_DELAY).
 */
import { z } from 'zod';
import { zDuration } from '../scenario/units.ts';
import type { Rng } from '../kernel/index.ts';

export interface BackoffPolicy {
  /** Attempts in all (the first one included); after the last failed one the request or pull is counted failed. */
  attempts: number;
  /** Wait before the first retry, seconds; each later wait doubles, up to `maxS`. */
  initialS: number;
  maxS: number;
  /**
   * `full`: the wait is uniform in [0, d) (AWS "full jitter"); a number j in [0, 1]: the wait is
   * d·(1 + j·u), u uniform in [0, 1) (client-go's wait.Jitter); 0 is no jitter.
   */
  jitter: 'full' | number;
}

/** kubelet's image-pull back-off (see the file comment). */
export const KUBELET_PULL_BACKOFF: BackoffPolicy = { attempts: 7, initialS: 10, maxS: 300, jitter: 0.1 };

/** AWS SDK standard retry mode for throttling errors (see the file comment). */
export const AWS_SDK_THROTTLE_BACKOFF: BackoffPolicy = { attempts: 3, initialS: 0.5, maxS: 20, jitter: 'full' };

/** The un-jittered wait before retry number `retry` (0 = the first retry), seconds. */
export function backoffBase(policy: BackoffPolicy, retry: number): number {
  return Math.min(policy.maxS, policy.initialS * 2 ** retry);
}

/** The wait before retry number `retry`, drawn from `rng` when the policy has jitter. */
export function backoffDelay(policy: BackoffPolicy, retry: number, rng: Rng): number {
  const d = backoffBase(policy, retry);
  if (policy.jitter === 'full') return d * rng.next();
  return policy.jitter > 0 ? d * (1 + policy.jitter * rng.next()) : d;
}

/** `cluster.pullRetry`: kubelet's image-pull back-off, overridable. */
export const PullRetry = z
  .strictObject({
    attempts: z.number().int().min(1).max(1000).default(KUBELET_PULL_BACKOFF.attempts).describe('pull attempts before the pull is counted failed (first one included)'),
    backoff: zDuration.prefault(KUBELET_PULL_BACKOFF.initialS).describe('wait before the first retry; doubles each time (kubelet: 10s)'),
    maxBackoff: zDuration.prefault(KUBELET_PULL_BACKOFF.maxS).describe('cap on the wait (kubelet: 300s)'),
    jitter: z
      .union([z.literal('full'), z.number().min(0).max(1)])
      .default(KUBELET_PULL_BACKOFF.jitter as number)
      .describe('0 none; j in (0, 1]: wait × (1 + j·u); "full": uniform in [0, wait)'),
  })
  .transform((r): BackoffPolicy => ({ attempts: r.attempts, initialS: r.backoff, maxS: r.maxBackoff, jitter: r.jitter }))
  .describe("kubelet's image-pull back-off: retries of a failed pull with exponential back-off and jitter, then a counted failure");
