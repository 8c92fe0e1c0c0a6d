import { defineConfig } from 'vitest/config';

/**
 * Four groups, one after the other: the bulk of the suite in parallel; then the browser tests,
 * which drive a real Chromium and should not share two cores with everything else; then the
 * crash test, which kill -9s server processes under load for about two minutes; then the short
 * soak, a minute of load with desktops dropping and reconnecting.
 */
const common = { testTimeout: 120_000, hookTimeout: 60_000 };
const BROWSER = 'tests/browser/**/*.test.ts';
const CRASH = 'tests/store/crash.test.ts';
const SOAK = 'tests/bench/soak-short.test.ts';

export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      { test: { ...common, name: 'suite', include: ['tests/**/*.test.ts'], exclude: [BROWSER, CRASH, SOAK], sequence: { groupOrder: 0 } } },
      { test: { ...common, name: 'browser', include: [BROWSER], sequence: { groupOrder: 1 } } },
      { test: { ...common, name: 'faults', include: [CRASH], sequence: { groupOrder: 2 } } },
      { test: { ...common, name: 'soak', include: [SOAK], sequence: { groupOrder: 3 } } },
    ],
  },
});
