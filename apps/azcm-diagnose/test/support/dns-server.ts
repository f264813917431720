import * as dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';

/** A DNS server on 127.0.0.1 for tests: A records from a map, NXDOMAIN for every other name. */
export interface TestDnsServer {
  address: string;
  port: number;
  /** Names asked so far (lower case), in order. */
  queries: string[];
  close(): Promise<void>;
}

function readName(message: Buffer, start: number): { name: string; end: number } {
  const labels: string[] = [];
  let offset = start;
  for (;;) {
    const length = message[offset];
    if (length === undefined) throw new Error('truncated name');
    if (length === 0) return { name: labels.join('.').toLowerCase(), end: offset + 1 };
    if (length > 63) throw new Error('compressed names are not expected in questions');
    labels.push(message.subarray(offset + 1, offset + 1 + length).toString('latin1'));
    offset += 1 + length;
  }
}

/**
 * Starts a minimal DNS server (RFC 1035 over UDP) answering type A from `records`; mapped names get an
 * empty NOERROR answer for other types, unknown names NXDOMAIN. Malformed queries are ignored.
 */
export async function startDnsServer(records: Record<string, string>): Promise<TestDnsServer> {
  const table = new Map(Object.entries(records).map(([name, address]) => [name.toLowerCase(), address]));
  const socket = dgram.createSocket('udp4');
  const queries: string[] = [];
  socket.on('message', (message, remote) => {
    if (message.length < 12) return;
    let question: { name: string; end: number };
    try {
      question = readName(message, 12);
    } catch {
      return;
    }
    if (question.end + 4 > message.length) return;
    const type = message.readUInt16BE(question.end);
    queries.push(question.name);
    const address = table.get(question.name);
    const header = Buffer.alloc(12);
    message.copy(header, 0, 0, 2); // id
    const rcode = address === undefined ? 3 : 0;
    header.writeUInt16BE(0x8180 | rcode, 2); // response, recursion desired + available
    header.writeUInt16BE(1, 4); // one question
    const answer = address !== undefined && type === 1;
    header.writeUInt16BE(answer ? 1 : 0, 6);
    const questionBytes = message.subarray(12, question.end + 4);
    const parts = [header, questionBytes];
    if (answer) {
      const record = Buffer.alloc(16);
      record.writeUInt16BE(0xc00c, 0); // pointer to the name in the question
      record.writeUInt16BE(1, 2); // A
      record.writeUInt16BE(1, 4); // IN
      record.writeUInt32BE(60, 6); // TTL
      record.writeUInt16BE(4, 10);
      address.split('.').forEach((octet, index) => {
        record[12 + index] = Number(octet);
      });
      parts.push(record);
    }
    socket.send(Buffer.concat(parts), remote.port, remote.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address() as AddressInfo;
  return {
    address: '127.0.0.1',
    port,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
