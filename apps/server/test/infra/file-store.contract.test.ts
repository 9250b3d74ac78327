import { lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { S3Config } from "../../src/config.js";
import { UnavailableError, ValidationError } from "../../src/errors.js";
import { DiskFileStore } from "../../src/infra/files/disk-file-store.js";
import type { FileStore } from "../../src/infra/files/file-store.js";
import { S3FileStore, type S3FileStoreOptions } from "../../src/infra/files/s3-file-store.js";

const UNSAFE_KEYS = ["../x", "/abs", "a//b", "a/./b", "a\\b", "a\u0000b", ""];
const ALL_BYTES = Buffer.from(Uint8Array.from({ length: 256 }, (_, i) => i));
const BUCKET = "bifrost-test";

// Stores are shared within a describe block; each test works under its own prefix.
let counter = 0;
const freshPrefix = (): string => `t${++counter}-${process.pid}`;

type Harness = { store: FileStore; cleanup(): Promise<void> };

function fileStoreContract(name: string, open: () => Promise<Harness>): void {
  describe(`${name}: FileStore contract`, () => {
    let harness: Harness | undefined;
    const store = (): FileStore => {
      if (!harness) throw new Error("store not opened");
      return harness.store;
    };
    beforeAll(async () => {
      harness = await open();
    });
    afterAll(async () => {
      await harness?.cleanup();
    });

    it("round-trips UTF-8 text", async () => {
      const key = `${freshPrefix()}/hello.txt`;
      await store().put(key, "héllo ✓ 🌍\n", { contentType: "text/plain" });
      expect((await store().get(key))?.toString("utf8")).toBe("héllo ✓ 🌍\n");
    });

    it("round-trips every byte value 0..255", async () => {
      const key = `${freshPrefix()}/bytes.bin`;
      await store().put(key, Uint8Array.from(ALL_BYTES));
      expect(await store().get(key)).toEqual(ALL_BYTES);
    });

    it("returns null when getting a key that was never stored", async () => {
      const p = freshPrefix();
      await store().put(`${p}/present`, "x");
      expect(await store().get(`${p}/absent`)).toBeNull();
      expect(await store().get(`${p}/no-folder/absent`)).toBeNull();
    });

    it("exists is true only for stored keys, not for their folders", async () => {
      const p = freshPrefix();
      expect(await store().exists(`${p}/dir/file`)).toBe(false);
      await store().put(`${p}/dir/file`, "x");
      expect(await store().exists(`${p}/dir/file`)).toBe(true);
      expect(await store().exists(`${p}/dir`)).toBe(false);
    });

    it("overwriting a key replaces its whole content", async () => {
      const key = `${freshPrefix()}/doc`;
      await store().put(key, "a much longer first version");
      await store().put(key, "short");
      expect((await store().get(key))?.toString()).toBe("short");
      expect((await store().list(key)).map((f) => f.size)).toEqual([5]);
    });

    it("delete removes the key and deleting again (or a never-stored key) succeeds", async () => {
      const key = `${freshPrefix()}/gone`;
      await store().put(key, "x");
      await store().delete(key);
      expect(await store().exists(key)).toBe(false);
      expect(await store().get(key)).toBeNull();
      await expect(store().delete(key)).resolves.toBeUndefined();
      await expect(store().delete(`${freshPrefix()}/never/stored`)).resolves.toBeUndefined();
    });

    it("list returns only keys under the prefix, sorted by key, with sizes", async () => {
      const p = freshPrefix();
      // Written out of order, and with neighbours that share the prefix's text but not its folder.
      const files: [string, string][] = [
        [`${p}/in/b/d.txt`, "dddd"],
        [`${p}/in/a.txt`, "a"],
        [`${p}/in/b/c.txt`, "cc"],
        [`${p}/in/Z`, "zzz"],
        [`${p}/inside`, "x"],
        [`${p}/out/e.txt`, "e"],
      ];
      for (const [key, text] of files) await store().put(key, text);

      const listed = await store().list(`${p}/in/`);
      expect(listed.map((f) => [f.key, f.size])).toEqual([
        [`${p}/in/Z`, 3],
        [`${p}/in/a.txt`, 1],
        [`${p}/in/b/c.txt`, 2],
        [`${p}/in/b/d.txt`, 4],
      ]);
      for (const file of listed) expect(file.lastModified).toBeInstanceOf(Date);
      // Without the slash the prefix is plain text: `${p}/inside` matches too.
      expect((await store().list(`${p}/in`)).map((f) => f.key)).toContain(`${p}/inside`);
      expect(await store().list(`${p}/nothing/`)).toEqual([]);
    });

    it('list("") lists keys from every folder', async () => {
      const [a, b] = [freshPrefix(), freshPrefix()];
      await store().put(`${a}/one`, "1");
      await store().put(`${b}/deep/two`, "2");
      const keys = (await store().list("")).map((f) => f.key);
      expect(keys).toEqual(expect.arrayContaining([`${a}/one`, `${b}/deep/two`]));
    });

    it("rejects unsafe keys and prefixes with ValidationError and stores nothing", async () => {
      const before = await store().list("");
      for (const key of UNSAFE_KEYS) {
        await expect(store().put(key, "x"), `put ${JSON.stringify(key)}`).rejects.toThrow(ValidationError);
        await expect(store().get(key), `get ${JSON.stringify(key)}`).rejects.toThrow(ValidationError);
        await expect(store().exists(key), `exists ${JSON.stringify(key)}`).rejects.toThrow(ValidationError);
        await expect(store().delete(key), `delete ${JSON.stringify(key)}`).rejects.toThrow(ValidationError);
      }
      for (const prefix of ["../", "/abs/", "a//", "a/../b/", "a\\b"]) {
        await expect(store().list(prefix), `list ${JSON.stringify(prefix)}`).rejects.toThrow(ValidationError);
      }
      expect(await store().list("")).toEqual(before);
    });

    it("ping succeeds", async () => {
      await expect(store().ping()).resolves.toBeUndefined();
    });
  });
}

const tempDir = (label: string): Promise<string> => mkdtemp(path.join(os.tmpdir(), `bifrost-${label}-`));

async function openDisk(): Promise<Harness> {
  const dir = await tempDir("disk");
  return { store: new DiskFileStore({ root: dir }), cleanup: () => rm(dir, { recursive: true, force: true }) };
}

function s3Config(port: number, credentials = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" }): S3Config {
  return { bucket: BUCKET, endpoint: `http://127.0.0.1:${port}`, region: "us-east-1", forcePathStyle: true, credentials };
}

async function openS3(): Promise<Harness> {
  const dir = await tempDir("s3rver");
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory: dir,
    configureBuckets: [{ name: BUCKET }],
  });
  const { port } = await server.run();
  // A tiny page size makes every list() above page through ListObjectsV2 continuation tokens.
  const store = new S3FileStore(s3Config(port), { listPageSize: 2 });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
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
  afterAll(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  it("creates a missing root with mode 0700", async () => {
    expect((await stat(root)).mode & 0o777).toBe(0o700);
  });

  it("cannot reach outside the root through a symlinked directory", async () => {
    await expect(store.put("escape/planted", "x")).rejects.toThrow(ValidationError);
    await expect(store.put("escape/new/planted", "x")).rejects.toThrow(ValidationError);
    await expect(store.get("escape/secret")).rejects.toThrow(ValidationError);
    await expect(store.exists("escape/secret")).rejects.toThrow(ValidationError);
    await expect(store.delete("escape/secret")).rejects.toThrow(ValidationError);
    await expect(store.list("escape/")).rejects.toThrow(ValidationError);
    expect((await store.list("")).map((f) => f.key)).not.toContain("escape/secret");
    expect((await readdir(outside)).sort()).toEqual(["secret"]);
    expect(await readFile(path.join(outside, "secret"), "utf8")).toBe("outside the root");
  });

  it("does not follow a symlinked file that points outside the root", async () => {
    await expect(store.get("secret-link")).rejects.toThrow(ValidationError);
    await expect(store.exists("secret-link")).rejects.toThrow(ValidationError);
  });

  it("writes nothing next to the root for a key that tries to climb out", async () => {
    await expect(store.put("../x", "x")).rejects.toThrow(ValidationError);
    expect((await readdir(path.dirname(root))).sort()).toEqual(["root"]);
  });

  it("leaves no temporary files behind after writes", async () => {
    await store.put("tmpcheck/a", "1");
    await store.put("tmpcheck/a", "2");
    expect(await readdir(path.join(root, "tmpcheck"))).toEqual(["a"]);
  });

  it("concurrent readers see the old or the new content, never a partial file", async () => {
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
  });

  it("delete removes emptied folders up to, but not including, the root", async () => {
    await store.put("prune/keep/other", "x");
    await store.put("prune/keep/deep/er/file", "x");
    await store.delete("prune/keep/deep/er/file");
    await expect(lstat(path.join(root, "prune", "keep", "deep"))).rejects.toThrow(/ENOENT/);
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
  const secret = "never-in-messages-0123456789";
  const credentials = { accessKeyId: "AKIDNOTLEAKED", secretAccessKey: secret };
  const quick: S3FileStoreOptions = { connectionTimeoutMs: 500, idleTimeoutMs: 300 };
  const sockets = new Set<net.Socket>();
  // Accepts connections and never answers: only the client's timeouts can end a request.
  const silent = net.createServer((socket) => void sockets.add(socket));

  beforeAll(() => new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve)));
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  async function expectUnavailableQuickly(operation: Promise<unknown>): Promise<void> {
    const started = performance.now();
    const error: unknown = await operation.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UnavailableError);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(String((error as Error).message)).not.toContain(secret);
    expect(JSON.stringify(error)).not.toContain(secret);
  }

  async function closedPort(): Promise<number> {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const { port } = probe.address() as net.AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    return port;
  }

  it("ping, get and list reject with UnavailableError quickly on a closed port", async () => {
    const store = new S3FileStore(s3Config(await closedPort(), credentials), quick);
    try {
      await expectUnavailableQuickly(store.ping());
      await expectUnavailableQuickly(store.get("some/key"));
      await expectUnavailableQuickly(store.list("some/"));
    } finally {
      await store.close();
    }
  });

  it("ping and get reject with UnavailableError when the endpoint never answers", async () => {
    const { port } = silent.address() as net.AddressInfo;
    const store = new S3FileStore(s3Config(port, credentials), quick);
    try {
      await expectUnavailableQuickly(store.ping());
      await expectUnavailableQuickly(store.get("some/key"));
    } finally {
      await store.close();
    }
  });

  it("rejects unsafe keys with ValidationError without contacting the endpoint", async () => {
    const store = new S3FileStore(s3Config(await closedPort(), credentials), quick);
    try {
      for (const key of UNSAFE_KEYS) await expect(store.get(key)).rejects.toThrow(ValidationError);
      await expect(store.put("../x", "x")).rejects.toThrow(ValidationError);
    } finally {
      await store.close();
    }
  });
});
