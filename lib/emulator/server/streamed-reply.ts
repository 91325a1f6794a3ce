/**
 * Sends a streamed reply (a blob) with backpressure: a chunk is written only when the socket took
 * the previous one, so a slow client holds the generator, never a buffer. The faults the server
 * carries out on every reply apply here too, counted in bytes: a break after the headers or
 * half-way, a stall half-way, and a truncation (the first half sent as if it were the whole).
 */
import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { ResetPoint } from './fault-injector.js';
import type { StreamedBody } from './http-exchange.js';

export interface StreamFaults {
  reset?: ResetPoint;
  stallMs?: number;
  truncate?: boolean;
  /** Waits, unless the client goes away first. */
  sleep(ms: number): Promise<void>;
}

/** Resolves true when the socket takes more, false if the client went away first. */
function drained(res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const settle = (more: boolean) => () => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(more);
    };
    const onDrain = settle(true);
    const onClose = settle(false);
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}

interface PumpState {
  sent: number;
  held?: Buffer;
  /** Settles once the last chunk written has left for the client (or the client went away). */
  written?: Promise<void>;
}

/** Writes `source` until `limit` bytes; resolves false if the client went away. */
async function pump(
  res: ServerResponse,
  source: AsyncIterator<Buffer>,
  limit: number,
  state: PumpState,
): Promise<boolean> {
  while (state.sent < limit) {
    let chunk = state.held;
    state.held = undefined;
    if (!chunk) {
      const next = await source.next();
      if (next.done) return true;
      chunk = next.value;
    }
    if (res.destroyed) return false;
    const room = limit - state.sent;
    if (chunk.length > room) {
      state.held = chunk.subarray(room);
      chunk = chunk.subarray(0, room);
    }
    state.sent += chunk.length;
    let more = true;
    state.written = new Promise((resolve) => {
      const settle = () => {
        res.off('close', settle);
        resolve();
      };
      res.once('close', settle);
      more = res.write(chunk, settle);
    });
    if (!more && !(await drained(res))) return false;
  }
  return true;
}

export async function sendStreamed(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: StreamedBody,
  faults: StreamFaults,
): Promise<void> {
  const length = faults.truncate ? Math.floor(body.length / 2) : body.length;
  res.writeHead(status, { ...headers, 'Content-Length': String(length) });
  if (faults.reset === 'before-body') {
    res.flushHeaders();
    setImmediate(() => res.socket?.destroy());
    return;
  }
  const stream: Readable = body.open();
  const source = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const state: PumpState = { sent: 0 };
  const half = Math.floor(length / 2);
  try {
    if (faults.reset === 'mid-body') {
      // Break only once the first half has left: a socket destroyed with writes still queued
      // drops them, headers included, and the client sees no answer at all instead of a cut one
      // (a blob served from memory is written at once, so nothing had left yet).
      if (await pump(res, source, half, state)) await state.written;
      res.socket?.destroy();
      return;
    }
    if (faults.stallMs !== undefined) {
      if (!(await pump(res, source, half, state))) return;
      await faults.sleep(faults.stallMs);
    }
    if (await pump(res, source, length, state)) res.end();
  } catch {
    // The generator or the compressor failed: the client sees a connection cut short.
    res.destroy();
  } finally {
    stream.destroy();
  }
}
