/**
 * A client of the emulator's billing exports written as a user of the real service would write
 * one: Node's https for the requests and zlib for the files (no part of the module's own client).
 */
import https from 'node:https';
import { gunzipSync } from 'node:zlib';
import type { StartedEmulator } from '../../lib/emulator/index.js';
import { agentFor, requestUrl, type Response } from './support.js';

export const GRAPH = 'https://graph.microsoft.com';
export const BILLING = '/v1.0/reports/partners/billing';

export type ExportPath =
  | 'reconciliation/billed'
  | 'reconciliation/unbilled'
  | 'usage/billed'
  | 'usage/unbilled';

export function graphToken(emulator: StartedEmulator, scopes?: readonly string[]): string {
  return scopes
    ? emulator.issueAccessToken({ audience: GRAPH, delegated: true, scopes })
    : emulator.issueAccessToken({ audience: GRAPH });
}

export function startExport(
  emulator: StartedEmulator,
  path: ExportPath,
  body: Record<string, unknown>,
  token = graphToken(emulator),
): Promise<Response> {
  return requestUrl(emulator, `${emulator.graphEndpoint}${BILLING}/${path}/export`, {
    method: 'POST',
    token,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** Polls the operation at `location` until it is no longer running (at most `limit` polls). */
export async function pollOperation(
  emulator: StartedEmulator,
  location: string,
  limit = 20,
  token = graphToken(emulator),
): Promise<{ final: Response; polls: Response[] }> {
  const polls: Response[] = [];
  for (let n = 0; n < limit; n++) {
    const poll = await requestUrl(emulator, location, { token });
    polls.push(poll);
    if (poll.status === 200 && poll.json.status !== 'running') return { final: poll, polls };
  }
  throw new Error(`the operation was still running after ${limit} polls`);
}

export interface Manifest {
  id: string;
  eTag: string;
  rootDirectory: string;
  sasToken: string;
  blobCount: number;
  blobs: { name: string; partitionValue: string }[];
  [name: string]: unknown;
}

/** Export, poll to the end and read the manifest: what every reconciliation client does first. */
export async function exportManifest(
  emulator: StartedEmulator,
  path: ExportPath,
  body: Record<string, unknown>,
): Promise<Manifest> {
  const started = await startExport(emulator, path, body);
  if (started.status !== 202) throw new Error(`export: HTTP ${started.status} ${started.text}`);
  const { final } = await pollOperation(emulator, String(started.headers.location));
  if (final.json.status !== 'succeeded') throw new Error(`export ${final.text}`);
  return readManifest(emulator, final.json['resourceLocation@odata.navigationLink']);
}

export async function readManifest(emulator: StartedEmulator, url: string): Promise<Manifest> {
  const manifest = await requestUrl(emulator, url, { token: graphToken(emulator) });
  if (manifest.status !== 200) throw new Error(`manifest: HTTP ${manifest.status}`);
  return manifest.json as Manifest;
}

export function blobUrl(manifest: Manifest, blob: number): string {
  return `${manifest.rootDirectory}/${manifest.blobs[blob].name}?${manifest.sasToken}`;
}

export interface Download {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  raw: Buffer;
  /** The connection ended before Content-Length bytes came. */
  cut: boolean;
}

/** A Get Blob as any HTTP client sends it; a cut answer resolves with what came. */
export function download(
  emulator: StartedEmulator,
  url: string,
  headers: Record<string, string> = {},
): Promise<Download> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { headers, agent: agentFor(emulator) }, (res) => {
      const chunks: Buffer[] = [];
      const done = (cut: boolean) =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          raw: Buffer.concat(chunks),
          cut,
        });
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done(false));
      res.on('aborted', () => done(true));
      res.on('error', () => done(true));
    });
    req.on('error', reject);
  });
}

/** The JSON lines of a gzip file. */
export function jsonLines(gzip: Buffer): Record<string, any>[] {
  return gunzipSync(gzip)
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));
}

/** Every line of every blob of a manifest, in manifest order. */
export async function allLines(
  emulator: StartedEmulator,
  manifest: Manifest,
): Promise<Record<string, any>[]> {
  const lines: Record<string, any>[] = [];
  for (let blob = 0; blob < manifest.blobs.length; blob++) {
    const got = await download(emulator, blobUrl(manifest, blob));
    if (got.status !== 200) throw new Error(`blob ${blob}: HTTP ${got.status} ${got.raw}`);
    lines.push(...jsonLines(got.raw));
  }
  return lines;
}

/** A money amount in whole cents (the files carry two decimals). */
export const cents = (amount: number) => Math.round(amount * 100);

export function sumCents(lines: readonly Record<string, any>[], field = 'Total'): number {
  return lines.reduce((sum, line) => sum + cents(line[field]), 0);
}
