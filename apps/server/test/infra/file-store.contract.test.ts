import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import http from "node:http";
import { createRequire } from "node:module";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { S3Config } from "../../src/infra/files/file-store.js";
import { UnavailableError, ValidationError } from "../../src/errors.js";
import { DiskFileStore } from "../../src/infra/files/disk-file-store.js";
import type { FileStore } from "../../src/infra/files/file-store.js";
import { createFileStore } from "../../src/infra/files/index.js";
import { S3FileStore } from "../../src/infra/files/s3-file-store.js";

const UNSAFE_KEYS = ["../x", "/abs", "a//b", "a/./b", "a\\b", "a\u0000b", ""];
const ALL_BYTES = Buffer.from(Uint8Array.from({ length: 256 }, (_, i) => i));
const BUCKET = "bifrost-test";
const S3RVER_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
const RECURSIVE = { recursive: true, force: true };
const require = createRequire(import.meta.url);

// Stores are shared within a describe block; each test works under its own prefix.
let counter = 0;
const freshPrefix = (): string => `t${++counter}-${process.pid}`;

type Harness = { store: FileStore; cleanup(): Promise<void> };

/** Every keyed operation, deferred, so callers decide when each one runs. */
const keyedOperations = (s: FileStore, key: string): (() => Promise<unknown>)[] => [
  () => s.put(key, "x"),
  () => s.get(key),
  () => s.exists(key),
  () => s.delete(key),
];

async function expectAllInvalid(store: FileStore, keys: string[]): Promise<void> {
  for (const key of keys) {
    for (const run of keyedOperations(store, key)) {
      await expect(run(), JSON.stringify(key)).rejects.toThrow(ValidationError);
    }
  }
}

