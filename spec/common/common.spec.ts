/**
 * lib/common on its own: the small shared helpers, terminal widths in every script, and the
 * redaction of secrets. One file because each was a file of a few cases paying jest's set-up;
 * each keeps its own describe.
 */
import { describe, expect, it } from '@jest/globals';
import {
  isCertificateErrorCode,
  mentionsCertificateProblem,
} from '../../lib/common/certificate-errors.js';
import { isGuid } from '../../lib/common/guid.js';
import { withoutUndefined } from '../../lib/common/objects.js';
import { capitalise, joinLines, stripBom, untrustedLine } from '../../lib/common/text.js';
import {
  displayWidth,
  graphemes,
  padToWidth,
  truncateToWidth,
} from '../../lib/common/text-width.js';
import { handCells, scriptSamples } from '../fixtures/text/scripts.js';
import { createRedactor, redactSecrets } from '../../lib/common/redact.js';

describe('helpers', () => {
  /** The small shared helpers of lib/common: each one place, each behaviour pinned down here. */
  describe('text', () => {
    it('capitalises the first character only', () => {
      expect(capitalise('3 customers were written')).toBe('3 customers were written');
      expect(capitalise('one customer was written')).toBe('One customer was written');
      expect(capitalise('')).toBe('');
    });

    it('strips one leading byte-order mark and nothing else', () => {
      expect(stripBom('\uFEFF{"a":1}')).toBe('{"a":1}');
      expect(stripBom('\uFEFF\uFEFF{}')).toBe('\uFEFF{}');
      expect(stripBom('{"a":"\uFEFF"}')).toBe('{"a":"\uFEFF"}');
    });

    it('joinLines flattens our own message and keeps everything else', () => {
      expect(joinLines('Cannot read the file.\r\n   Check it.\n')).toBe(
        'Cannot read the file. Check it.',
      );
      expect(joinLines('a\tb  c')).toBe('a\tb  c');
    });

    it('untrustedLine drops control characters, masks secrets and bounds the length', () => {
      expect(untrustedLine('bad\u0007\u001b[31m  value\n')).toBe('bad [31m value');
      expect(untrustedLine('sent Bearer abc.def to x')).toBe('sent Bearer *** to x');
      const long = untrustedLine('x'.repeat(500), 10);
      expect(long).toBe(`${'x'.repeat(9)}…`);
    });
  });

  describe('guid', () => {
    it.each([
      ['c5757d70-06f3-4f23-8367-5a9e55019f94', true],
      ['C5757D70-06F3-4F23-8367-5A9E55019F94', true],
      ['c5757d70-06f3-4f23-8367-5a9e55019f9', false],
      ['{c5757d70-06f3-4f23-8367-5a9e55019f94}', false],
      ['not-a-guid', false],
    ])('%s is a GUID: %s', (text, expected) => {
      expect(isGuid(text)).toBe(expected);
    });
  });

  describe('certificate errors', () => {
    it.each([
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'SELF_SIGNED_CERT_IN_CHAIN',
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
      'CERT_HAS_EXPIRED',
      'ERR_TLS_CERT_ALTNAME_INVALID',
    ])('%s is a certificate failure', (code) => {
      expect(isCertificateErrorCode(code)).toBe(true);
    });

    it('network failures and a missing code are not', () => {
      for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', undefined]) {
        expect(isCertificateErrorCode(code)).toBe(false);
      }
    });

    it('recognises the failure in a message that lost its code', () => {
      expect(
        mentionsCertificateProblem('request to https://x failed, reason: self signed cert'),
      ).toBe(true);
      expect(mentionsCertificateProblem('unable to verify the first certificate')).toBe(true);
      expect(mentionsCertificateProblem('connect ECONNREFUSED 127.0.0.1:1')).toBe(false);
    });
  });

  describe('withoutUndefined', () => {
    it('keeps null, false, 0 and empty strings, drops undefined members', () => {
      expect(withoutUndefined({ a: undefined, b: null, c: false, d: 0, e: '' })).toEqual({
        b: null,
        c: false,
        d: 0,
        e: '',
      });
      expect(Object.keys(withoutUndefined({ a: undefined, b: 1 }))).toEqual(['b']);
    });
  });
});

