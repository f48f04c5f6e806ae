import { ProtobufFormatError, ProtobufReader, WireType } from '../src/kpl/protobuf-reader';
import { prng, randomBytes } from './kpl-fixtures';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

describe('ProtobufReader', () => {
  it('reads varints of 1 to 10 bytes', () => {
    expect(new ProtobufReader(bytes(0x00)).readVarint()).toBe(0);
    expect(new ProtobufReader(bytes(0x7f)).readVarint()).toBe(127);
    expect(new ProtobufReader(bytes(0xac, 0x02)).readVarint()).toBe(300);
    expect(new ProtobufReader(bytes(0xff, 0xff, 0xff, 0xff, 0x0f)).readVarint()).toBe(0xffffffff);
    // 2^53 - 1 is exact.
    expect(new ProtobufReader(bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f)).readVarint()).toBe(2 ** 53 - 1);
    // 2^64 - 1 is accepted (precision is lost, but it stays huge).
    const max = new ProtobufReader(bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)).readVarint();
    expect(max).toBeGreaterThanOrEqual(2 ** 63);
  });

  it('rejects truncated, over-long and over-64-bit varints', () => {
    expect(() => new ProtobufReader(bytes(0x80)).readVarint()).toThrow(ProtobufFormatError);
    expect(() => new ProtobufReader(bytes()).readVarint()).toThrow(/Truncated varint/);
    expect(() => new ProtobufReader(bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02)).readVarint()).toThrow(/exceeds 64 bits/);
    expect(() => new ProtobufReader(new Uint8Array(11).fill(0x80)).readVarint()).toThrow(ProtobufFormatError);
  });

  it('reads tags and rejects field 0 and wire types 6 and 7', () => {
    expect(new ProtobufReader(bytes(0x1a)).readTag()).toEqual({ fieldNumber: 3, wireType: WireType.LENGTH_DELIMITED });
    expect(new ProtobufReader(bytes(0x08)).readTag()).toEqual({ fieldNumber: 1, wireType: WireType.VARINT });
    expect(() => new ProtobufReader(bytes(0x02)).readTag()).toThrow(/field number 0/);
    expect(() => new ProtobufReader(bytes(0x0e)).readTag()).toThrow(/wire type 6/);
    expect(() => new ProtobufReader(bytes(0x0f)).readTag()).toThrow(/wire type 7/);
    // A key above 32 bits.
    expect(() => new ProtobufReader(bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x01)).readTag()).toThrow(/32 bits/);
  });

  it('reads length-delimited values as views and checks their length against the window', () => {
    const buf = bytes(0x03, 0x61, 0x62, 0x63, 0xff);
    const reader = new ProtobufReader(buf, 0, 4);
    const value = reader.readBytes();
    expect(Array.from(value)).toEqual([0x61, 0x62, 0x63]);
    expect(value.buffer).toBe(buf.buffer);
    expect(reader.done).toBe(true);
    // The length points past the window even though the buffer has the byte.
    expect(() => new ProtobufReader(bytes(0x04, 0x61, 0x62, 0x63, 0xff), 0, 4).readBytes()).toThrow(/exceeds/);
    expect(() => new ProtobufReader(bytes(0xff, 0xff, 0xff, 0xff, 0x0f)).readBytes()).toThrow(/exceeds/);
  });

  it('confines an embedded message reader to its length', () => {
    // field 3 (len 2: 08 05), then field 1 varint 7 outside the message
    const outer = new ProtobufReader(bytes(0x1a, 0x02, 0x08, 0x05, 0x08, 0x07));
    outer.readTag();
    const inner = outer.readMessage();
    expect(inner.readTag()).toEqual({ fieldNumber: 1, wireType: WireType.VARINT });
    expect(inner.readVarint()).toBe(5);
    expect(inner.done).toBe(true);
    expect(() => inner.readVarint()).toThrow(ProtobufFormatError);
    expect(outer.readTag().fieldNumber).toBe(1);
    expect(outer.readVarint()).toBe(7);
  });

  it('skips every wire type, including nested groups', () => {
    const buf = bytes(
      0x08,
      0x96,
      0x01, // field 1 varint
      0x11,
      1,
      2,
      3,
      4,
      5,
      6,
      7,
      8, // field 2 fixed64
      0x1a,
      0x02,
      0xaa,
      0xbb, // field 3 bytes
      0x25,
      1,
      2,
      3,
      4, // field 4 fixed32
      0x2b,
      0x33,
      0x08,
      0x01,
      0x34,
      0x2c, // group 5 { group 6 { field 1 } }
      0x38,
      0x09, // field 7 varint 9
    );
    const reader = new ProtobufReader(buf);
    for (let i = 0; i < 5; i++) reader.skipField(reader.readTag());
    expect(reader.readTag()).toEqual({ fieldNumber: 7, wireType: WireType.VARINT });
    expect(reader.readVarint()).toBe(9);
    expect(reader.done).toBe(true);
  });

  it('rejects truncated fixed values, unterminated or mismatched groups and stray end-groups', () => {
    const skipFirst =
      (...values: number[]) =>
      () => {
        const reader = new ProtobufReader(bytes(...values));
        reader.skipField(reader.readTag());
      };
    expect(skipFirst(0x11, 1, 2, 3)).toThrow(/64-bit/);
    expect(skipFirst(0x25, 1)).toThrow(/32-bit/);
    expect(skipFirst(0x2b, 0x08, 0x01)).toThrow(/Unterminated group 5/);
    expect(skipFirst(0x2b, 0x34)).toThrow(/closes group 5/);
    expect(skipFirst(0x2c)).toThrow(/end-group/);
  });

  it('limits group nesting', () => {
    const depth = 40;
    const buf = new Uint8Array(depth * 2);
    buf.fill(0x0b, 0, depth); // start group 1
    buf.fill(0x0c, depth); // end group 1
    const reader = new ProtobufReader(buf);
    expect(() => reader.skipField(reader.readTag())).toThrow(/nested too deeply/);
  });

  it('rejects an invalid window', () => {
    expect(() => new ProtobufReader(bytes(1, 2), 1, 3)).toThrow(ProtobufFormatError);
    expect(() => new ProtobufReader(bytes(1, 2), 2, 1)).toThrow(ProtobufFormatError);
  });

  it('terminates on random input, only ever throwing ProtobufFormatError', () => {
    const random = prng(42);
    for (let round = 0; round < 2000; round++) {
      const buf = randomBytes(random, Math.floor(random() * 64));
      const reader = new ProtobufReader(buf);
      let steps = 0;
      try {
        while (!reader.done) {
          const before = reader.offset;
          reader.skipField(reader.readTag());
          expect(reader.offset).toBeGreaterThan(before);
          expect(reader.offset).toBeLessThanOrEqual(buf.length);
          steps++;
        }
      } catch (error) {
        expect(error).toBeInstanceOf(ProtobufFormatError);
      }
      expect(steps).toBeLessThanOrEqual(buf.length);
    }
  });
});
