import type Database from 'better-sqlite3';
import type { ExecTraceInfo, ExecTraceRecord, ProfileMarker, ProfileStackQuery, ProfileStacks, ProfileWindow } from '../profile-store.js';
import type { ProfileRetentionStep } from './profile-retention.js';
import { ProfileReader } from './profile-reader.js';
import { ProfileRetention } from './profile-retention.js';
import { ProfileWriter } from './profile-writer.js';

/** The profile requests a store worker serves (worker-protocol.ts); synchronous inside the worker. */
export interface ProfileOperations {
  writeProfile(window: ProfileWindow): void;
  writeExecTrace(record: ExecTraceRecord): void;
  deleteProfilesBefore(cutoffNs: bigint, maxRows: number): ProfileRetentionStep;
  getProfileStacks(query: ProfileStackQuery): ProfileStacks;
  getExecTrace(traceId: string, spanId: string): ExecTraceInfo | undefined;
  getExecTraceRaw(traceId: string, spanId: string): Uint8Array | undefined;
  getProfileMarkers(traceId: string): ProfileMarker[];
}

export type ProfileWriteOperationName = 'writeProfile' | 'writeExecTrace' | 'deleteProfilesBefore';

export function profileReadOperations(db: Database.Database): Omit<ProfileOperations, ProfileWriteOperationName> {
  const reader = new ProfileReader(db);
  return {
    getProfileStacks: (query) => reader.getProfileStacks(query),
    getExecTrace: (traceId, spanId) => reader.getExecTrace(traceId, spanId),
    getExecTraceRaw: (traceId, spanId) => reader.getExecTraceRaw(traceId, spanId),
    getProfileMarkers: (traceId) => reader.getProfileMarkers(traceId),
  };
}

/** Served by the worker that writes; `afterCommit` runs after each commit (WAL checkpoints). */
export function profileWriteOperations(db: Database.Database, afterCommit: () => void): Pick<ProfileOperations, ProfileWriteOperationName> {
  const writer = new ProfileWriter(db);
  const retention = new ProfileRetention(db);
  const committing =
    <A extends unknown[], R>(f: (...args: A) => R) =>
    (...args: A): R => {
      const result = f(...args);
      afterCommit();
      return result;
    };
  return {
    writeProfile: committing((window: ProfileWindow) => writer.writeProfile(window)),
    writeExecTrace: committing((record: ExecTraceRecord) => writer.writeExecTrace(record)),
    deleteProfilesBefore: (cutoffNs, maxRows) => {
      const step = retention.deleteBefore(cutoffNs, maxRows);
      if (step.deleted > 0) afterCommit();
      return step;
    },
  };
}
