import { registerTransport } from './register.js';

registerTransport('ws');
