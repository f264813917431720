import type { ConnectionState } from './connection-state.ts';
import { headerPairs } from './request-head.ts';
import type { ConnectRequest, ProxiedSource } from './types.ts';

/** The request handed to `decide`; a class so the lazy `headers` getter lives on the prototype. */
export class IncomingConnectRequest implements ConnectRequest {
  readonly id: number;
  readonly clientAddress: string;
  readonly clientPort: number;
  readonly proxiedSource: ProxiedSource | undefined;
  readonly host: string;
  readonly port: number;
  #head: Buffer | undefined;
  #headers: Headers | undefined;

  constructor(id: number, state: ConnectionState, host: string, port: number, head: Buffer) {
    this.id = id;
    this.clientAddress = state.clientAddress;
    this.clientPort = state.clientPort;
    this.proxiedSource = state.proxiedSource;
    this.host = host;
    this.port = port;
    this.#head = head;
  }

  /** The request headers, read from the head only when asked for (most decisions never look). */
  get headers(): Headers {
    if (this.#headers === undefined) {
      const headers = new Headers();
      for (const [name, value] of this.#head === undefined ? [] : headerPairs(this.#head)) {
        try {
          headers.append(name, value);
        } catch {
          // A header Fetch's Headers refuses (e.g. a byte it forbids) is left out rather than failing.
        }
      }
      this.#headers = headers;
      this.#head = undefined;
    }
    return this.#headers;
  }
}
