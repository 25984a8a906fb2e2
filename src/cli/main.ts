/**
 * The `k8ts` command: dispatches to subcommands. Flag definitions live beside each subcommand,
 * apart from the action that runs it.
 */

const USAGE = `k8ts: a Kubernetes-compatible container orchestrator

Usage:
  k8ts server [flags]     run the control plane (API server, storage) and a local node
  k8ts agent [flags]      run a node agent that joins a server
  k8ts secrets-encrypt    manage the keys that encrypt Secrets at rest (status, rotate)
  k8ts images import      import image archives into the node's containerd (offline machines)
  k8ts hollow-nodes       simulated nodes (no containers) for scale tests and benchmarks
  k8ts version            print the version

Run 'k8ts <command> --help' for a command's flags.
`;

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'server': {
      const { runServerCommand } = await import('./server.js');
      return runServerCommand(rest);
    }
    case 'agent': {
      const { runAgentCommand } = await import('./agent.js');
      return runAgentCommand(rest);
    }
    case 'secrets-encrypt': {
      const { runSecretsEncryptCommand } = await import('./secrets-encrypt.js');
      return runSecretsEncryptCommand(rest);
    }
    case 'images': {
      const { runImagesCommand } = await import('./images.js');
      return runImagesCommand(rest);
    }
    case 'hollow-nodes': {
      const { runHollowNodesCommand } = await import('./hollow-nodes.js');
      return runHollowNodesCommand(rest);
    }
    case 'version':
    case '--version': {
      const { VERSION } = await import('../version.js');
      process.stdout.write(`k8ts version ${VERSION.gitVersion}\n`);
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return command === undefined ? 1 : 0;
    default:
      process.stderr.write(`error: unknown command "${command}" for "k8ts"\nRun 'k8ts --help' for usage.\n`);
      return 1;
  }
}
