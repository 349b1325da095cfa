import { createForgeSaltSuite } from '@brine/crypto/forge';
import { cryptoCompliance } from '@brine/compliance/crypto';
import { saltVectors } from './salt-vectors.js';

const spec = { name: 'salt/forge', create: createForgeSaltSuite };
cryptoCompliance({ ...spec, id: 'salt', privateKeyLabel: 'RSA PRIVATE KEY', publicKeyLabel: 'PUBLIC KEY' });
saltVectors({ ...spec, oaepSeedInjectable: true });
