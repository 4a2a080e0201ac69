import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const MAIN_JS = path.join(repoRoot, 'server/dist/main.js');
/** How to start Threadline: the checkout's build by default, or an installed `threadline` bin. */
const CHECKOUT_CLI: readonly string[] = [process.execPath, MAIN_JS];

export interface SpawnedServer {
  child: ChildProcess;
  /** Listener name as printed ("UI + query API", "OTLP/HTTP", …) → base URL. */
  urls: Record<string, string>;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or signal name) once the process ended. */
  exited: Promise<number | string>;
}

/**
 * Runs the built `threadline` CLI as users do, and waits until it printed the line
 * for every listener it was asked to start.
 */
export async function spawnThreadline(args: string[], expectListeners: number, env: Record<string, string> = {}, cli: readonly string[] = CHECKOUT_CLI): Promise<SpawnedServer> {
  const child = spawn(cli[0]!, [...cli.slice(1), ...args], { env: { ...process.env, THREADLINE_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const urls: Record<string, string> = {};
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`threadline did not start in time:\n${out}\n${err}`)), 30_000);
    const check = () => {
      for (const m of out.matchAll(/threadline: (.+) listening on (https?:\/\/[^/\s]+)/g)) urls[m[1]!] = m[2]!;
      if (Object.keys(urls).length >= expectListeners) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      if (Object.keys(urls).length < expectListeners) reject(new Error(`threadline exited (${code}) before listening:\n${out}\n${err}`));
    });
  });
  return { child, urls, stdout: () => out, stderr: () => err, exited };
}

/** Runs the CLI to completion (for config errors), with a time bound. */
export function runThreadline(args: string[], env: Record<string, string> = {}, cli: readonly string[] = CHECKOUT_CLI): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cli[0]!, [...cli.slice(1), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('threadline did not exit'));
    }, 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
