import { bytes } from '@brine/contracts';

export function bytesToBigInt(data: Uint8Array): bigint {
  return data.length === 0 ? 0n : BigInt(`0x${bytes.toHex(data)}`);
}

/** Big-endian, left-padded with zeros to `length` bytes. */
export function bigIntToBytes(value: bigint, length: number): Uint8Array {
  const hex = value.toString(16).padStart(length * 2, '0');
  if (hex.length > length * 2) throw new RangeError('value does not fit');
  return bytes.fromHex(hex);
}
