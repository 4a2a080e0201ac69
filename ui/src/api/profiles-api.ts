/** The UI's calls for Go diagnostics (profiles and execution traces). */
import type { ResolvedWindow } from '../model/latency-window';
import { getJson } from './http-client';
import { parseExecTraceResponse, parseProfileDiffResponse, parseProfileMarkersResponse, parseProfileStacksResponse, parseSpanCpuResponse } from './decode-profiles';
import type { ExecTraceSummary, ProfileDiff, ProfileMarker, ProfileStacks, SpanCpuProfile } from './profile-types';

const spanPath = (traceId: string, spanId: string) => `/api/v1/traces/${encodeURIComponent(traceId)}/spans/${encodeURIComponent(spanId)}`;

export async function fetchProfileMarkers(traceId: string, signal?: AbortSignal): Promise<ProfileMarker[]> {
  return parseProfileMarkersResponse(await getJson(`/api/v1/traces/${encodeURIComponent(traceId)}/profile-markers`, signal));
}

export async function fetchSpanCpu(traceId: string, spanId: string, signal?: AbortSignal): Promise<SpanCpuProfile> {
  return parseSpanCpuResponse(await getJson(`${spanPath(traceId, spanId)}/cpu`, signal));
}

export async function fetchExecTrace(traceId: string, spanId: string, signal?: AbortSignal): Promise<ExecTraceSummary> {
  return parseExecTraceResponse(await getJson(`${spanPath(traceId, spanId)}/exectrace`, signal));
}

/** Where the raw execution trace downloads from (for `go tool trace`). */
export function execTraceRawUrl(traceId: string, spanId: string): string {
  return `${spanPath(traceId, spanId)}/exectrace/raw`;
}

function operationParams(service: string, operation: string, window: ResolvedWindow): string {
  return new URLSearchParams({ service, operation, start: window.startNs, end: window.endNs }).toString();
}

export async function fetchOperationProfile(service: string, operation: string, window: ResolvedWindow, signal?: AbortSignal): Promise<ProfileStacks> {
  return parseProfileStacksResponse(await getJson(`/api/v1/profiles/operation?${operationParams(service, operation, window)}`, signal));
}

export async function fetchProfileDiff(service: string, operation: string, window: ResolvedWindow, signal?: AbortSignal): Promise<ProfileDiff> {
  return parseProfileDiffResponse(await getJson(`/api/v1/profiles/diff?${operationParams(service, operation, window)}&percentile=99`, signal));
}
