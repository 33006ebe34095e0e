import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { readFileDigests } from "../../src/facts/gather.js";
import { fileContent, type SourceReader } from "../../src/facts/reader.js";

const HEAD = "c".repeat(40);
/** Not valid UTF-8: a digest over decoded text would differ. */
const MODEL = Buffer.from([0x08, 0x07, 0xff, 0xfe, 0x00, 0x12]);

describe("the digests of the files an approval names", () => {
  it("are read at the head, over the raw bytes, null for a path that is not a file there", async () => {
    const reads: string[] = [];
    const reader: SourceReader = {
      async readFile(revision, path) {
        reads.push(`${revision}:${path}`);
        return path === "models/credit/model.onnx" ? fileContent(MODEL) : null;
      },
      async changedFiles() {
        return { files: [], truncated: false };
      },
    };
    const digests = await readFileDigests(reader, HEAD, [
      "models/credit/model.onnx",
      "models/credit/submodule",
    ]);
    expect(digests).toEqual({
      "models/credit/model.onnx": createHash("sha256").update(MODEL).digest("hex"),
      "models/credit/submodule": null,
    });
    expect(reads).toEqual([`${HEAD}:models/credit/model.onnx`, `${HEAD}:models/credit/submodule`]);
  });
});
