/** redactSecrets: every shape a secret travels in is masked; ordinary text is left alone. */
import { describe, expect, it } from '@jest/globals';
import { createRedactor, redactSecrets } from '../../lib/common/redact.js';

const jwt =
  'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.' +
  'eyJhdWQiOiJodHRwczovL2FwaS5wYXJ0bmVyY2VudGVyLm1pY3Jvc29mdC5jb20ifQ.c2lnbmF0dXJlLWJ5dGVz';

describe('redactSecrets', () => {
  it.each<[string, string, string]>([
    ['an Authorization header', `Authorization: Bearer ${jwt}`, 'Authorization: ***'],
    ['a bearer token in prose', `sent Bearer abc.def-123 to the API`, 'sent Bearer *** to the API'],
    ['a bare JWT', `token was ${jwt}.`, 'token was ***.'],
    [
      'a client secret in a form body',
      'grant_type=client_credentials&client_secret=s3cr3t~value&scope=x',
      'grant_type=client_credentials&client_secret=***&scope=x',
    ],
    [
      'a refresh token in a form body',
      'grant_type=refresh_token&refresh_token=0.AAAA-bbbb',
      'grant_type=refresh_token&refresh_token=***',
    ],
    [
      'tokens in a JSON body',
      '{"access_token":"abc","refresh_token":"def","token_type":"Bearer","expires_in":3599}',
      '{"access_token":"***","refresh_token":"***","token_type":"***","expires_in":3599}',
    ],
    [
      'a camel-case secret member',
      '{"clientSecret":"x\\"y","name":"ok"}',
      '{"clientSecret":"***","name":"ok"}',
    ],
    ['a managed identity header', 'X-IDENTITY-HEADER: 1234-abcd', 'X-IDENTITY-HEADER: ***'],
  ])('masks %s', (_, text, expected) => {
    expect(redactSecrets(text)).toBe(expected);
  });

  it('masks Basic credentials wherever they appear, and only those', () => {
    const basic = (pair: string) => Buffer.from(pair).toString('base64');
    for (const [text, expected] of [
      [`sent Basic ${basic('app-id:s3cret')} to /token`, 'sent Basic *** to /token'],
      [`{"h":"Basic ${basic('Aladdin:open sesame')}"}`, '{"h":"Basic ***"}'],
      [`basic ${basic('a:b')}.`, 'basic ***.'],
      [`Authorization: Basic ${basic('x:y')}`, 'Authorization: ***'],
      // An API key in place of the pair: long, with characters a word does not have.
      ['Basic abcdEFGH1234ijklMNOP', 'Basic ***'],
    ])
      expect(redactSecrets(text!)).toBe(expected);
    for (const text of [
      'AttributeSet Basic',
      'AttributeSet Basic Only',
      'Microsoft 365 Business Basic plan, 10 seats',
      'the Basic Auth scheme',
      'Basic Information, Basic Older, Basic tier',
      'Basic YWJj (abc, no colon)',
    ])
      expect(redactSecrets(text)).toBe(text);
  });

  it('masks the values of secret parameters wherever they appear', () => {
    expect(
      redactSecrets('failed with secret Tr0ub4dor&3 in the URL ?x=Tr0ub4dor&3', ['Tr0ub4dor&3']),
    ).toBe('failed with secret *** in the URL ?x=***');
  });

  it('leaves ordinary diagnostics alone', () => {
    const text =
      'GET https://127.0.0.1:8443/v1/customers?size=500 200 (12 ms) ' +
      'MS-RequestId: 5f1c MS-ContinuationToken: abc';
    expect(redactSecrets(text)).toBe(text);
  });

  it('a redactor learns secrets as they appear', () => {
    const redact = createRedactor();
    expect(redact('value hunter22')).toBe('value hunter22');
    redact.add('hunter22');
    expect(redact('value hunter22')).toBe('value ***');
  });
});
