/** forge works on "binary strings" (one char per byte); these convert without Buffer. */

export function toBinary(data: Uint8Array): string {
  let out = '';
  for (let i = 0; i < data.length; i += 0x2000) {
    out += String.fromCharCode(...data.subarray(i, i + 0x2000));
  }
  return out;
}

export function fromBinary(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}