function fileStoreContract(name: string, open: () => Promise<Harness>): void {
  describe(`${name}: FileStore contract`, () => {
    let harness: Harness | undefined;
    let store: FileStore;
    beforeAll(async () => {
      harness = await open();
      store = harness.store;
    });
    afterAll(() => harness?.cleanup());

    it("round-trips UTF-8 text and binary holding every byte value 0..255", async () => {
      const p = freshPrefix();
      await store.put(`${p}/hello.txt`, "héllo ✓ 🌍\n", { contentType: "text/plain" });
      await store.put(`${p}/bytes.bin`, Uint8Array.from(ALL_BYTES));
      expect((await store.get(`${p}/hello.txt`))?.toString("utf8")).toBe("héllo ✓ 🌍\n");
      expect(await store.get(`${p}/bytes.bin`)).toEqual(ALL_BYTES);
    });

    it("get is null and exists false for never-stored keys and for folders", async () => {
      const p = freshPrefix();
      expect(await store.exists(`${p}/dir/file`)).toBe(false);
      await store.put(`${p}/dir/file`, "x");
      expect(await store.exists(`${p}/dir/file`)).toBe(true);
      for (const key of [`${p}/dir/absent`, `${p}/no-folder/absent`, `${p}/dir`]) {
        expect(await store.get(key), key).toBeNull();
        expect(await store.exists(key), key).toBe(false);
      }
    });

    it("overwriting a key replaces its whole content", async () => {
      const key = `${freshPrefix()}/doc`;
      await store.put(key, "a much longer first version");
      await store.put(key, "short");
      expect((await store.get(key))?.toString()).toBe("short");
      expect((await store.list(key)).map((f) => f.size)).toEqual([5]);
    });

    it("delete removes the key, and deleting again (or a never-stored key) succeeds", async () => {
      const key = `${freshPrefix()}/gone`;
      await store.put(key, "x");
      await store.delete(key);
      expect(await store.exists(key)).toBe(false);
      expect(await store.get(key)).toBeNull();
      await expect(store.delete(key)).resolves.toBeUndefined();
      await expect(store.delete(`${freshPrefix()}/never/stored`)).resolves.toBeUndefined();
    });

    it('list returns keys under the prefix (every key for ""), sorted by key, with sizes', async () => {
      const p = freshPrefix();
      // Out of order, with neighbours sharing the prefix's text but not its folder. Each file holds
      // its own name, so its size is the name's length.
      const names = ["in/b/d.txt", "in/a.txt", "in/b/c.txt", "in/Z", "inside", "out/e"];
      for (const name of names) await store.put(`${p}/${name}`, name);
      const listed = await store.list(`${p}/in/`);
      expect(listed.map((f) => [f.key.slice(p.length + 1), f.size])).toEqual([
        ["in/Z", 4],
        ["in/a.txt", 8],
        ["in/b/c.txt", 10],
        ["in/b/d.txt", 10],
      ]);
      for (const file of listed) expect(file.lastModified).toBeInstanceOf(Date);
      // Without the trailing slash the prefix is plain text, so `inside` matches too.
      expect((await store.list(`${p}/in`)).map((f) => f.key)).toContain(`${p}/inside`);
      expect(await store.list(`${p}/nothing/`)).toEqual([]);
      const everything = (await store.list("")).map((f) => f.key);
      expect(everything).toEqual(expect.arrayContaining([`${p}/in/b/d.txt`, `${p}/out/e`]));
    });

    it("rejects unsafe keys and prefixes with ValidationError and stores nothing", async () => {
      const before = await store.list("");
      await expectAllInvalid(store, UNSAFE_KEYS);
      for (const prefix of ["../", "/abs/", "a//", "a/../b/", "a\\b"]) {
        await expect(store.list(prefix), JSON.stringify(prefix)).rejects.toThrow(ValidationError);
      }
      expect(await store.list("")).toEqual(before);
    });

    it("putStream stores what a stream yields (more than one S3 part) and getStream streams it back", async () => {
      const p = freshPrefix();
      // 9 MiB in 64 KiB chunks: two parts of a multipart upload on S3.
      const chunks = (): Generator<Buffer> =>
        (function* () {
          for (let i = 0; i < 144; i++) yield Buffer.alloc(64 * 1024, i);
        })();
      const expected = createHash("sha256");
      for (const chunk of chunks()) expected.update(chunk);
      expect(await store.putStream(`${p}/big.bin`, Readable.from(chunks()))).toEqual({
        size: 144 * 64 * 1024,
      });
      const opened = await store.getStream(`${p}/big.bin`);
      expect(opened?.size).toBe(144 * 64 * 1024);
      const actual = createHash("sha256");
      for await (const chunk of opened?.stream ?? []) actual.update(chunk as Buffer);
      expect(actual.digest("hex")).toBe(expected.digest("hex"));
      expect(await store.putStream(`${p}/small`, Readable.from([Buffer.from("tiny")]))).toEqual({ size: 4 });
      expect((await store.get(`${p}/small`))?.toString()).toBe("tiny");
      expect(await store.getStream(`${p}/absent`)).toBeNull();
    });

    it("a failing stream stores nothing and leaves the previous content", async () => {
      const key = `${freshPrefix()}/kept`;
      await store.put(key, "before");
      const failing = Readable.from(
        (function* () {
          yield Buffer.alloc(1024, 1);
          throw new Error("upload cut");
        })(),
      );
      await expect(store.putStream(key, failing)).rejects.toThrow("upload cut");
      expect((await store.get(key))?.toString()).toBe("before");
      expect((await store.list(key)).map((f) => f.key)).toEqual([key]);
    });

    it("ping succeeds", () => expect(store.ping()).resolves.toBeUndefined());
  });
}

const tempDir = (label: string): Promise<string> => mkdtemp(path.join(os.tmpdir(), `bifrost-${label}-`));

async function openDisk(): Promise<Harness> {
  const dir = await tempDir("disk");
  const store = await createFileStore({ kind: "disk", root: dir });
  expect(store).toBeInstanceOf(DiskFileStore);
  return { store, cleanup: () => rm(dir, RECURSIVE) };
}

