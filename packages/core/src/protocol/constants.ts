/** The request protocol version Brine speaks (Salt 3006.12+/3007.4+/3008). */
export const PROTOCOL_VERSION = 3;
/** The message every minion signs as its `tok` (Salt: `gen_token(b"salt")`). */
export const TOKEN_MESSAGE = new TextEncoder().encode('salt');
/** Salt's error replies, which are bare strings on the wire. */
export const BAD_LOAD = 'bad load';
export const NOT_A_DICT = 'payload and load must be a dict';
export const NULL_BYTE_ID = 'bad load: id contains a null byte';
export const SERVER_EXCEPTION = 'Some exception handling minion payload';
export const BAD_ENC_ALGO = 'bad enc algo';
export const BAD_SIG_ALGO = 'bad sig algo';
