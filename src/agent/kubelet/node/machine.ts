/**
 * What the node agent reports about its machine: CPU, memory, disk, identity and OS, read from the
 * kernel and the filesystem (no external commands).
 */
import { readFileSync, statfsSync } from 'node:fs';
import os from 'node:os';

/** Facts about the machine that go into the Node object. */
export interface MachineInfo {
  cpus: number;
  memoryBytes: number;
  /** Size of the filesystem holding the data dir. */
  ephemeralStorageBytes: number;
  machineID: string;
  systemUUID: string;
  bootID: string;
  kernelVersion: string;
  osImage: string;
  /** Go-style names: linux, amd64/arm64. */
  operatingSystem: string;
  architecture: string;
  hostname: string;
}

/** Go's GOARCH for Node's process.arch. */
export function goArch(arch: string = process.arch): string {
  const map: Record<string, string> = {
    x64: 'amd64',
    ia32: '386',
    arm: 'arm',
    arm64: 'arm64',
    ppc64: 'ppc64le',
  };
  return map[arch] ?? arch;
}

function readTrim(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

/** PRETTY_NAME of /etc/os-release ("Debian GNU/Linux 12 (bookworm)"). */
export function parseOsRelease(text: string): string {
  for (const line of text.split('\n')) {
    const m = /^PRETTY_NAME=(.*)$/.exec(line.trim());
    if (m?.[1] !== undefined) return m[1].replace(/^["']|["']$/g, '');
  }
  return 'Linux';
}

/** MemTotal of /proc/meminfo in bytes (os.totalmem() when it cannot be read). */
export function parseMemTotal(text: string): number | undefined {
  const m = /^MemTotal:\s+(\d+)\s*kB/m.exec(text);
  return m?.[1] ? Number(m[1]) * 1024 : undefined;
}

/** Reads the machine's facts; `dataDir` tells which filesystem counts as ephemeral storage. */
export function readMachineInfo(dataDir: string): MachineInfo {
  let ephemeral = 0;
  try {
    const s = statfsSync(dataDir);
    ephemeral = Number(s.blocks) * Number(s.bsize);
  } catch {
    ephemeral = 0;
  }
  return {
    cpus: os.cpus().length || 1,
    memoryBytes: parseMemTotal(readTrim('/proc/meminfo')) ?? os.totalmem(),
    ephemeralStorageBytes: ephemeral,
    machineID: readTrim('/etc/machine-id'),
    systemUUID: readTrim('/sys/class/dmi/id/product_uuid').toLowerCase(),
    bootID: readTrim('/proc/sys/kernel/random/boot_id'),
    kernelVersion: os.release(),
    osImage: parseOsRelease(readTrim('/etc/os-release')),
    operatingSystem: process.platform,
    architecture: goArch(),
    hostname: os.hostname(),
  };
}
