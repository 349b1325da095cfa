/** tweetnacl is CommonJS (`export =`); the default import is its `module.exports` in Node and bundlers. */
import nacl from 'tweetnacl';

export { nacl };
