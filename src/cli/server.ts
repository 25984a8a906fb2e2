/** `k8ts server`: flags and the action that starts the control plane. */
export async function runServerCommand(_argv: string[]): Promise<number> {
  process.stderr.write('k8ts server: not implemented yet\n');
  return 1;
}
