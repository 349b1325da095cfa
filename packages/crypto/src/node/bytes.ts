/** A plain Uint8Array view of a Buffer (callers compare with Uint8Arrays; Buffer is a subclass). */
export function u8(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** A Buffer view of bytes, without copying. */
export function buf(data: Uint8Array): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
