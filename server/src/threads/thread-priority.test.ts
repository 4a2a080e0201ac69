import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { niceThisThread } from './thread-priority.js';

/** Field 19 of /proc/…/stat is the nice value (fields counted after the command name). */
const niceOf = (path: string) => Number(readFileSync(path, 'utf8').split(') ')[1]!.split(' ')[16]);

describe.runIf(process.platform === 'linux')('niceThisThread', () => {
  it('lowers the priority of the calling thread only', async () => {
    const worker = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       import(workerData.tsx)
         .then((tsx) => (tsx.register(), import(workerData.entry)))
         .then(({ niceThisThread }) => {
           parentPort.postMessage(niceThisThread(7));
           parentPort.once('message', () => process.exit(0));
         });`,
      { eval: true, workerData: { tsx: import.meta.resolve('tsx/esm/api'), entry: new URL('./thread-priority.ts', import.meta.url).href } },
    );
    const tid = await new Promise<number>((resolve, reject) => worker.once('message', resolve).once('error', reject));
    expect(tid).toBeGreaterThan(0);
    expect(niceOf(`/proc/self/task/${tid}/stat`)).toBe(7);
    expect(niceOf('/proc/thread-self/stat')).toBe(0);
    worker.postMessage('done');
    await new Promise((resolve) => worker.once('exit', resolve));
  });
});
