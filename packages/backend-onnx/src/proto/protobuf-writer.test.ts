import { describe, expect, it } from 'vitest';
import { ProtobufWriter } from './protobuf-writer.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('ProtobufWriter', () => {
  it('encodes varints as the protobuf encoding guide shows (150 → 08 96 01)', () => {
    expect(hex(new ProtobufWriter().int(1, 150).finish())).toBe('089601');
    expect(hex(new ProtobufWriter().int(2, 0).finish())).toBe('1000');
  });
  it('encodes negative int64 in ten bytes and large ones beyond 2^31', () => {
    expect(hex(new ProtobufWriter().int(1, -1).finish())).toBe('08ffffffffffffffffff01');
    expect(hex(new ProtobufWriter().int(1, 2 ** 33).finish())).toBe('088080808020');
  });
  it('encodes strings, floats, packed ints and nested messages', () => {
    expect(hex(new ProtobufWriter().string(2, 'testing').finish())).toBe('120774657374696e67');
    expect(hex(new ProtobufWriter().float(2, 1).finish())).toBe('150000803f');
    expect(hex(new ProtobufWriter().packedInts(4, [3, 270, 86942]).finish())).toBe('2206038e029ea705');
    const inner = new ProtobufWriter().int(1, 150);
    expect(hex(new ProtobufWriter().message(3, inner).finish())).toBe('1a03089601');
  });
  it('keeps large byte fields intact among small fields', () => {
    const big = Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff);
    const out = new ProtobufWriter().int(1, 7).bytes(2, big).int(3, 9).finish();
    expect(out.length).toBe(2 + 3 + 1000 + 2);
    expect(hex(out.subarray(0, 5))).toBe('0807' + '12e807');
    expect(Array.from(out.subarray(5, 1005))).toEqual(Array.from(big));
    expect(hex(out.subarray(1005))).toBe('1809');
  });
});
