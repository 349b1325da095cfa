export { MasterIpc, CONTROL_SOCKET, EVENT_PUB_SOCKET, EVENT_PULL_SOCKET } from './master-ipc.js';
export { controlRequest } from './control-client.js';
export { subscribeMasterEvents } from './event-subscriber.js';
export { frameMsg } from './framed-socket.js';
