/**
 * Realistic customer names in several scripts, built from the word lists of name-words.ts (the
 * data; this file is how names are made of it). Every pick comes from the customer's Rng, so a
 * customer is the same on every start.
 */
import type { Rng } from '../server/random.js';
import { LOCALE_WORDS, type CompanyWords, type LocaleWords, type Word } from './name-words.js';

export type { Word } from './name-words.js';

/** The longest slug put in a customer's `onmicrosoft.com` domain. */
const MAX_SLUG_LENGTH = 20;

/**
 * A company name, prepared once for the page writer (which copies bytes rather than encode
 * strings).
 */
export interface CompanyName {
  readonly shown: string;
  /** `shown` in lower case, for case-insensitive searches. */
  readonly lowerShown: string;
  /** Lowercase a-z only, at most 20 letters: the start of the customer's initial domain. */
  readonly slug: string;
  /** `shown` as a JSON string literal, UTF-8. */
  readonly json: Buffer;
  readonly slugBytes: Buffer;
}

export interface LocaleGroup {
  readonly key: string;
  /** Relative share of customers. */
  readonly weight: number;
  readonly culture: string;
  readonly language: string;
  readonly country: string;
  readonly tld: string;
  /** City, region (state), postal code, phone prefix. */
  readonly cities: readonly (readonly [city: string, region: string, postalCode: string])[];
  readonly phonePrefix: string;
  readonly firstNames: readonly Word[];
  readonly lastNames: readonly Word[];
  readonly street: (rng: Rng) => string;
  readonly company: (rng: Rng) => CompanyName;
}

function joinWords(parts: readonly Word[], separator: string): Word {
  return [parts.map((part) => part[0]).join(separator), parts.map((part) => part[1]).join('')];
}

/**
 * Remembers each name built from a combination of picks (a few thousand in all), with its encoded
 * forms, so deriving a customer allocates no name and writing one copies ready bytes.
 */
function memoised(build: (picks: readonly number[]) => Word, sizes: readonly number[]) {
  const cache = new Map<number, CompanyName>();
  return (rng: Rng): CompanyName => {
    let key = 0;
    for (const size of sizes) key = key * size + rng.below(size);
    let name = cache.get(key);
    if (!name) {
      const picks: number[] = [];
      let rest = key;
      for (let n = sizes.length - 1; n >= 0; n--) {
        picks[n] = rest % sizes[n];
        rest = Math.floor(rest / sizes[n]);
      }
      const [shown, fullSlug] = build(picks);
      const slug = fullSlug.slice(0, MAX_SLUG_LENGTH);
      name = {
        shown,
        lowerShown: shown.toLowerCase(),
        slug,
        json: Buffer.from(JSON.stringify(shown), 'utf8'),
        slugBytes: Buffer.from(slug, 'latin1'),
      };
      cache.set(key, name);
    }
    return name;
  };
}

/** Latin-script companies: a family name, a trade, a legal form, in either order. */
function latinCompany(
  surnames: readonly Word[],
  trades: readonly Word[],
  forms: readonly string[],
) {
  return memoised(
    ([surnameIndex, tradeIndex, formIndex, order]) => {
      const surname = surnames[surnameIndex];
      const trade = trades[tradeIndex];
      const form = forms[formIndex];
      const name =
        order === 0 ? joinWords([trade, surname], ' ') : joinWords([surname, trade], ' ');
      return [form ? `${name[0]} ${form}` : name[0], name[1]];
    },
    [surnames.length, trades.length, forms.length, 3],
  );
}

/** A brand and a legal form. */
function brandCompany(brands: readonly Word[], forms: readonly string[]) {
  return memoised(
    ([brandIndex, formIndex]) => {
      const brand = brands[brandIndex];
      const form = forms[formIndex];
      return [form ? `${brand[0]} ${form}` : brand[0], brand[1]];
    },
    [brands.length, forms.length],
  );
}

/** A prefix and a trade written as one word, inside a legal form (`{name}` in it). */
function joinedCompany(
  prefixes: readonly Word[],
  trades: readonly Word[],
  forms: readonly string[],
) {
  return memoised(
    ([prefix, trade, form]) => {
      const name = joinWords([prefixes[prefix], trades[trade]], '');
      return [forms[form].replace('{name}', name[0]), name[1]];
    },
    [prefixes.length, trades.length, forms.length],
  );
}

function companyOf(words: CompanyWords): (rng: Rng) => CompanyName {
  if (words.kind === 'brand') return brandCompany(words.brands, words.forms);
  if (words.kind === 'latin') return latinCompany(words.surnames, words.trades, words.forms);
  return joinedCompany(words.prefixes, words.trades, words.forms);
}

/** The pattern split once into its literal parts and placeholders, so an address is one join. */
function streetOf(names: readonly string[], pattern: string): (rng: Rng) => string {
  const parts = pattern.split(/(\{name\}|\{n9\}|\{n\})/).filter(Boolean);
  return (rng) => {
    const name = rng.pick(names);
    const n = 1 + rng.below(240);
    let address = '';
    for (const part of parts)
      address +=
        part === '{name}'
          ? name
          : part === '{n}'
            ? String(n)
            : part === '{n9}'
              ? String(1 + (n % 9))
              : part;
    return address;
  };
}

function localeGroup({ streets, streetPattern, company, ...words }: LocaleWords): LocaleGroup {
  return { ...words, street: streetOf(streets, streetPattern), company: companyOf(company) };
}

export const localeGroups: readonly LocaleGroup[] = LOCALE_WORDS.map(localeGroup);

const totalWeight = localeGroups.reduce((sum, group) => sum + group.weight, 0);

/** Picks a locale group by weight. */
export function pickLocaleGroup(rng: Rng): LocaleGroup {
  let remaining = rng.below(totalWeight);
  for (const group of localeGroups) {
    remaining -= group.weight;
    if (remaining < 0) return group;
  }
  return localeGroups[0];
}
