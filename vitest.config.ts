import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Each file starts its own loopback Discord and SQLite file; two cores run two files at a time.
    maxWorkers: 2,
    reporters: ["default"],
  },
});
