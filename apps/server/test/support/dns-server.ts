import dgram from "node:dgram";
import { isIP } from "node:net";

/**
 * A DNS server of the test's own, on loopback (UDP): it answers A and AAAA questions for the names it
 * was given and NXDOMAIN for any other. Point `BIFROST_EGRESS_RESOLVER` at it to give the test's hosts
 * names, including names that resolve to addresses the policy refuses.
 */
export type TestDnsServer = {
  /** `127.0.0.1:port`, as BIFROST_EGRESS_RESOLVER takes it. */
  readonly address: string;
  /** The names asked, in order. */
  readonly questions: string[];
  close(): Promise<void>;
};

const TYPE_A = 1;
const TYPE_AAAA = 28;

export async function startDnsServer(records: Record<string, string[]>): Promise<TestDnsServer> {
  const socket = dgram.createSocket("udp4");
  const questions: string[] = [];
  const known = new Map(Object.entries(records).map(([name, addresses]) => [name.toLowerCase(), addresses]));
  socket.on("message", (query, peer) => {
    const answer = answerOf(query, known, questions);
    if (answer) socket.send(answer, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", () => resolve()));
  return {
    address: `127.0.0.1:${socket.address().port}`,
    questions,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

function answerOf(query: Buffer, known: Map<string, string[]>, questions: string[]): Buffer | null {
  if (query.length < 17 || query.readUInt16BE(4) !== 1) return null; // one question, or no answer
  const labels: string[] = [];
  let offset = 12;
  while (offset < query.length && query[offset] !== 0) {
    const length = query[offset]!;
    labels.push(query.subarray(offset + 1, offset + 1 + length).toString("latin1"));
    offset += 1 + length;
  }
  const questionEnd = offset + 5; // the zero label, type, class
  if (questionEnd > query.length) return null;
  const type = query.readUInt16BE(offset + 1);
  const name = labels.join(".").toLowerCase();
  questions.push(name);
  const addresses = known.get(name);
  const family = type === TYPE_A ? 4 : type === TYPE_AAAA ? 6 : 0;
  const matching = (addresses ?? []).filter((address) => isIP(address) === family);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0); // the query's id
  header.writeUInt16BE(0x8180 | (addresses ? 0 : 3), 2); // a response, recursion available; NXDOMAIN
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(matching.length, 6);
  const records = matching.map((address) => {
    const data = family === 4 ? Buffer.from(address.split(".").map(Number)) : ipv6Bytes(address);
    const record = Buffer.alloc(12 + data.length);
    record.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
    record.writeUInt16BE(type, 2);
    record.writeUInt16BE(1, 4); // IN
    record.writeUInt32BE(1, 6); // TTL
    record.writeUInt16BE(data.length, 10);
    data.copy(record, 12);
    return record;
  });
  return Buffer.concat([header, query.subarray(12, questionEnd), ...records]);
}

function ipv6Bytes(address: string): Buffer {
  const [head = "", tail] = address.split("::");
  const groups = (part: string) => (part === "" ? [] : part.split(":"));
  const before = groups(head);
  const after = tail === undefined ? [] : groups(tail);
  const all = [...before, ...Array<string>(8 - before.length - after.length).fill("0"), ...after];
  const bytes = Buffer.alloc(16);
  all.forEach((group, index) => bytes.writeUInt16BE(parseInt(group, 16), index * 2));
  return bytes;
}
