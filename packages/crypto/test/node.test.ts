import { createNodeSaltSuite } from '@brine/crypto/node';
import { cryptoCompliance } from '@brine/compliance/crypto';
import { saltVectors } from './salt-vectors.js';

const spec = { name: 'salt/node', create: createNodeSaltSuite };
cryptoCompliance({ ...spec, id: 'salt', privateKeyLabel: 'RSA PRIVATE KEY', publicKeyLabel: 'PUBLIC KEY' });
// node:crypto draws OAEP seeds inside OpenSSL: Salt's ciphertexts are checked by decrypting them.
saltVectors({ ...spec, oaepSeedInjectable: false });