function s3Config(port: number, credentials = S3RVER_CREDENTIALS): S3Config {
  const endpoint = `http://127.0.0.1:${port}`;
  return { bucket: BUCKET, endpoint, region: "us-east-1", forcePathStyle: true, credentials };
}

// s3rver signs ListObjectsV2 continuation tokens with DES, which Node's OpenSSL 3 only offers through
// its legacy provider; so s3rver runs in a child process started with that flag. It exits when our
// stdin pipe closes, so a crashed test run leaves no server behind.
const S3RVER_SCRIPT = `const S3rver = require(process.argv[1]);
process.stdin.on("end", () => process.exit(0)).resume();
new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory: process.argv[2],
  configureBuckets: [{ name: process.argv[3] }] }).run().then(({ port }) => console.log(port));`;

async function openS3(): Promise<Harness> {
  const dir = await tempDir("s3rver");
  const args = ["--openssl-legacy-provider", "-e", S3RVER_SCRIPT, require.resolve("s3rver"), dir, BUCKET];
  const child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "inherit"] });
  const exited = once(child, "exit");
  const firstLine = once(readline.createInterface({ input: child.stdout }), "line") as Promise<[string]>;
  const started = await Promise.race([firstLine, exited.then(() => undefined)]);
  if (!started) throw new Error(`s3rver exited before listening (code ${child.exitCode})`);
  // A tiny page size makes every list() in the contract page through continuation tokens.
  const store = new S3FileStore(s3Config(Number(started[0])), { listPageSize: 2 });
  const cleanup = async (): Promise<void> => {
    await store.close();
    child.kill(); // A no-op when it already exited; `exited` has then settled.
    await exited;
    await rm(dir, RECURSIVE);
  };
  return { store, cleanup };
}

fileStoreContract("DiskFileStore", openDisk);
fileStoreContract("S3FileStore (s3rver)", openS3);

describe("DiskFileStore specifics", () => {
  let parent = "";
  let root = "";
  let outside = "";
  let store: DiskFileStore;
  beforeAll(async () => {
    parent = await tempDir("disk-specific");
    root = path.join(parent, "missing", "root");
    outside = path.join(parent, "outside");
    await mkdir(outside);
    await writeFile(path.join(outside, "secret"), "outside the root");
    store = new DiskFileStore({ root });
    await symlink(outside, path.join(root, "escape"), "dir");
    await symlink(path.join(outside, "secret"), path.join(root, "secret-link"), "file");
  });
  afterAll(() => rm(parent, RECURSIVE));

  it("creates a missing root with mode 0700", async () =>
    expect((await stat(root)).mode & 0o777).toBe(0o700));

  it("keys cannot reach outside the root through '..' or a symlinked folder or file", async () => {
    await expectAllInvalid(store, ["escape/secret", "escape/planted", "escape/new/planted"]);
    await expect(store.get("secret-link")).rejects.toThrow(ValidationError);
    await expect(store.exists("secret-link")).rejects.toThrow(ValidationError);
    await expect(store.list("escape/")).rejects.toThrow(ValidationError);
    expect((await store.list("")).map((f) => f.key)).not.toContain("escape/secret");
    expect(await readdir(outside)).toEqual(["secret"]);
    expect(await readFile(path.join(outside, "secret"), "utf8")).toBe("outside the root");
    await expect(store.put("../x", "x")).rejects.toThrow(ValidationError);
    expect(await readdir(path.dirname(root))).toEqual(["root"]);
  });

  it("concurrent readers see the old or the new content, never a partial file or a temp file", async () => {
    const [first, second] = [Buffer.alloc(2 << 20, 1), Buffer.alloc(2 << 20, 2)];
    await store.put("atomic/file", first);
    for (let round = 0; round < 10; round++) {
      const [, , ...reads] = await Promise.all([
        store.put("atomic/file", round % 2 ? first : second),
        store.put("atomic/file", round % 2 ? second : first),
        ...Array.from({ length: 4 }, () => store.get("atomic/file")),
      ]);
      for (const read of reads) expect(read?.equals(first) || read?.equals(second)).toBe(true);
    }
    expect(await readdir(path.join(root, "atomic"))).toEqual(["file"]);
  });

  it("delete removes emptied folders up to, but not including, the root", async () => {
    await store.put("prune/keep/other", "x");
    await store.put("prune/keep/deep/er/file", "x");
    await store.delete("prune/keep/deep/er/file");
    expect(await readdir(path.join(root, "prune", "keep"))).toEqual(["other"]);
    await store.delete("prune/keep/other");
    await expect(lstat(path.join(root, "prune"))).rejects.toThrow(/ENOENT/);
    expect((await stat(root)).isDirectory()).toBe(true);
  });

  it("ping rejects with UnavailableError when the root is gone", async () => {
    const gone = path.join(parent, "vanishing");
    const doomed = new DiskFileStore({ root: gone });
    await rm(gone, { recursive: true });
    await expect(doomed.ping()).rejects.toThrow(UnavailableError);
  });
});

