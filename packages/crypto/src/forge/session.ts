import { bytes } from '@brine/contracts';
import { type SaltSessionKeys } from '../salt/salt-key.js';
import type { AesCbcHmac } from '../common/salt-cipher.js';
import { fromBinary, toBinary } from './binary.js';
import { forge } from './forge.js';

type Pad = (blockSize: number, buffer: forge.util.ByteStringBuffer, decrypt: boolean) => boolean;
const noPadding: Pad = () => true;

/** AES-192-CBC and HMAC-SHA256 on node-forge. One cipher object per direction, restarted per message. */
export function forgeAesCbcHmac(keys: SaltSessionKeys): AesCbcHmac {
  const aesKey = toBinary(keys.aesKey);
  const encipher = forge.cipher.createCipher('AES-CBC', aesKey);
  const decipher = forge.cipher.createDecipher('AES-CBC', aesKey);
  const hmac = forge.hmac.create();
  hmac.start('sha256', toBinary(keys.hmacKey));
  const run = (cipher: forge.cipher.BlockCipher, iv: Uint8Array, data: Uint8Array): Uint8Array => {
    cipher.start({ iv: toBinary(iv) });
    cipher.update(forge.util.createBuffer(toBinary(data)));
    (cipher.finish as (pad: Pad) => boolean)(noPadding);
    return fromBinary(cipher.output.getBytes());
  };
  return {
    encrypt: (iv, data) => run(encipher, iv, data),
    decrypt: (iv, data) => run(decipher, iv, data),
    mac(data) {
      hmac.start(null as unknown as 'sha256', null);
      hmac.update(toBinary(data));
      return fromBinary(hmac.digest().getBytes());
    },
    equal: bytes.timingSafeEqual,
  };
}
