/** The small shared helpers of lib/common: each one place, each behaviour pinned down here. */
import { describe, expect, it } from '@jest/globals';
import {
  isCertificateErrorCode,
  mentionsCertificateProblem,
} from '../../lib/common/certificate-errors.js';
import { isGuid } from '../../lib/common/guid.js';
import { withoutUndefined } from '../../lib/common/objects.js';
import { capitalise, joinLines, stripBom, untrustedLine } from '../../lib/common/text.js';

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