describe("S3FileStore when the endpoint fails", () => {
  const credentials = { accessKeyId: "AKIDNOTLEAKED", secretAccessKey: "never-in-messages-0123456789" };
  const quick = { connectionTimeoutMs: 500, idleTimeoutMs: 300, maxAttempts: 2 };
  const sockets = new Set<net.Socket>();
  // Accepts connections and never answers: only the client's timeouts can end a request.
  const silent = net.createServer((socket) => void sockets.add(socket));
  // Answers 503 and, as S3 does in signature errors, echoes the caller's access key id in the body.
  const failing = http.createServer((req, res) => {
    const keyId = /Credential=([^/]+)/.exec(req.headers.authorization ?? "")?.[1] ?? "";
    const body = `<Error><Code>InternalError</Code><Message>busy</Message><AWSAccessKeyId>${keyId}</AWSAccessKeyId></Error>`;
    res.writeHead(503, { "content-type": "application/xml" }).end(body);
  });
  const closed = net.createServer();
  const close = (server: net.Server) => new Promise((resolve) => server.close(resolve));
  let stores: Record<"silent" | "failing" | "closed", S3FileStore>;

  beforeAll(async () => {
    const storeFor = async (server: net.Server): Promise<S3FileStore> => {
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const { port } = server.address() as net.AddressInfo;
      return new S3FileStore(s3Config(port, credentials), quick);
    };
    stores = {
      silent: await storeFor(silent),
      failing: await storeFor(failing),
      closed: await storeFor(closed),
    };
    // Nothing listens on that port any more: connections are refused.
    await close(closed);
  });
  afterAll(async () => {
    for (const store of Object.values(stores)) await store.close();
    for (const socket of sockets) socket.destroy();
    await Promise.all([close(silent), close(failing)]);
  });

  async function expectUnavailableQuickly(store: FileStore): Promise<void> {
    for (const run of [() => store.ping(), () => store.list("p/"), ...keyedOperations(store, "k")]) {
      const started = performance.now();
      const error = await run().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnavailableError);
      expect(performance.now() - started).toBeLessThan(5_000);
      const serialized = `${String(error)} ${JSON.stringify(error)}`;
      expect(serialized).not.toContain(credentials.accessKeyId);
      expect(serialized).not.toContain(credentials.secretAccessKey);
    }
  }

  it.each([
    ["a closed port", "closed"],
    ["an endpoint that never answers", "silent"],
    ["a 5xx answer", "failing"],
  ] as const)(
    "%s makes every operation reject quickly with an UnavailableError naming no credentials",
    (_, kind) => expectUnavailableQuickly(stores[kind]),
  );

  it("rejects unsafe keys with ValidationError without contacting the endpoint", async () => {
    await expectAllInvalid(stores.closed, UNSAFE_KEYS);
  });
});
