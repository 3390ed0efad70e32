/**
 * Debian's chromium through playwright-core for the browser tests, with the flags this workplace needs
 * (no sandbox as root, no background networking on a closed network). Chromium missing is a failure with
 * instructions in every test, never a silent skip: .ci/run installs it.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { ROOT } from './cli-helpers.ts';

export const CHROMIUM = process.env.PULLSIM_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = path.join(ROOT, 'test-artifacts');

/** Registers the suite's hooks; call `browser()` inside a test for the running browser. */
export function useChromium(): () => Browser {
  let browser: Browser | undefined;
  let missing: string | undefined;
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      missing = `chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium) or point PULLSIM_CHROMIUM at a Chromium binary; .ci/run installs it`;
      return;
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 60_000);
  beforeEach(() => {
    if (missing) throw new Error(missing);
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error(missing ?? 'internal: the browser did not start');
    return browser;
  };
}
