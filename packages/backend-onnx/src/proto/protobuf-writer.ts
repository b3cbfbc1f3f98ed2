/**
 * A minimal Protocol Buffers encoder (wire format: varint, 32-bit, length-delimited), enough to
 * write ONNX `ModelProto`s. Follows the encoding rules of protobuf's "Encoding" guide. Big byte
 * fields (weights) are kept as chunks and only copied once, when the message is finished.
 */

const WIRE_VARINT = 0;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

const utf8 = new TextEncoder();

export class ProtobufWriter {
  private readonly chunks: Uint8Array[] = [];
  private scratch = new Uint8Array(256);
  private pos = 0;
  private length = 0;

  /** Bytes written so far. */
  get byteLength(): number {
    return this.length + this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.scratch.length) return;
    this.flushScratch();
    if (n > this.scratch.length) this.scratch = new Uint8Array(Math.max(n, this.scratch.length * 2));
  }

  private flushScratch(): void {
    if (this.pos === 0) return;
    this.chunks.push(this.scratch.slice(0, this.pos));
    this.length += this.pos;
    this.pos = 0;
  }

  private rawVarint(v: bigint | number): void {
    this.ensure(10);
    let x = BigInt.asUintN(64, BigInt(v));
    if (typeof v === 'number' && v >= 0 && v < 0x80000000) {
      let n = v;
      while (n >= 0x80) {
        this.scratch[this.pos++] = (n & 0x7f) | 0x80;
        n >>>= 7;
      }
      this.scratch[this.pos++] = n;
      return;
    }
    while (x >= 0x80n) {
      this.scratch[this.pos++] = Number(x & 0x7fn) | 0x80;
      x >>= 7n;
    }
    this.scratch[this.pos++] = Number(x);
  }

  private tag(field: number, wire: number): void {
    this.rawVarint((field << 3) | wire);
  }

  /** int32 / int64 / enum / bool field (negative numbers take 10 bytes, as protobuf says). */
  int(field: number, v: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    this.rawVarint(v);
    return this;
  }

  float(field: number, v: number): this {
    this.tag(field, WIRE_I32);
    this.ensure(4);
    new DataView(this.scratch.buffer, this.scratch.byteOffset + this.pos, 4).setFloat32(0, v, true);
    this.pos += 4;
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, utf8.encode(s));
  }

  /** A length-delimited field; large byte arrays are referenced, not copied, until `finish`. */
  bytes(field: number, b: Uint8Array): this {
    this.tag(field, WIRE_LEN);
    this.rawVarint(b.length);
    if (b.length <= 64) {
      this.ensure(b.length);
      this.scratch.set(b, this.pos);
      this.pos += b.length;
    } else {
      this.flushScratch();
      this.chunks.push(b);
      this.length += b.length;
    }
    return this;
  }

  /** A nested message field. */
  message(field: number, m: ProtobufWriter): this {
    m.flushScratch();
    this.tag(field, WIRE_LEN);
    this.rawVarint(m.length);
    this.flushScratch();
    for (const c of m.chunks) this.chunks.push(c);
    this.length += m.length;
    return this;
  }

  /** A packed repeated int64 field. */
  packedInts(field: number, vs: readonly (number | bigint)[]): this {
    const inner = new ProtobufWriter();
    for (const v of vs) inner.rawVarint(v);
    inner.flushScratch();
    return this.bytes(field, concat(inner.chunks, inner.length));
  }

  /** A packed repeated float field. */
  packedFloats(field: number, vs: readonly number[]): this {
    const b = new Uint8Array(vs.length * 4);
    const dv = new DataView(b.buffer);
    vs.forEach((v, i) => dv.setFloat32(i * 4, v, true));
    return this.bytes(field, b);
  }

  /** The encoded message as one array. */
  finish(): Uint8Array {
    this.flushScratch();
    return concat(this.chunks, this.length);
  }
}

function concat(chunks: readonly Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]!.length === length) return chunks[0]!;
  const out = new Uint8Array(length);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}
