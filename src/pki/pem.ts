/**
 * PEM armour (RFC 7468): DER bytes as base64 in 64-character lines between BEGIN and END lines. Kept
 * apart from the X.509 library so that reading keys and certificates needs nothing beyond Node.
 */

/** One PEM block: its label (e.g. "PRIVATE KEY") and its DER bytes. */
export interface PemBlock {
  label: string;
  der: Buffer;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;

/** Every block in `text`, in order; explanatory text around the blocks is skipped. */
export function pemBlocks(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  for (const m of text.matchAll(BLOCK)) {
    // RFC 1421 header lines ("Proc-Type: …") are not base64: skip them.
    const base64 = (m[2] ?? '')
      .split(/\r?\n/)
      .filter((line) => !line.includes(':'))
      .join('');
    out.push({ label: m[1] ?? '', der: Buffer.from(base64.replace(/\s+/g, ''), 'base64') });
  }
  return out;
}

/** DER bytes as a PEM block, without a trailing newline. */
export function pemEncode(der: ArrayBuffer | Uint8Array, label: string): string {
  const base64 = Buffer.from(der instanceof ArrayBuffer ? new Uint8Array(der) : der).toString('base64');
  const lines = [`-----BEGIN ${label}-----`];
  for (let i = 0; i < base64.length; i += 64) lines.push(base64.slice(i, i + 64));
  lines.push(`-----END ${label}-----`);
  return lines.join('\n');
}
