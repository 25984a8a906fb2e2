#!/bin/sh
//bin/true; exec env MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}" node "$0" "$@"
// The k8ts executable: loads the compiled CLI (run `npm run build` first).
//
// Run as a program (`k8ts …` through `npm link`, or `bin/k8ts.js …`), the first two lines are a
// shell script: it starts node on this same file with MALLOC_ARENA_MAX=2 unless the environment sets
// it. glibc otherwise gives each thread that allocates (V8's workers, libuv's pool) a malloc arena of
// its own, whose freed memory stays in the process: two arenas keep the idle server ~2 MiB smaller and
// its RSS steadier from start to start. To node, line 2 is a comment.
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
