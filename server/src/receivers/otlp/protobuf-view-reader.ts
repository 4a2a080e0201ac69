import { DEFAULT_MAX_DEPTH, ProtobufReader } from './protobuf-reader.js';

/**
 * One ProtobufReader for many messages that are views of one buffer (the spans of a stored
 * trace): a reader, with its views, per message was much of the garbage of reading them.
 */
export class ProtobufViewReader {
  /** The whole buffer the last message was a view of: offsets the reader gives are offsets in it. */
  whole: Uint8Array = new Uint8Array(0);
  private reader: ProtobufReader | undefined;

  constructor(
    private readonly maxDepth = DEFAULT_MAX_DEPTH,
    private readonly maxStringChars = Number.POSITIVE_INFINITY,
  ) {}

  /** A reader of `message` alone, as if it were the whole input. */
  at(message: Uint8Array): ProtobufReader {
    if (this.reader === undefined || message.buffer !== this.whole.buffer) {
      // A plain Uint8Array: one element type for every byte access (views may be Buffers).
      this.whole = new Uint8Array(message.buffer);
      this.reader = new ProtobufReader(this.whole, this.maxDepth, this.maxStringChars);
    }
    this.reader.seek(message.byteOffset, message.byteOffset + message.byteLength);
    return this.reader;
  }
}
