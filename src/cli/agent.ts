/**
 * `k8ts agent`: a node agent alone, joining the server named by a kubeconfig (a node identity such
 * as `system:node:<name>` in group `system:nodes`). Token-based joining comes with multi-node support.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { AGENT_FLAG_OPTIONS, AGENT_FLAGS_HELP, agentConfigFromFlags } from './agent-flags.js';

const HELP = `Run a k8ts node agent: registers this machine as a Node and runs its pods.

Usage:
  k8ts agent --kubeconfig FILE [flags]

Flags:
  --kubeconfig FILE           credentials of this node (required)
  --server URL                API server URL (default: the kubeconfig's)
  --data-dir DIR              agent state (default /var/lib/k8ts)
  --tls-cert-file FILE        kubelet API serving certificate, signed by the cluster's server CA
  --tls-private-key-file FILE its key
  --client-ca-file FILE       CA of the client certificates the kubelet API accepts (the API server's)
${AGENT_FLAGS_HELP}  -h, --help                  show this help
`;

/** V8's semi-space ceiling in `k8ts agent` (MiB; see src/agent/heap.ts). */
const AGENT_SEMI_SPACE_MIB = 1;

export async function runAgentCommand(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        kubeconfig: { type: 'string' },
        server: { type: 'string' },
        'data-dir': { type: 'string' },
        'tls-cert-file': { type: 'string' },
        'tls-private-key-file': { type: 'string' },
        'client-ca-file': { type: 'string' },
        ...AGENT_FLAG_OPTIONS,
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    process.stderr.write(
      `error: ${err instanceof Error ? err.message : String(err)}\nRun 'k8ts agent --help' for usage.\n`,
    );
    return 1;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const fail = (msg: string): number => {
    process.stderr.write(`error: ${msg}\n`);
    return 1;
  };
  if (!values.kubeconfig) return fail('--kubeconfig is required');
  let cfg;
  try {
    cfg = agentConfigFromFlags(values, values['data-dir'] ?? '/var/lib/k8ts', false);
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
  const tlsFiles = [values['tls-cert-file'], values['tls-private-key-file'], values['client-ca-file']];
  if (tlsFiles.some((f) => f) && !tlsFiles.every((f) => f))
    return fail('--tls-cert-file, --tls-private-key-file and --client-ca-file go together');
  // Before loading the agent: start-up alone would grow the young generation to its maximum. The
  // process is the agent's alone, so memory goes before speed (src/agent/heap.ts).
  const { capYoungGeneration, optimizeHeapForSize } = await import('../agent/heap.js');
  capYoungGeneration(AGENT_SEMI_SPACE_MIB);
  optimizeHeapForSize();
  const { loadKubeconfig } = await import('../client/kubeconfig.js');
  const { createClient } = await import('../client/http.js');
  const { startAgent } = await import('../agent/agent.js');
  const { KUBELET_CLIENT_USER } = await import('../pki/cluster.js');
  let client;
  let peerCredentials;
  try {
    const kc = loadKubeconfig(values.kubeconfig);
    // The node's own certificate also authenticates it to other nodes' kubelets (see src/agent/drain).
    if (kc.cert && kc.key && kc.ca) peerCredentials = { cert: kc.cert, key: kc.key, ca: kc.ca };
    client = createClient({
      ...kc,
      ...(values.server ? { server: values.server } : {}),
      component: 'kubelet',
    });
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
  const kubeletTls = async (name: string, addresses: string[]) => {
    const [cert, key, ca] = tlsFiles;
    if (cert && key && ca) {
      return {
        certPem: await readFile(cert, 'utf8'),
        keyPem: await readFile(key, 'utf8'),
        clientCaPem: await readFile(ca, 'utf8'),
      };
    }
    // Without files: a self-signed certificate. The kubelet API then serves, but an API server
    // that verifies kubelets (k8ts does) refuses it until real files are given.
    const { createCertificateAuthority, issueCertificate } = await import('../pki/certs.js');
    const ca2 = await createCertificateAuthority(`k8ts-kubelet-${name}`);
    const issued = await issueCertificate(ca2, {
      commonName: `system:node:${name}`,
      usage: 'server',
      sans: { dns: addresses.filter((a) => !/^\d/.test(a)), ips: addresses.filter((a) => /^\d/.test(a)) },
    });
    process.stderr.write(
      'warning: no --tls-cert-file: the kubelet API uses a self-signed certificate; logs, exec and port-forward through the API server will fail\n',
    );
    return { certPem: issued.certPem, keyPem: issued.keyPem, clientCaPem: ca2.certPem };
  };
  let agent;
  try {
    agent = await startAgent(cfg, {
      client,
      serviceCidr: '10.43.0.0/16',
      clusterCidr: '10.42.0.0/16',
      // The process is the agent's alone: nothing here needs a large young generation.
      maxSemiSpaceMiB: AGENT_SEMI_SPACE_MIB,
      kubeletTls,
      kubeletUsers: [KUBELET_CLIENT_USER],
      ...(peerCredentials ? { peerCredentials } : {}),
    });
  } catch (err) {
    client.close();
    return fail(`k8ts agent failed to start: ${err instanceof Error ? err.message : String(err)}`);
  }
  process.stdout.write(`k8ts agent is running: node ${agent.nodeName} (${agent.nodeIP})\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await agent.stop();
  client.close();
  // Everything is stopped; a connection still closing must not hold the process for long.
  setTimeout(() => process.exit(0), 1000).unref();
  return 0;
}
