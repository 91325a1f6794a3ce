/**
 * What the host does with a failure is a property of the error: whether it ends the run, its exit
 * code, whether a continuation token was refused. No class list decides it.
 */
import { describe, expect, it } from '@jest/globals';
import { defineCmdlet } from '../../lib/cmdlet-support/cmdlet.js';
import {
  AuthenticationError,
  IncompleteListingError,
  InternalError,
  NotConnectedError,
  ServiceError,
  UsageError,
} from '../../lib/common/errors.js';
import { ExitCode } from '../../lib/common/exit-codes.js';
import { PartnerCenterClient } from '../../lib/partner-center/client.js';
import { errorForAnswer } from '../../lib/partner-center/service-errors.js';
import { runInProcess } from '../fixtures/host/run-in-process.js';

const ids = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'];
const input = ids.map((id) => JSON.stringify({ id })).join('\n');

/** Fails every pipeline object with the error `failure` makes, after writing the object's id. */
function failing(failure: () => Error) {
  return defineCmdlet({
    name: 'Get-Failure',
    synopsis: 'Fails.',
    description: 'A fixture that fails each pipeline object.',
    parameters: {
      CustomerId: {
        type: 'guid',
        mandatory: true,
        aliases: ['Id'],
        pipeline: 'byPropertyName',
        description: 'An id.',
      },
    },
    examples: [],
    // biome-ignore lint/correctness/useYield: the fixture only fails
    async *run() {
      throw failure();
    },
  });
}

describe('errors carry what they mean', () => {
  it('an error that ends the run stops a Continue pipeline at its first object', async () => {
    const cmdlet = failing(() => new ServiceError('Gone for good.', { endsRun: true }));
    const result = await runInProcess(cmdlet, ['-ErrorAction', 'Continue'], { stdin: input });
    expect(result.stderrLines).toEqual(['Get-Failure: Gone for good.']);
    expect(result.code).toBe(ExitCode.ServiceFailure);
  });

  it('an error of a class that ends runs by default fails only its item when it says so', async () => {
    const cmdlet = failing(() => new AuthenticationError('Not for this one.', { endsRun: false }));
    const result = await runInProcess(cmdlet, ['-ErrorAction', 'Continue'], { stdin: input });
    expect(result.stderrLines).toEqual([
      'Get-Failure: Not for this one.',
      'Get-Failure: Not for this one.',
      'Get-Failure: 2 of 2 input objects failed: 2 × access denied.',
    ]);
    expect(result.code).toBe(ExitCode.Failure);
  });

  it('keeps each class default: sign-in problems end the run, usage and service ones do not', () => {
    expect(new NotConnectedError('x').endsRun).toBe(true);
    expect(new AuthenticationError('x').endsRun).toBe(true);
    expect(new InternalError('x').endsRun).toBe(true);
    expect(new UsageError('x').endsRun).toBe(false);
    expect(new ServiceError('x').endsRun).toBe(false);
  });

  it('a bug in the module exits 1 with "unexpected error" and asks for a report, never 2', async () => {
    const cmdlet = failing(() => new InternalError('a list was empty where it cannot be.'));
    const result = await runInProcess(cmdlet, ['-CustomerId', ids[0]!], {});
    expect(result.code).toBe(ExitCode.Failure);
    expect(result.stderrLines).toEqual([
      'Get-Failure: Unexpected error: a list was empty where it cannot be. This is a bug in ' +
        'PartnerCenter for Node: run again with -Debug and report it with what that prints.',
    ]);
  });

  it('the client refuses to exist without a correlation id as a bug, not as a usage error', () => {
    const create = () =>
      new PartnerCenterClient({
        apiEndpoint: 'https://127.0.0.1:1',
        correlationId: '',
        tokenProvider: { getToken: async () => 'unused' },
      } as unknown as ConstructorParameters<typeof PartnerCenterClient>[0]);
    expect(create).toThrow(InternalError);
    try {
      create();
    } catch (error) {
      expect((error as InternalError).exitCode).toBe(ExitCode.Failure);
    }
  });

  it('a refused continuation token is a property of the error, kept when a listing wraps it', () => {
    const call = {
      method: 'GET',
      url: new URL('https://127.0.0.1/v1/customers?size=10&seekOperation=Next'),
      status: 400,
      requestId: 'r',
      correlationId: 'c',
    };
    const fromUser = errorForAnswer({ ...call, continuationToken: 'user' }, {});
    const fromPaging = errorForAnswer({ ...call, continuationToken: 'service' }, {});
    const plain = errorForAnswer(call, {});
    expect([fromUser, fromPaging, plain].map((e) => e.continuationTokenRefused)).toEqual([
      true,
      true,
      false,
    ]);
    expect(fromUser).toBeInstanceOf(UsageError);
    expect(fromPaging).toBeInstanceOf(ServiceError);
    const wrapped = new IncompleteListingError(fromPaging, 'Run it again.');
    expect(wrapped.continuationTokenRefused).toBe(true);
    expect(wrapped.endsRun).toBe(false);
    expect(new IncompleteListingError(new NotConnectedError('x'), 'Sign in.').endsRun).toBe(true);
  });
});
