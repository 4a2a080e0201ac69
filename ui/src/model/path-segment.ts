/**
 * A path segment URL-decoded, or null when it is not a valid escape (`%E0%A4%A`): pasted
 * addresses are untrusted, and decodeURIComponent throws on those.
 */
export function decodePathSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}