describe('text width', () => {
  /**
   * Terminal widths for every script a customer's name may use, against widths counted by hand
   * (spec/fixtures/text/scripts.ts), and cuts that never split what a reader sees as one character.
   */
  /** Grapheme clusters by the platform's own segmenter (UAX #29), not the module's. */
  const clusters = (text: string) =>
    Array.from(new Intl.Segmenter().segment(text), (part) => part.segment);

  describe('displayWidth', () => {
    it.each(scriptSamples.map((sample) => [sample.script, sample] as const))(
      '%s: the cells a terminal gives it',
      (_script, sample) => {
        expect(displayWidth(sample.text)).toBe(handCells(sample));
      },
    );

    it('counts an emoji as two cells, a ZWJ family as two (not six), marks and joiners as none', () => {
      expect(displayWidth('☕')).toBe(2);
      expect(displayWidth('\u{1F468}\u200D\u{1F469}\u200D\u{1F467}\u200D\u{1F466}')).toBe(2);
      expect(displayWidth('\u{1F1EF}\u{1F1F5}')).toBe(2);
      expect(displayWidth('\u{1F44D}\u{1F3FD}')).toBe(2);
      expect(displayWidth('\u0E34\u0E48')).toBe(0); // Thai vowel and tone mark alone
      expect(displayWidth('\u094D')).toBe(0); // Devanagari virama alone
      expect(displayWidth('a\u200Bb\u200Dc')).toBe(3);
      // A text-style heart is one cell; with the emoji presentation selector it is two.
      expect(displayWidth('\u2764')).toBe(1);
      expect(displayWidth('\u2764\uFE0F')).toBe(2);
    });

    it('agrees with the platform on where graphemes fall', () => {
      for (const sample of scriptSamples)
        expect(graphemes(sample.text)).toEqual(clusters(sample.text));
    });
  });

  describe('truncateToWidth', () => {
    it('cuts between graphemes only, ending in an ellipsis, within the width', () => {
      for (const sample of scriptSamples) {
        const cells = handCells(sample);
        for (let width = 1; width < cells; width++) {
          const cut = truncateToWidth(sample.text, width);
          expect(cut.endsWith('…')).toBe(true);
          const kept = cut.slice(0, -1);
          // What is kept is whole graphemes of the original, in order.
          const whole = clusters(sample.text);
          const keptClusters = clusters(kept);
          expect(whole.slice(0, keptClusters.length)).toEqual(keptClusters);
          expect(handCells(sample, [...kept].length) + 1).toBeLessThanOrEqual(width);
        }
        expect(truncateToWidth(sample.text, cells)).toBe(sample.text);
      }
    });

    it('never leaves half a flag, a family without its members, or a letter without its mark', () => {
      expect(truncateToWidth('\u{1F1EF}\u{1F1F5}\u{1F1F0}\u{1F1F7}', 3)).toBe(
        '\u{1F1EF}\u{1F1F5}…',
      );
      expect(truncateToWidth('\u{1F468}\u200D\u{1F469}\u200D\u{1F467}xyz', 3)).toBe(
        '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}…',
      );
      expect(truncateToWidth('สวัสดีครับ', 3)).toBe('สวั…');
      expect(truncateToWidth('e\u0301e\u0301e\u0301', 2)).toBe('e\u0301…');
    });
  });

  describe('padToWidth', () => {
    it('pads by cells, not by code units', () => {
      expect(padToWidth('☕', 4)).toBe('☕  ');
      expect(padToWidth('สวัสดี', 6)).toBe('สวัสดี  ');
      expect(padToWidth('toolong', 3)).toBe('toolong');
    });
  });
});

describe('redact', () => {
  /** redactSecrets: every shape a secret travels in is masked; ordinary text is left alone. */
  const jwt =
    'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.' +
    'eyJhdWQiOiJodHRwczovL2FwaS5wYXJ0bmVyY2VudGVyLm1pY3Jvc29mdC5jb20ifQ.c2lnbmF0dXJlLWJ5dGVz';

  describe('redactSecrets', () => {
    it.each<[string, string, string]>([
      ['an Authorization header', `Authorization: Bearer ${jwt}`, 'Authorization: ***'],
      [
        'a bearer token in prose',
        `sent Bearer abc.def-123 to the API`,
        'sent Bearer *** to the API',
      ],
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
});
