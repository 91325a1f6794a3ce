/**
 * Terminal widths for every script a customer's name may use, against widths counted by hand
 * (spec/fixtures/text/scripts.ts), and cuts that never split what a reader sees as one character.
 */
import { describe, expect, it } from '@jest/globals';
import {
  displayWidth,
  graphemes,
  padToWidth,
  truncateToWidth,
} from '../../lib/common/text-width.js';
import { handCells, scriptSamples } from '../fixtures/text/scripts.js';

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
    expect(truncateToWidth('\u{1F1EF}\u{1F1F5}\u{1F1F0}\u{1F1F7}', 3)).toBe('\u{1F1EF}\u{1F1F5}…');
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
