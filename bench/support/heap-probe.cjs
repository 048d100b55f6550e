// Preloaded into a measured process (NODE_OPTIONS=--require) by the startup figure: on SIGUSR2 it writes one line,
// "heap-probe {json}", to stderr with process.memoryUsage() as it is, then again after a full garbage collection. It
// does nothing until asked, so resident memory read before the signal is the process's own.
"use strict";
const v8 = require("node:v8");
const vm = require("node:vm");

process.on("SIGUSR2", () => {
  const before = process.memoryUsage();
  // The bot is not started with --expose-gc; the flag is set here, for this diagnostic only.
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc");
  gc();
  gc();
  const after = process.memoryUsage();
  process.stderr.write(`heap-probe ${JSON.stringify({ before, after })}\n`);
});
