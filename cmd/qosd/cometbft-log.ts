// CometBFT's log file: CometBFT writes it itself (its stdout and stderr are the file, opened O_APPEND),
// so its last lines are written even when qosd is gone, and it never dies of SIGPIPE on a pipe whose
// reader died. qosd only rotates the file by size.
import { closeSync, existsSync, openSync, readSync, renameSync, rmSync, statSync, truncateSync, writeSync, fstatSync } from "node:fs";

export interface LogRotation {
  /** rotate once the file is larger than this */
  maxBytes: number;
  /** rotated files kept: <file>.1 (newest) … <file>.<keep> */
  keep: number;
}

/** Moves <file>.k to <file>.k+1 for every k, dropping what would become <file>.<keep+1>. */
function shiftRotated(file: string, keep: number): void {
  rmSync(`${file}.${keep}`, { force: true });
  for (let k = keep - 1; k >= 1; k--) if (existsSync(`${file}.${k}`)) renameSync(`${file}.${k}`, `${file}.${k + 1}`);
}

/** Rotates by renaming: only while no process has the file open (before CometBFT starts). */
export function rotateClosedLog(file: string, rotation: LogRotation): boolean {
  if (!existsSync(file) || statSync(file).size <= rotation.maxBytes) return false;
  if (rotation.keep === 0) {
    rmSync(file);
    return true;
  }
  shiftRotated(file, rotation.keep);
  renameSync(file, `${file}.1`);
  return true;
}

/**
 * Rotates a file another process keeps appending to (copy, then truncate): a rename would leave the
 * writer writing into the renamed file. The copy is repeated until it caught up with the writer, so only
 * what the writer appends between the last read and the truncate (microseconds) can be lost.
 */
export function rotateOpenLog(file: string, rotation: LogRotation): boolean {
  if (!existsSync(file) || statSync(file).size <= rotation.maxBytes) return false;
  if (rotation.keep > 0) {
    shiftRotated(file, rotation.keep);
    const from = openSync(file, "r");
    const to = openSync(`${file}.1`, "w");
    try {
      const chunk = Buffer.allocUnsafe(1 << 20);
      let offset = 0;
      while (offset < fstatSync(from).size) {
        const n = readSync(from, chunk, 0, chunk.length, offset);
        if (n === 0) break;
        writeSync(to, chunk, 0, n);
        offset += n;
      }
    } finally {
      closeSync(from);
      closeSync(to);
    }
  }
  truncateSync(file, 0);
  return true;
}

/** Copies what is appended to `file` to `out` (for --verbose), from the file's current end. */
export function followLog(file: string, out: NodeJS.WritableStream, intervalMs = 200): () => void {
  let offset = existsSync(file) ? statSync(file).size : 0;
  const timer = setInterval(() => {
    let fd: number | undefined;
    try {
      fd = openSync(file, "r");
      const size = fstatSync(fd).size;
      if (size < offset) offset = 0; // rotated (truncated)
      while (offset < size) {
        const chunk = Buffer.allocUnsafe(Math.min(size - offset, 1 << 20));
        const n = readSync(fd, chunk, 0, chunk.length, offset);
        if (n === 0) break;
        out.write(chunk.subarray(0, n));
        offset += n;
      }
    } catch {
      // the file is being rotated; the next tick reads on
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
