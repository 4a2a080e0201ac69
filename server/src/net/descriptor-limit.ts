import { readFileSync } from 'node:fs';

/**
 * The soft limit on open file descriptors, from /proc/self/limits (Linux); undefined
 * elsewhere. Node raises the soft limit to the hard one when it starts, so this is already
 * the most the process can have; it is reported at start and bounds the connection caps.
 */
export function readDescriptorLimit(read: () => string = () => readFileSync('/proc/self/limits', 'utf8')): number | undefined {
  let text: string;
  try {
    text = read();
  } catch {
    return undefined;
  }
  const m = /^Max open files\s+(\d+|unlimited)\s/m.exec(text);
  if (!m || m[1] === 'unlimited') return undefined;
  return Number(m[1]);
}

/** Descriptors kept for the database, WAL, worker threads and logs. */
const RESERVED_DESCRIPTORS = 64;

/** Per-listener connection cap that fits the descriptor limit when every listener is full. */
export function fitConnectionCap(configured: number, listeners: number, descriptorLimit: number | undefined): number {
  if (descriptorLimit === undefined || listeners === 0) return configured;
  return Math.max(1, Math.min(configured, Math.floor((descriptorLimit - RESERVED_DESCRIPTORS) / listeners)));
}
