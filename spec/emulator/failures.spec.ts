/**
 * Who is to blame for a failure: a request the emulator refuses on purpose (BadRequestError) is a
 * 400, anything else it throws is its own bug and a 500, each in the shape of the surface it
 * stands for. And every route reads its query through the one case-insensitive parser.
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import { BadRequestError } from '../../lib/emulator/server/bad-request.js';
import { controlService } from '../../lib/emulator/server/control-routes.js';
import { entraService } from '../../lib/emulator/entra/service.js';
import type { Exchange } from '../../lib/emulator/server/http-exchange.js';
import { partnerCenterService } from '../../lib/emulator/partner-center/service.js';
import { Query } from '../../lib/emulator/server/query.js';
import { failureReply as replyOf } from '../../lib/emulator/server/request-handler.js';
import type { Service } from '../../lib/emulator/server/service.js';

const services = { api: partnerCenterService, entra: entraService, control: controlService };
const exchange: Exchange = {
  req: { headers: {} } as IncomingMessage,
  url: new URL('https://127.0.0.1/x'),
  query: new Query(new URLSearchParams()),
  params: {},
  route: 'GET /x',
  receivedAt: 0,
  requestId: '00000000-0000-4000-8000-000000000000',
};
const route = (kind: keyof typeof services): Service => services[kind];
const failureReply = (service: Service, error: unknown, bom: boolean) =>
  replyOf(service, exchange, error, bom);
const json = (body: Buffer) => JSON.parse(body.toString('utf8'));

describe('failure replies', () => {
  it('answers a BadRequestError with 400 and any other error with 500, API in Partner Center shape', () => {
    const bad = failureReply(route('api'), new BadRequestError('size is wrong'), false);
    expect(bad.status).toBe(400);
    expect(json(bad.body)).toEqual({
      code: 3000,
      description: 'Invalid property: size is wrong',
      data: [],
      source: 'PartnerFD',
    });
    // A TypeError or RangeError from the emulator's own code is no longer passed off as bad input.
    for (const bug of [new TypeError('x is undefined'), new RangeError('offset'), 'thrown text']) {
      const reply = failureReply(route('api'), bug, false);
      expect(reply.status).toBe(500);
      expect(json(reply.body)).toMatchObject({
        code: 0,
        description: expect.stringMatching(/^Internal error: /),
        source: 'PartnerFD',
      });
    }
    const withBom = failureReply(route('api'), new TypeError('x'), true);
    expect(withBom.body.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });

  it('answers Entra and control routes in the OAuth shape, 400 or 500 by the same rule', () => {
    for (const kind of ['entra', 'control'] as const) {
      const bad = failureReply(route(kind), new BadRequestError('expected a JSON object'), false);
      expect(bad.status).toBe(400);
      expect(json(bad.body)).toEqual({
        error: 'invalid_request',
        error_description: 'expected a JSON object',
      });
      const bug = failureReply(route(kind), new TypeError('boom'), false);
      expect(bug.status).toBe(500);
      expect(json(bug.body)).toEqual({ error: 'server_error', error_description: 'boom' });
    }
  });
});

describe('query names', () => {
  it('are matched in any case, the first occurrence winning', () => {
    const query = new Query(new URLSearchParams('Size=5&SEEKOPERATION=Next&size=9&filter=a+b'));
    expect(query.get('size')).toBe('5');
    expect(query.get('seekOperation')).toBe('Next');
    expect(query.has('SeekOperation')).toBe(true);
    expect(query.get('filter')).toBe('a b');
    expect(query.get('missing')).toBeNull();
  });

  it('are read through the one parser by every emulator route', () => {
    const dir = join(import.meta.dirname, '..', '..', 'lib', 'emulator');
    // Every service's folder, not only the top: the emulator lives in subfolders.
    const readers = readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter(
        (file) =>
          file.endsWith('.ts') &&
          !file.endsWith('/query.ts') &&
          !file.endsWith('/request-handler.ts'),
      )
      .filter((file) =>
        /searchParams\.(get|has|getAll|entries|forEach)\b|of [\w.]*searchParams/.test(
          readFileSync(join(dir, file), 'utf8'),
        ),
      );
    expect(readers).toEqual([]);
  });
});
