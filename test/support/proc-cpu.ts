import { readFileSync } from 'node:fs';

/** Linux's clock ticks a second (USER_HZ), the unit of /proc's CPU times. */
const CLOCK_TICKS_PER_S = 100;

/**
 * utime + stime, in seconds, from a /proc stat file: a process's (`/proc/<pid>/stat`, all its
 * threads) or one thread's (`/proc/<pid>/task/<tid>/stat`). The fields are counted after the
 * command's closing paren (the command may hold spaces): state is field 3, utime 14, stime 15.
 */
export function statCpuSeconds(statFile: string): number {
  const fields = readFileSync(statFile, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
}

/** utime + stime of a process, all its threads, in seconds. */
export function cpuSeconds(pid: number): number {
  return statCpuSeconds(`/proc/${pid}/stat`);
}
