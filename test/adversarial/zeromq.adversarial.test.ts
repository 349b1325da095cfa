import { registerTransport } from './register.js';

registerTransport('zeromq');
