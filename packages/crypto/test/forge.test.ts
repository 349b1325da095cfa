import { createForgeSaltSuite } from '@brine/crypto/forge';
import { cryptoCompliance } from '../../../test/compliance/crypto.js';
import { saltVectors } from './salt-vectors.js';

const spec = { name: 'salt/forge', create: createForgeSaltSuite };
cryptoCompliance({ ...spec, id: 'salt', privateKeyLabel: 'RSA PRIVATE KEY', publicKeyLabel: 'PUBLIC KEY' });
saltVectors({ ...spec, oaepSeedInjectable: true });
