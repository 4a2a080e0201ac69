import type { ProfileMarker } from '../api/profile-types';

/** Spans of a trace that have Go diagnostics, by span ID. */
export type ProfileMarkers = ReadonlyMap<string, ProfileMarker>;

export function toMarkerMap(markers: readonly ProfileMarker[]): ProfileMarkers {
  return new Map(markers.map((m) => [m.spanId, m]));
}

/** One shared empty set, so a trace without diagnostics does not re-render its rows. */
export const NO_MARKERS: ProfileMarkers = toMarkerMap([]);

/** The waterfall mark's tooltip: what the span has. */
export function markerTitle(marker: ProfileMarker): string {
  const parts = [marker.cpu ? 'CPU profile' : '', marker.execTrace ? 'execution trace' : ''].filter((p) => p !== '');
  return `Go diagnostics: ${parts.join(' and ')} (see the span's details)`;
}

/** The mark's text: which diagnostics the span has. */
export function markerLabel(marker: ProfileMarker): string {
  return [marker.cpu ? 'cpu' : '', marker.execTrace ? 'trace' : ''].filter((p) => p !== '').join('·');
}
