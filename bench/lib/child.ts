/**
 * Helper processes of the benchmarks (the echo floor server): the TypeScript source is transpiled to
 * plain JavaScript with the compiler the project already has, so the child runs on bare `node` with
 * no loader in its memory, and is stopped by its PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { H2Client } from './h2client.js';
import type { ClientCredentials } from './kubeconfig.js';
import { pollUntil } from './proc.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Transpiles bench/lib/NAME.ts (builtins-only imports) to a temp .mjs and returns its path. */
export function transpiled(name: string): string {
  const src = fs.readFileSync(path.join(HERE, `${name}.ts`), 'utf8');
  const out = ts.transpileModule(src, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-bench-js-'));
  const file = path.join(dir, `${name}.mjs`);
  fs.writeFileSync(file, out.outputText);
  return file;
}

/** A running helper process. */
export interface ChildServer {
  pid: number;
  origin: string;
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts the echo floor server with the TLS material of a k8ts data dir (DATA/tls), and waits until it
 * answers with `creds`.
 */
export async function startEcho(tlsDir: string, creds: ClientCredentials): Promise<ChildServer> {
  const script = transpiled('echo-server');
  const child = spawn(process.execPath, [script, tlsDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited(child);
      clearTimeout(timer);
    }
    fs.rmSync(path.dirname(script), { recursive: true, force: true });
  };
  try {
    const port = await pollUntil(
      'the echo server to listen',
      20_000,
      async () => {
        const m = /PORT (\d+)/.exec(out);
        return m ? Number(m[1]) : undefined;
      },
      {
        fatal: () =>
          child.exitCode !== null ? new Error(`echo server exited (${child.exitCode}): ${out}`) : undefined,
      },
    );
    const origin = `https://127.0.0.1:${port}`;
    const client = await H2Client.connect(origin, creds);
    try {
      await client.expect(200, 'GET', '/readyz');
    } finally {
      client.close();
    }
    return { pid: child.pid ?? 0, origin, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
