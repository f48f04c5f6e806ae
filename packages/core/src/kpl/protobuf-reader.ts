/**
 * A minimal, defensive reader of the protocol buffers wire format (just what the KPL aggregate format needs).
 *
 * Every read is bounds-checked against the window the reader was created for; malformed input raises
 * {@link ProtobufFormatError} (internal: callers turn it into a decode failure). Every read consumes at least one
 * byte and nested groups are depth-limited, so a loop over {@link ProtobufReader.readTag} always terminates.
 * @internal
 */

/** The wire types of the protobuf encoding. */
export const WireType = {
  VARINT: 0,
  FIXED64: 1,
  LENGTH_DELIMITED: 2,
  START_GROUP: 3,
  END_GROUP: 4,
  FIXED32: 5,
} as const;

/** Maximum nesting of (deprecated) groups that {@link ProtobufReader.skipField} follows. */
const MAX_GROUP_DEPTH = 32;
/** Largest field number protobuf allows (2^29 - 1). */
const MAX_FIELD_NUMBER = 0x1fffffff;

/** Malformed protobuf input. Internal: never escapes the KPL decoder. @internal */
export class ProtobufFormatError extends Error {
  /** Byte offset (relative to the start of the reader's buffer) where the problem was found. */
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(`${message} at byte ${offset}`);
    this.name = 'ProtobufFormatError';
    this.offset = offset;
  }
}

/** A field key: field number plus wire type. */
export interface FieldTag {
  fieldNumber: number;
  wireType: number;
}

export class ProtobufReader {
  private readonly buf: Uint8Array;
  private pos: number;
  private readonly end: number;

  /** Reads `buf[start, end)`; the window must lie inside the buffer. */
  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > buf.length || start > end) {
      throw new ProtobufFormatError(`Invalid window [${start}, ${end}) of a ${buf.length}-byte buffer`, start);
    }
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }

  /** True once every byte of the window was consumed. */
  get done(): boolean {
    return this.pos >= this.end;
  }

  /** Current read offset in the underlying buffer. */
  get offset(): number {
    return this.pos;
  }

  /**
   * Reads an unsigned varint (up to 64 bits). Values above 2^53 lose precision but stay >= 2^53, which is enough to
   * reject them as lengths or table indexes.
   */
  readVarint(): number {
    const startPos = this.pos;
    let result = 0;
    let multiplier = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtobufFormatError('Truncated varint', startPos);
      const byte = this.buf[this.pos++] as number;
      // The 10th byte carries only bit 63 of a 64-bit value.
      if (i === 9 && byte > 1) throw new ProtobufFormatError('Varint exceeds 64 bits', startPos);
      result += (byte & 0x7f) * multiplier;
      if (byte < 0x80) return result;
      multiplier *= 128;
    }
    throw new ProtobufFormatError('Varint longer than 10 bytes', startPos);
  }

  /** Reads a field key. Rejects field number 0, field numbers above 2^29-1 and the invalid wire types 6 and 7. */
  readTag(): FieldTag {
    const startPos = this.pos;
    const key = this.readVarint();
    if (key > 0xffffffff) throw new ProtobufFormatError('Field key exceeds 32 bits', startPos);
    const wireType = key % 8;
    const fieldNumber = Math.floor(key / 8);
    if (fieldNumber === 0 || fieldNumber > MAX_FIELD_NUMBER) {
      throw new ProtobufFormatError(`Invalid field number ${fieldNumber}`, startPos);
    }
    if (wireType > WireType.FIXED32) throw new ProtobufFormatError(`Invalid wire type ${wireType}`, startPos);
    return { fieldNumber, wireType };
  }

  /** Reads a length-delimited value and returns it as a view (no copy) of the underlying buffer. */
  readBytes(): Uint8Array {
    const start = this.readSpan();
    return this.buf.subarray(start, this.pos);
  }

  /** Returns a reader over the next length-delimited value (an embedded message). */
  readMessage(): ProtobufReader {
    const start = this.readSpan();
    return new ProtobufReader(this.buf, start, this.pos);
  }

  /** Reads a length prefix, checks it against the window and moves past the value; returns the value's start. */
  private readSpan(): number {
    const startPos = this.pos;
    const length = this.readVarint();
    if (length > this.end - this.pos) {
      throw new ProtobufFormatError(`Length ${length} exceeds the ${this.end - this.pos} remaining bytes`, startPos);
    }
    const start = this.pos;
    this.pos += length;
    return start;
  }

  /** Skips the value of a field whose tag was just read (unknown fields). */
  skipField(tag: FieldTag): void {
    this.skipValue(tag, 0);
  }

  private skipValue(tag: FieldTag, depth: number): void {
    switch (tag.wireType) {
      case WireType.VARINT:
        this.readVarint();
        return;
      case WireType.FIXED64:
        this.skipFixed(8);
        return;
      case WireType.FIXED32:
        this.skipFixed(4);
        return;
      case WireType.LENGTH_DELIMITED:
        this.readSpan();
        return;
      case WireType.START_GROUP:
        this.skipGroup(tag.fieldNumber, depth + 1);
        return;
      default:
        // END_GROUP without a matching START_GROUP.
        throw new ProtobufFormatError(`Unexpected end-group for field ${tag.fieldNumber}`, this.pos);
    }
  }

  private skipFixed(size: number): void {
    if (this.end - this.pos < size) throw new ProtobufFormatError(`Truncated ${size * 8}-bit fixed value`, this.pos);
    this.pos += size;
  }

  private skipGroup(fieldNumber: number, depth: number): void {
    if (depth > MAX_GROUP_DEPTH) throw new ProtobufFormatError('Groups nested too deeply', this.pos);
    const startPos = this.pos;
    while (!this.done) {
      const tag = this.readTag();
      if (tag.wireType === WireType.END_GROUP) {
        if (tag.fieldNumber !== fieldNumber) {
          throw new ProtobufFormatError(`End-group for field ${tag.fieldNumber} closes group ${fieldNumber}`, startPos);
        }
        return;
      }
      this.skipValue(tag, depth);
    }
    throw new ProtobufFormatError(`Unterminated group ${fieldNumber}`, startPos);
  }
}
