import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import {
  encodeExportTraceResponseJson,
  encodeExportTraceResponseProto,
  encodeRpcStatusJson,
  encodeRpcStatusProto,
  retryInfoDetail,
  toPartialSuccess,
} from './otlp-responses.js';

// An independent protobuf implementation to read what we write.
const schema = protobuf.parse(`
  syntax = "proto3";
  package google.rpc;
  message Any { string type_url = 1; bytes value = 2; }
  message Status { int32 code = 1; string message = 2; repeated Any details = 3; }
  message Duration { int64 seconds = 1; int32 nanos = 2; }
  message RetryInfo { Duration retry_delay = 1; }
  message ExportTracePartialSuccess { int64 rejected_spans = 1; string error_message = 2; }
  message ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; }
`).root;
const decode = (type: string, bytes: Uint8Array) =>
  schema.lookupType(`google.rpc.${type}`).toObject(schema.lookupType(`google.rpc.${type}`).decode(bytes), { longs: String, defaults: false });

describe('toPartialSuccess', () => {
  it('is undefined when nothing was rejected, so partial_success stays unset', () => {
    expect(toPartialSuccess({ rejected: 0, rejectionMessages: [] })).toBeUndefined();
  });

  it('joins the messages and says how many more were rejected', () => {
    expect(toPartialSuccess({ rejected: 2, rejectionMessages: ['a', 'b'] })).toEqual({ rejectedSpans: 2, errorMessage: 'a; b' });
    expect(toPartialSuccess({ rejected: 12, rejectionMessages: ['a', 'b'] })).toEqual({ rejectedSpans: 12, errorMessage: 'a; b; 10 more rejected' });
  });
});

describe('ExportTraceServiceResponse', () => {
  const partial = { rejectedSpans: 3, errorMessage: 'span "x" rejected: start time is missing (0)' };

  it('is empty on full success', () => {
    expect(encodeExportTraceResponseProto()).toEqual(new Uint8Array(0));
    expect(encodeExportTraceResponseJson()).toBe('{}');
    expect(ProtobufTraceSerializer.deserializeResponse(encodeExportTraceResponseProto())).toEqual({});
  });

  it('carries partial success in protobuf, as the OpenTelemetry JS exporter reads it', () => {
    const bytes = encodeExportTraceResponseProto(partial);
    expect(ProtobufTraceSerializer.deserializeResponse(bytes)).toEqual({ partialSuccess: partial });
    expect(decode('ExportTraceServiceResponse', bytes)).toEqual({ partialSuccess: { rejectedSpans: '3', errorMessage: partial.errorMessage } });
  });

  it('carries partial success in JSON with int64 as a string', () => {
    const json = encodeExportTraceResponseJson(partial);
    expect(JSON.parse(json)).toEqual({ partialSuccess: { rejectedSpans: '3', errorMessage: partial.errorMessage } });
    expect(JsonTraceSerializer.deserializeResponse(new TextEncoder().encode(json))).toEqual({ partialSuccess: { rejectedSpans: '3', errorMessage: partial.errorMessage } });
  });

  it('can carry a warning with nothing rejected', () => {
    const warning = { rejectedSpans: 0, errorMessage: 'clock skew detected' };
    expect(ProtobufTraceSerializer.deserializeResponse(encodeExportTraceResponseProto(warning))).toEqual({ partialSuccess: { errorMessage: 'clock skew detected' } });
    expect(JSON.parse(encodeExportTraceResponseJson(warning))).toEqual({ partialSuccess: { errorMessage: 'clock skew detected' } });
  });
});

describe('google.rpc.Status', () => {
  it('encodes code, message and details in protobuf', () => {
    const detail = retryInfoDetail(2500);
    const bytes = encodeRpcStatusProto({ code: 14, message: 'queue full — retry later', details: [detail] });
    const status = decode('Status', bytes) as { code: number; message: string; details: { typeUrl: string; value: Uint8Array }[] };
    expect(status.code).toBe(14);
    expect(status.message).toBe('queue full — retry later');
    expect(status.details).toHaveLength(1);
    expect(status.details[0]!.typeUrl).toBe('type.googleapis.com/google.rpc.RetryInfo');
    expect(decode('RetryInfo', status.details[0]!.value)).toEqual({ retryDelay: { seconds: '2', nanos: 500_000_000 } });
  });

  it('encodes a whole-second retry delay without nanos, and zero as an empty duration', () => {
    expect(decode('RetryInfo', retryInfoDetail(30_000).value)).toEqual({ retryDelay: { seconds: '30' } });
    expect(decode('RetryInfo', retryInfoDetail(0).value)).toEqual({ retryDelay: {} });
  });

  it('encodes protojson, omitting defaults', () => {
    expect(JSON.parse(encodeRpcStatusJson({ code: 3, message: 'bad span' }))).toEqual({ code: 3, message: 'bad span' });
    expect(encodeRpcStatusJson({ code: 0, message: '' })).toBe('{}');
    expect(encodeRpcStatusProto({ code: 0, message: '' })).toEqual(new Uint8Array(0));
  });

  it('encodes negative codes as int32 does', () => {
    expect(decode('Status', encodeRpcStatusProto({ code: -1, message: '' }))).toEqual({ code: -1 });
  });
});
