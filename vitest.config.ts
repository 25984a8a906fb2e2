import { defineConfig } from 'vitest/config';

/**
 * Test tiers: unit (no root, no services), integration (real SQLite files, a real etcd started by the
 * test), e2e (a real k8ts server driven by the real kubectl and client libraries).
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts'],
          exclude: ['src/**/*.int.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['src/**/*.int.test.ts', 'test/integration/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          // Real k8ts servers with their node agents (containerd, runc, CNI): run through
          // scripts/in-netns.sh (`npm test -- agent`), which gives the run its own network namespace.
          name: 'agent',
          include: ['test/agent/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          // Service networking on real pods (proxy, DNS, ingress): one node at a time with its own
          // address, in a namespace of the tier's own; run with --maxWorkers=1 through
          // scripts/in-netns.sh (`npm test -- agent-net`), see test/agent-net/README.md.
          name: 'agent-net',
          include: ['test/agent-net/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
