
import v8 from 'node:v8';
let seq = 0;
process.on('SIGUSR2', () => {
  seq++;
  const dir = "/work/wt/servermem/bench/results/profiles/deployment-scale";
  const spaces = Object.fromEntries(
    v8.getHeapSpaceStatistics().map((s) => [s.space_name, { size: s.space_size, used: s.space_used_size }]),
  );
  const memory = process.memoryUsage();
  const snapshot = dir ? v8.writeHeapSnapshot(dir + '/server-' + seq + '-' + Date.now() + '.heapsnapshot') : undefined;
  process.stdout.write('HEAPSTATS ' + JSON.stringify({ seq, memory, spaces, snapshot }) + '\n');
});
