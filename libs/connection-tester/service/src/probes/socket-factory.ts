import { connect, type Socket } from 'node:net';

/**
 * Opens the TCP connection to an address the outbound policy already checked (never a name, so no second lookup can
 * answer differently). A port so tests can prove that a refused destination never reaches a socket.
 */
export interface SocketFactory {
  connect(address: string, port: number): Socket;
}

export const SOCKET_FACTORY = Symbol('SOCKET_FACTORY');

export const systemSocketFactory: SocketFactory = {
  connect: (address, port) => connect({ host: address, port }),
};
