import { AppError } from '../../app-error.js';

export type OtlpEncoding = 'protobuf' | 'json';

/** The two OTLP/HTTP body encodings, from a Content-Type header (parameters ignored). */
export function parseOtlpContentType(header: string | undefined): OtlpEncoding {
  const mediaType = (header ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType === 'application/x-protobuf' || mediaType === 'application/protobuf') return 'protobuf';
  if (mediaType === 'application/json') return 'json';
  throw new AppError(
    415,
    'unsupported_media_type',
    `unsupported Content-Type "${mediaType || '(none)'}"; send application/x-protobuf or application/json`,
  );
}

/**
 * The Content-Type of an OTLP/HTTP answer: the bare media type, with no `charset`. The Go
 * exporter (otlptracehttp) reads a 200's body only when the header is exactly
 * `application/json` or `application/x-protobuf`; anything longer hides partial success.
 */
export function otlpResponseContentType(encoding: OtlpEncoding): string {
  return encoding === 'protobuf' ? 'application/x-protobuf' : 'application/json';
}
