import { registerTransport } from './register.js';

registerTransport('tcp');
